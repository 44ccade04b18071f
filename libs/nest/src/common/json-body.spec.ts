import type { BadRequestException } from '@nestjs/common';
import { MAX_BODY_DEPTH, MAX_BODY_ENTRIES, measureJson, parseJsonObject, unsupportedMediaType } from './json-body';

const rulesOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    const { errors } = (e as BadRequestException).getResponse() as { errors: { field: string; rule: string }[] };
    return errors.map((x) => `${x.field}:${x.rule}`);
  }
  return [];
};

describe('measureJson', () => {
  it('allows the depth limit and refuses one level more, arrays and objects alike', () => {
    expect(measureJson('['.repeat(MAX_BODY_DEPTH) + ']'.repeat(MAX_BODY_DEPTH))).toBe('ok');
    expect(measureJson('['.repeat(MAX_BODY_DEPTH + 1) + ']'.repeat(MAX_BODY_DEPTH + 1))).toBe('tooDeep');
    expect(measureJson('{"a":'.repeat(MAX_BODY_DEPTH + 1) + '1' + '}'.repeat(MAX_BODY_DEPTH + 1))).toBe('tooDeep');
  });

  it('scans a million levels without recursion, and stops at the limit', () => {
    expect(measureJson('['.repeat(1_000_000))).toBe('tooDeep');
  });

  it('does not count brackets and commas inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ name: '['.repeat(100) + '\\"{' + ','.repeat(5000) });
    expect(measureJson(text)).toBe('ok');
  });

  it('counts members and items across the body', () => {
    // A top-level array of n items is n entries (its bracket and n - 1 commas).
    expect(measureJson(JSON.stringify(Array(MAX_BODY_ENTRIES).fill(0)))).toBe('ok');
    expect(measureJson(JSON.stringify(Array(MAX_BODY_ENTRIES + 1).fill(0)))).toBe('tooMany');
    expect(measureJson(JSON.stringify(Object.fromEntries(Array.from({ length: MAX_BODY_ENTRIES + 1 }, (_, i) => [`k${i}`, i]))))).toBe('tooMany');
    expect(measureJson(JSON.stringify({ a: [[], [], {}] }))).toBe('ok');
  });
});

describe('parseJsonObject', () => {
  const parse = (text: string | Buffer) => () => parseJsonObject(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'));

  it('parses a JSON object', () => {
    expect(parseJsonObject(Buffer.from('{"name":"Rëx","tags":["a"]}'))).toEqual({ name: 'Rëx', tags: ['a'] });
  });

  it.each([
    ['not JSON', '{"name":', '(body):isJson'],
    ['an array', '[1]', '(body):isObject'],
    ['a string', '"x"', '(body):isObject'],
    ['null', 'null', '(body):isObject'],
    ['too deep', `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`, '(body):maxDepth'],
    ['too many items', JSON.stringify({ a: Array(2000).fill(1) }), '(body):maxEntries'],
  ])('refuses %s with 400', (_what, text, rule) => {
    expect(rulesOf(parse(text))).toEqual([rule]);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(rulesOf(parse(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])))).toEqual(['(body):isUtf8']);
  });

  it('names every __proto__, constructor and prototype key by its path, and pollutes nothing', () => {
    const text = '{"__proto__":{"polluted":1},"a":{"constructor":{"prototype":1}},"b":[{"__proto__":null}]}';
    expect(rulesOf(parse(text))).toEqual([
      '__proto__:forbiddenKey',
      'a.constructor:forbiddenKey',
      'a.constructor.prototype:forbiddenKey',
      'b.0.__proto__:forbiddenKey',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('unsupportedMediaType', () => {
  it.each(['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON;CHARSET="UTF-8"', 'application/json; charset=utf8', 'application/json; foo=bar'])(
    'reads %p',
    (header) => {
      expect(unsupportedMediaType(header)).toBeUndefined();
    },
  );

  it.each([
    'application/json; charset=utf-7',
    'application/json; charset=iso-8859-1',
    'application/json; charset=utf-16',
    'application/json; charset=utf-8; charset=utf-7',
    'text/plain',
    'text/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/merge-patch+json',
    '',
  ])('refuses %p with a 415', (header) => {
    const refused = unsupportedMediaType(header);
    expect(refused?.exception().getStatus()).toBe(415);
  });
});
