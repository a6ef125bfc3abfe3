#!/usr/bin/env node
// The CLI runs compiled JavaScript (dist/) so piscina workers can load it without a TS loader.
import { main } from '../dist/cli/index.js';

process.exitCode = await main(process.argv);
