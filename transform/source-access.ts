import type * as A from 'apache-arrow';
import { type Column, FerryError, type LogicalType } from '../core/index.js';
import { readValues, type Values } from './batch-values.js';
import type { SourceRowAccess } from './row-failures.js';

/** The source columns of one batch by name, each read into values once, on first use. */
export class BatchSource implements SourceRowAccess {
  readonly names: string[] = [];
  readonly types: LogicalType[] = [];
  readonly #cache: (Values | undefined)[];
  readonly #byName = new Map<string, number>();
  readonly #fields: Map<string, number>;

  constructor(
    readonly batch: A.RecordBatch,
    source: Column[],
  ) {
    this.#fields = new Map(batch.schema.fields.map((f, i) => [f.name, i]));
    for (const c of source) {
      if (!this.#fields.has(c.name))
        throw new FerryError('SCHEMA_MISMATCH', `the batch has no source column ${c.name}`, {
          column: c.name,
          hint: 'the source table changed since the plan was made: run `ferry plan` again',
        });
      this.#byName.set(c.name, this.names.length);
      this.names.push(c.name);
      this.types.push(c.type);
    }
    this.#cache = new Array(source.length);
  }

  index(name: string): number {
    return this.#byName.get(name) ?? -1;
  }

  /** The Arrow data of a source column. */
  data(name: string): A.Data {
    return this.batch.data.children[this.#fields.get(name)!]!;
  }

  values(i: number): Values {
    let v = this.#cache[i];
    if (!v) {
      v = readValues(this.data(this.names[i]!), this.types[i]!);
      this.#cache[i] = v;
    }
    return v;
  }

  get(name: string): Values {
    return this.values(this.index(name));
  }

  readonly #memo = new Map<string, unknown>();

  memo<T>(key: string, compute: () => T): T {
    if (this.#memo.has(key)) return this.#memo.get(key) as T;
    const v = compute();
    this.#memo.set(key, v);
    return v;
  }
}
