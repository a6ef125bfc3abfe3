import type { PartitionResult, Plan, TablePlan } from '../core/index.js';
import { tableName } from '../core/index.js';

interface TableProgress {
  name: string;
  partitions: number;
  done: number;
  failed: number;
  rows: bigint;
}

const BAR = 24;

/**
 * Progress of a run on stderr: one bar per table redrawn in place on a terminal, plain lines otherwise
 * (CI logs, pipes). Partition granularity: a bar moves when a partition is committed and verified.
 */
export class Progress {
  readonly #tables = new Map<string, TableProgress>();
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #started = performance.now();
  #drawn = 0;

  constructor(plan: Plan, out: NodeJS.WriteStream = process.stderr) {
    this.#out = out;
    this.#tty = Boolean(out.isTTY) && process.env.CI === undefined;
    for (const t of plan.tables) {
      const name = tableName(t.source);
      this.#tables.set(name, { name, partitions: t.partitions.length, done: 0, failed: 0, rows: 0n });
    }
    if (this.#tty) this.#draw();
  }

  onResult(result: PartitionResult, table: TablePlan): void {
    const t = this.#tables.get(tableName(table.source));
    if (!t) return;
    if (result.status === 'failed' || result.verified === false) t.failed++;
    else t.done++;
    t.rows += BigInt(result.written?.rows ?? '0');
    if (this.#tty) this.#draw();
    else if (t.done + t.failed === t.partitions) {
      this.#out.write(
        `${t.name}: ${t.done}/${t.partitions} partitions, ${t.rows.toLocaleString('en-US')} rows${t.failed ? `, ${t.failed} FAILED` : ''}\n`,
      );
    }
  }

  #draw(): void {
    const width = Math.max(...[...this.#tables.keys()].map((n) => n.length), 5);
    const secs = ((performance.now() - this.#started) / 1000).toFixed(1);
    const lines = [...this.#tables.values()].map((t) => {
      const frac = t.partitions ? (t.done + t.failed) / t.partitions : 1;
      const filled = Math.round(frac * BAR);
      const bar = '█'.repeat(filled) + '░'.repeat(BAR - filled);
      const pct = `${Math.floor(frac * 100)}%`.padStart(4);
      return `${t.name.padEnd(width)} ${bar} ${pct} ${t.done + t.failed}/${t.partitions} partitions ${t.rows.toLocaleString('en-US')} rows${t.failed ? ` ${t.failed} failed` : ''}  ${secs}s`;
    });
    if (this.#drawn) this.#out.write(`\x1b[${this.#drawn}A`);
    this.#out.write(lines.map((l) => `\x1b[2K${l}\n`).join(''));
    this.#drawn = lines.length;
  }
}
