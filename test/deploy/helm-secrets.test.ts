/**
 * The chart's secret hand-over, run for real on temp directories: Kubernetes mounts Secret files as
 * symlinks into a `..data` directory, group-readable (0440 with the pod's fsGroup) — which ferry refuses —
 * so the init container copies them as 0600 files. This runs the rendered init-container script with
 * /bin/sh against that layout and reads the copies with ferry's own secret-file reader.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPrivateFile, readSecretFile } from '../../core/index.js';
import { renderChart } from './helm-chart.js';

const CHART = join(import.meta.dirname, '..', '..', 'helm', 'ferry');

// biome-ignore lint/suspicious/noExplicitAny: assertions read rendered manifests by path
type Obj = Record<string, any>;

describe('helm/ferry secret files', () => {
  const r = renderChart(CHART, {
    releaseName: 'orders',
    valuesFiles: [join(CHART, 'examples', 'production.yaml')],
  });
  const worker = r.objects.find((o) => o.object.kind === 'Deployment')?.object as Obj;
  const pod = worker.spec.template.spec as Obj;
  const init = pod.initContainers[0] as Obj;
  const main = pod.containers[0] as Obj;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Lays out a projected volume as the kubelet does: `..<timestamp>/` files, `..data` → it, `name` → `..data/name`. */
  const projectedVolume = (files: Record<string, string>): string => {
    const root = join(dir, 'secrets-in');
    const stamp = join(root, '..2025_03_01_10_15_00.123456789');
    mkdirSync(stamp, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(stamp, name), content);
      chmodSync(join(stamp, name), 0o440);
    }
    symlinkSync('..2025_03_01_10_15_00.123456789', join(root, '..data'));
    for (const name of Object.keys(files)) symlinkSync(join('..data', name), join(root, name));
    return root;
  };

  it('copies every mounted Secret file to a 0600 file that ferry accepts', () => {
    const projected = pod.volumes.find((v: Obj) => v.name === 'secrets-in').projected as Obj;
    const paths = projected.sources.map((s: Obj) => s.secret.items[0].path) as string[];
    expect(paths).toEqual(['source-password', 'target-password', 'nats.creds']);
    const contents: Record<string, string> = {
      'source-password': 's3cret-source\n',
      'target-password': 'tärget pw',
      'nats.creds': '-----BEGIN NATS USER JWT-----\neyJ0\n------END NATS USER JWT------\n',
    };
    const input = projectedVolume(contents);
    const output = join(dir, 'secrets');
    mkdirSync(output);
    // Kubernetes' own layout is what ferry refuses: group-readable.
    expect(() => checkPrivateFile({ file: join(input, 'source-password'), namedBy: 'test' })).toThrow(
      /other users/,
    );

    const [shell, flag, script] = init.command as [string, string, string];
    expect([shell, flag]).toEqual(['/bin/sh', '-c']);
    const env = Object.fromEntries(init.env.map((e: Obj) => [e.name, e.value]));
    expect(env).toEqual({
      FERRY_SECRETS_IN: '/var/run/ferry/secrets-in',
      FERRY_SECRETS_DIR: '/var/run/ferry/secrets',
    });
    execFileSync(shell, [flag, script], {
      env: { PATH: process.env.PATH, FERRY_SECRETS_IN: input, FERRY_SECRETS_DIR: output },
    });

    expect(readdirSync(output).sort()).toEqual(Object.keys(contents).sort());
    const fileEnv = Object.fromEntries(
      main.env
        .filter((e: Obj) => e.name.endsWith('_FILE'))
        .map((e: Obj) => [e.name, e.value.replace('/var/run/ferry/secrets', output)]),
    );
    expect(Object.keys(fileEnv).sort()).toEqual([
      'FERRY_NATS_CREDS_FILE',
      'FERRY_SOURCE_PASSWORD_FILE',
      'FERRY_TARGET_PASSWORD_FILE',
    ]);
    for (const [name, file] of Object.entries(fileEnv)) {
      expect(statSync(file).mode & 0o777, name).toBe(0o600);
      expect(() => checkPrivateFile({ file, namedBy: name })).not.toThrow();
    }
    expect(
      readSecretFile({ file: fileEnv.FERRY_SOURCE_PASSWORD_FILE, namedBy: 'FERRY_SOURCE_PASSWORD_FILE' }),
    ).toBe('s3cret-source');
    expect(
      readSecretFile({ file: fileEnv.FERRY_TARGET_PASSWORD_FILE, namedBy: 'FERRY_TARGET_PASSWORD_FILE' }),
    ).toBe('tärget pw');
    expect(readSecretFile({ file: fileEnv.FERRY_NATS_CREDS_FILE, namedBy: 'FERRY_NATS_CREDS_FILE' })).toBe(
      contents['nats.creds']?.slice(0, -1),
    );
  });

  it('mounts the Secrets into the init container only, as 0440 files readable through fsGroup', () => {
    const projected = pod.volumes.find((v: Obj) => v.name === 'secrets-in').projected as Obj;
    expect(projected.defaultMode).toBe(0o440);
    // The kubelet adds fsGroup to the containers' groups and gives that group the Secret files.
    expect(pod.securityContext.fsGroup).toBeGreaterThan(0);
    expect(main.volumeMounts.some((m: Obj) => m.name === 'secrets-in')).toBe(false);
  });
});
