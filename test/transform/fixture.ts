/**
 * The acceptance fixture of the classic mapping (users → customers, orders → orders) and the values the target
 * must hold, computed here independently of transform/ (RFC 4122 UUID v5 from node:crypto, Europe/Berlin
 * daylight-saving rules written out from the EU regulation, JavaScript's own trim/lower-case).
 *
 * Planted problems, each in its own bucket of `user_id % 100` so a row has at most one:
 *   7 e-mail without @ · 13 e-mail with a space inside · 21 NULL country · 33 status 'X' · 45 a wall time a
 *   DST change skips (rejected) · 55 a wall time that happens twice (the earlier instant) · 56 the edges of a
 *   DST change (valid) · 61 NULL e-mail (loaded as NULL).
 * Names: one word every 50 rows, three words, four words, extra spaces, Unicode.
 * Orders: `user_id` above the last user is an orphan, rejected by the references rule.
 */
import { createHash } from 'node:crypto';

export const USERS = 3000;
export const ORDERS = 1600;
export const NAMESPACE = '1b671a64-40d5-491e-99b0-da01ff1f3341';

/** The mapping under test, as the `tables:` of a config file. */
export const TABLES_YAML = `
tables:
  - name: users
    target_name: customers
    columns:
      id:
        uuid_v5: { namespace: ${NAMESPACE}, from: user_id }
      first_name:
        split: { from: full_name, part: first, on: " ", one_word: first_name_only, extra_words: to_last }
      last_name:
        split: { from: full_name, part: last, on: " ", one_word: first_name_only, extra_words: to_last }
      email: { trim: true, case: lower }
      is_active:
        from: status
        map: { A: true, I: false }
        else: reject
      country:
      created_at:
        timezone: { from: Europe/Berlin, to: UTC, gap: reject, overlap: earliest }
    rules:
      - not_null: country
      - name: email_format
        regex: { column: email, pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' }
  - name: orders
    columns:
      order_id:
      customer_id:
        uuid_v5: { namespace: ${NAMESPACE}, from: user_id }
      amount:
    rules:
      - name: customer_exists
        references: { column: user_id, table: users, key: user_id }
`;

export interface UserRow {
  user_id: number;
  full_name: string;
  email: string | null;
  status: string;
  country: string | null;
  /** Berlin wall time, `YYYY-MM-DD HH:MM:SS.ffffff`. */
  created_at: string;
}

export interface OrderRow {
  order_id: number;
  user_id: number;
  amount: string;
}

const FIRST = ['Ana', 'Bo', 'Chen', 'Dário', 'Émile', 'Farah', 'Günter', 'Hana', 'Ørsted', 'Zoë'];
const LAST = ['Smith', 'Li', 'Núñez', 'Müller', 'Okafor', 'Silva', 'Wei', "O'Brien", 'van Dijk', 'Łukasz'];
const COUNTRIES = ['PT', 'DE', 'US', 'JP', 'BR', 'FR'];

/** A deterministic sequence (LCG), so the fixture is the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function wallTime(ms: number, micros: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(micros, 6)}`;
}

/** The users table's rows. */
export function userRows(): UserRow[] {
  const next = random(42);
  const rows: UserRow[] = [];
  for (let id = 1; id <= USERS; id++) {
    const first = FIRST[next() % FIRST.length]!;
    const last = LAST[next() % LAST.length]!;
    let full_name = `${first} ${last}`;
    if (id % 50 === 3) full_name = first;
    else if (id % 50 === 17) full_name = `${first} ${FIRST[(id >> 3) % FIRST.length]} ${last}`;
    else if (id % 50 === 29) full_name = `${first} Maria de ${last}`;
    else if (id % 50 === 41) full_name = `  ${first}   ${last} `;
    const bucket = id % 100;
    const pads = [' ', '\t', '\u00a0', ''];
    let email: string | null =
      `${pads[id % 4]}${first.normalize('NFD').replace(/[^A-Za-z]/g, '')}.${id}@Example.${id % 3 ? 'COM' : 'org'}${pads[(id >> 2) % 4]}`;
    if (bucket === 7) email = `user${id}.example.com`;
    if (bucket === 13) email = `user ${id}@example.com`;
    if (bucket === 61) email = null;
    if (id === 86) email = `ÜBER.${id}@EXAMPLE.COM`;
    const status = bucket === 33 ? 'X' : next() % 4 === 0 ? 'I' : 'A';
    const country = bucket === 21 ? null : COUNTRIES[next() % COUNTRIES.length]!;
    // Ordinary times avoid 02:00–03:00, the hour daylight-saving changes touch.
    const day = Date.UTC(2023, 0, 1) + (next() % 730) * 86_400_000;
    const hour = 4 + (next() % 20);
    let created_at = wallTime(day + hour * 3_600_000 + (next() % 3_600_000), next() % 1_000_000);
    if (bucket === 45)
      created_at = id % 200 < 100 ? '2024-03-31 02:30:00.000000' : `2023-03-26 02:${pad(id % 60)}:59.999999`;
    if (bucket === 55)
      created_at = id % 200 < 100 ? '2024-10-27 02:30:00.123456' : '2023-10-29 02:00:00.000000';
    if (bucket === 56)
      created_at = [
        '2024-03-31 01:59:59.999999',
        '2024-03-31 03:00:00.000000',
        '2024-10-27 03:00:00.000000',
        '2024-10-27 01:59:59.999999',
      ][(id >> 7) % 4]!;
    rows.push({ user_id: id, full_name, email, status, country, created_at });
  }
  return rows;
}

/** The orders table's rows: every 40th order belongs to a user that does not exist. */
export function orderRows(): OrderRow[] {
  const rows: OrderRow[] = [];
  for (let id = 1; id <= ORDERS; id++) {
    const user = id % 40 === 9 ? USERS + id : ((id * 7919) % USERS) + 1;
    rows.push({ order_id: id, user_id: user, amount: `${(id * 37) % 1000}.${pad((id * 13) % 100)}` });
  }
  return rows;
}

const quote = (v: string | null) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);

/** CREATE and INSERT statements for both tables (the same SQL runs on DuckDB and PostgreSQL). */
export function fixtureSql(): string {
  const users = userRows()
    .map(
      (r) =>
        `(${r.user_id}, ${quote(r.full_name)}, ${quote(r.email)}, ${quote(r.status)}, ${quote(r.country)}, TIMESTAMP ${quote(r.created_at)})`,
    )
    .join(',\n');
  const orders = orderRows()
    .map((r) => `(${r.order_id}, ${r.user_id}, ${r.amount})`)
    .join(',\n');
  return `
CREATE TABLE users (user_id BIGINT PRIMARY KEY, full_name VARCHAR NOT NULL, email VARCHAR, status VARCHAR(1) NOT NULL, country VARCHAR, created_at TIMESTAMP NOT NULL);
INSERT INTO users VALUES ${users};
CREATE TABLE orders (order_id INTEGER PRIMARY KEY, user_id BIGINT NOT NULL, amount DECIMAL(10,2) NOT NULL);
INSERT INTO orders VALUES ${orders};
`;
}

/** RFC 4122 UUID v5 written out from the RFC, with node:crypto's SHA-1. */
export function uuid5(name: string): string {
  const h = createHash('sha1')
    .update(Buffer.from(NAMESPACE.replace(/-/g, ''), 'hex'))
    .update(name)
    .digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The last Sunday of a month (UTC date at midnight, ms). */
function lastSunday(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return last.getTime() - last.getUTCDay() * 86_400_000;
}

/**
 * A Berlin wall time as a UTC text, or undefined when the wall time does not exist. EU rule (since 1996):
 * summer time from the last Sunday of March 01:00 UTC (02:00 → 03:00 local) to the last Sunday of October
 * 01:00 UTC (03:00 → 02:00 local); a repeated wall time takes the earlier instant (summer time).
 */
export function berlinToUtc(wall: string): string | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6})$/.exec(wall)!;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const springLocal = lastSunday(y, 2) + 2 * 3_600_000;
  const autumnLocal = lastSunday(y, 9) + 2 * 3_600_000;
  if (local >= springLocal && local < springLocal + 3_600_000) return undefined;
  const summer = local >= springLocal + 3_600_000 && local < autumnLocal + 3_600_000;
  return `${wallTime(local - (summer ? 2 : 1) * 3_600_000, Number(m[7]))}`;
}

export interface ExpectedCustomer {
  id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  is_active: boolean;
  country: string;
  /** UTC, `YYYY-MM-DD HH:MM:SS.ffffff`. */
  created_at: string;
}

/** What the target must hold, and which rows go to the reject store under which rule. */
export function expectedCustomers(): { rows: Map<string, ExpectedCustomer>; rejects: Map<string, string> } {
  const rows = new Map<string, ExpectedCustomer>();
  const rejects = new Map<string, string>();
  for (const u of userRows()) {
    const key = `user_id=${u.user_id}`;
    const words = u.full_name.split(' ').filter((w) => w !== '');
    const first = words[0] ?? null;
    const last = words.length > 1 ? words.slice(1).join(' ') : null;
    const email = u.email === null ? null : u.email.trim().toLowerCase();
    const utc = berlinToUtc(u.created_at);
    if (u.status !== 'A' && u.status !== 'I') rejects.set(key, 'map');
    else if (utc === undefined) rejects.set(key, 'timezone');
    else if (u.country === null) rejects.set(key, 'not_null(country)');
    else if (email !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) rejects.set(key, 'email_format');
    else {
      const id = uuid5(String(u.user_id));
      rows.set(id, {
        id,
        first_name: first,
        last_name: last,
        email,
        is_active: u.status === 'A',
        country: u.country,
        created_at: utc,
      });
    }
  }
  return { rows, rejects };
}

/** The orders the target must hold (order_id → customer uuid and amount) and the orphans rejected. */
export function expectedOrders(): {
  rows: Map<number, { customer_id: string; amount: string }>;
  rejects: Set<string>;
} {
  const rows = new Map<number, { customer_id: string; amount: string }>();
  const rejects = new Set<string>();
  for (const o of orderRows()) {
    if (o.user_id > USERS) rejects.add(`order_id=${o.order_id}`);
    else rows.set(o.order_id, { customer_id: uuid5(String(o.user_id)), amount: o.amount });
  }
  return { rows, rejects };
}
