/**
 * The Dockerfile and .dockerignore, checked by parsing (no Docker engine here): stages, the non-root
 * runtime user, what reaches the final image, the health check (run with a stubbed fetch), the entrypoint.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { type Instruction, parseDockerfile, type Stage } from './dockerfile-parse.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const stage = (name: string) => dockerfile.stages.find((s) => s.name === name) as Stage;
const final = dockerfile.stages[dockerfile.stages.length - 1] as Stage;
const ofKind = (s: Stage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword);
const last = (s: Stage, keyword: string) => ofKind(s, keyword).pop() as Instruction;

describe('Dockerfile parser', () => {
  it('reads stages, flags, continuations, JSON form and directives', () => {
    const d = parseDockerfile(
      '# syntax=docker/dockerfile:1\nARG BASE=x\nFROM a:1 AS one\nRUN echo \\\n  # skipped\n  two\nFROM one\nCOPY --from=one --chown=1:1 /x /y\nCMD ["a", "b c"]\n',
    );
    expect(d.directives).toEqual({ syntax: 'docker/dockerfile:1' });
    expect(d.preamble.map((i) => i.raw)).toEqual(['BASE=x']);
    expect(d.stages.map((s) => [s.from, s.name])).toEqual([
      ['a:1', 'one'],
      ['one', undefined],
    ]);
    expect(d.stages[0]?.instructions[0]?.args).toEqual(['echo', 'two']);
    const copy = d.stages[1]?.instructions[0];
    expect([copy?.flags, copy?.args]).toEqual([{ from: 'one', chown: '1:1' }, ['/x', '/y']]);
    expect(d.stages[1]?.instructions[1]).toMatchObject({ json: true, args: ['a', 'b c'] });
    expect(() => parseDockerfile('RUN x\n')).toThrow(/before the first FROM/);
    expect(() => parseDockerfile('FROM a\nRUN <<EOF\nx\nEOF\n')).toThrow(/heredocs/);
  });
});

describe('Dockerfile', () => {
  it('is multi-stage: build and prod-deps stages, a node:24-slim runtime', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'prod-deps', 'runtime']);
    for (const s of dockerfile.stages) expect(s.from).toBe('node:24-slim');
    expect(final.from).toBe('node:24-slim');
  });

  it('builds with npm ci and tsc; production dependencies come from `npm ci --omit=dev` without scripts', () => {
    const build = stage('build');
    expect(ofKind(build, 'RUN').map((r) => r.raw)).toEqual([
      'npm ci --ignore-scripts --no-audit --no-fund',
      'npm run build',
    ]);
    const prod = ofKind(stage('prod-deps'), 'RUN').map((r) => r.raw);
    expect(prod).toHaveLength(1);
    expect(prod[0]).toMatch(/^npm ci --omit=dev --ignore-scripts\b/);
  });

  it('copies every folder tsconfig.build.json compiles into the build stage', () => {
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    const copied = ofKind(stage('build'), 'COPY').flatMap((c) => c.args.slice(0, -1));
    for (const folder of tsconfig.include) expect(copied).toContain(folder);
    expect(copied).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']),
    );
  });

  it('the final stage has no build tools: no package installs, no npm, only dist and prod node_modules from other stages', () => {
    for (const run of ofKind(final, 'RUN')) {
      expect(run.raw).not.toMatch(/\b(apt-get|apt|apk|yum|dnf)\b.*\binstall\b/);
      expect(run.raw).not.toMatch(/\b(npm|npx|yarn|pnpm)\s+(install|i|ci|add|run)\b/);
      expect(run.raw).not.toMatch(/\b(gcc|g\+\+|make|python3?|build-essential|node-gyp)\b/);
    }
    // npm itself is removed from the runtime image.
    expect(
      ofKind(final, 'RUN')
        .map((r) => r.raw)
        .join(' '),
    ).toMatch(/rm -rf \/usr\/local\/lib\/node_modules\/npm/);
    const fromOther = ofKind(final, 'COPY').filter((c) => c.flags.from);
    expect(fromOther.map((c) => [c.flags.from, c.args])).toEqual([
      ['prod-deps', ['/app/node_modules', './node_modules']],
      ['build', ['/app/dist', './dist']],
    ]);
    const fromContext = ofKind(final, 'COPY')
      .filter((c) => !c.flags.from)
      .flatMap((c) => c.args.slice(0, -1));
    expect(fromContext.sort()).toEqual(['bin', 'package.json']);
    expect(ofKind(final, 'ADD')).toHaveLength(0);
  });

  it('runs as a numeric non-root user that the image creates', () => {
    const user = last(final, 'USER').raw;
    expect(user).toMatch(/^\d+(:\d+)?$/);
    const [uid, gid] = user.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid ?? 1).toBeGreaterThan(0);
    const setup = ofKind(final, 'RUN')
      .map((r) => r.raw)
      .join(' ');
    expect(setup).toContain(`useradd --system --uid ${uid}`);
    // The user comes after every instruction that needs root.
    const userAt = final.instructions.indexOf(last(final, 'USER'));
    expect(final.instructions.slice(userAt + 1).filter((i) => i.keyword === 'RUN')).toHaveLength(0);
  });

  it('starts the ferry CLI: ENTRYPOINT node /app/bin/ferry.js (exec form), workdir /work, OCI labels', () => {
    const entry = last(final, 'ENTRYPOINT');
    expect([entry.json, entry.args]).toEqual([true, ['node', '/app/bin/ferry.js']]);
    expect(last(final, 'CMD').args).toEqual(['--help']);
    expect(last(final, 'WORKDIR').raw).toBe('/work');
    const labels = Object.fromEntries(
      [
        ...ofKind(final, 'LABEL')
          .map((l) => l.raw)
          .join(' ')
          .matchAll(/(\S+?)="([^"]*)"/g),
      ].map((m) => [m[1], m[2]]),
    );
    expect(Object.keys(labels)).toEqual(
      expect.arrayContaining([
        'org.opencontainers.image.title',
        'org.opencontainers.image.version',
        'org.opencontainers.image.licenses',
      ]),
    );
    expect(labels['org.opencontainers.image.licenses']).toBe('Apache-2.0');
    expect(
      ofKind(final, 'ENV')
        .map((e) => e.raw)
        .join(' '),
    ).toMatch(/NODE_ENV=production/);
  });

  it('bin/ferry.js loads the compiled CLI from ../dist, which the image copies next to it', () => {
    expect(readFileSync(join(ROOT, 'bin', 'ferry.js'), 'utf8')).toContain("from '../dist/cli/index.js'");
  });
});

describe('Dockerfile HEALTHCHECK', () => {
  const hc = last(final, 'HEALTHCHECK');
  const cmd = JSON.parse(hc.raw.replace(/^CMD\s+/, '')) as string[];
  const script = cmd[2] as string;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-healthcheck-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the health-check script against a fake /proc/1/cmdline and a stubbed fetch (no sockets). */
  const probe = (argv: string[], ok: boolean) => {
    const cmdline = join(dir, 'cmdline');
    writeFileSync(cmdline, `${argv.join('\0')}\0`);
    const stub = `globalThis.fetch=(u)=>{console.log(u);return Promise.resolve({ok:${ok}})};`;
    const r = spawnSync(process.execPath, ['-e', stub + script.replace('/proc/1/cmdline', cmdline)], {
      encoding: 'utf8',
    });
    return { status: r.status, url: r.stdout.trim(), stderr: r.stderr };
  };

  it('is an exec-form node script with bounded timing', () => {
    expect(hc.flags).toMatchObject({ interval: '30s', timeout: '5s', retries: '3' });
    expect(cmd.slice(0, 2)).toEqual(['node', '-e']);
    expect(() => new Script(script)).not.toThrow();
    expect(script).toContain('/proc/1/cmdline');
  });

  it('probes a worker on its --health-addr (0.0.0.0 and [::] on loopback), default 127.0.0.1:8080', () => {
    const worker = ['node', '/app/bin/ferry.js', 'worker', '--nats', 'nats://n:4222'];
    expect(probe([...worker, '--health-addr', '0.0.0.0:9090'], true)).toMatchObject({
      status: 0,
      url: 'http://127.0.0.1:9090/healthz',
    });
    expect(probe([...worker, '--health-addr=[::]:8081'], true)).toMatchObject({
      status: 0,
      url: 'http://127.0.0.1:8081/healthz',
    });
    expect(probe([...worker, '--health-addr', '10.1.2.3:8080'], true)).toMatchObject({
      url: 'http://10.1.2.3:8080/healthz',
    });
    expect(probe(worker, true)).toMatchObject({ status: 0, url: 'http://127.0.0.1:8080/healthz' });
    expect(probe(['/sbin/docker-init', '--', ...worker], true)).toMatchObject({
      status: 0,
      url: 'http://127.0.0.1:8080/healthz',
    });
  });

  it('fails when the worker answers not ok; other roles are healthy without a probe', () => {
    expect(probe(['node', '/app/bin/ferry.js', 'worker'], false).status).toBe(1);
    expect(probe(['node', '/app/bin/ferry.js', 'run', '--run-id', 'worker'], false)).toMatchObject({
      status: 0,
      url: '',
    });
  });
});

describe('.dockerignore', () => {
  const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('keeps node_modules, dist, results, .git, tests and secrets out of the build context', () => {
    expect(patterns).toEqual(
      expect.arrayContaining([
        'node_modules',
        'dist',
        'results',
        '.git',
        'test',
        '**/*.test.ts',
        '.env',
        '*.creds',
      ]),
    );
    expect(patterns.some((p) => p.startsWith('!'))).toBe(false);
  });

  it('excludes nothing the Dockerfile copies from the context', () => {
    const glob = (p: string) =>
      new RegExp(
        `^${p
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*\*\//g, '(.*/)?')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')}(/.*)?$`,
      );
    const excluded = (path: string) => patterns.some((p) => glob(p).test(path));
    expect([
      excluded('node_modules/x'),
      excluded('core/a.test.ts'),
      excluded('README.md'),
      excluded('core/a.ts'),
    ]).toEqual([true, true, true, false]);
    const copied = dockerfile.stages.flatMap((s) =>
      ofKind(s, 'COPY')
        .filter((c) => !c.flags.from)
        .flatMap((c) => c.args.slice(0, -1)),
    );
    expect(copied.length).toBeGreaterThan(10);
    for (const path of copied) expect(excluded(path), path).toBe(false);
  });
});
