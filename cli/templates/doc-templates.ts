/** docs/runbook.md: the operator's checklist for this migration, to fill in and keep with the project. */
export function runbookMd(): string {
  return `# Migration runbook

Fill this in for your migration and keep it in the project's repository. Commands assume you run ferry
from the project directory (the one holding \`config/\`); \`ferry <command> --help\` lists every option.

| | |
|---|---|
| Source | _(system, host, database)_ |
| Target | _(system, host, database)_ |
| Owner | _(name, contact)_ |
| Window | _(date, start, expected duration)_ |
| Go/no-go decided by | _(name)_ |

## 1. Prepare

- [ ] Edit \`config/source_config.yaml\` and \`config/target_config.yaml\` (URLs, target schema) and
      \`config/settings.yaml\` (tables, mode, workers). Reference: \`docs/config.md\` in the ferry repository.
- [ ] Put the passwords in files only you can read, without typing them on a command line:

      mkdir -p secrets && chmod 700 secrets
      (umask 077; read -rs PW && printf '%s\\n' "$PW" > secrets/source_password; unset PW)
      (umask 077; read -rs PW && printf '%s\\n' "$PW" > secrets/target_password; unset PW)

- [ ] Copy \`.env.example\` to \`.env\`, adjust it, and load it: \`set -a; . ./.env; set +a\`.
- [ ] Give the source account read access and the target account rights to create tables and write rows.
- [ ] Back up the target (or record why none is needed) under \`archive/backups/\`: _(how, where)_.

## 2. Rehearse

- [ ] \`ferry plan --config config/settings.yaml\`: check the tables, row estimates and partitions; review
      the column types against \`docs/data_mapping.md\`.
- [ ] Rehearse on a copy of the target: \`ferry run --config config/settings.yaml\`. Note the duration:
      _(minutes)_ for _(rows)_ rows.
- [ ] \`ferry verify --config config/settings.yaml\` reports every partition's checksum equal.
- [ ] Keep the rehearsal's report from \`results/reports/\`.

## 3. Migrate

- [ ] Stop writes to the source tables (or accept that rows written during the run are not copied): _(how)_.
- [ ] \`ferry run --config config/settings.yaml\`; note the run id it prints: _(run id)_.
- [ ] Watch progress from another terminal: \`ferry status RUN_ID\`.
- [ ] If the run stops (crash, network, a failed partition): fix the cause, then \`ferry resume RUN_ID\`.
      Partitions already loaded and recorded in the target's ledger are not loaded again.

## 4. Check and hand over

- [ ] The run ends with every partition verified; keep its report (\`results/reports/\`).
- [ ] Spot-check a few business figures in both systems: _(queries and expected values)_.
- [ ] Switch applications to the target: _(steps)_.
- [ ] Record the outcome: _(date, run id, rows, duration, sign-off)_.

## If it goes wrong

- A failed partition names its table, key range and cause; the report lists them. Fix the cause and resume.
- To go back: point applications at the source again (it was only read) and restore the target from
  \`archive/backups/\`, or drop the tables the run created (mode \`create\`/\`replace\`).
- Logs of each run are in its directory under \`results/runs/\`.
`;
}

/** docs/data_mapping.md: where the column mapping is reviewed; a placeholder until the plan exists. */
export function dataMappingMd(): string {
  return `# Data mapping

Which source column goes to which target column, with which type. The mapping itself is made by
\`ferry plan\`, which reads the source's tables and maps each column's type to the target's; copy its result
here and review it row by row, noting anything that needs a decision.

**This is a placeholder.** The row below is an example of the format, not your data. Replace it with the
mapping of your tables after running \`ferry plan --config config/settings.yaml\`.

| Source table | Source column | Source type | Target table | Target column | Target type | Notes |
|---|---|---|---|---|---|---|
| _example:_ public.orders | amount | numeric(12,2) | orders | amount | decimal(12,2) | exact, no rounding |

## Decisions

Record here each column whose values need a decision (types the target cannot hold exactly, time zones,
character sets, values to reject), with who decided and when.
`;
}
