import { sql } from '../helpers/services.js';

/** The every-type table of the PostgreSQL integration tests, with edge values. */

export const TYPES_SQL = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE everything (
  id bigint PRIMARY KEY,
  c_int2 smallint, c_int4 integer, c_int8 bigint,
  c_num numeric, c_num_p numeric(12,2), c_f4 real, c_f8 double precision,
  c_text text, c_vc varchar(10), c_bpchar char(5), c_name name, c_bytea bytea, c_bool boolean,
  c_date date, c_time time, c_timetz timetz, c_ts timestamp, c_tstz timestamptz, c_ts3 timestamp(3),
  c_iv interval, c_uuid uuid, c_json json, c_jsonb jsonb,
  c_int_arr integer[], c_text_arr text[], c_2d bigint[][], c_num_arr numeric[],
  c_enum mood, c_domain posint, c_inet inet, c_cidr cidr, c_mac macaddr, c_mac8 macaddr8,
  c_bit bit(4), c_varbit varbit, c_money money, c_xml xml, c_oid oid
);
INSERT INTO everything VALUES
 (1, -32768, -2147483648, -9223372036854775808,
  '-1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890.0000000000000000000001',
  -9999999999.99, 'NaN', '-0', '', '', '', '', (SELECT string_agg(set_byte('\\x00'::bytea, 0, b), ''::bytea ORDER BY b) FROM generate_series(0, 255) b),
  false, '-infinity', '00:00:00', '00:00:00+15:59', '-infinity', '-infinity', '2000-01-01 00:00:00.123',
  '-178000000 years', '00000000-0000-0000-0000-000000000000', '{"b":1, "a":[1,2]}', '{"b":1, "a":[1,2], "c":{"z":null,"y":"\\u00e9"}}',
  '{1,NULL,3}', '{"",NULL,"a,b","\\"q\\""}', '{{1,NULL},{3,4}}', '{1.5,NaN,-0.001}',
  'sad', 1, '0.0.0.0', '0.0.0.0/0', '00:00:00:00:00:00', '00:00:00:00:00:00:00:00',
  B'0000', B'', '-92233720368547758.08', '<a/>', 0),
 (2, 32767, 2147483647, 9223372036854775807, 'NaN', 9999999999.99, 'Infinity', '-Infinity',
  repeat('x', 1048576), 'ten chars!', 'abcde', repeat('n', 63), '\\x', true, 'infinity', '24:00:00', '23:59:59.999999-15:59',
  'infinity', 'infinity', '1999-12-31 23:59:59.999', '178000000 years 11 mons 30 days 23:59:59.999999',
  'ffffffff-ffff-ffff-ffff-ffffffffffff', '[]', '[]', '{}', '{}', '{}', '{}',
  'happy', 2147483647, '255.255.255.255/32', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff:ff:ff',
  B'1111', B'1010101010101', '92233720368547758.07', '<r><c a="1">t &amp; x</c></r>', 4294967295),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, 7, 42, 1234567890123, '0.000001', 12.50, 3.14159, 2.718281828459045, 'héllo wörld ☃ 𝄞', 'naïve', 'ab', 'pg_name',
  '\\xdeadbeef', true, '0044-03-15 BC', '12:34:56.789012', '12:00:00.5+05:30', '2024-02-29 12:34:56.789012',
  '2024-02-29 12:34:56.000001+00', '2024-02-29 12:34:56.789', '1 year 2 mons 3 days 04:05:06.789',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"z": 1, "a": "b"}', '{"z": 1, "a": "b"}', '{-1,0,1}', '{"tab\\there","new\\nline"}',
  '{{1,2,3}}', '{123456789012345678901234567890.12}', 'ok', 5, '::ffff:1.2.3.4', '10.0.0.0/8', '08:00:2b:01:02:03',
  '08:00:2b:ff:fe:01:02:03', B'1010', B'1', '12.34', '<a>x</a>', 12345);
INSERT INTO everything (id, c_int4, c_text, c_num, c_ts, c_tstz, c_jsonb, c_int_arr)
  SELECT 100 + g, g, 'row ' || g, g * 1.01, '2024-01-01'::timestamp + g * interval '1 second 1 microsecond',
         '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 minute', jsonb_build_object('g', g), ARRAY[g, NULL]
    FROM generate_series(1, 200) g;
`;

/** Every row of a table as text, sorted: an independent comparison of source and target. */
export async function rowsAsText(url: string, table: string): Promise<string[]> {
  const rows = await sql<{ r: string }>(url, `SELECT t::text AS r FROM ${table} t`);
  return rows.map((x) => x.r).sort();
}
