import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateDemoSource } from '../../cli/demo-data.js';
import {
  parseCandidateKey,
  parseForeignKey,
  parseRequired,
  profileCommand,
  profileName,
  profileOptions,
} from '../../cli/commands/profile.js';
import { parseEndpoint } from '../../core/index.js';
import type { ProfileReport } from '../../profiling/index.js';
import { tempDir } from '../cli/cli-harness.js';

/**
 * The `ferry profile` command handler, registered on a program as the CLI does (cli/index.ts), run in this
 * process with stdout captured. Pool threads run dist/ (needs `npm run build`).
 */

const dir = tempDir('profile-cli');
const sourcePath = join(dir.path, 'shop.duckdb');

async function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const program = new Command('ferry').exitOverride();
  profileOptions(program.command('profile')).action(profileCommand);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  try {
    await program.parseAsync(['node', 'ferry', 'profile', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

const common = () => [
  '--from',
  `duckdb:${sourcePath}`,
  '--workers',
  '2',
  '--partition-rows',
  '700',
  '--batch-rows',
  '300',
];

beforeAll(async () => {
  await generateDemoSource(sourcePath, 10_000);
});
afterAll(() => dir.cleanup());

describe('ferry profile (command)', () => {
  it('writes Markdown, JSON and a self-contained HTML page, and prints the result as JSON', async () => {
    const out = join(dir.path, 'profiles');
    const { stdout } = await run([
      ...common(),
      '--out',
      out,
      '--candidate-key',
      'customers:email+full_name',
      '--required',
      'customers.country',
      '--json',
    ]);
    const result = JSON.parse(stdout) as {
      ok: boolean;
      name: string;
      files: Record<string, string>;
      errors: number;
      rows: number;
    };
    expect(result).toMatchObject({ ok: true, name: 'shop', rows: 11_000 });
    expect(result.errors).toBeGreaterThanOrEqual(1);
    expect(result.files).toEqual({
      markdown: join(out, 'shop.md'),
      json: join(out, 'shop.json'),
      html: join(out, 'shop.html'),
    });
    const report = JSON.parse(readFileSync(result.files.json!, 'utf8')) as ProfileReport;
    expect(report.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining([
        'null_in_required',
        'malformed_email',
        'duplicate_candidate_key',
        'code_values',
        'pii',
      ]),
    );
    const html = readFileSync(result.files.html!, 'utf8');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect(html).toContain('<svg');
    expect(html).toContain('<style>');
    expect(html).toContain('customers.country: 0.9% NULL in a required column (9 of 1,000 rows');
    const md = readFileSync(result.files.markdown!, 'utf8');
    expect(md).toContain('# Data profile: shop');
    expect(md).toContain("customers.status: 2 distinct values 'A', 'I' — looks like a code");
    expect(md).not.toContain('user97.example.com');
  });

  it('prints a summary for people and shows PII values only when asked', async () => {
    const out = join(dir.path, 'shown');
    const { stdout, stderr } = await run([
      ...common(),
      '--out',
      out,
      '--name',
      'raw',
      '--show-pii',
      '--tables',
      'customers',
    ]);
    expect(stdout).toMatch(
      /^profile raw: 1 table, 1,000 rows in [\d.]+ s — \d+ errors?, \d+ warnings?, \d+ notes?/,
    );
    expect(stdout).toContain('malformed e-mails');
    expect(stdout).toContain('personal data: customers.email (email)');
    expect(stderr).toContain('customers: 1,000 rows');
    expect(existsSync(join(out, 'raw.html'))).toBe(true);
    expect(readFileSync(join(out, 'raw.json'), 'utf8')).toContain('user97.example.com');
  });

  it('refuses unknown columns and malformed flags before reading anything', async () => {
    await expect(run([...common(), '--out', dir.path, '--required', 'customers.nope'])).rejects.toMatchObject(
      {
        code: 'CONFIG',
        message: expect.stringContaining('column nope does not exist in table customers'),
      },
    );
    await expect(run([...common(), '--candidate-key', 'customers'])).rejects.toMatchObject({ code: 'USAGE' });
    await expect(run([...common(), '--tables', 'nope'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('profile flag parsing', () => {
  it('reads candidate keys, required columns and relationships, schema-qualified too', () => {
    expect(parseCandidateKey('sales.customers:email+full_name')).toEqual({
      table: 'sales.customers',
      columns: ['email', 'full_name'],
    });
    expect(parseRequired('sales.customers.country')).toEqual({ table: 'sales.customers', column: 'country' });
    expect(parseForeignKey('orders.a+b=parents.x+y')).toEqual({
      table: 'orders',
      columns: ['a', 'b'],
      references: 'parents',
      referencedColumns: ['x', 'y'],
    });
    expect(() => parseForeignKey('orders.a')).toThrow(/table\.column=parent\.column/);
  });

  it('names the report after the file or database', () => {
    expect(profileName(parseEndpoint('duckdb:/data/shop v2.duckdb'))).toBe('shop_v2');
    expect(profileName(parseEndpoint('postgres://u@h:5432/sales'))).toBe('sales');
  });
});
