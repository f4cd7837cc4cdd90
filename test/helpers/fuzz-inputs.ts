/**
 * Adversarial inputs made from an operation's own JSON Schemas (as the OpenAPI document gives them):
 * a valid value to start from, and values that are wrong for the schema in the ways clients and
 * attackers get them wrong. Deterministic: any choice goes through the seeded PRNG given.
 */

import { Random } from '../../src/cli/seed/random.js';

/** The subset of JSON Schema (OpenAPI 3.0 flavour) the server's document uses. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  nullable?: boolean;
  default?: unknown;
}

/** A seeded PRNG (the seed world's mulberry32), so the same cases run every time. */
export function prng(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

/** An object nested `depth` levels deep: a parser or walker that recurses must not fall over. */
export function nested(depth: number): unknown {
  let v: unknown = { leaf: 'x' };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** Ids at and past the edges of PostgreSQL's bigint and of 64 bits, and ids that are not numbers. */
export const BAD_IDS: readonly string[] = [
  '0',
  '-1',
  '1.5',
  '1e3',
  ' 1',
  '0x10',
  '9223372036854775807', // 2^63 - 1: fits a bigint, names nothing
  '9223372036854775808', // 2^63
  '9999999999999999999',
  '18446744073709551615', // 2^64 - 1
  '18446744073709551616', // 2^64
  '99999999999999999999',
  '1'.repeat(40),
  '１２３', // full-width digits
  '1,9223372036854775808', // a list of ids, one past a bigint
];
/** The bigint and 64-bit edges alone. */
export const EDGE_IDS = BAD_IDS.filter((id) => /^\d{19,20}$/.test(id));

/** Text that is valid JSON but hard on a database, a header or a renderer. */
const NASTY_TEXT: readonly string[] = [
  '',
  'a\u0000b',
  '\u0000',
  '\u0001\u0008\u001b[31m\u007f',
  'line\r\nX-Injected: 1',
  '😀🎉👍🏽',
  'e\u0301\u0301\u0301\u0301',
  '\u202Eevil\u202C',
  'שלום עולם مرحبا',
  '\ud800',
  'a\udc00b',
  '\uFEFF\uFFFF\uFFFE',
  '../../etc/passwd',
  "' OR 1=1 --",
  '%00%0d%0a',
  '<script>alert(1)</script>',
];

const WRONG_TYPES: readonly unknown[] = [12, -1, 1.5, true, null, [], ['a'], {}, { a: 1 }];

const resolve = (s: JsonSchema): JsonSchema => (s.anyOf ?? s.oneOf)?.[0] ?? s;

/** Whether a field holds an id: by its name or a digits-only pattern. */
export function idLike(name: string, schema: JsonSchema): boolean {
  return /(^|_)ids?$/.test(name) || /\\d/.test(schema.pattern ?? '');
}

/** A value the schema accepts (enough to reach the handler when everything else is right). */
export function validValue(schema: JsonSchema, name = ''): unknown {
  if (schema.default !== undefined) return schema.default;
  const s = resolve(schema);
  if (s.enum) return s.enum[0];
  switch (s.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of s.required ?? []) out[key] = validValue(s.properties?.[key] ?? {}, key);
      return out;
    }
    case 'array':
      return s.minItems ? [validValue(s.items ?? {}, name)] : [];
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    default:
      if (s.format === 'date') return new Date().toISOString().slice(0, 10);
      if (s.format === 'date-time') return new Date().toISOString();
      if (idLike(name, s)) return '1';
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
  }
}

/** Values wrong for `schema` in every way we know; the caller samples from them. */
export function badValues(schema: JsonSchema, name = ''): unknown[] {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return [...new Set(variants.flatMap((v) => badValues(v, name)))].concat(['NOT_A_VARIANT']);
  const out: unknown[] = [...WRONG_TYPES, nested(3000)];
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const { minimum: min, maximum: max } = schema;
      if (min !== undefined) out.push(min, min - 1);
      if (max !== undefined) out.push(max, max + 1);
      out.push(0, -0.5, 2.5, 1e308, -1e308, 2 ** 53 + 1, 2 ** 63, 2 ** 64, '9223372036854775808');
      out.push('abc', '', 'NaN', 'Infinity', '1e400', '0x10');
      break;
    }
    case 'boolean':
      out.push('maybe', 2, 'TRUE', '');
      break;
    case 'array': {
      const item = schema.items ?? {};
      const many = (schema.maxItems ?? 1000) + 1;
      out.push(
        'x',
        [null],
        [[[]]],
        Array.from({ length: many }, () => validValue(item, name)),
      );
      for (const bad of badValues(item, name).slice(0, 40)) out.push([bad]);
      break;
    }
    case 'object':
      out.push('text', [{}], { unknown_field: 'a\u0000b' }, { constructor: { prototype: {} } });
      out.push(JSON.parse('{"__proto__": {"polluted": true}}'));
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        const base = validValue(schema, name) as Record<string, unknown>;
        for (const bad of badValues(sub, key).slice(0, 12)) out.push({ ...base, [key]: bad });
      }
      break;
    default: {
      out.push(...NASTY_TEXT);
      const max = schema.maxLength;
      if (max !== undefined) out.push('a'.repeat(max), 'a'.repeat(max + 1), '😀'.repeat(max));
      else out.push('a'.repeat(10_000));
      if (schema.minLength) out.push('a'.repeat(schema.minLength - 1));
      if (schema.enum) out.push('NOT_AN_ENUM', `${schema.enum[0]} `, String(schema.enum[0]).toLowerCase());
      if (schema.format === 'date') out.push('2024-02-30', '0000-00-00', '99999-12-31', '2024-1-1');
      if (schema.format === 'date-time') out.push('2024-13-45T99:99:99Z', '0000-01-01T00:00:00Z');
      if (idLike(name, schema)) out.push(...BAD_IDS);
    }
  }
  return out;
}

/** A path segment for `value`, including ones encodeURIComponent refuses (lone surrogates). */
export function pathSegment(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  try {
    return encodeURIComponent(text);
  } catch {
    // The bytes a lone surrogate would be in CESU-8: not valid UTF-8.
    return text
      .replace(/[\ud800-\udfff]/g, '%ED%A0%80')
      .replace(/[^%A-Za-z0-9]/g, (c) => encodeURIComponent(c));
  }
}

/** `?a=1&b=x&b=y` for a map of values (arrays repeat the key; objects are sent as JSON text). */
export function queryString(values: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) && value.length > 0 ? value : [value]) {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      parts.push(`${encodeURIComponent(key)}=${pathSegment(text)}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** A form body for `values` (non-string values as JSON text, as a confused client might). */
export function formBody(values: unknown): string {
  if (typeof values !== 'object' || values === null || Array.isArray(values))
    return pathSegment(JSON.stringify(values));
  return Object.entries(values)
    .map(([k, v]) => `${encodeURIComponent(k)}=${pathSegment(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join('&');
}
