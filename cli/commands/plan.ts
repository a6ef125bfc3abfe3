import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { planTotals, planWarnings } from '../../coordinator/index.js';
import {
  createLogger,
  formatLogicalType,
  formatRange,
  type Plan,
  type Settings,
  type TablePlan,
  tableName,
  verifiedAsWholeTable,
} from '../../core/index.js';
import {
  describeRules,
  describeTransform,
  type MappingRow,
  partitionRuleScope,
  type TableTransform,
} from '../../transform/index.js';
import { openSource, openTarget, planFor } from '../local-run.js';
import { type CommandOptions, migrationSettings } from '../settings.js';

/** `ferry plan`: introspect, map and split, without moving data; writes the data-mapping document. */
export async function planCommand(opts: CommandOptions, cmd: Command): Promise<void> {
  const settings = migrationSettings(cmd);
  const logger = createLogger({ level: settings.logLevel });
  const source = await openSource(settings.source, logger);
  try {
    const target = await openTarget(settings.target, logger, { readOnly: true });
    try {
      const plan = await planFor(settings, source, target);
      const warnings = planWarnings(plan, settings).map((w) => `warning: ${w.message}`);
      if (opts.out) writeFileSync(String(opts.out), JSON.stringify(plan, null, 2));
      // migrationSettings resolves full Settings; the config files are not part of what a run needs.
      const configFiles = (settings as Partial<Pick<Settings, 'configFiles'>>).configFiles ?? [];
      const doc = mappingDocPath(opts.mappingDoc, configFiles);
      if (doc) {
        mkdirSync(dirname(doc), { recursive: true });
        writeFileSync(doc, renderMappingDoc(plan, configFiles.at(-1)));
      }
      if (opts.json) {
        if (warnings.length) process.stderr.write(`${warnings.join('\n')}\n`);
        process.stdout.write(`${JSON.stringify(plan)}\n`);
        return;
      }
      const totals = planTotals(plan);
      const lines = [
        `plan ${plan.hash.slice(0, 16)}: ${totals.tables} tables, ${totals.partitions} partitions, ~${totals.estimatedRows.toLocaleString('en-US')} rows (${plan.source.display} → ${plan.target.display}, mode ${plan.mode})`,
      ];
      for (const t of plan.tables) {
        lines.push(
          '',
          `${tableName(t.source)} → ${tableName(t.target)}: ${t.partitions.length} partitions (${t.partitioning.strategy}: ${t.partitioning.reason})`,
        );
        if (t.rawCopy) lines.push(`  rows copied undecoded (${t.rawCopy}): same column types on both sides`);
        if (t.transcode) lines.push(`  rows written by the source straight in ${t.transcode}, without Arrow batches`);
        for (const r of mappingRows(t))
          lines.push(
            `  ${(r.sources.map((s) => s.column).join(', ') || '—').padEnd(24)} ${(r.sources.map((s) => s.type).join(', ') || '—').padEnd(20)} → ${r.target} ${r.targetType}${r.rule === 'copy' ? '' : `  [${r.rule}]`}`,
          );
        for (const p of t.partitions.slice(0, 8))
          lines.push(`  partition ${p.index}: ${formatRange(p.range)} ~${p.estimatedRows} rows`);
        if (t.partitions.length > 8) lines.push(`  … ${t.partitions.length - 8} more`);
      }
      if (doc) lines.push('', `data mapping: ${doc}`);
      if (warnings.length) lines.push('', ...warnings);
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/**
 * Where `ferry plan` writes the data-mapping document: `--mapping-doc FILE`, else `docs/data_mapping.md` beside
 * the config folder (`<config dir>/../docs/`, the `ferry init` layout) when a config file is used, else nowhere.
 */
export function mappingDocPath(flag: unknown, configFiles: readonly string[]): string | undefined {
  if (typeof flag === 'string' && flag !== '') return resolve(flag);
  const main = configFiles.at(-1);
  return main ? resolve(dirname(main), '..', 'docs', 'data_mapping.md') : undefined;
}

/** One line of the mapping, with the source and target types as the engines spell them. */
interface DocRow {
  target: string;
  targetType: string;
  sources: { column: string; type: string }[];
  rule: string;
}

/** Source → target rows of a table: from its transform, or the identity copy of every column. */
function mappingRows(t: TablePlan): DocRow[] {
  const sourceType = new Map(
    t.source.columns.map((c) => [c.name, `${c.nativeType} (${formatLogicalType(c.type)})`]),
  );
  const targetType = new Map(
    t.target.columns.map((c) => [
      c.name,
      `${c.nativeType} (${formatLogicalType(c.type)})${c.nullable ? '' : ' NOT NULL'}`,
    ]),
  );
  const rows: MappingRow[] = t.transform
    ? describeTransform(t.transform as TableTransform, t.source.columns)
    : t.columns.map((m) => ({
        target: m.target,
        targetType: '',
        nullable: true,
        sources: [{ column: m.source, type: '' }],
        rule: m.source === m.target ? 'copy' : `rename from ${m.source}`,
      }));
  return rows.map((r) => ({
    target: r.target,
    targetType: targetType.get(r.target) ?? r.targetType,
    sources: r.sources.map((s) => ({ column: s.column, type: sourceType.get(s.column) ?? s.type })),
    rule: r.rule,
  }));
}

/** A table cell: pipes and line breaks would break the Markdown table. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * The data-mapping document of a plan (Markdown): for every table, each target column with its source
 * columns and types, target type and the rule that makes it; then the business rules, de-duplication and how
 * the table is verified. It is generated from the plan, so it cannot drift from what runs. Deterministic
 * (no dates): the same config and source give the same document.
 */
export function renderMappingDoc(plan: Plan, configFile?: string): string {
  const lines = [
    '# Data mapping',
    '',
    `Generated by \`ferry plan\`${configFile ? ` from \`${configFile}\`` : ''} (plan \`${plan.hash.slice(0, 16)}\`): ` +
      'do not edit it; change the config and run `ferry plan` again.',
    '',
    `- **Source:** \`${plan.source.display}\``,
    `- **Target:** \`${plan.target.display}\``,
    '',
  ];
  for (const t of plan.tables) {
    const src = tableName(t.source);
    const dst = tableName(t.target);
    lines.push(
      `## ${src} → ${dst}`,
      '',
      '| source table | source field | source type | target table | target field | target type | rule |',
      '|---|---|---|---|---|---|---|',
    );
    for (const r of mappingRows(t)) {
      const fields = r.sources.map((s) => s.column).join(', ') || '—';
      const types = r.sources.map((s) => s.type).join(', ') || '—';
      lines.push(
        `| ${cell(src)} | ${cell(fields)} | ${cell(types)} | ${cell(dst)} | ${cell(r.target)} | ${cell(r.targetType)} | ${cell(r.rule)} |`,
      );
    }
    lines.push('');
    const transform = t.transform as TableTransform | undefined;
    if (transform) {
      const used = new Set(mappingRows(t).flatMap((r) => r.sources.map((s) => s.column)));
      const dropped = t.source.columns.map((c) => c.name).filter((c) => !used.has(c));
      if (dropped.length) lines.push(`Source columns not loaded: ${dropped.join(', ')}.`, '');
      const rules = describeRules(transform);
      if (rules.length) {
        const scope = new Map(
          partitionRuleScope(transform, t.keyColumns, t.partitions.length).map((s) => [s.rule, s.scope]),
        );
        lines.push(
          'Business rules — a row that fails one goes to the reject store (`ferry rejects RUN_ID`) with the rule and a reason:',
          '',
          '| rule | check | applies to |',
          '|---|---|---|',
          ...rules.map(
            (r) =>
              `| ${cell(r.name)} | ${cell(r.text)} | ${scope.has(r.name) ? (scope.get(r.name) === 'table' ? 'the whole table' : 'each partition separately') : 'each row'} |`,
          ),
          '',
        );
      }
    }
    lines.push(
      verifiedAsWholeTable(t)
        ? 'Verified as a whole table: the partitioning key does not reach the target unchanged, so each partition cannot be read back by its key range.'
        : t.readBack === 'table'
          ? `Verified as a whole table: the target builds its indexes after the load, so the run reads the table back in one scan and compares it with the sum of the partitions' checksums; \`ferry verify\` compares each key range (${t.keyColumns.join(', ') || 'whole table'}).`
        : `Verified per partition: each key range (${t.keyColumns.join(', ') || 'whole table'}) is read back from the target and its checksum compared.`,
      '',
    );
  }
  return lines.join('\n');
}
