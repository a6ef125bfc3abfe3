import * as A from 'apache-arrow';

/** The same batch with its columns renamed (zero-copy: same buffers, new schema; metadata kept). */
export function renameColumns(batch: A.RecordBatch, names: readonly string[]): A.RecordBatch {
  const fields = batch.schema.fields.map((f, i) => new A.Field(names[i] ?? f.name, f.type, f.nullable, f.metadata));
  const data = A.makeData({ type: new A.Struct(fields), length: batch.numRows, nullCount: 0, children: batch.data.children });
  return new A.RecordBatch(new A.Schema(fields), data);
}
