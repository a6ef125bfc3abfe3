import { initProject } from '../init.js';

/** `ferry init DIR`: scaffold a migration project. */
export async function initCommand(dir: string, opts: { force?: boolean }): Promise<void> {
  const written = initProject(dir, { force: Boolean(opts.force) });
  process.stdout.write(
    `created ${dir}:\n${written.map((f) => `  ${f}`).join('\n')}\nnext: edit ${dir}/config/*.yaml, then \`ferry plan --config ${dir}/config/settings.yaml\`\n`,
  );
}
