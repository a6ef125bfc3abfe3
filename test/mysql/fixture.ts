/**
 * The every-type MariaDB table of the MySQL connector's integration tests, with edge values, and the
 * independent SQL that states what each value is (computed by the server: HEX of the bytes, day and
 * microsecond differences, CAST to text), so the test does not read values the way the connector does.
 */

const ALL_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0')).join('');
const LATIN1_HIGH = Array.from({ length: 128 }, (_, b) => (b + 128).toString(16).padStart(2, '0')).join('');

export const EVERYTHING_DDL = `CREATE TABLE everything (
  id INT PRIMARY KEY,
  b1 TINYINT(1), i8 TINYINT, u8 TINYINT UNSIGNED, i16 SMALLINT, u16 SMALLINT UNSIGNED,
  i24 MEDIUMINT, u24 MEDIUMINT UNSIGNED, i32 INT, u32 INT UNSIGNED, i64 BIGINT, u64 BIGINT UNSIGNED,
  zf INT(6) UNSIGNED ZEROFILL,
  d65 DECIMAL(65,30), d10 DECIMAL(10,2), f32 FLOAT, f64 DOUBLE,
  bit1 BIT(1), bit10 BIT(10), bit64 BIT(64), yr YEAR,
  dt DATE, dtm DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, tm TIME(6),
  c_utf8 VARCHAR(100) CHARACTER SET utf8mb4, c_latin1 VARCHAR(200) CHARACTER SET latin1, c_char CHAR(10),
  c_text TEXT CHARACTER SET utf8mb4,
  c_bin BINARY(4), c_varbin VARBINARY(300), c_blob BLOB,
  e ENUM('small', 'médium', 'large'), s SET('a', 'b', 'c'), j JSON, g GEOMETRY
) DEFAULT CHARSET=utf8mb4`;

/** Rows: 1 minima, 2 maxima, 3 NULL everywhere, 4 precision and escaping edges. */
export const EVERYTHING_ROWS = [
  `(1, 0, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 42,
    '-99999999999999999999999999999999999.999999999999999999999999999999', -99999999.99, -3.402823466e38,
    -1.7976931348623157e308, b'0', b'0', 0, 1901,
    '1000-01-01', '1000-01-01 00:00:00', '1970-01-01 00:00:01', '-838:59:59',
    '', '', '', '', 0x00000000, '', '', 'small', '', '{}', ST_GeomFromText('POINT(0 0)'))`,
  `(2, 1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807,
    18446744073709551615, 999999,
    '99999999999999999999999999999999999.999999999999999999999999999999', 99999999.99, 3.402823466e38,
    1.7976931348623157e308, b'1', b'1111111111', 0xFFFFFFFFFFFFFFFF, 2155,
    '9999-12-31', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '838:59:59',
    '4-byte 🎉😀 𝄞 中文 ﬃ', CONVERT(_utf8mb4'café crème à la Noël ÿ €‚ƒ„…†‡ˆ‰Š‹ŒŽ''""•–—˜™š›œžŸ' USING latin1), 'abc',
    'tab\\there\\nnewline\\rcr back\\\\slash \\\\N literal NULL', 0xFFFFFFFF, UNHEX('${ALL_BYTES}'),
    UNHEX(REPEAT('${ALL_BYTES}', 3)), 'médium', 'a,c',
    '{"b":[1,2.50,{"c":null}],"a":"x","n":12345678901234567890.5}',
    ST_GeomFromText('POLYGON((0 0,4 0,4 4,0 0))', 4326))`,
  `(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  `(4, 0, 0, 1, 0, 1, 0, 1, 0, 1, 9007199254740993, 9223372036854775808, 0,
    '0.000000000000000000000000000001', 0.05, 16777217, 0.1,
    b'1', b'0000000001', 1, 2024,
    '2024-02-29', '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.000001', '-00:00:00.000001',
    CONCAT('nul', CHAR(0), ' \\\\N ', CHAR(9), 'x'), CONVERT(UNHEX('${LATIN1_HIGH}') USING latin1), '  pad',
    '\\\\N', 0x00000000, 0x5C4E, 0x5C, 'large', 'a,b,c', '[]', ST_GeomFromText('POINT(1 2)', 3857))`,
];

/**
 * One SELECT giving, per column, the value as the server states it independently of the connector:
 * integers as text, dates as day counts, times as microsecond counts, text as UTF-8 hex (converted by the
 * server), bytes as hex, geometry as WKB hex with its SRID.
 */
export const EVERYTHING_ORACLE = `SELECT id,
  CAST(b1 AS CHAR) AS b1, CAST(i8 AS CHAR) AS i8, CAST(u8 AS CHAR) AS u8, CAST(i16 AS CHAR) AS i16,
  CAST(u16 AS CHAR) AS u16, CAST(i24 AS CHAR) AS i24, CAST(u24 AS CHAR) AS u24, CAST(i32 AS CHAR) AS i32,
  CAST(u32 AS CHAR) AS u32, CAST(i64 AS CHAR) AS i64, CAST(u64 AS CHAR) AS u64, CAST(zf + 0 AS CHAR) AS zf,
  CAST(d65 AS CHAR) AS d65, CAST(d10 AS CHAR) AS d10,
  CAST(CAST(bit1 AS UNSIGNED) AS CHAR) AS bit1, CAST(CAST(bit10 AS UNSIGNED) AS CHAR) AS bit10,
  CAST(CAST(bit64 AS UNSIGNED) AS CHAR) AS bit64, CAST(yr + 0 AS CHAR) AS yr,
  DATEDIFF(dt, '1970-01-01') AS dt,
  CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', dtm) AS CHAR) AS dtm,
  CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ts) AS CHAR) AS ts,
  CAST(IF(tm < 0, -1, 1) * ((HOUR(tm) * 3600 + MINUTE(tm) * 60 + SECOND(tm)) * 1000000 + MICROSECOND(tm)) AS CHAR) AS tm,
  HEX(CONVERT(c_utf8 USING utf8mb4)) AS c_utf8, HEX(CONVERT(c_latin1 USING utf8mb4)) AS c_latin1,
  HEX(CONVERT(c_char USING utf8mb4)) AS c_char, HEX(CONVERT(c_text USING utf8mb4)) AS c_text,
  HEX(c_bin) AS c_bin, HEX(c_varbin) AS c_varbin, HEX(c_blob) AS c_blob,
  HEX(CONVERT(e USING utf8mb4)) AS e, HEX(CONVERT(s USING utf8mb4)) AS s, HEX(CONVERT(j USING utf8mb4)) AS j,
  HEX(ST_AsWKB(g)) AS g, ST_SRID(g) AS g_srid
  FROM everything ORDER BY id`;
