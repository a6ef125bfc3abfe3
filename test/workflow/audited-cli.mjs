// Test entry for the workflow tests: `bin/ferry.js` with the audit trail and `ferry audit` / `ferry rollback`.
// Once cli/index.ts registers those commands (and wraps each invocation in withAudit), this simply runs
// the real `main`; until then it builds the same program, adds the two commands and wraps it the same way.
import { CommanderError } from 'commander';
import { currentAudit, withAudit } from '../../dist/cli/audit-hook.js';
import { registerAuditCommands } from '../../dist/cli/commands/audit.js';
import { registerRollbackCommand } from '../../dist/cli/commands/rollback.js';
import { buildProgram, main } from '../../dist/cli/index.js';
import { describeError, exitCodeFor, scrub, toFerryError } from '../../dist/core/index.js';

const wired = buildProgram().commands.some((c) => c.name() === 'audit');
process.exitCode = wired
  ? await main(process.argv)
  : await withAudit(process.argv, async () => {
      const program = buildProgram();
      registerAuditCommands(program);
      registerRollbackCommand(program);
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
