import { readFileSync, statSync } from 'node:fs';
import { FerryError } from '../errors.js';
import { registerSecret } from '../secret.js';

/** Where a file name came from, for messages: `source.password_file`, `FERRY_SOURCE_PASSWORD_FILE`. */
export interface SecretFileRef {
  /** The absolute path of the file. */
  file: string;
  /** What named the file, e.g. `environment variable FERRY_SOURCE_PASSWORD_FILE`. */
  namedBy: string;
  /** Config path for `FerryError.context.configPath`, when a config key named the file. */
  configPath?: string;
}

/**
 * Refuses a file that other users could read: credentials and NATS creds files must be mode 0600 (or
 * stricter). A file must exist. On Windows, where modes mean nothing, only existence is checked.
 */
export function checkPrivateFile(ref: SecretFileRef): void {
  let mode: number;
  try {
    mode = statSync(ref.file).mode;
  } catch (cause) {
    throw new FerryError('CONFIG', `cannot read ${ref.file} (named by ${ref.namedBy})`, {
      cause,
      configPath: ref.configPath,
      hint: 'check the path: in a config file it is relative to that file, elsewhere to the working directory',
    });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new FerryError(
      'CONFIG',
      `${ref.file} (named by ${ref.namedBy}) can be read by other users (mode ${(mode & 0o777).toString(8)}); ferry refuses secrets in such files`,
      { configPath: ref.configPath, hint: `run: chmod 600 ${ref.file}` },
    );
  }
}

/**
 * Reads a secret from a file: checks it is private (see `checkPrivateFile`), drops one trailing newline
 * (editors add one; `echo` too), refuses an empty file, and registers the value so logs scrub it.
 */
export function readSecretFile(ref: SecretFileRef): string {
  checkPrivateFile(ref);
  let text: string;
  try {
    text = readFileSync(ref.file, 'utf8');
  } catch (cause) {
    throw new FerryError('CONFIG', `cannot read ${ref.file} (named by ${ref.namedBy})`, {
      cause,
      configPath: ref.configPath,
    });
  }
  const value = text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
  if (value === '') {
    throw new FerryError('CONFIG', `${ref.file} (named by ${ref.namedBy}) is empty`, {
      configPath: ref.configPath,
      hint: 'write the secret into the file',
    });
  }
  registerSecret(value);
  return value;
}
