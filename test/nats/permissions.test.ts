import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../core/index.js';
import {
  NatsTransport,
  type NatsTransportOptions,
  RUNS_BUCKET,
  resultStream,
  resultSubject,
  TASK_SCHEMA,
  taskStream,
  taskSubject,
  WORKERS_CONSUMER,
} from '../../transport/index.js';
import { FerryProcess, tail, waitUntil } from '../chaos/processes.js';
import { createTestDatabase, requireServices, runCli, sql, type TestDatabase } from '../helpers/services.js';
import { FAST_NATS_TIMERS, NatsServer } from './nats-server.js';

/**
 * RELIABILITY S03 (user + password auth; TLS is covered by test/security/nats-tls.test.ts): ferry runs under
 * the per-role permissions of docs/nats-server.example.conf, and those permissions refuse what each role must
 * not do. The server runs that file itself, read here with only what cannot run on this machine replaced
 * (listen address, monitoring port, TLS block, store dir, password hashes); each replacement must match, so a
 * reshaped example fails here instead of being tested in part.
 *
 *   nats-server (example conf) ◄── ferry run (coordinator) ── ferry worker ×2 (worker) ── ferry status (observer)
 *                              ◄── nats.js as worker / coordinator / observer / nobody: forbidden actions
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLE = join(ROOT, 'docs', 'nats-server.example.conf');
const ROLES = ['coordinator', 'worker', 'observer', 'admin'] as const;
type Role = (typeof ROLES)[number];
const PASSWORDS = Object.fromEntries(
  ROLES.map((r) => [r, `${r}-pw-${randomBytes(6).toString('hex')}`]),
) as Record<Role, string>;

const ROWS = 600;
const PARTITION_ROWS = 50;
const RUN = `perm-${randomBytes(3).toString('hex')}`;
/** A second run, whose task subject a worker must not publish to. */
const OTHER = `${RUN}-other`;
/** A third run, whose one task becomes a dead letter. */
const DEAD = `${RUN}-dead`;

/** docs/nats-server.example.conf with the machine-specific parts replaced; throws naming a part not found. */
function runnableConfig(doc: string): string {
  let text = doc;
  const swap = (what: string, re: RegExp, to: (...m: string[]) => string, count = 1) => {
    const found = text.match(new RegExp(re.source, `${re.flags.replace('g', '')}g`))?.length ?? 0;
    if (found !== count)
      throw new Error(`docs/nats-server.example.conf: expected ${count} ${what}, found ${found}`);
    text = text.replace(re, to);
  };
  // NatsServer passes -a 127.0.0.1 -p PORT -sd DIR (a store_dir here too is refused as a duplicate);
  // monitoring is not needed and 8222 may be taken.
  swap('`listen:` line', /^listen:.*$/m, () => '');
  swap('`http:` line', /^http:.*$/m, () => '');
  swap('`tls { … }` block', /^tls \{[\s\S]*?^\}$/m, () => '');
  swap('jetstream `store_dir` line', /^\s*store_dir: .*$/m, () => '');
  swap(
    'users with a password',
    /\{ user: (\w+),(\s*)password: "[^"]*"/g,
    (_m, user, space) => `{ user: ${user},${space}password: "${PASSWORDS[user as Role]}"`,
    ROLES.length,
  );
  return text;
}

const svc = await requireServices(['pg']);

let dir: string;
let nats: NatsServer;
let src: TestDatabase;
let dst: TestDatabase;
let pgPassword: string;
const procs: FerryProcess[] = [];
const conns: NatsConnection[] = [];

function natsUrl(role?: Role): string {
  const host = nats.url.replace('nats://', '');
  return role ? `nats://${role}:${PASSWORDS[role]}@${host}` : nats.url;
}

/** A ferry process's environment: NATS credentials in FERRY_NATS_URL (never in argv), short timers. */
function env(role: Role | undefined): Record<string, string> {
  return {
    FERRY_NATS_URL: natsUrl(role),
    FERRY_SOURCE_PASSWORD: pgPassword,
    FERRY_TARGET_PASSWORD: pgPassword,
    ...FAST_NATS_TIMERS,
    FERRY_RECONCILE_INTERVAL_MS: '500',
    FERRY_QUALITY_CHECKS: 'off',
    FERRY_LOG_LEVEL: 'info',
  };
}

function bare(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

async function connectAs(role: Role): Promise<NatsConnection> {
  const nc = await connect({
    servers: nats.url,
    user: role,
    pass: PASSWORDS[role],
    maxReconnectAttempts: 0,
    timeout: 3000,
  });
  conns.push(nc);
  return nc;
}

/** ferry's transport with the coordinator's credentials, as `ferry run --nats` has it. */
function coordinatorTransport(options: Partial<NatsTransportOptions> = {}): Promise<NatsTransport> {
  const password = new Secret(PASSWORDS.coordinator);
  return NatsTransport.connect(
    { servers: nats.url, user: 'coordinator', password, timeoutMs: 3000 },
    { requestTimeoutMs: 3000, ...options },
  );
}

/** The PermissionViolationError behind `e` (nats.js wraps it in a RequestError), if any. */
function permissionViolation(e: unknown): { operation: string; subject: string } | undefined {
  for (let c: unknown = e; c instanceof Error; c = c.cause) {
    if (c.name === 'PermissionViolationError') return c as unknown as { operation: string; subject: string };
  }
  return undefined;
}

/** Expects `op` to be refused by the server's permissions for publishing to `subject` (not a timeout). */
async function expectDenied(op: () => Promise<unknown>, subject: string): Promise<void> {
  const e = await op().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `publishing to ${subject} was allowed`).toBeInstanceOf(Error);
  const pv = permissionViolation(e);
  expect(pv, `not a permission error: ${String(e)}`).toBeDefined();
  expect(pv).toMatchObject({ operation: 'publish', subject });
}

/** Lines of the server log with a permission violation, after `from` characters. */
function violations(from = 0): string[] {
  return readFileSync(nats.logFile, 'utf8')
    .slice(from)
    .split('\n')
    .filter((l) => /violation/i.test(l));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-nats-perm-'));
  nats = await NatsServer.start({
    config: runnableConfig(readFileSync(EXAMPLE, 'utf8')),
  });
  pgPassword = decodeURIComponent(new URL(svc.urls.pg!).password);
  src = await createTestDatabase('pg', svc.urls.pg!, 'natsperm_src');
  dst = await createTestDatabase('pg', svc.urls.pg!, 'natsperm_dst');
  await sql(
    src.url,
    `CREATE TABLE items (id bigint PRIMARY KEY, grp integer NOT NULL, name text, amount numeric(12,2));
     INSERT INTO items SELECT i, i % 17, 'item ' || i, (i * 7919 % 100000) / 100.0 FROM generate_series(1, ${ROWS}) i;
     ANALYZE items;`,
  );
});

afterAll(async () => {
  await Promise.allSettled(procs.map((p) => p.stop()));
  await Promise.allSettled(conns.map((nc) => nc.close()));
  await nats?.stop();
  await src?.drop().catch(() => {});
  await dst?.drop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

function start(name: string, role: Role, args: string[]): FerryProcess {
  const p = FerryProcess.start(name, args, { cwd: dir, env: env(role) });
  procs.push(p);
  return p;
}

describe('NATS per-role permissions of docs/nats-server.example.conf', () => {
  it('a PG → PG run succeeds and verifies with coordinator and worker credentials; an observer reads its status', async () => {
    const coordinator = start('coordinator', 'coordinator', [
      'run',
      '--from',
      bare(src.url),
      '--to',
      bare(dst.url),
      '--tables',
      'items',
      '--partition-rows',
      String(PARTITION_ROWS),
      '--batch-rows',
      '25',
      '--workers',
      '1',
      '--run-id',
      RUN,
      '--json',
      '--state-dir',
      join(dir, 'state'),
      '--reports-dir',
      join(dir, 'reports'),
    ]);
    // No worker yet: the tasks wait in the stream while the reconciler (every 500 ms) walks them, so the
    // coordinator's read of stored tasks runs under its permissions too.
    const admin = await jetstreamManager(await connectAs('admin'));
    await waitUntil(
      'the coordinator to publish the tasks',
      async () =>
        ((await admin.streams.info(taskStream(RUN)).catch(() => undefined))?.state.messages ?? 0) >=
        ROWS / PARTITION_ROWS,
      60_000,
      () => coordinator.stderr(),
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect(coordinator.running, tail(coordinator.stderr())).toBe(true);
    const workers = [1, 2].map((i) =>
      start(`worker-${i}`, 'worker', ['worker', '--concurrency', '2', '--grace-period', '2']),
    );

    const exit = await coordinator.wait(120_000);
    expect(
      exit.code,
      `coordinator failed:\n${tail(coordinator.stderr())}\n${tail(coordinator.stdout(), 3)}`,
    ).toBe(0);
    const out = coordinator.json<{ report: { status: string; verified: boolean; rows: string } }>();
    expect(out.report).toMatchObject({ status: 'succeeded', verified: true });
    const count = async (url: string) =>
      (await sql<{ n: string; s: string }>(url, 'SELECT count(*) AS n, sum(id) AS s FROM items'))[0];
    expect(await count(dst.url)).toEqual(await count(src.url));
    const ledger = await sql(dst.url, 'SELECT partition_id FROM ferry._ferry_ledger WHERE run_id = $1', [
      RUN,
    ]);
    expect(ledger).toHaveLength(ROWS / PARTITION_ROWS);
    // Every partition was copied by a `ferry worker` process (`host:pid`), none by the coordinator.
    const by = await sql<{ started_by: string }>(
      dst.url,
      'SELECT DISTINCT started_by FROM ferry._ferry_attempts WHERE run_id = $1',
      [RUN],
    );
    const pids = new Set(workers.map((w) => String(w.pid)));
    expect(by.length).toBeGreaterThan(0);
    for (const b of by) expect(pids, b.started_by).toContain(b.started_by.split(':').pop());

    // `ferry status` as the observer, from NATS alone (an empty state dir: the plan and results come from NATS).
    const status = await runCli(['status', RUN, '--json', '--state-dir', join(dir, 'observer-state')], {
      env: env('observer'),
      cwd: dir,
      timeoutMs: 60_000,
    });
    expect(status.code, `${status.stderr}\n${violations().join('\n')}`).toBe(0);
    const s = JSON.parse(status.stdout.trim().split('\n').pop()!) as {
      status: string;
      tables: { partitions: number; done: number }[];
      queue: { pending: number; inFlight: number; results: number };
    };
    expect(s.status).toBe('succeeded');
    expect(s.tables).toMatchObject([{ partitions: ROWS / PARTITION_ROWS, done: ROWS / PARTITION_ROWS }]);
    expect(s.queue).toMatchObject({ pending: 0, inFlight: 0 });

    // Nothing any of them did was refused (a refused reconcile or KV write is only logged, so look).
    expect(violations()).toEqual([]);
    const runLog = readFileSync(join(dir, 'state', RUN, 'ferry.log'), 'utf8');
    for (const text of [runLog, coordinator.stderr(), ...workers.map((w) => w.stderr()), status.stderr]) {
      expect(text).not.toMatch(/permission|violation|reconcile failed|NATS refused/i);
    }
    // The NATS passwords reached the (still running) workers through the environment only.
    for (const p of workers) {
      const cmdline = existsSync(`/proc/${p.pid}/cmdline`)
        ? readFileSync(`/proc/${p.pid}/cmdline`, 'utf8')
        : '';
      for (const pw of Object.values(PASSWORDS)) expect(cmdline).not.toContain(pw);
    }
    for (const w of workers) await w.stop();
  });

  it('the coordinator reports a dead letter under its permissions: reads the task, stores a failed result, removes the task', async () => {
    // The happy run never gets here: a task delivered MaxDeliver + 1 times without an ack (a worker hands it
    // back twice), then the coordinator's reconcile finds it dead.
    const logFrom = readFileSync(nats.logFile, 'utf8').length;
    const coordinator = await coordinatorTransport({ maxDeliver: 1 });
    try {
      await coordinator.publish([
        { schema: TASK_SCHEMA, runId: DEAD, partitionId: 'public.items#3', attempt: 1 },
      ]);
      const worker = await connectAs('worker');
      const consumer = await jetstream(worker).consumers.get(taskStream(DEAD), WORKERS_CONSUMER);
      for (let delivery = 1; delivery <= 2; delivery++) {
        const m = await consumer.next({ expires: 3000 });
        expect(m?.info.deliveryCount).toBe(delivery);
        m!.nak();
      }
      // Out of deliveries: the next pull gets nothing (and the server drops the task from the pending count).
      expect(await consumer.next({ expires: 1000 })).toBeNull();
      const admin = await jetstreamManager(await connectAs('admin'));
      await waitUntil(
        'the task to be out of deliveries',
        async () => (await admin.consumers.info(taskStream(DEAD), WORKERS_CONSUMER)).num_ack_pending === 0,
        10_000,
      );
      await coordinator.reconcile(DEAD, ['public.items#3']);
      expect((await admin.streams.info(taskStream(DEAD))).state.messages).toBe(0);
      const stored = await admin.streams.getMessage(resultStream(DEAD), { seq: 1 });
      expect(stored?.json()).toMatchObject({ partitionId: 'public.items#3', status: 'failed' });
    } finally {
      await coordinator.close();
    }
    expect(violations(logFrom)).toEqual([]);
  });

  it('a worker cannot delete, purge or create streams or consumers, publish tasks, or touch run KV keys', async () => {
    // Another run's tasks, published through ferry with the coordinator's credentials.
    const coordinator = await coordinatorTransport();
    try {
      await coordinator.publish([
        { schema: TASK_SCHEMA, runId: OTHER, partitionId: 'public.items#0', attempt: 1 },
      ]);
    } finally {
      await coordinator.close();
    }
    const logFrom = readFileSync(nats.logFile, 'utf8').length;
    const nc = await connectAs('worker');
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const kv = await new Kvm(js).open(RUNS_BUCKET);
    // What workers may do works on this connection: the refusals below are the permissions, not a broken link.
    expect((await jsm.consumers.info(taskStream(OTHER), WORKERS_CONSUMER)).num_pending).toBe(1);
    expect((await kv.get(`${RUN}.plan`))?.operation).toBe('PUT');
    const noteKey = `${RUN}.error.${Buffer.from('public.items#0').toString('hex')}`;
    expect(await kv.put(noteKey, '{"note":"worker may write its error keys"}')).toBeGreaterThan(0);

    const results = resultStream(RUN);
    await expectDenied(
      () => jsm.streams.delete(taskStream(OTHER)),
      `$JS.API.STREAM.DELETE.${taskStream(OTHER)}`,
    );
    await expectDenied(() => jsm.streams.delete(results), `$JS.API.STREAM.DELETE.${results}`);
    await expectDenied(
      () => jsm.streams.purge(taskStream(OTHER)),
      `$JS.API.STREAM.PURGE.${taskStream(OTHER)}`,
    );
    await expectDenied(() => jsm.streams.purge(results), `$JS.API.STREAM.PURGE.${results}`);
    await expectDenied(() => jsm.streams.deleteMessage(results, 1), `$JS.API.STREAM.MSG.DELETE.${results}`);
    await expectDenied(
      () => jsm.streams.add({ name: 'EVIL', subjects: ['evil.>'] }),
      '$JS.API.STREAM.CREATE.EVIL',
    );
    // (jsm.streams.update reads the stream's info first, which a worker may not; ask the API directly.)
    const update = `$JS.API.STREAM.UPDATE.${taskStream(OTHER)}`;
    await expectDenied(
      () =>
        nc.request(update, JSON.stringify({ name: taskStream(OTHER), subjects: ['evil.>'] }), {
          timeout: 3000,
        }),
      update,
    );
    await expectDenied(
      () => jsm.consumers.add(taskStream(OTHER), { durable_name: 'thief', ack_policy: AckPolicy.Explicit }),
      `$JS.API.CONSUMER.CREATE.${taskStream(OTHER)}.thief`,
    );
    await expectDenied(
      () => jsm.consumers.delete(taskStream(OTHER), WORKERS_CONSUMER),
      `$JS.API.CONSUMER.DELETE.${taskStream(OTHER)}.${WORKERS_CONSUMER}`,
    );
    // Reading results is the coordinator's: a worker cannot open a consumer on a result stream.
    await expectDenied(
      () => jsm.consumers.add(results, { name: 'peek', ack_policy: AckPolicy.None }),
      `$JS.API.CONSUMER.CREATE.${results}.peek`,
    );
    const task = JSON.stringify({
      schema: TASK_SCHEMA,
      runId: OTHER,
      partitionId: 'public.items#9',
      attempt: 1,
    });
    await expectDenied(() => js.publish(taskSubject(OTHER), task), taskSubject(OTHER));
    await expectDenied(() => js.publish(taskSubject(RUN), task), taskSubject(RUN));
    // Run KV: the plan, the coordinator lease and run state are the coordinator's; the bucket is nobody's.
    await expectDenied(() => kv.put(`${RUN}.plan`, '{}'), `$KV.${RUNS_BUCKET}.${RUN}.plan`);
    await expectDenied(() => kv.put(`${RUN}.lease`, '{}'), `$KV.${RUNS_BUCKET}.${RUN}.lease`);
    await expectDenied(() => kv.put(`${RUN}.state.info`, '{}'), `$KV.${RUNS_BUCKET}.${RUN}.state.info`);
    await expectDenied(() => kv.purge(`${RUN}.plan`), `$KV.${RUNS_BUCKET}.${RUN}.plan`);
    await expectDenied(() => kv.destroy(), `$JS.API.STREAM.DELETE.KV_${RUNS_BUCKET}`);

    // Nothing got through: the other run still holds exactly its one task, the run's plan is intact.
    const adminJsm = await jetstreamManager(await connectAs('admin'));
    expect((await adminJsm.streams.info(taskStream(OTHER))).state.messages).toBe(1);
    expect((await adminJsm.streams.info(taskStream(RUN))).state.messages).toBe(0);
    expect((await adminJsm.streams.info(results)).state.messages).toBeGreaterThanOrEqual(
      ROWS / PARTITION_ROWS,
    );
    expect((await kv.get(`${RUN}.plan`))?.operation).toBe('PUT');
    // And the server logged each refusal against the worker user.
    const refused = violations(logFrom);
    expect(refused.length).toBeGreaterThanOrEqual(10);
    for (const line of refused) expect(line).toContain('"worker"');
  });

  it('the coordinator cannot delete or purge streams or the run KV bucket, nor take tasks; an admin can', async () => {
    const nc = await connectAs('coordinator');
    const jsm = await jetstreamManager(nc);
    const kv = await new Kvm(jetstream(nc)).open(RUNS_BUCKET);
    for (const stream of [taskStream(OTHER), resultStream(RUN)]) {
      await expectDenied(() => jsm.streams.delete(stream), `$JS.API.STREAM.DELETE.${stream}`);
      await expectDenied(() => jsm.streams.purge(stream), `$JS.API.STREAM.PURGE.${stream}`);
    }
    await expectDenied(() => kv.destroy(), `$JS.API.STREAM.DELETE.KV_${RUNS_BUCKET}`);
    // It publishes tasks; it neither takes them nor removes the consumer that holds their delivery state.
    const next = `$JS.API.CONSUMER.MSG.NEXT.${taskStream(OTHER)}.${WORKERS_CONSUMER}`;
    await expectDenied(() => nc.request(next, '{"batch":1}', { timeout: 3000 }), next);
    await expectDenied(
      () => jsm.consumers.delete(taskStream(OTHER), WORKERS_CONSUMER),
      `$JS.API.CONSUMER.DELETE.${taskStream(OTHER)}.${WORKERS_CONSUMER}`,
    );

    const admin = await jetstreamManager(await connectAs('admin'));
    expect((await admin.streams.purge(taskStream(OTHER))).purged).toBe(1);
    expect(await admin.streams.delete(taskStream(OTHER))).toBe(true);
  });

  it('an observer reads but cannot publish tasks, write run KV keys, take tasks or delete streams', async () => {
    const nc = await connectAs('observer');
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const kv = await new Kvm(js).open(RUNS_BUCKET);
    expect((await jsm.streams.info(resultStream(RUN))).state.messages).toBeGreaterThanOrEqual(
      ROWS / PARTITION_ROWS,
    );
    expect((await kv.get(`${RUN}.plan`))?.operation).toBe('PUT');
    const task = JSON.stringify({
      schema: TASK_SCHEMA,
      runId: RUN,
      partitionId: 'public.items#0',
      attempt: 9,
    });
    await expectDenied(() => js.publish(taskSubject(RUN), task), taskSubject(RUN));
    await expectDenied(() => js.publish(resultSubject(RUN), '{}'), resultSubject(RUN));
    await expectDenied(() => kv.put(`${RUN}.state.info`, '{}'), `$KV.${RUNS_BUCKET}.${RUN}.state.info`);
    await expectDenied(
      () =>
        nc.request(`$JS.API.CONSUMER.MSG.NEXT.${taskStream(RUN)}.${WORKERS_CONSUMER}`, '{"batch":1}', {
          timeout: 3000,
        }),
      `$JS.API.CONSUMER.MSG.NEXT.${taskStream(RUN)}.${WORKERS_CONSUMER}`,
    );
    await expectDenied(
      () => jsm.streams.delete(resultStream(RUN)),
      `$JS.API.STREAM.DELETE.${resultStream(RUN)}`,
    );
  });

  it('a connection without credentials, or with a wrong password, is refused', async () => {
    for (const options of [{}, { user: 'worker', pass: 'not-the-password' }]) {
      const e = await connect({ servers: nats.url, maxReconnectAttempts: 0, timeout: 3000, ...options }).then(
        async (nc) => {
          await nc.close();
          return undefined;
        },
        (err: unknown) => err,
      );
      expect(e, JSON.stringify(options)).toBeInstanceOf(Error);
      expect((e as Error).name).toBe('AuthorizationError');
      expect((e as Error).message).toMatch(/authorization violation/i);
    }
    // ferry itself, without credentials: a CONNECTION error naming the server, not a hang.
    const r = await runCli(['status', RUN, '--json', '--state-dir', join(dir, 'nobody-state')], {
      env: env(undefined),
      cwd: dir,
      timeoutMs: 60_000,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot connect to NATS at 127\.0\.0\.1:\d+/);
    expect(r.stderr).toMatch(/authorization violation/i);
  });
});
