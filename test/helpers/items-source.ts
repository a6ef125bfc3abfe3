import { createTestDatabase, sql, type TestDatabase } from './services.js';

/**
 * A PostgreSQL source database holding `items` (integer key, text, numeric(12,2)) with ids 1..rows and
 * n = id × 1.25, analyzed: the table the fault tests load while something breaks.
 */
export async function itemsSource(adminUrl: string, prefix: string, rows: number): Promise<TestDatabase> {
  const db = await createTestDatabase('pg', adminUrl, prefix);
  await sql(
    db.url,
    `CREATE TABLE items (id integer PRIMARY KEY, v text NOT NULL, n numeric(12,2));
     INSERT INTO items SELECT i, 'item ' || i, i * 1.25 FROM generate_series(1, ${rows}) i;
     ANALYZE items;`,
  );
  return db;
}
