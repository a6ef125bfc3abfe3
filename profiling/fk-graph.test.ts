import { describe, expect, it } from 'vitest';
import { orderByForeignKeys } from './fk-graph.js';

describe('orderByForeignKeys', () => {
  it('loads parents before children, by levels', () => {
    const o = orderByForeignKeys(
      ['order_items', 'orders', 'customers', 'products'],
      [
        { from: 'orders', to: 'customers' },
        { from: 'order_items', to: 'orders' },
        { from: 'order_items', to: 'products' },
      ],
    );
    expect(o.loadOrder).toEqual(['customers', 'products', 'orders', 'order_items']);
    expect(Object.fromEntries(o.levels)).toEqual({ customers: 0, products: 0, orders: 1, order_items: 2 });
    expect(o.cycles).toEqual([]);
  });

  it('reports cycles and self-references instead of failing', () => {
    const o = orderByForeignKeys(
      ['a', 'b', 'c', 'emp', 'd'],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
        { from: 'd', to: 'a' },
        { from: 'emp', to: 'emp' },
        { from: 'x', to: 'a' },
      ],
    );
    expect(o.cycles).toEqual([['a', 'b', 'c']]);
    expect(o.selfReferences).toEqual(['emp']);
    expect(o.loadOrder).toEqual(['a', 'b', 'c', 'emp', 'd']);
    expect(o.levels.get('d')).toBe(1);
    expect(o.component.get('a')).toBe(o.component.get('c'));
  });

  it('handles a long chain without recursion', () => {
    const n = 20_000;
    const tables = Array.from({ length: n }, (_, i) => `t${String(i).padStart(5, '0')}`);
    const edges = tables.slice(1).map((t, i) => ({ from: t, to: tables[i]! }));
    const o = orderByForeignKeys(tables, edges);
    expect(o.loadOrder).toEqual(tables);
    expect(o.levels.get(tables[n - 1]!)).toBe(n - 1);
  });
});
