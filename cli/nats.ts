import type { Command } from 'commander';
import { FerryError, type Logger, type PartialSettings } from '../core/index.js';
import { NatsTransport, type NatsConnectOptions } from '../transport/index.js';

/**
 * How this process reaches NATS: the URL from `--nats` / FERRY_NATS_URL / the config's `nats.url`; a creds file
 * (JWT + seed) from `nats.creds_file` or FERRY_NATS_CREDS_FILE; a CA from `nats.tls_ca_file` or
 * FERRY_NATS_TLS_CA_FILE; client certificates from FERRY_NATS_TLS_CERT_FILE / FERRY_NATS_TLS_KEY_FILE.
 * Credentials are files, never values on the command line.
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
    logger,
    replicas,
    ...(extra.graceMs ? { graceMs: extra.graceMs } : {}),
  });
}

/** Adds the `--nats URL` flag (twin of FERRY_NATS_URL / nats.url). */
export function natsOption(cmd: Command, description: string): Command {
  return cmd.option('--nats <url>', `${description} (env FERRY_NATS_URL; several URLs comma-separated)`);
}
