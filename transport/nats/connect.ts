import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { readFileSync } from 'node:fs';
import {
  type Authenticator,
  connect,
  credsAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
  nkeyAuthenticator,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
} from '@nats-io/transport-node';
import { FerryError, type Logger, redact, registerSecret, Secret } from '../../core/index.js';
import type { NatsConnectOptions } from './options.js';
import { reasonOf } from './nats-errors.js';

/** Server addresses without credentials, whether TLS is required, and credentials found in the URLs. */
export interface ParsedServers {
  /** `host:port` entries, safe to log. */
  hosts: string[];
  tlsRequired: boolean;
  user?: string;
  password?: Secret;
}

/**
 * Splits `nats://user:pw@host:port,tls://host2` style URLs into plain `host:port`s (what nats.js dials) and
 * the credentials, so that no credential ever sits in a string that is logged.
 */
export function parseServers(servers: string | string[]): ParsedServers {
  const list = (Array.isArray(servers) ? servers : [servers])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) {
    throw new FerryError('CONFIG', 'no NATS server URL given', { hint: 'pass --nats nats://HOST:PORT' });
  }
  const out: ParsedServers = { hosts: [], tlsRequired: false };
  for (const raw of list) {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `nats://${raw}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new FerryError('CONFIG', `invalid NATS server URL '${redact(raw)}'`, {
        hint: 'use nats://HOST:PORT or tls://HOST:PORT',
      });
    }
    const scheme = url.protocol.replace(/:$/, '');
    if (scheme !== 'nats' && scheme !== 'tls') {
      throw new FerryError('CONFIG', `unsupported NATS URL scheme '${scheme}'`, {
        hint: 'use nats://HOST:PORT or tls://HOST:PORT',
      });
    }
    if (scheme === 'tls') out.tlsRequired = true;
    if (url.username) out.user = decodeURIComponent(url.username);
    if (url.password) {
      const pw = decodeURIComponent(url.password);
      registerSecret(pw);
      out.password = new Secret(pw);
    }
    out.hosts.push(`${url.hostname}:${url.port || '4222'}`);
  }
  return out;
}

function readSecretFile(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new FerryError('CONFIG', `cannot read the NATS ${what} file ${path}: ${reasonOf(e)}`, {
      hint: `check the path and permissions of the ${what} file`,
    });
  }
}

function reveal(v: Secret | string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const s = v instanceof Secret ? v.reveal() : v;
  registerSecret(s);
  return s;
}

/** nats.js connection options for `opts`: authenticators built from files and secrets, TLS from files. */
export function connectionOptions(opts: NatsConnectOptions): {
  options: NodeConnectionOptions;
  hosts: string[];
} {
  const parsed = parseServers(opts.servers);
  const authenticators: Authenticator[] = [];
  const user = opts.user ?? parsed.user;
  const password = reveal(opts.password) ?? parsed.password?.reveal();
  if (user !== undefined) authenticators.push(usernamePasswordAuthenticator(user, password));
  const token = reveal(opts.token);
  if (token !== undefined) authenticators.push(tokenAuthenticator(token));
  if (opts.nkeySeedFile) {
    const seed = new TextDecoder().decode(readSecretFile(opts.nkeySeedFile, 'nkey seed')).trim();
    registerSecret(seed);
    authenticators.push(nkeyAuthenticator(new TextEncoder().encode(seed)));
  }
  if (opts.credsFile) {
    const creds = readSecretFile(opts.credsFile, 'creds');
    authenticators.push(credsAuthenticator(creds));
  }
  const options: NodeConnectionOptions = {
    servers: parsed.hosts,
    name: opts.name ?? 'ferry',
    maxReconnectAttempts: opts.maxReconnectAttempts ?? 600,
    reconnectTimeWait: opts.reconnectWaitMs ?? 1000,
    reconnectJitter: 250,
    timeout: opts.timeoutMs ?? 10_000,
    waitOnFirstConnect: false,
    ignoreClusterUpdates: false,
  };
  if (authenticators.length > 0) options.authenticator = authenticators;
  if (opts.tls || parsed.tlsRequired) {
    const tls: NonNullable<NodeConnectionOptions['tls']> = {};
    if (opts.tls?.caFile) tls.caFile = opts.tls.caFile;
    if (opts.tls?.certFile) tls.certFile = opts.tls.certFile;
    if (opts.tls?.keyFile) tls.keyFile = opts.tls.keyFile;
    // nats.js sends no server name for an IP address and Node then checks the certificate against
    // `localhost`: check it against the configured IP addresses instead (it must name one of them).
    const bare = parsed.hosts.map((h) => h.replace(/^\[?(.*?)\]?:\d+$/, '$1'));
    const ips = bare.filter((h) => isIP(h));
    if (ips.length > 0)
      (tls as Record<string, unknown>).checkServerIdentity = (name: string, cert: PeerCertificate) => {
        // A named server's name comes through; for an IP server Node substitutes `localhost`.
        if (name && (name !== 'localhost' || bare.includes('localhost'))) return checkServerIdentity(name, cert);
        const errors = ips.map((ip) => checkServerIdentity(ip, cert));
        return errors.some((e) => e === undefined) ? undefined : errors[0];
      };
    options.tls = tls;
  }
  return { options, hosts: parsed.hosts };
}

/** A connection plus what the transport needs to know about its health. */
export interface NatsLink {
  nc: NatsConnection;
  /** Server addresses without credentials, for messages. */
  hosts: string[];
  /** `performance.now()` when the connection was lost, or undefined while connected. */
  disconnectedSince(): number | undefined;
}

/**
 * Connects (bounded: one attempt per server, then a CONNECTION error naming the servers) and logs every
 * change of the connection's state: disconnects, each reconnect attempt, reconnects, server errors.
 */
export async function connectNats(opts: NatsConnectOptions, log: Logger): Promise<NatsLink> {
  const { options, hosts } = connectionOptions(opts);
  let nc: NatsConnection;
  try {
    nc = await connect(options);
  } catch (e) {
    throw new FerryError('CONNECTION', `cannot connect to NATS at ${hosts.join(', ')}: ${reasonOf(e)}`, {
      cause: e,
      hint: 'check the URL, that nats-server runs with JetStream (-js), and the credentials/TLS settings',
    });
  }
  let lostAt: number | undefined;
  let attempts = 0;
  void (async () => {
    for await (const s of nc.status()) {
      switch (s.type) {
        case 'disconnect':
          lostAt ??= performance.now();
          log.warn({ server: s.server }, 'NATS: connection lost; reconnecting');
          break;
        case 'reconnecting':
          attempts++;
          log.warn({ attempt: attempts, servers: hosts }, 'NATS: reconnect attempt');
          break;
        case 'reconnect':
          log.info(
            { server: s.server, attempts, downMs: lostAt && Math.round(performance.now() - lostAt) },
            'NATS: reconnected',
          );
          lostAt = undefined;
          attempts = 0;
          break;
        case 'error':
          log.warn({ reason: reasonOf(s.error) }, 'NATS: server reported an error');
          break;
        case 'staleConnection':
          log.warn('NATS: connection is stale (pings unanswered); reconnecting');
          break;
        case 'ldm':
          log.warn({ server: s.server }, 'NATS: server entering lame duck mode');
          break;
        default:
          break;
      }
    }
  })();
  void nc.closed().then((err) => {
    if (err) log.error({ reason: reasonOf(err) }, 'NATS: connection closed');
  });
  return { nc, hosts, disconnectedSince: () => lostAt };
}
