import { describe, expect, it } from 'vitest';
import { FerryError } from './errors.js';
import { loadIsolatingRefused } from './refused-rows.js';

/** A target that refuses any range holding a bad row, with savepoints that undo what a refused range loaded. */
function target(rows: number, bad: Set<number>) {
  const held: number[] = [];
  let mark = 0;
  const steps: string[] = [];
  return {
    held,
    steps,
    load: async (from: number, to: number) => {
      for (let r = from; r < to; r++) held.push(r);
      const hit = [...bad].find((b) => b >= from && b < to);
      if (hit !== undefined) throw new FerryError('DATA', `row ${hit} refused`, { column: 'c' });
    },
    savepoint: async (step: 'begin' | 'rollback' | 'release') => {
      steps.push(step);
      if (step === 'begin') mark = held.length;
      if (step === 'rollback') held.length = mark;
    },
    refusal: (e: unknown) => (e instanceof FerryError && e.code === 'DATA' ? { message: e.message, column: 'c' } : undefined),
    rows,
  };
}

describe('loadIsolatingRefused', () => {
  it('loads every row but the refused ones, and names those', async () => {
    const t = target(100, new Set([0, 37, 38, 99]));
    const refused = await loadIsolatingRefused(t.rows, t);
    expect(refused.map((r) => r.row)).toEqual([0, 37, 38, 99]);
    expect(refused[1]).toEqual({ row: 37, message: 'row 37 refused', column: 'c' });
    expect([...t.held].sort((a, b) => a - b)).toEqual([...Array(100).keys()].filter((r) => ![0, 37, 38, 99].includes(r)));
  });

  it('loads a clean batch in one go, and fails the load on an error that is not a refusal', async () => {
    const clean = target(50, new Set());
    expect(await loadIsolatingRefused(clean.rows, clean)).toEqual([]);
    expect(clean.steps).toEqual(['begin', 'release']);
    const broken = { ...target(10, new Set()), load: async () => Promise.reject(new FerryError('CONNECTION', 'gone')) };
    await expect(loadIsolatingRefused(10, broken)).rejects.toMatchObject({ code: 'CONNECTION' });
  });
});
