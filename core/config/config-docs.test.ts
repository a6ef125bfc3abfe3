import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderConfigDocs } from './config-docs.js';
import { SETTING_TWINS } from './env-twins.js';

describe('docs/config.md', () => {
  it('is what the schema renders (regenerate: npx vite-node scripts/gen-config-docs.ts)', () => {
    const file = fileURLToPath(new URL('../../docs/config.md', import.meta.url));
    expect(readFileSync(file, 'utf8')).toBe(renderConfigDocs());
  });

  it('documents every key with its default and every environment twin', () => {
    const text = renderConfigDocs();
    expect(text).toContain(
      '| `partition_rows` | integer | `250000` | `--partition-rows`, `FERRY_PARTITION_ROWS` | Target rows per partition',
    );
    expect(text).toContain('| `workers` | integer | `CPU cores` |');
    expect(text).toContain('| `tables[].partition_rows` | integer | — |');
    expect(text).toContain('| `mode` | create \\| truncate \\| append \\| replace | `create` |');
    for (const t of SETTING_TWINS) expect(text).toContain(`| \`${t.env}\` |`);
  });

  it('has a description stating the default for every twin', () => {
    for (const t of SETTING_TWINS) expect(t.description, t.env).toMatch(/Default: |Required/);
  });
});
