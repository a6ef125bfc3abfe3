import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { FerryError, type Plan } from '../../core/index.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * What the KV key `<run>.plan` holds: a plan with 100 000 partitions is tens of MB of JSON, beyond KV's
 * value limit (the server's max_payload, 1 MiB by default), so the plan is gzipped and split into chunks
 * stored under `<run>.plan.<hash>.<n>`; this manifest is written last and names them.
 */
export interface PlanManifest {
  version: 1;
  /** The plan's own hash (`Plan.hash`). */
  hash: string;
  encoding: 'gzip';
  chunks: number;
  /** Gzipped bytes over all chunks. */
  bytes: number;
  /** SHA-256 (hex) of the gzipped bytes: a missing or torn chunk is detected, never parsed. */
  sha256: string;
}

/** Gzips a plan's JSON and cuts it into chunks of at most `chunkBytes`. */
export async function encodePlan(
  plan: Plan,
  chunkBytes: number,
): Promise<{ manifest: PlanManifest; chunks: Uint8Array[] }> {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1024)
    throw new RangeError(`chunk size ${chunkBytes} is too small`);
  const packed = await gzipAsync(Buffer.from(JSON.stringify(plan), 'utf8'));
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < packed.length; at += chunkBytes) chunks.push(packed.subarray(at, at + chunkBytes));
  const sha256 = createHash('sha256').update(packed).digest('hex');
  return {
    manifest: {
      version: 1,
      hash: plan.hash,
      encoding: 'gzip',
      chunks: chunks.length,
      bytes: packed.length,
      sha256,
    },
    chunks,
  };
}

/** Joins, checks and unpacks the chunks of a plan. Throws INTERNAL when they do not match the manifest. */
export async function decodePlan(runId: string, manifest: PlanManifest, chunks: Uint8Array[]): Promise<Plan> {
  const packed = Buffer.concat(chunks);
  const sha256 = createHash('sha256').update(packed).digest('hex');
  if (chunks.length !== manifest.chunks || packed.length !== manifest.bytes || sha256 !== manifest.sha256) {
    throw new FerryError('INTERNAL', `the plan of run ${runId} stored in NATS is incomplete or damaged`, {
      run: runId,
      hint: 'store the plan again: the coordinator writes it when the run starts or resumes',
    });
  }
  const plan = JSON.parse((await gunzipAsync(packed)).toString('utf8')) as Plan;
  if (plan.hash !== manifest.hash) {
    throw new FerryError(
      'INTERNAL',
      `the plan of run ${runId} in NATS has hash ${plan.hash}, its manifest says ${manifest.hash}`,
      {
        run: runId,
      },
    );
  }
  return plan;
}

/** True for a value that looks like a manifest this version can read. */
export function isPlanManifest(v: unknown): v is PlanManifest {
  const m = v as Partial<PlanManifest> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.version === 1 &&
    m.encoding === 'gzip' &&
    typeof m.hash === 'string' &&
    Number.isInteger(m.chunks) &&
    Number.isInteger(m.bytes) &&
    typeof m.sha256 === 'string'
  );
}
