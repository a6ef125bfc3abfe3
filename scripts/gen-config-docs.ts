/** Writes docs/config.md from the config schema. Run: npx vite-node scripts/gen-config-docs.ts */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigDocs } from '../core/index.js';

const target = fileURLToPath(new URL('../docs/config.md', import.meta.url));
writeFileSync(target, renderConfigDocs());
process.stdout.write(`wrote ${target}\n`);
