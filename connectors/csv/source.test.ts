import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEndpoint, silentLogger } from '../../core/index.js';
import { batchRows } from '../../formats/index.js';
import { csvConnector } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'orders.csv'),
  [
    'id,amount,name,flag,day,ts,zip,signed,iso',
    '1,1.50,"Smith, J",true,2020-01-05,2020-01-05 10:00:00,00123,5,2020-01-05T10:00:00',
    '2,2.25,"",false,1969-12-31,2020-01-05 10:00:00.5,12345,+5,2020-01-05T10:00:01',
    '3,,x y,true,2020-02-29,,54321,-7,',
    '',
  ].join('\n'),
);
writeFileSync(join(dir, 'notes.tsv'), 'k\tnote\n1\t"a ""quoted"" note"\n2\tb\n');
const logger = silentLogger();

describe('csv source', () => {
  it('lists each file as a table named after its stem', async () => {
    const source = await csvConnector.openSource(parseEndpoint(`csv:${dir}`), { logger });
    expect(await source.listTables()).toEqual([{ name: 'notes' }, { name: 'orders' }]);
    await source.close();
  });

  it('types a column only when every value round-trips exactly; everything else is text', async () => {
    const source = await csvConnector.openSource(parseEndpoint(`csv:${join(dir, 'orders.csv')}`), { logger });
    const spec = await source.describe({ name: 'orders' });
    expect(spec.columns.map((c) => [c.name, c.nativeType])).toEqual([
      ['id', 'BIGINT'],
      ['amount', 'VARCHAR'],
      ['name', 'VARCHAR'],
      ['flag', 'BOOLEAN'],
      ['day', 'DATE'],
      ['ts', 'TIMESTAMP'],
      ['zip', 'VARCHAR'],
      ['signed', 'VARCHAR'],
      ['iso', 'VARCHAR'],
    ]);
    expect(spec).toMatchObject({ primaryKey: [], estimatedRows: 3 });
    const rows = [];
    for await (const b of source.read(spec, { columns: [], whole: true }, { batchRows: 2 }))
      rows.push(...batchRows(b));
    expect(rows).toEqual([
      [1n, '1.50', 'Smith, J', true, 18266, 1_578_218_400_000_000n, '00123', '5', '2020-01-05T10:00:00'],
      [2n, '2.25', '', false, -1, 1_578_218_400_500_000n, '12345', '+5', '2020-01-05T10:00:01'],
      [3n, null, 'x y', true, 18321, null, '54321', '-7', null],
    ]);
    await source.close();
  });

  it('reads key ranges and samples keys when a key is configured', async () => {
    const source = await csvConnector.openSource(parseEndpoint(`csv:${dir}`), { logger });
    const spec = await source.describe({ name: 'notes' });
    expect(spec.columns.map((c) => c.type)).toEqual([{ kind: 'int', bits: 64 }, { kind: 'text' }]);
    const stats = await source.sampleKeys(spec, ['k'], 10);
    expect(stats).toEqual({ rows: 2, exact: true, nullKeyRows: 0, samples: [['1'], ['2']] });
    const rows = [];
    for await (const b of source.read(spec, { columns: ['k'], lo: ['1'], hi: ['2'] }, { batchRows: 10 })) {
      rows.push(...batchRows(b));
    }
    expect(rows).toEqual([[1n, 'a "quoted" note']]);
    await expect(source.describe({ name: 'missing' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await source.close();
  });

  it('is a source only', async () => {
    await expect(csvConnector.openTarget(parseEndpoint(`csv:${dir}`), { logger })).rejects.toMatchObject({
      code: 'CONFIG',
    });
  });
});
