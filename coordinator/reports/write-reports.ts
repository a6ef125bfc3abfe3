/**
 * Writing a run's documents:
 *
 *   target.reader() ─► checkQuality ─► <state_dir>/<run>/quality.json
 *                                  └─► buildRunDocuments ─► <reports_dir>/<run>.{reconciliation,certificate,summary}.{md,json,html}
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FerryError,
  type Logger,
  type Plan,
  type Secret,
  type Source,
  type Target,
} from '../../core/index.js';
import type { RunReport } from '../report.js';
import { buildRunDocuments, type RunDocuments } from './documents.js';
import { checkQuality, type QualityResult } from './quality-checks.js';
import { certificateBody, htmlPage, reconciliationBody, summaryBody } from './render-html.js';
import { certificateMarkdown, reconciliationMarkdown, summaryMarkdown } from './render-markdown.js';

/** The formats each document is written in. */
export type ReportFormat = 'md' | 'json' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'json', 'html'];

/** The documents of a run. */
export type DocumentName = 'reconciliation' | 'certificate' | 'summary';
export const DOCUMENT_NAMES: readonly DocumentName[] = ['reconciliation', 'certificate', 'summary'];

/** Paths of the written files: document → format → path. */
export type RunDocumentFiles = Record<DocumentName, Record<ReportFormat, string>>;

/** The name of the file the run's quality checks are kept in, inside the run directory. */
export const QUALITY_FILE = 'quality.json';

/** One document in one format. */
export function renderDocument(docs: RunDocuments, name: DocumentName, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(docs[name], null, 2)}\n`;
  if (name === 'reconciliation')
    return format === 'md'
      ? reconciliationMarkdown(docs.reconciliation)
      : htmlPage(
          `Reconciliation — run ${docs.reconciliation.runId}`,
          reconciliationBody(docs.reconciliation),
        );
  if (name === 'certificate')
    return format === 'md'
      ? certificateMarkdown(docs.certificate)
      : htmlPage(
          `Data-quality certificate — run ${docs.certificate.runId}`,
          certificateBody(docs.certificate),
        );
  return format === 'md'
    ? summaryMarkdown(docs.summary)
    : htmlPage(`Executive summary — run ${docs.summary.runId}`, summaryBody(docs.summary));
}

/** All three documents in one text: Markdown one after another, one JSON object, or one HTML page. */
export function renderAll(docs: RunDocuments, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(docs, null, 2)}\n`;
  if (format === 'md') return DOCUMENT_NAMES.map((n) => renderDocument(docs, n, 'md')).join('\n');
  return htmlPage(
    `ferry run ${docs.summary.runId}`,
    [
      summaryBody(docs.summary),
      certificateBody(docs.certificate),
      reconciliationBody(docs.reconciliation),
    ].join('\n<hr>\n'),
  );
}

/** Writes `<run>.<document>.<format>` for every document and format into `dir`; returns the paths. */
export function writeRunDocuments(docs: RunDocuments, dir: string): RunDocumentFiles {
  mkdirSync(dir, { recursive: true });
  const runId = docs.summary.runId;
  const out = {} as RunDocumentFiles;
  for (const name of DOCUMENT_NAMES) {
    out[name] = {} as Record<ReportFormat, string>;
    for (const format of REPORT_FORMATS) {
      const path = join(dir, `${runId}.${name}.${format}`);
      writeFileSync(path, renderDocument(docs, name, format));
      out[name][format] = path;
    }
  }
  return out;
}

/** Keeps a run's quality checks in its run directory, so `ferry report --no-checks` can render them again. */
export function saveQuality(runDir: string, q: QualityResult): void {
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, QUALITY_FILE), JSON.stringify(q, null, 2));
}

/** The quality checks recorded for a run; throws NOT_FOUND when none were. */
export function loadQuality(runDir: string): QualityResult {
  try {
    return JSON.parse(readFileSync(join(runDir, QUALITY_FILE), 'utf8')) as QualityResult;
  } catch (e) {
    throw new FerryError('NOT_FOUND', `no recorded quality checks in ${runDir}`, {
      cause: e,
      hint: 'run `ferry report RUN_ID` without --no-checks to compute them against source and target',
    });
  }
}

/** Inputs of {@link writeRunReports}. */
export interface RunReportsRequest {
  report: RunReport;
  plan: Plan;
  source: Source;
  target: Target;
  reportsDir: string;
  /** The run directory: the quality checks are kept there. */
  runDir?: string;
  sampleRows?: number;
  seed?: number;
  maxRejectPercent?: number;
  transformSalt?: Secret;
  signal?: AbortSignal;
}

/**
 * Runs the quality checks against the target (through its reader), builds the reconciliation report, the
 * data-quality certificate and the executive summary, and writes them as Markdown, JSON and HTML.
 */
export async function writeRunReports(
  req: RunReportsRequest,
): Promise<{ documents: RunDocuments; files: RunDocumentFiles; quality: QualityResult }> {
  const reader = await req.target.reader();
  let quality: QualityResult;
  try {
    quality = await checkQuality({
      plan: req.plan,
      source: req.source,
      target: reader,
      ...(req.sampleRows !== undefined ? { sampleRows: req.sampleRows } : {}),
      ...(req.seed !== undefined ? { seed: req.seed } : {}),
      ...(req.transformSalt ? { transformSalt: req.transformSalt } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    });
  } finally {
    await reader.close();
  }
  if (req.runDir) saveQuality(req.runDir, quality);
  const documents = buildRunDocuments(
    req.report,
    quality,
    req.maxRejectPercent ?? req.report.maxRejectPercent,
  );
  return { documents, files: writeRunDocuments(documents, req.reportsDir), quality };
}

/** {@link writeRunReports} for the end of a run: a failure is logged, never fails the finished run. */
export async function writeRunReportsAfterRun(
  req: RunReportsRequest & { logger: Logger },
): Promise<RunDocumentFiles | undefined> {
  try {
    return (await writeRunReports(req)).files;
  } catch (e) {
    req.logger.warn(
      { run: req.report.runId, err: e },
      'the reconciliation report, certificate and summary could not be written; `ferry report` writes them later',
    );
    return undefined;
  }
}
