import { SETTING_TWINS } from '../../core/index.js';
import { comment, keyComment } from './comment.js';

/** config/settings.yaml: the run settings; includes the source and target files. */
export function settingsYaml(): string {
  return `# ferry migration settings. Every key, its default and its FERRY_… variable: docs/config.md.
# For each setting: a command-line flag beats a FERRY_… environment variable, which beats this file,
# which beats the default. Relative paths in this file are relative to this file's directory (config/).
# Unknown keys are errors, so a typo cannot be silently ignored.

${keyComment('include')}
include:
  - source_config.yaml
  - target_config.yaml

${keyComment('tables')}
# An entry is a table name, or an object:
#   - name: public.orders       # source table, name or schema.name
#     target_name: orders       # name in the target (default: the source name)
#     key: [order_id]           # split key (default: the primary key)
#     mode: append              # this table's mode (default: mode below)
#     partition_rows: 100000    # this table's rows per partition (default: partition_rows below)
#     partition_bytes: 64MB     # or its bytes per partition (default: partition_bytes below)
tables: []

${keyComment('mode')}
mode: create

${keyComment('workers')}
# workers: 8

${keyComment('partition_rows')}
# partition_rows: 250000

${keyComment('partition_bytes')}
# partition_bytes: 256MB

${keyComment('batch_rows')}
batch_rows: 10000

${keyComment('verify')}
verify: true

${keyComment('on_error')}
on_error: continue

${keyComment('compare')}
compare: {}

${keyComment('state_dir')}
state_dir: ../results/runs

${keyComment('reports_dir')}
reports_dir: ../results/reports

${keyComment('run_id')}
# run_id: cutover-1

${keyComment('log_level')}
log_level: info

${keyComment('nats')}
# nats:
${keyComment('nats.url', 2).replaceAll(/^ {2}#/gm, '#  ')}
#   url: nats://nats:4222
${keyComment('nats.creds_file', 2).replaceAll(/^ {2}#/gm, '#  ')}
#   creds_file: ../secrets/ferry.creds
`;
}

/** config/source_config.yaml: where rows come from. */
export function sourceConfigYaml(): string {
  return `# The source: where rows come from. Included by settings.yaml; see docs/config.md.
source:
${keyComment('source.url', 2)}
  url: postgres://migrator@source-db:5432/app
  # The password never goes in this file. Give it one of these ways:
  #   - FERRY_SOURCE_PASSWORD_FILE=secrets/source_password in the environment (see .env.example);
  #   - password_file: ../secrets/source_password   (relative to this file, chmod 600);
  #   - password: \${SOURCE_PASSWORD}                (a variable set in the environment).
${keyComment('source.options', 2)}
  options: {}
`;
}

/** config/target_config.yaml: where rows go. */
export function targetConfigYaml(): string {
  return `# The target: where rows go. Included by settings.yaml; see docs/config.md.
target:
${keyComment('target.url', 2)}
  url: postgres://migrator@target-db:5432/app
  # The password never goes in this file: FERRY_TARGET_PASSWORD_FILE, password_file or \${VAR},
  # as for the source.
${keyComment('target.schema', 2)}
  # schema: public
${keyComment('target.options', 2)}
  options: {}
`;
}

/** .env.example: every FERRY_… variable, commented, with the password files set. */
export function envExample(): string {
  const blocks = SETTING_TWINS.map((t) => {
    const line = t.secret
      ? `${t.env}_FILE=secrets/${t.env.replace(/^FERRY_/, '').toLowerCase()}`
      : `# ${t.env}=`;
    return `${comment(t.description)}\n${line}`;
  });
  return `# Environment for ferry: copy to .env (which git ignores), fill in, and load it before running ferry,
# e.g. \`set -a; . ./.env; set +a\`. Run ferry from this directory: relative paths here are relative to it.
# A variable beats the config file; a command-line flag beats the variable. An empty value counts as unset.
# Each NAME can instead be NAME_FILE, the path of a file holding the value; ferry refuses such a file if
# group or others can read it (chmod 600). Passwords belong in files, never in this file or on a command line.

${blocks.join('\n\n')}
`;
}

/** .gitignore: keeps secrets and run state out of git. */
export function gitignore(): string {
  return `# Secrets and local environment: never commit them.
.env
secrets/
# Run state (event logs, plans, log files) is large and machine-specific.
results/runs/
`;
}
