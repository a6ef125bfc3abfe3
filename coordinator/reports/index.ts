/**
 * coordinator/reports/: the documents of a run beyond the run report — reconciliation, data-quality
 * certificate and executive summary (Markdown, JSON, self-contained HTML) — and the checks behind them:
 * field-level comparison of a seeded sample, duplicates and orphans on the target. See docs/reports.md.
 */
export * from './documents.js';
export * from './quality-checks.js';
export * from './render-html.js';
export * from './render-markdown.js';
export * from './sample-compare.js';
export * from './target-keys.js';
export * from './write-reports.js';
