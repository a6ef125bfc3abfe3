// Test entry for the report tests: `bin/ferry.js` with `ferry report` registered. Once cli/index.ts registers
// it (registerReportCommand is idempotent), this is the same program as `ferry`.
import { CommanderError } from 'commander';
import { currentAudit, withAudit } from '../../dist/cli/audit-hook.js';
import { registerReportCommand } from '../../dist/cli/commands/report.js';
import { buildProgram } from '../../dist/cli/index.js';
import { describeError, exitCodeFor, scrub, toFerryError } from '../../dist/core/index.js';

process.exitCode = await withAudit(process.argv, async () => {
  const program = buildProgram();
  registerReportCommand(program);
  try {
    await program.parseAsync(process.argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const err = toFerryError(e);
    currentAudit()?.fail(err);
    process.stderr.write(`ferry: ${scrub(describeError({ ...err.toJSON(), stack: undefined }))}\n`);
    return exitCodeFor(err.code);
  }
});
