import { describe, expect, it } from 'vitest';
import type { LogicalType } from '../../core/index.js';
import type { JsValue } from '../../formats/index.js';
import { jsonToList, listToJson } from './json-list.js';

describe('lists as JSON arrays', () => {
  it.each<[LogicalType, (JsValue | null)[], string]>([
    [{ kind: 'int', bits: 32 }, [1, null, -2147483648], '[1,null,-2147483648]'],
    [{ kind: 'int', bits: 64, unsigned: true }, [18446744073709551615n], '[18446744073709551615]'],
    [
      { kind: 'decimal' },
      ['12345678901234567890.123456789', null],
      '["12345678901234567890.123456789",null]',
    ],
    [{ kind: 'text' }, ['', 'a,"b"', '🎉\n', null], '["","a,\\"b\\"","🎉\\n",null]'],
    [{ kind: 'bool' }, [true, false, null], '[true,false,null]'],
    [{ kind: 'float', bits: 64 }, [0.1, -0, 5e-324], '[0.1,-0.0,5e-324]'],
    [{ kind: 'date' }, [-1, 0], '["1969-12-31","1970-01-01"]'],
    [{ kind: 'timestamp', tz: true }, [1n], '["1970-01-01 00:00:00.000001"]'],
    [{ kind: 'list', element: { kind: 'int', bits: 16 } }, [[1, 2], [], null], '[[1,2],[],null]'],
  ])('%j round-trips exactly', (element, values, json) => {
    expect(listToJson(values, element)).toBe(json);
    expect(jsonToList(json, element)).toEqual(values);
  });

  it('reads arrays with spaces as MySQL may print them; refuses anything else', () => {
    expect(jsonToList('[1, 2 ,3]', { kind: 'int', bits: 8 })).toEqual([1, 2, 3]);
    expect(() => jsonToList('{"a":1}', { kind: 'int', bits: 8 })).toThrow(/not a JSON array/);
    expect(() => jsonToList('[1.5]', { kind: 'int', bits: 8 })).toThrow(/not a JSON array/);
  });
});
