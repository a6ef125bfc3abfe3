import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../../core/index.js';
import type { ProfileReport } from '../../profiling/index.js';
import { profileHtml } from './render-html.js';
import { profileMarkdown } from './render-markdown.js';

/** Where a profile's files went. */
export interface ProfileFiles {
  markdown: string;
  json: string;
  html: string;
}

/** Report names become file names: letters, digits, `.`, `_` and `-` only. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Writes `<dir>/<name>.md`, `.json` and `.html` (each written whole to a temporary name, then renamed). */
export function writeProfile(report: ProfileReport, dir: string): ProfileFiles {
  if (!NAME.test(report.name)) {
    throw new FerryError('USAGE', `profile name "${report.name}" cannot be a file name`, {
      hint: 'use letters, digits, ".", "_" and "-"',
    });
  }
  mkdirSync(dir, { recursive: true });
  const files: ProfileFiles = {
    markdown: join(dir, `${report.name}.md`),
    json: join(dir, `${report.name}.json`),
    html: join(dir, `${report.name}.html`),
  };
  const contents: [string, string][] = [
    [files.json, `${JSON.stringify(report, null, 2)}\n`],
    [files.markdown, profileMarkdown(report)],
    [files.html, profileHtml(report)],
  ];
  for (const [file, text] of contents) {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  }
  return files;
}
