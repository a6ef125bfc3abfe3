import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions, SslOptions } from 'mysql2';
import { z } from 'zod';
import { type Endpoint, FerryError } from '../../core/index.js';

/**
 * The query parameters a `mysql://` (or `mariadb://`) URL accepts. Parsed once when a source or target opens.
 */
export const mysqlParamsSchema = z.strictObject({
  tinyint1: z
    .enum(['bool', 'int'])
    .default('bool')
    .describe(
      'How TINYINT(1) columns read: bool (a value other than 0 or 1 is an error naming the row) or int (int8). Default: bool.',
    ),
  zero_dates: z
    .enum(['error', 'null'])
    .default('error')
    .describe(
      "Zero and invalid dates such as '0000-00-00' or '2024-00-10': error (naming table, column, key and value) or null (read as NULL; the columns become nullable). Default: error.",
    ),
  snapshot: z
    .enum(['consistent', 'per-partition'])
    .default('consistent')
    .describe(
      'consistent: every reader opens START TRANSACTION WITH CONSISTENT SNAPSHOT under a brief FLUSH TABLES WITH READ LOCK (needs RELOAD), so all partitions see one point in time; per-partition: each partition reads its own snapshot and the run is reported not consistent (needs only SELECT). Default: consistent.',
    ),
  readers: z.coerce
    .number()
    .int()
    .min(1)
    .max(256)
    .default(8)
    .describe(
      'Connections sharing the consistent snapshot; reads beyond this many wait for one. Set it to at least the worker count. Default: 8.',
    ),
  sslmode: z
    .enum(['disable', 'require', 'verify-ca', 'verify-full'])
    .optional()
    .describe(
      'TLS: disable, require (encrypt, no verification), verify-ca (CA chain), verify-full (CA chain and host name). Default: disable on a loopback host, verify-full elsewhere.',
    ),
  sslrootcert: z.string().optional().describe('PEM file of the CA that signed the server certificate.'),
  sslcert: z.string().optional().describe('PEM client certificate, for certificate authentication.'),
  sslkey: z.string().optional().describe('PEM private key of sslcert.'),
});

/** The parsed parameters of a MySQL endpoint. */
export type MysqlParams = z.output<typeof mysqlParamsSchema>;

/** Parses an endpoint's query parameters; a misspelt or invalid one is a CONFIG error naming it. */
export function parseMysqlParams(endpoint: Endpoint): MysqlParams {
  const parsed = mysqlParamsSchema.safeParse(endpoint.params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = issue.path.join('.') || (issue as { keys?: string[] }).keys?.join(', ') || '?';
    throw new FerryError('CONFIG', `invalid parameter ${name} in ${endpoint.display}: ${issue.message}`, {
      configPath: name,
      hint: `known parameters: ${Object.keys(mysqlParamsSchema.shape).join(', ')}`,
    });
  }
  return parsed.data;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new FerryError('CONFIG', `cannot read the ${what} file ${path}`, { cause });
  }
}

/**
 * mysql2 connection options for an endpoint. `localFiles` keeps the LOCAL_FILES capability, which only the
 * target's loader connections have: every other connection tells the server it cannot send local files.
 */
export function connectionOptions(
  endpoint: Endpoint,
  params: MysqlParams,
  localFiles: boolean,
): ConnectionOptions {
  if (!endpoint.database) {
    throw new FerryError('CONFIG', `${endpoint.display} names no database`, {
      hint: 'write mysql://USER@HOST:PORT/DATABASE',
    });
  }
  const host = endpoint.host ?? 'localhost';
  const options: ConnectionOptions = {
    host,
    port: endpoint.port ?? 3306,
    database: endpoint.database,
    charset: 'UTF8MB4_BIN',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    decimalNumbers: false,
    jsonStrings: true,
    connectTimeout: 20_000,
    flags: localFiles ? ['LOCAL_FILES'] : ['-LOCAL_FILES'],
  };
  if (endpoint.user) options.user = endpoint.user;
  if (endpoint.password) options.password = endpoint.password.reveal();
  const mode = params.sslmode ?? (LOOPBACK.has(host) ? 'disable' : 'verify-full');
  // mysql2 sends no server name for an IP address and Node then checks the certificate against `localhost`,
  // so verify-full could not tell the server's name from any other: refuse it rather than check the wrong name.
  if (mode === 'verify-full' && isIP(host.replace(/^\[(.*)\]$/, '$1')))
    throw new FerryError('CONFIG', `sslmode=verify-full cannot check the server's name at the IP address ${host}`, {
      hint: 'connect by the host name in the server certificate, or choose sslmode=verify-ca (the CA chain only)',
    });
  if (mode !== 'disable') {
    // mysql2 checks the certificate's host name only with `verifyIdentity`.
    const ssl: SslOptions & { verifyIdentity?: boolean } = {
      rejectUnauthorized: mode !== 'require',
      verifyIdentity: mode === 'verify-full',
    };
    if (params.sslrootcert) ssl.ca = readPem(params.sslrootcert, 'sslrootcert');
    if (params.sslcert) ssl.cert = readPem(params.sslcert, 'sslcert');
    if (params.sslkey) ssl.key = readPem(params.sslkey, 'sslkey');
    options.ssl = ssl;
  }
  return options;
}
