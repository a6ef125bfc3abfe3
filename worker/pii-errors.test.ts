import { describe, expect, it } from 'vitest';
import { FerryError, Secret, type TablePlan } from '../core/index.js';
import { hidePiiInError } from './pii-errors.js';

const table = (keyColumns: string[]) =>
  ({ keyColumns, columns: [{ source: 'email', target: 'contact' }, { source: 'qty', target: 'qty' }] }) as unknown as TablePlan;

describe('personal data in partition errors', () => {
  it('hashes a key whose column looks personal, in the context and the message', () => {
    const e = new FerryError('DATA', 'row ann@example.com refused: null value in column "name"', {
      key: 'ann@example.com',
      column: 'name',
    });
    hidePiiInError(e, table(['email']));
    expect(e.context.key).toMatch(/^hash:[0-9a-f]{16}$/);
    expect(e.message).not.toContain('ann@example.com');
    expect(e.message).toContain(String(e.context.key));
    // The same key gives the same hash; a salt keys it.
    const again = hidePiiInError(new FerryError('DATA', 'x', { key: 'ann@example.com' }), table(['email']));
    expect(again.context.key).toBe(e.context.key);
    const salted = hidePiiInError(new FerryError('DATA', 'x', { key: 'ann@example.com' }), table(['email']), new Secret('s'));
    expect(salted.context.key).not.toBe(e.context.key);
  });

  it('hashes the value of a personal column (by source or target name), and leaves other errors alone', () => {
    const e = hidePiiInError(new FerryError('DATA', 'value 555-1234 too long', { key: '7', column: 'contact', value: '555-1234' }), table(['id']));
    expect(e.context.key).toBe('7');
    expect(e.context.value).toMatch(/^hash:/);
    expect(e.message).not.toContain('555-1234');
    const plain = hidePiiInError(new FerryError('DATA', 'qty -1 refused', { key: '7', column: 'qty', value: '-1' }), table(['id']));
    expect(plain.context).toMatchObject({ key: '7', value: '-1' });
  });
});
