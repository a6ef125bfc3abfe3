/**
 * Row values out of PostgreSQL error texts. The server echoes the values of the row it refused
 * (`DETAIL: Key (email)=(ana@example.com) already exists.`, `Failing row contains (…)`,
 * `invalid input syntax for type integer: "x"`): those are customer data and must not reach logs, reports,
 * traces or run state. Column and constraint names stay, so the error still says what failed.
 */

const KEY_DETAIL =
  /^(Key \([^)]*\)=)\(.*\)( (?:already exists|is not present in table .*|conflicts with existing key .*|is still referenced from table .*)\.?)$/s;

/** A server DETAIL with the row's values replaced by `…`; unknown details keep only their unquoted text. */
export function redactPgDetail(detail: string): string {
  if (/^Failing row contains /.test(detail)) return 'Failing row contains (…).';
  const key = KEY_DETAIL.exec(detail);
  if (key) return `${key[1]}(…)${key[2]}`;
  if (/^Key \(/.test(detail)) return detail.replace(/=\(.*$/s, '=(…)');
  return redactQuoted(detail);
}

/** A server message with quoted values (`: "x"`, `value "x" is out of range`) replaced by `"…"`. */
export function redactPgMessage(message: string): string {
  return redactQuoted(message);
}

/** Quoted literals after a colon or `value ` become `"…"`; identifiers quoted elsewhere (relation "t") stay. */
function redactQuoted(text: string): string {
  return text.replace(/(: |value )"(?:[^"]|"")*"/g, '$1"…"');
}
