/**
 * Renders a Helm chart directory the way `helm template` does, with the renderer of `go-template.ts`:
 *
 *   Chart.yaml ─► .Chart        values.yaml ⊕ -f files (deep merge, null deletes) ─► .Values
 *   templates/** ─► TemplateSet (every file's `define`s shared; `_*` files render nothing) ─► text per file
 *   text ─► YAML documents (parsed as YAML 1.1, as Kubernetes reads them; empty documents dropped)
 *
 * Subcharts are not rendered (their values are checked by the tests instead).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { isMap } from './go-template-functions.js';
import { TemplateSet } from './go-template.js';

/** One rendered Kubernetes object and the template file it came from. */
export interface RenderedObject {
  template: string;
  object: Record<string, unknown>;
}

/** The result of rendering a chart. */
export interface RenderedChart {
  values: Record<string, unknown>;
  /** Rendered text per template file (`templates/…`), partials and NOTES.txt excluded. */
  texts: Map<string, string>;
  objects: RenderedObject[];
  notes: string;
}

/** Options of `renderChart`, like `helm template NAME DIR -n NAMESPACE -f FILE…`. */
export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
  valuesFiles?: string[];
  /** Merged last, like `--set`. */
  values?: Record<string, unknown>;
}

/** Helm's value coalescing: maps merge recursively, other values replace, `null` removes a default. */
export function mergeValues(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = mergeValues(out[k], v);
    else out[k] = v;
  }
  return out;
}

function readYamlMap(file: string): Record<string, unknown> {
  const v = parse(readFileSync(file, 'utf8'), { version: '1.1' }) ?? {};
  if (!isMap(v)) throw new Error(`${file}: not a YAML mapping`);
  return v;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Chart.yaml fields as Helm exposes them: `.Chart.Name`, `.Chart.Version`, `.Chart.AppVersion` … */
function chartObject(chartDir: string): Record<string, unknown> {
  const chart = readYamlMap(join(chartDir, 'Chart.yaml'));
  return Object.fromEntries(
    Object.entries(chart).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), v]),
  );
}

/** Renders every template of `chartDir` and parses the output into Kubernetes objects. */
export function renderChart(chartDir: string, opts: RenderOptions = {}): RenderedChart {
  let values = readYamlMap(join(chartDir, 'values.yaml'));
  for (const f of opts.valuesFiles ?? []) values = mergeValues(values, readYamlMap(f));
  if (opts.values) values = mergeValues(values, opts.values);
  const context = {
    Values: values,
    Chart: chartObject(chartDir),
    Release: {
      Name: opts.releaseName ?? 'test',
      Namespace: opts.namespace ?? 'default',
      Service: 'Helm',
      IsInstall: true,
      IsUpgrade: false,
      Revision: 1n,
    },
  };
  const set = new TemplateSet();
  const files = listFiles(join(chartDir, 'templates'))
    .map((f) => relative(chartDir, f))
    .sort();
  for (const f of files) set.add(f, readFileSync(join(chartDir, f), 'utf8'));
  const texts = new Map<string, string>();
  const objects: RenderedObject[] = [];
  for (const f of files) {
    const base = f.split('/').pop() as string;
    if (base.startsWith('_') || base === 'NOTES.txt') continue;
    const text = set.render(f, context);
    texts.set(f, text);
    for (const doc of parseAllDocuments(text, { version: '1.1', prettyErrors: true })) {
      const problems = [...doc.errors, ...doc.warnings];
      if (problems.length)
        throw new Error(
          `${f}: rendered YAML is invalid: ${problems.map((p) => p.message).join('; ')}\n${text}`,
        );
      const object = doc.toJS();
      if (object === null || object === undefined) continue;
      if (!isMap(object)) throw new Error(`${f}: a rendered document is not a mapping`);
      objects.push({ template: f, object });
    }
  }
  // Helm renders NOTES.txt after the manifests.
  const notesFile = files.find((f) => f.endsWith('/NOTES.txt'));
  const notes = notesFile ? set.render(notesFile, context) : '';
  return { values, texts, objects, notes };
}
