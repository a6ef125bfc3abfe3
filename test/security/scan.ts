import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';

/**
 * Helpers of the security tests: a search of every file under some directories for canary strings, and a
 * loopback OTLP/HTTP receiver that keeps the raw bodies it is sent (so a canary in any attribute is found).
 */

/** One place a canary was found: a file (relative to its root) or a named text (stdout, OTLP export…). */
export interface CanaryHit {
  where: string;
  canary: string;
  /** Up to 80 characters around the hit, to tell where it came from. */
  context: string;
}

function hitsIn(where: string, text: string, canaries: readonly string[]): CanaryHit[] {
  const out: CanaryHit[] = [];
  for (const canary of canaries) {
    const at = text.indexOf(canary);
    if (at >= 0)
      out.push({ where, canary, context: text.slice(Math.max(0, at - 40), at + canary.length + 40) });
  }
  return out;
}

/** Every regular file under `root` (recursively), except paths under `exclude`. */
export function filesUnder(root: string, exclude: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (exclude.some((x) => path === x || path.startsWith(`${x}/`))) continue;
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) out.push(path);
    }
  };
  walk(root);
  return out;
}

/**
 * Searches every file under `root` (bytes read as latin1, so UTF-8 and binary files alike are searched for
 * ASCII canaries) and the given texts for each canary; returns every hit.
 */
export function scanForCanaries(
  canaries: readonly string[],
  roots: readonly string[],
  texts: Record<string, string> = {},
  exclude: readonly string[] = [],
): { hits: CanaryHit[]; files: string[] } {
  const hits: CanaryHit[] = [];
  const files: string[] = [];
  for (const root of roots) {
    for (const file of filesUnder(root, exclude)) {
      files.push(file);
      hits.push(...hitsIn(relative(root, file) || file, readFileSync(file).toString('latin1'), canaries));
    }
  }
  for (const [where, text] of Object.entries(texts)) hits.push(...hitsIn(where, text, canaries));
  return { hits, files };
}

/** A minimal OTLP/HTTP JSON receiver on 127.0.0.1 that keeps every request body as text. */
export function otlpReceiver(): Promise<{ server: Server; url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      bodies.push(`${req.url} ${body}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies }),
    ),
  );
}
