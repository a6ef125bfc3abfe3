/**
 * helm/ferry rendered without Helm or Kubernetes (go-template.ts), with values.yaml defaults and with every
 * example values file: every document parses as YAML 1.1, every object passes the Kubernetes schemas
 * (kubernetes-models; the KEDA ScaledObject by its own shape check), and the properties the deployment
 * depends on hold — non-root, read-only root filesystem, probes, secrets only as files, grace periods,
 * the coordinator's config, no service-account token, resources.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../core/index.js';
import { taskStream, WORKERS_CONSUMER } from '../../transport/index.js';
import { isMap } from './go-template-functions.js';
import { type RenderedChart, renderChart } from './helm-chart.js';
import { objectProblems, podTemplates } from './k8s-validate.js';

const CHART = join(import.meta.dirname, '..', '..', 'helm', 'ferry');
const EXAMPLES = readdirSync(join(CHART, 'examples')).filter((f) => f.endsWith('.yaml'));

// biome-ignore lint/suspicious/noExplicitAny: assertions read rendered manifests by path
type Obj = Record<string, any>;

interface Case {
  title: string;
  render: () => RenderedChart;
  release: string;
  namespace: string;
}

const cases: Case[] = [
  { title: 'values.yaml defaults', render: () => renderChart(CHART), release: 'test', namespace: 'default' },
  ...EXAMPLES.map((f) => ({
    title: `examples/${f}`,
    release: 'orders',
    namespace: 'migrations',
    render: () =>
      renderChart(CHART, {
        releaseName: 'orders',
        namespace: 'migrations',
        valuesFiles: [join(CHART, 'examples', f)],
      }),
  })),
  {
    title: 'examples/bundled-nats.yaml with KEDA and a NetworkPolicy',
    release: 'orders',
    namespace: 'migrations',
    render: () =>
      renderChart(CHART, {
        releaseName: 'orders',
        namespace: 'migrations',
        valuesFiles: [join(CHART, 'examples', 'bundled-nats.yaml')],
        values: { keda: { enabled: true }, networkPolicy: { enabled: true } },
      }),
  },
];

const find = (r: RenderedChart, kind: string) =>
  r.objects.filter((o) => o.object.kind === kind).map((o) => o.object as Obj);
const containersOf = (pod: Obj): Obj[] => [...(pod.initContainers ?? []), ...pod.containers];
const argAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

it('covers both example files', () => {
  expect(EXAMPLES.sort()).toEqual(['bundled-nats.yaml', 'production.yaml']);
});

describe.each(cases)('helm/ferry rendered with $title', ({ render, release, namespace }) => {
  const r = render();
  const values = r.values as Obj;
  const pods = r.objects.flatMap((o) =>
    podTemplates(o.object).map((t) => ({ kind: o.object.kind, spec: t.spec as Obj })),
  );
  const worker = find(r, 'Deployment')[0] as Obj;
  const jobs = find(r, 'Job');
  const natsUrl = values.nats.enabled
    ? `nats://${release}-nats.${namespace}.svc:4222`
    : values.externalNats.url;

  it('renders only valid Kubernetes objects, each name once', () => {
    expect(r.objects.length).toBeGreaterThan(1);
    for (const { object } of r.objects) expect(objectProblems(object)).toEqual([]);
    const ids = r.objects.map(({ object }) => `${object.kind}/${(object.metadata as Obj).name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('grants no Kubernetes API rights and mounts no service-account token', () => {
    const kinds = r.objects.map((o) => o.object.kind);
    for (const k of ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'Secret'])
      expect(kinds).not.toContain(k);
    const sa = find(r, 'ServiceAccount');
    expect(sa.map((s) => s.automountServiceAccountToken)).toEqual([false]);
    for (const { spec } of pods) {
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.serviceAccountName).toBe(sa[0]?.metadata.name);
    }
  });

  it('runs every pod non-root with a read-only root filesystem and no privileges', () => {
    expect(pods.length).toBe(1 + jobs.length);
    for (const { spec } of pods) {
      expect(spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      for (const c of containersOf(spec)) {
        expect(c.securityContext, c.name).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.securityContext.runAsUser).toBeGreaterThan(0);
        expect(c.securityContext.capabilities.add).toBeUndefined();
      }
      const tmp = spec.containers.map(
        (c: Obj) => c.volumeMounts.find((m: Obj) => m.mountPath === '/tmp')?.name,
      );
      for (const name of tmp) expect(spec.volumes.find((v: Obj) => v.name === name)?.emptyDir).toBeDefined();
    }
  });

  it('sets resources on every container', () => {
    for (const { spec } of pods) {
      for (const c of containersOf(spec)) {
        expect(c.resources.requests.cpu, c.name).toBeDefined();
        expect(c.resources.requests.memory, c.name).toBeDefined();
        expect(c.resources.limits.memory, c.name).toBeDefined();
      }
    }
  });

  it('gives credentials only as files: no secret in env, FERRY_*_FILE names a 0600 copy made by the init container', () => {
    const creds = values.credentials as Obj;
    const expected = [
      ['FERRY_SOURCE_PASSWORD_FILE', creds.source, 'source-password'],
      ['FERRY_TARGET_PASSWORD_FILE', creds.target, 'target-password'],
      ['FERRY_NATS_CREDS_FILE', creds.nats, 'nats.creds'],
    ] as const;
    for (const { spec } of pods) {
      const main = spec.containers as Obj[];
      for (const c of containersOf(spec)) {
        expect(c.envFrom, c.name).toBeUndefined();
        for (const e of c.env ?? []) expect(e.valueFrom?.secretKeyRef, e.name).toBeUndefined();
        const names = (c.env ?? []).map((e: Obj) => e.name);
        expect(new Set(names).size, `${c.name} env names`).toBe(names.length);
      }
      const projected = spec.volumes.find((v: Obj) => v.name === 'secrets-in')?.projected;
      const configured = expected.filter(([, ref]) => ref.secretName);
      if (configured.length === 0) {
        expect(projected).toBeUndefined();
        expect(spec.initContainers).toBeUndefined();
        continue;
      }
      expect(projected.defaultMode).toBe(0o440);
      expect(projected.sources).toEqual(
        configured.map(([, ref, file]) => ({
          secret: { name: ref.secretName, items: [{ key: ref.key, path: file }] },
        })),
      );
      expect(spec.volumes.find((v: Obj) => v.name === 'secrets')?.emptyDir).toEqual({
        medium: 'Memory',
        sizeLimit: '1Mi',
      });
      const init = spec.initContainers as Obj[];
      expect(init.map((c) => c.name)).toEqual(['private-secrets']);
      expect(init[0]?.volumeMounts).toEqual([
        { name: 'secrets-in', mountPath: '/var/run/ferry/secrets-in', readOnly: true },
        { name: 'secrets', mountPath: '/var/run/ferry/secrets' },
      ]);
      for (const c of main) {
        expect(c.volumeMounts.map((m: Obj) => m.name)).not.toContain('secrets-in');
        expect(c.volumeMounts).toContainEqual({
          name: 'secrets',
          mountPath: '/var/run/ferry/secrets',
          readOnly: true,
        });
        for (const [env, ref, file] of expected) {
          const value = c.env.find((e: Obj) => e.name === env)?.value;
          expect(value, env).toBe(ref.secretName ? `/var/run/ferry/secrets/${file}` : undefined);
        }
      }
    }
  });

  it('runs workers with probes on /healthz and /readyz, their concurrency, and a termination period beyond the grace period', () => {
    const spec = worker.spec.template.spec as Obj;
    const c = spec.containers[0] as Obj;
    const w = values.worker as Obj;
    expect(c.args.slice(0, 3)).toEqual(['worker', '--nats', natsUrl]);
    expect(argAfter(c.args, '--concurrency')).toBe(String(w.concurrency));
    expect(argAfter(c.args, '--grace-period')).toBe(String(w.gracePeriodSeconds));
    expect(argAfter(c.args, '--health-addr')).toBe(`0.0.0.0:${w.healthPort}`);
    expect(c.ports).toEqual([{ name: 'health', containerPort: w.healthPort, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(w.gracePeriodSeconds);
    expect(spec.terminationGracePeriodSeconds).toBe(w.gracePeriodSeconds + w.shutdownMarginSeconds);
    expect(worker.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    if (values.keda.enabled) expect(worker.spec.replicas).toBeUndefined();
    else expect(worker.spec.replicas).toBe(w.replicas);
    expect(c.image).toBe(`${values.image.repository}:${values.image.tag || '0.1.0'}`);
  });

  it('runs one coordinator Job per migration, with its config from the ConfigMap', () => {
    const migrations = values.migrations as Obj[];
    expect(jobs.map((j) => j.metadata.labels['ferry/migration'])).toEqual(migrations.map((m) => m.name));
    const cm = find(r, 'ConfigMap');
    if (migrations.length === 0) expect(cm).toEqual([]);
    for (const [i, job] of jobs.entries()) {
      const m = migrations[i] as Obj;
      expect(job.metadata.name).toBe(`${release}-ferry-${m.name}`);
      expect(job.spec).toMatchObject({
        backoffLimit: values.coordinator.backoffLimit,
        ttlSecondsAfterFinished: values.coordinator.ttlSecondsAfterFinished,
      });
      expect(job.spec.podFailurePolicy.rules.map((rule: Obj) => rule.action)).toEqual(['FailJob', 'Ignore']);
      const spec = job.spec.template.spec as Obj;
      expect(spec.restartPolicy).toBe('Never');
      const c = spec.containers[0] as Obj;
      expect(c.args).toEqual([
        'run',
        '--config',
        '/etc/ferry/settings.yaml',
        '--nats',
        natsUrl,
        '--run-id',
        m.runId ?? m.name,
        ...(m.args ?? []),
      ]);
      expect(c.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/ferry', readOnly: true });
      const volume = spec.volumes.find((v: Obj) => v.name === 'config');
      expect(volume.configMap).toEqual({
        name: cm[0]?.metadata.name,
        items: [{ key: `${m.name}.yaml`, path: 'settings.yaml' }],
      });
      const text = cm[0]?.data[`${m.name}.yaml`] as string;
      const config = parse(text, { version: '1.1' });
      expect(config).toEqual(m.config);
      // The mounted file is a valid ferry config (strict schema: a misspelt key fails here).
      expect(() => ConfigSchema.parse(config)).not.toThrow();
      expect(JSON.stringify(config)).not.toMatch(/password"\s*:/);
      const work = Object.keys(values.coordinator.workVolume).length
        ? values.coordinator.workVolume
        : { emptyDir: {} };
      expect(spec.volumes.find((v: Obj) => v.name === 'work')).toEqual({ name: 'work', ...work });
    }
  });

  it('points every ferry process at the same NATS; OpenTelemetry only through OTEL_* variables', () => {
    for (const { spec } of pods) {
      const c = spec.containers[0] as Obj;
      expect(argAfter(c.args, '--nats')).toBe(natsUrl);
      const env = Object.fromEntries(
        c.env.filter((e: Obj) => 'value' in e).map((e: Obj) => [e.name, e.value]),
      );
      if (values.otel.enabled) {
        expect(env).toMatchObject({
          OTEL_EXPORTER_OTLP_ENDPOINT: values.otel.endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: values.otel.protocol,
          OTEL_SERVICE_NAME: values.otel.serviceName,
        });
        expect(env.OTEL_RESOURCE_ATTRIBUTES).toMatch(
          /^k8s\.namespace\.name=\$\(POD_NAMESPACE\),k8s\.pod\.name=\$\(POD_NAME\)/,
        );
      } else {
        expect(Object.keys(env).filter((k) => k.startsWith('OTEL_'))).toEqual([]);
      }
    }
  });

  it('configures the bundled NATS for durability, or none when NATS is external', () => {
    const nats = values.nats as Obj;
    if (!nats.enabled) {
      expect(values.externalNats.url).toMatch(/^(nats|tls):\/\//);
      return;
    }
    expect(nats.config.cluster).toEqual({ enabled: true, replicas: 3 });
    expect(nats.config.jetstream).toMatchObject({
      enabled: true,
      fileStore: { enabled: true, pvc: { enabled: true } },
      memoryStore: { enabled: false },
      merge: { sync_interval: 'always' },
    });
  });

  it('scales workers with KEDA on the JetStream consumers when enabled', () => {
    const so = find(r, 'ScaledObject');
    if (!values.keda.enabled) {
      expect(so).toEqual([]);
      return;
    }
    expect(so).toHaveLength(1);
    const spec = so[0]?.spec as Obj;
    expect(spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: worker.metadata.name,
    });
    // The streams and consumer the NATS transport creates for each run.
    const runs = [...values.migrations.map((m: Obj) => m.runId ?? m.name), ...values.keda.extraRunIds];
    expect(spec.triggers.map((t: Obj) => [t.metadata.stream, t.metadata.consumer])).toEqual(
      runs.map((run: string) => [taskStream(run), WORKERS_CONSUMER]),
    );
    const endpoint =
      values.keda.natsMonitoringEndpoint || `${release}-nats-headless.${namespace}.svc.cluster.local:8222`;
    for (const t of spec.triggers) expect(t.metadata.natsServerMonitoringEndpoint).toBe(endpoint);
    expect(spec.triggers[0].metadata.lagThreshold).toBe(String(values.keda.lagThreshold));
  });

  it('limits traffic with a NetworkPolicy when enabled', () => {
    const np = find(r, 'NetworkPolicy');
    if (!values.networkPolicy.enabled) {
      expect(np).toEqual([]);
      return;
    }
    const spec = np[0]?.spec as Obj;
    expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(spec.ingress).toEqual([]);
    expect(spec.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'ferry',
      'app.kubernetes.io/instance': release,
    });
    expect(spec.egress[0].ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
    if (values.nats.enabled) {
      expect(spec.egress[1]).toEqual({
        to: [
          {
            podSelector: {
              matchLabels: { 'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/instance': release },
            },
          },
        ],
        ports: [{ protocol: 'TCP', port: 4222 }],
      });
    }
    expect(spec.egress.slice(values.nats.enabled ? 2 : 1)).toEqual(values.networkPolicy.extraEgress);
  });

  it('renders NOTES.txt', () => {
    expect(r.notes).toContain(natsUrl);
  });
});

describe('helm/ferry refuses incomplete values', () => {
  const renderWith = (values: Obj) => () => renderChart(CHART, { values });
  it.each([
    [{ nats: { enabled: false } }, /externalNats\.url is required/],
    [{ keda: { enabled: true } }, /keda\.enabled needs runs to watch/],
    [
      {
        nats: { enabled: false },
        externalNats: { url: 'nats://n:4222' },
        keda: { enabled: true, extraRunIds: ['r1'] },
      },
      /keda\.natsMonitoringEndpoint is required/,
    ],
    [{ otel: { enabled: true } }, /otel\.endpoint is required/],
    [{ migrations: [{ config: { tables: ['t'] } }] }, /every migrations\[\] entry needs a name/],
    [{ migrations: [{ name: 'x' }] }, /migration x needs a config/],
  ])('%j', (values, message) => {
    expect(renderWith(values)).toThrow(message);
  });

  it('keeps numbers exact in names and arguments (no 1e+06)', () => {
    const r = renderChart(CHART, { values: { worker: { concurrency: 1000000, gracePeriodSeconds: 3600 } } });
    const spec = (find(r, 'Deployment')[0] as Obj).spec.template.spec;
    expect(argAfter(spec.containers[0].args, '--concurrency')).toBe('1000000');
    expect(spec.terminationGracePeriodSeconds).toBe(3630);
  });

  it('merges values like Helm: maps merge, lists and scalars replace, null removes a default', () => {
    const r = renderChart(CHART, {
      values: { worker: { resources: { limits: null } }, podSecurityContext: { fsGroup: null } },
    });
    const spec = (find(r, 'Deployment')[0] as Obj).spec.template.spec;
    expect(spec.containers[0].resources).toEqual({ requests: { cpu: '1', memory: '1Gi' } });
    expect(isMap(spec.securityContext) && 'fsGroup' in spec.securityContext).toBe(false);
  });
});

describe('k8s-validate', () => {
  it('finds what the Kubernetes schemas let through', () => {
    const spec = {
      containers: [{ name: 'a', image: 'i', volumeMounts: [{ name: 'missing', mountPath: '/x' }] }],
      volumes: [{ name: 'work', emptyDir: {}, persistentVolumeClaim: { claimName: 'c' } }],
    };
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'Bad_Name', labels: { 'app.kubernetes.io/name': 'x'.repeat(64) } },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec } },
    };
    const problems = objectProblems(deployment).join('\n');
    expect(problems).toMatch(/invalid name/);
    expect(problems).toMatch(/label app\.kubernetes\.io\/name=x{64}/);
    expect(problems).toMatch(/volume work has 2 sources/);
    expect(problems).toMatch(/mounts undefined volume missing/);
    expect(objectProblems({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } })).toEqual([
      'v1 Secret s: no schema for this kind',
    ]);
    const so = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'w' },
      spec: {
        scaleTargetRef: { name: 'w' },
        minReplicaCount: 3,
        maxReplicaCount: 1,
        triggers: [{ type: 'nats-jetstream', metadata: { stream: 's', lagThreshold: 10 } }],
      },
    };
    expect(objectProblems(so)).toEqual([
      'keda.sh/v1alpha1 ScaledObject w: minReplicaCount > maxReplicaCount',
      'keda.sh/v1alpha1 ScaledObject w: triggers[0].metadata.lagThreshold must be a string (KEDA metadata is map[string]string)',
      'keda.sh/v1alpha1 ScaledObject w: triggers[0].metadata.natsServerMonitoringEndpoint missing',
      'keda.sh/v1alpha1 ScaledObject w: triggers[0].metadata.account missing',
      'keda.sh/v1alpha1 ScaledObject w: triggers[0].metadata.consumer missing',
    ]);
  });
});
