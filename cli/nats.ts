import type { Command } from 'commander';
import { resolve } from 'node:path';
import {
  checkPrivateFile,
  FerryError,
  type Logger,
  type PartialSettings,
  readSecretFile,
  Secret,
} from '../core/index.js';
import {
  type LeaseOptions,
  type NatsConnectOptions,
  NatsTransport,
  type NatsTransportOptions,
} from '../transport/index.js';

/**
 * Timer knobs from the environment, in milliseconds (defaults in transport/nats/options.ts): for tests and
 * for operators who need a shorter redelivery than the 60 s AckWait. Unset or empty: the default.
 *   FERRY_NATS_ACK_WAIT_MS        time a task may go without a heartbeat before it is delivered again
 *   FERRY_NATS_MAX_DELIVER        deliveries of a task before it is reported failed (a count, not ms)
 *   FERRY_NATS_NAK_DELAY_MS       delay before a handed-back task is delivered again
 *   FERRY_NATS_PULL_EXPIRES_MS    how long one pull request waits for a task
 *   FERRY_NATS_DISCOVERY_MS       how often a worker looks for new runs
 *   FERRY_NATS_REQUEST_TIMEOUT_MS wait for a PubAck or an API reply
 */
export function natsTuning(env: NodeJS.ProcessEnv = process.env): Partial<NatsTransportOptions> {
  const out: Partial<NatsTransportOptions> = {};
  const knobs: [
    string,
    'ackWaitMs' | 'maxDeliver' | 'nakDelayMs' | 'pullExpiresMs' | 'discoveryIntervalMs' | 'requestTimeoutMs',
  ][] = [
    ['FERRY_NATS_ACK_WAIT_MS', 'ackWaitMs'],
    ['FERRY_NATS_MAX_DELIVER', 'maxDeliver'],
    ['FERRY_NATS_NAK_DELAY_MS', 'nakDelayMs'],
    ['FERRY_NATS_PULL_EXPIRES_MS', 'pullExpiresMs'],
    ['FERRY_NATS_DISCOVERY_MS', 'discoveryIntervalMs'],
    ['FERRY_NATS_REQUEST_TIMEOUT_MS', 'requestTimeoutMs'],
  ];
  for (const [name, key] of knobs) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0)
      throw new FerryError('CONFIG', `${name} must be a positive integer, got ${raw}`, { configPath: name });
    out[key] = n;
  }
  return out;
}

/**
 * The coordinator lease's TTL from FERRY_NATS_LEASE_TTL_MS (default 15 000 ms): a crashed coordinator's
 * successor waits 1.5 × this before taking the run over.
 */
export function leaseOptions(env: NodeJS.ProcessEnv = process.env): LeaseOptions {
  const raw = env.FERRY_NATS_LEASE_TTL_MS;
  if (raw === undefined || raw === '') return {};
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new FerryError('CONFIG', `FERRY_NATS_LEASE_TTL_MS must be a positive integer, got ${raw}`, {
      configPath: 'FERRY_NATS_LEASE_TTL_MS',
    });
  return { ttlMs: n };
}

/**
 * How this process reaches NATS: the URL from `--nats` / FERRY_NATS_URL / the config's `nats.url`; a creds file
 * (JWT + seed) from `nats.creds_file` or FERRY_NATS_CREDS_FILE; a CA from `nats.tls_ca_file` or
 * FERRY_NATS_TLS_CA_FILE; client certificates from FERRY_NATS_TLS_CERT_FILE / FERRY_NATS_TLS_KEY_FILE; an nkey
 * seed from FERRY_NATS_NKEY_FILE; a user from FERRY_NATS_USER with its password from FERRY_NATS_PASSWORD_FILE
 * (or FERRY_NATS_PASSWORD). Credentials are private (0600) files or the environment, never the command line.
 */
export function natsConnectOptions(
  settings: Pick<PartialSettings, 'nats'>,
  env: NodeJS.ProcessEnv = process.env,
): NatsConnectOptions | undefined {
  const url = settings.nats?.url;
  if (!url) return undefined;
  const options: NatsConnectOptions = {
    servers: url.split(',').map((s) => s.trim()),
    name: `ferry-${process.pid}`,
  };
  const creds = settings.nats?.credsFile ?? env.FERRY_NATS_CREDS_FILE;
  if (creds) options.credsFile = creds;
  const nkey = env.FERRY_NATS_NKEY_FILE;
  if (nkey) {
    // A seed is a private key: the same 0600 rule as a password file.
    checkPrivateFile({ file: resolve(nkey), namedBy: 'environment variable FERRY_NATS_NKEY_FILE' });
    options.nkeySeedFile = resolve(nkey);
  }
  if (env.FERRY_NATS_USER) {
    options.user = env.FERRY_NATS_USER;
    const file = env.FERRY_NATS_PASSWORD_FILE;
    const password = file
      ? readSecretFile({ file: resolve(file), namedBy: 'environment variable FERRY_NATS_PASSWORD_FILE' })
      : env.FERRY_NATS_PASSWORD;
    if (password !== undefined) options.password = new Secret(password);
  }
  const ca = settings.nats?.tlsCaFile ?? env.FERRY_NATS_TLS_CA_FILE;
  const cert = env.FERRY_NATS_TLS_CERT_FILE;
  const key = env.FERRY_NATS_TLS_KEY_FILE;
  if (ca || cert || key)
    options.tls = {
      ...(ca ? { caFile: ca } : {}),
      ...(cert ? { certFile: cert } : {}),
      ...(key ? { keyFile: key } : {}),
    };
  return options;
}

/** Connects to the NATS of the settings, or throws a USAGE error saying how to name one. */
export async function connectNats(
  settings: Pick<PartialSettings, 'nats'>,
  logger: Logger,
  extra: { graceMs?: number } = {},
): Promise<NatsTransport> {
  const options = natsConnectOptions(settings);
  if (!options) {
    throw new FerryError('USAGE', 'no NATS server given', {
      hint: 'pass --nats nats://HOST:PORT (or FERRY_NATS_URL, or nats.url in the config)',
    });
  }
  const replicas = Number(process.env.FERRY_NATS_REPLICAS ?? 1);
  return NatsTransport.connect(options, {
    ...natsTuning(),
    logger,
    replicas,
    ...(extra.graceMs ? { graceMs: extra.graceMs } : {}),
  });
}

/** Adds the `--nats URL` flag (twin of FERRY_NATS_URL / nats.url). */
export function natsOption(cmd: Command, description: string): Command {
  return cmd.option('--nats <url>', `${description} (env FERRY_NATS_URL; several URLs comma-separated)`);
}
