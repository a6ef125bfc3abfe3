/**
 * formats/pg-copy: PostgreSQL binary COPY ⇄ Arrow, in pure JS.
 * `PgCopyDecoder` turns `COPY … TO STDOUT (FORMAT binary)` bytes into record batches; `PgCopyEncoder` turns
 * batches into `COPY … FROM STDIN (FORMAT binary)` bytes. `PgCodec` says how each column travels.
 */
export { decodeArray, writeArray } from './array.js';
export {
  codecLogicalType,
  decodeScalar,
  nestList,
  type PgCodec,
  type PgWire,
  uuidText,
  wireLogicalType,
} from './codec.js';
export { PgCopyDecoder, type PgCopyDecoderOptions } from './decoder.js';
export { PgCopyFraming } from './framing.js';
export { displayValue, utf8Chars, writeScalar } from './encode-scalar.js';
export {
  binaryCopyHeader,
  binaryCopyTrailer,
  incompatibility,
  PgCopyEncoder,
  type PgCopyEncoderOptions,
} from './encoder.js';
export { encodeBits, encodeInet, encodeMac, formatBits, formatInet, formatMac, formatMoney } from './net.js';
export {
  encodeNumeric,
  numericText,
  numericTextBound,
  type ParsedDecimal,
  parseDecimal,
  writeNumericText,
} from './numeric.js';
export {
  DATE_NEG_INFINITY,
  DATE_POS_INFINITY,
  dateFromWire,
  dateToWire,
  formatTimetz,
  PG_EPOCH_DAYS,
  PG_EPOCH_MICROS,
  parseTimetz,
  TIMESTAMP_NEG_INFINITY,
  TIMESTAMP_POS_INFINITY,
  timestampFromWire,
} from './temporal.js';
export { writeUuidText } from './uuid-text.js';
export { ByteWriter } from './writer.js';
