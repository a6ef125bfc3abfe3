import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { scrub } from './secret.js';

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** JSON log file (the run directory's `ferry.log`); none when absent. */
  file?: string;
  /** Minimum level for the terminal; the file always gets `debug` and above. Default `info`. */
  level?: pino.Level | 'silent';
  /** Human lines on stderr (default true). */
  terminal?: boolean;
}

const REDACT_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'url',
  '*.url',
  'dsn',
  '*.dsn',
  'connectionString',
];

/** A short human line per record: `12:00:01 INFO  message key=value …`. */
function humanStream(level: string): Writable {
  const names: Record<number, string> = {
    10: 'TRACE',
    20: 'DEBUG',
    30: 'INFO',
    40: 'WARN',
    50: 'ERROR',
    60: 'FATAL',
  };
  const min = pino.levels.values[level] ?? 30;
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      try {
        const rec = JSON.parse(chunk.toString()) as Record<string, unknown>;
        const lvl = Number(rec.level);
        if (lvl >= min) {
          const { level: _l, time, msg, pid: _p, hostname: _h, ...rest } = rec;
          const extra = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          const t = new Date(Number(time)).toISOString().slice(11, 19);
          process.stderr.write(
            `${t} ${(names[lvl] ?? String(lvl)).padEnd(5)} ${msg ?? ''}${extra ? ` ${extra}` : ''}\n`,
          );
        }
      } catch {
        process.stderr.write(chunk);
      }
      done();
    },
  });
}

/**
 * The process logger: JSON lines to the run's log file (synchronous writes, so a crash loses nothing already
 * logged), human lines on stderr. Every line is scrubbed of credentials and registered secrets, and
 * fields named like credentials are replaced by `***`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const streams: pino.StreamEntry[] = [];
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    streams.push({
      level: 'debug',
      stream: pino.destination({ dest: options.file, sync: true, mkdir: true }),
    });
  }
  if (options.terminal !== false && level !== 'silent')
    streams.push({ level: 'trace', stream: humanStream(level) });
  const fileOnly = options.file ? 'debug' : level;
  return pino(
    {
      level: streams.length === 0 ? 'silent' : (fileOnly as pino.Level),
      redact: { paths: REDACT_PATHS, censor: '***' },
      hooks: {
        streamWrite: (s) => scrub(s),
      },
      base: { pid: process.pid },
    },
    pino.multistream(streams),
  );
}

/** A logger that writes nothing (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
