import { describe, expect, it } from 'vitest';
import { connectorNames, getConnector } from './registry.js';

describe('connector registry', () => {
  it('loads the embedded connectors lazily, once', async () => {
    expect(connectorNames()).toEqual(expect.arrayContaining(['csv', 'duckdb', 'parquet', 'postgres']));
    const duckdb = await getConnector('duckdb');
    expect(duckdb.name).toBe('duckdb');
    expect(duckdb.capabilities).toMatchObject({
      source: true,
      target: true,
      atomicLoad: true,
      singleWriter: true,
    });
    expect(await getConnector('duckdb')).toBe(duckdb);
    expect((await getConnector('parquet')).capabilities).toMatchObject({ target: true, singleWriter: false });
    expect((await getConnector('csv')).capabilities).toMatchObject({ source: true, target: false });
  });

  it('says a known connector is not available yet, and an unknown one is unknown (CONFIG)', async () => {
    await expect(getConnector('oracle')).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringMatching(/oracle connector is not available yet/),
    });
    await expect(getConnector('sqlite')).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringMatching(/unknown/),
    });
  });
});
