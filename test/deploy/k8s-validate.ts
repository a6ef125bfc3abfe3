/**
 * Validation of rendered Kubernetes objects: built-in kinds against the Kubernetes OpenAPI schemas
 * (kubernetes-models), plus the checks those schemas leave out (object names, label syntax); KEDA's
 * ScaledObject, a CRD, against its documented shape.
 */
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigMap, ServiceAccount } from 'kubernetes-models/v1';
import { isMap } from './go-template-functions.js';

interface Validatable {
  validate(): void;
}

const MODELS: Record<string, (o: Record<string, unknown>) => Validatable> = {
  'apps/v1 Deployment': (o) => new Deployment(o as never),
  'batch/v1 Job': (o) => new Job(o as never),
  'v1 ConfigMap': (o) => new ConfigMap(o as never),
  'v1 ServiceAccount': (o) => new ServiceAccount(o as never),
  'networking.k8s.io/v1 NetworkPolicy': (o) => new NetworkPolicy(o as never),
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Problems with labels (keys `prefix/name`, values ≤ 63 characters of the allowed alphabet). */
export function labelProblems(labels: unknown, where: string): string[] {
  if (labels === undefined) return [];
  if (!isMap(labels)) return [`${where}: labels are not a map`];
  const problems: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    const [prefix, name] = k.includes('/') ? (k.split('/', 2) as [string, string]) : [undefined, k];
    if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
      problems.push(`${where}: label prefix ${k}`);
    if (name.length > 63 || !LABEL_NAME.test(name)) problems.push(`${where}: label name ${k}`);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
      problems.push(`${where}: label ${k}=${String(v)}`);
  }
  return problems;
}

/** Every pod template of an object (Deployment and Job spec.template). */
export function podTemplates(
  o: Record<string, unknown>,
): { metadata?: Record<string, unknown>; spec: Record<string, unknown> }[] {
  const spec = o.spec;
  if (!isMap(spec) || !isMap(spec.template)) return [];
  const template = spec.template as { metadata?: Record<string, unknown>; spec?: unknown };
  return isMap(template.spec) ? [{ metadata: template.metadata, spec: template.spec }] : [];
}

/**
 * Problems the schemas do not catch in a pod spec: a volume with no or several sources (a values merge can
 * leave `emptyDir` next to `persistentVolumeClaim`), mounts of undefined volumes, repeated names or paths.
 */
export function podSpecProblems(spec: Record<string, unknown>, where: string): string[] {
  const p: string[] = [];
  const volumes = Array.isArray(spec.volumes) ? (spec.volumes as Record<string, unknown>[]) : [];
  const names = volumes.map((v) => String(v.name));
  if (new Set(names).size !== names.length) p.push(`${where}: repeated volume names ${names.join(',')}`);
  for (const v of volumes) {
    const sources = Object.keys(v).filter((k) => k !== 'name');
    if (sources.length !== 1)
      p.push(`${where}: volume ${String(v.name)} has ${sources.length} sources (${sources.join(', ')})`);
  }
  const containers = [spec.initContainers, spec.containers].flatMap((c) =>
    Array.isArray(c) ? c : [],
  ) as Record<string, unknown>[];
  const cnames = containers.map((c) => String(c.name));
  if (new Set(cnames).size !== cnames.length) p.push(`${where}: repeated container names`);
  for (const c of containers) {
    const mounts = Array.isArray(c.volumeMounts) ? (c.volumeMounts as Record<string, unknown>[]) : [];
    for (const m of mounts)
      if (!names.includes(String(m.name)))
        p.push(`${where}: ${String(c.name)} mounts undefined volume ${String(m.name)}`);
    const paths = mounts.map((m) => String(m.mountPath));
    if (new Set(paths).size !== paths.length) p.push(`${where}: ${String(c.name)} mounts a path twice`);
  }
  return p;
}

/** Validates a ScaledObject (keda.sh/v1alpha1) and its nats-jetstream triggers; returns the problems. */
export function scaledObjectProblems(o: Record<string, unknown>): string[] {
  const p: string[] = [];
  const spec = o.spec;
  if (o.apiVersion !== 'keda.sh/v1alpha1') p.push(`apiVersion ${String(o.apiVersion)}`);
  if (!isMap(spec)) return [...p, 'spec is not a map'];
  const allowed = [
    'scaleTargetRef',
    'pollingInterval',
    'cooldownPeriod',
    'initialCooldownPeriod',
    'idleReplicaCount',
    'minReplicaCount',
    'maxReplicaCount',
    'fallback',
    'advanced',
    'triggers',
  ];
  for (const k of Object.keys(spec)) if (!allowed.includes(k)) p.push(`unknown spec.${k}`);
  const ref = spec.scaleTargetRef;
  if (!isMap(ref) || typeof ref.name !== 'string' || !ref.name) p.push('spec.scaleTargetRef.name missing');
  for (const k of ['pollingInterval', 'cooldownPeriod', 'minReplicaCount', 'maxReplicaCount']) {
    const v = spec[k];
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 0))
      p.push(`spec.${k} is not a non-negative integer`);
  }
  if ((spec.minReplicaCount as number) > (spec.maxReplicaCount as number))
    p.push('minReplicaCount > maxReplicaCount');
  const advanced = spec.advanced;
  if (isMap(advanced) && isMap(advanced.horizontalPodAutoscalerConfig)) {
    const behavior = advanced.horizontalPodAutoscalerConfig.behavior;
    try {
      new HorizontalPodAutoscaler({
        metadata: { name: 'behavior-check' },
        spec: {
          scaleTargetRef: { kind: 'Deployment', name: 'x' },
          maxReplicas: 1,
          behavior: behavior as never,
        },
      }).validate();
    } catch (e) {
      p.push(`advanced.horizontalPodAutoscalerConfig.behavior: ${(e as Error).message}`);
    }
  }
  const triggers = spec.triggers;
  if (!Array.isArray(triggers) || triggers.length === 0) return [...p, 'spec.triggers is empty'];
  const natsKeys = [
    'natsServerMonitoringEndpoint',
    'account',
    'stream',
    'consumer',
    'lagThreshold',
    'activationLagThreshold',
    'useHttps',
  ];
  triggers.forEach((t: unknown, i) => {
    if (!isMap(t) || t.type !== 'nats-jetstream' || !isMap(t.metadata)) {
      p.push(`triggers[${i}] is not a nats-jetstream trigger with metadata`);
      return;
    }
    const m = t.metadata;
    for (const [k, v] of Object.entries(m)) {
      if (!natsKeys.includes(k)) p.push(`triggers[${i}].metadata.${k} is unknown`);
      if (typeof v !== 'string')
        p.push(`triggers[${i}].metadata.${k} must be a string (KEDA metadata is map[string]string)`);
    }
    for (const k of natsKeys.slice(0, 5)) if (!m[k]) p.push(`triggers[${i}].metadata.${k} missing`);
    for (const k of ['lagThreshold', 'activationLagThreshold']) {
      if (m[k] !== undefined && !/^\d+$/.test(String(m[k])))
        p.push(`triggers[${i}].metadata.${k} is not a count`);
    }
    if (m.useHttps !== undefined && !['true', 'false'].includes(String(m.useHttps)))
      p.push(`triggers[${i}].metadata.useHttps`);
    if (
      typeof m.natsServerMonitoringEndpoint === 'string' &&
      !/^[a-z0-9.-]+:\d+$/.test(m.natsServerMonitoringEndpoint)
    ) {
      p.push(`triggers[${i}].metadata.natsServerMonitoringEndpoint is not host:port`);
    }
  });
  return p;
}

/**
 * Validates one rendered object; returns its problems (empty when valid). Unknown kinds are a problem:
 * the chart must not render anything these tests cannot check.
 */
export function objectProblems(o: Record<string, unknown>): string[] {
  const kind = `${String(o.apiVersion)} ${String(o.kind)}`;
  const meta = isMap(o.metadata) ? o.metadata : {};
  const name = String(meta.name);
  const where = `${kind} ${name}`;
  const problems: string[] = [];
  const maxName = o.kind === 'Job' || o.kind === 'Deployment' ? 63 : 253;
  if (!DNS_SUBDOMAIN.test(name) || name.length > maxName) problems.push(`${where}: invalid name`);
  if ((o.kind === 'Job' || o.kind === 'Deployment') && !DNS_LABEL.test(name))
    problems.push(`${where}: name is not a DNS label`);
  problems.push(...labelProblems(meta.labels, `${where} metadata`));
  for (const t of podTemplates(o)) {
    problems.push(
      ...labelProblems(t.metadata?.labels, `${where} pod template`),
      ...podSpecProblems(t.spec, where),
    );
  }
  if (o.kind === 'ConfigMap' && isMap(o.data)) {
    for (const k of Object.keys(o.data))
      if (!/^[-._a-zA-Z0-9]{1,253}$/.test(k)) problems.push(`${where}: data key ${k}`);
  }
  if (o.kind === 'ScaledObject')
    return [...problems, ...scaledObjectProblems(o).map((m) => `${where}: ${m}`)];
  const model = MODELS[kind];
  if (!model) return [...problems, `${where}: no schema for this kind`];
  try {
    model(o).validate();
  } catch (e) {
    problems.push(`${where}: ${(e as Error).message}`);
  }
  return problems;
}
