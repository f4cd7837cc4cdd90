import { Invalid } from '../../../platform/errors.js';
import { isIdText } from '../../../platform/ids.js';
import {
  AGE_BUCKETS,
  APP_TYPES,
  GENDERS,
  isTargetingValue,
  TARGETING_STRATEGIES,
  type TargetingType,
  targetingValues,
} from './targeting.catalogue.js';

/** An ad group's or targeting template's TargetingSpec, as the spec defines it. */
export interface TargetingSpec {
  AGE_BUCKET?: string[];
  APPTYPE?: string[];
  AUDIENCE_EXCLUDE?: string[];
  AUDIENCE_INCLUDE?: string[];
  GENDER?: string[];
  GEO?: string[];
  INTEREST?: string[];
  LOCALE?: string[];
  LOCATION?: string[];
  MAXIMUM_AGE?: string;
  MINIMUM_AGE?: string;
  SHOPPING_RETARGETING?: ShoppingRetargeting[];
  TARGETING_STRATEGY?: string[];
}

/** One dynamic retargeting rule (TargetingSpec_SHOPPING_RETARGETING). */
export interface ShoppingRetargeting {
  lookback_window?: number;
  exclusion_window?: number;
  tag_types?: number[];
}

/** A checked, normalised spec and the audience ids it names, which the caller checks against the account. */
export interface ValidTargetingSpec {
  spec: TargetingSpec;
  audienceIds: string[];
}

type ListKey = Exclude<keyof TargetingSpec, 'MINIMUM_AGE' | 'MAXIMUM_AGE' | 'SHOPPING_RETARGETING'>;

/** The list keys whose values come from a catalogue, and the fixed lists of the keys that are not public types. */
const VALUES_OF: Record<
  Exclude<ListKey, 'AUDIENCE_INCLUDE' | 'AUDIENCE_EXCLUDE'>,
  TargetingType | readonly string[]
> = {
  AGE_BUCKET: AGE_BUCKETS,
  APPTYPE: APP_TYPES,
  GENDER: GENDERS,
  GEO: 'GEO',
  INTEREST: 'INTEREST',
  LOCALE: 'LOCALE',
  LOCATION: 'LOCATION',
  TARGETING_STRATEGY: TARGETING_STRATEGIES,
};

/** Every TargetingSpec key, in the order a normalised spec lists them. */
export const TARGETING_SPEC_KEYS: readonly (keyof TargetingSpec)[] = [
  'AGE_BUCKET',
  'APPTYPE',
  'AUDIENCE_EXCLUDE',
  'AUDIENCE_INCLUDE',
  'GENDER',
  'GEO',
  'INTEREST',
  'LOCALE',
  'LOCATION',
  'MAXIMUM_AGE',
  'MINIMUM_AGE',
  'SHOPPING_RETARGETING',
  'TARGETING_STRATEGY',
];
// The spec marks every key nullable (null meaning "not given") except these.
const NOT_NULLABLE = new Set<keyof TargetingSpec>(['INTEREST', 'MINIMUM_AGE', 'MAXIMUM_AGE']);
const MIN_AGE = 18;
const MAX_AGE = 65;
const MAX_RETARGETING_RULES = 10;
const MAX_WINDOW_DAYS = 540;

const show = (v: unknown) => (v === undefined ? 'undefined' : JSON.stringify(v));
const bad = (key: string, message: string) => new Invalid(`targeting_spec.${key}: ${message}`);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a TargetingSpec as ad groups and targeting templates send it and answers it normalised, with the
 * audience ids it names; throws Invalid naming the first bad key and value.
 */
export function validateTargetingSpec(input: unknown): ValidTargetingSpec {
  if (!isRecord(input)) throw new Invalid('targeting_spec: must be an object of targeting types to values.');
  const spec: TargetingSpec = {};
  for (const [key, value] of Object.entries(input)) {
    if (!(TARGETING_SPEC_KEYS as readonly string[]).includes(key)) {
      throw bad(key, `not a targeting type (one of ${TARGETING_SPEC_KEYS.join(', ')})`);
    }
    const k = key as keyof TargetingSpec;
    if (value === null && !NOT_NULLABLE.has(k)) continue;
    if (k === 'MINIMUM_AGE' || k === 'MAXIMUM_AGE') spec[k] = age(k, value);
    else if (k === 'SHOPPING_RETARGETING') spec[k] = retargeting(value);
    else if (k === 'AUDIENCE_INCLUDE' || k === 'AUDIENCE_EXCLUDE') spec[k] = audienceIds(k, value);
    else spec[k] = catalogueValues(k, value);
  }
  checkAges(spec);
  const excluded = new Set(spec.AUDIENCE_EXCLUDE ?? []);
  const both = spec.AUDIENCE_INCLUDE?.find((id) => excluded.has(id));
  if (both !== undefined) throw bad('AUDIENCE_EXCLUDE', `${show(both)} is also in AUDIENCE_INCLUDE`);
  const normal = normalizeTargetingSpec(spec);
  return {
    spec: normal,
    audienceIds: sortIds([...new Set([...(normal.AUDIENCE_INCLUDE ?? []), ...excluded])]),
  };
}

/**
 * A valid spec in one canonical form: keys in spec order, values without duplicates in catalogue order
 * (ids in numeric order), so equal targeting compares and stores equal.
 */
export function normalizeTargetingSpec(spec: TargetingSpec): TargetingSpec {
  const out: TargetingSpec = {};
  for (const key of TARGETING_SPEC_KEYS) {
    const value = spec[key];
    if (value === undefined || value === null) continue;
    if (key === 'MINIMUM_AGE' || key === 'MAXIMUM_AGE') out[key] = value as string;
    else if (key === 'SHOPPING_RETARGETING') out[key] = value as ShoppingRetargeting[];
    else if (key === 'AUDIENCE_INCLUDE' || key === 'AUDIENCE_EXCLUDE') {
      out[key] = sortIds([...new Set(value as string[])]);
    } else out[key] = inCatalogueOrder(key, value as string[]);
  }
  return out;
}

function stringList(key: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw bad(key, `${show(value)} is not a list of ${key} values`);
  for (const item of value) {
    if (typeof item !== 'string') throw bad(key, `${show(item)} is not a ${key} value`);
  }
  return value as string[];
}

function catalogueValues(key: keyof typeof VALUES_OF, value: unknown): string[] {
  const values = stringList(key, value);
  const source = VALUES_OF[key];
  for (const v of values) {
    const known = typeof source === 'string' ? isTargetingValue(source, v) : source.includes(v);
    if (!known) throw bad(key, `${show(v)} is not a ${key} value`);
  }
  return values;
}

function audienceIds(key: 'AUDIENCE_INCLUDE' | 'AUDIENCE_EXCLUDE', value: unknown): string[] {
  const ids = stringList(key, value);
  for (const id of ids) {
    if (!isIdText(id)) throw bad(key, `${show(id)} is not an audience id`);
  }
  // Canonical digits ("007" is 7), so an id compares and dedupes as the database would.
  return ids.map((id) => BigInt(id).toString());
}

function age(key: 'MINIMUM_AGE' | 'MAXIMUM_AGE', value: unknown): string {
  const plus = key === 'MAXIMUM_AGE' ? '"65+"' : 'not 65+';
  const range = `${key} is "${MIN_AGE}" to "${MAX_AGE}" (${plus})`;
  if (typeof value !== 'string') throw bad(key, `${show(value)} is not a ${key} value: ${range}`);
  const ok = key === 'MAXIMUM_AGE' && value === `${MAX_AGE}+`;
  if (!ok && !(/^\d{2}$/.test(value) && Number(value) >= MIN_AGE && Number(value) <= MAX_AGE)) {
    throw bad(key, `${show(value)} is not a ${key} value: ${range}`);
  }
  return value;
}

function checkAges(spec: TargetingSpec): void {
  const { MINIMUM_AGE: min, MAXIMUM_AGE: max } = spec;
  if (min === undefined && max === undefined) return;
  if (min === undefined) throw bad('MINIMUM_AGE', 'missing: MINIMUM_AGE and MAXIMUM_AGE go together');
  if (max === undefined) throw bad('MAXIMUM_AGE', 'missing: MINIMUM_AGE and MAXIMUM_AGE go together');
  if (Number.parseInt(max, 10) < Number(min)) {
    throw bad('MAXIMUM_AGE', `${show(max)} is below MINIMUM_AGE ${show(min)}`);
  }
  if (spec.AGE_BUCKET !== undefined) {
    throw bad('AGE_BUCKET', 'cannot be combined with MINIMUM_AGE and MAXIMUM_AGE');
  }
}

function retargeting(value: unknown): ShoppingRetargeting[] {
  const key = 'SHOPPING_RETARGETING';
  if (!Array.isArray(value) || value.length > MAX_RETARGETING_RULES) {
    throw bad(key, `${show(value)} is not a list of at most ${MAX_RETARGETING_RULES} retargeting rules`);
  }
  return value.map((rule, i) => {
    const at = `${key}[${i}]`;
    if (!isRecord(rule)) throw bad(at, `${show(rule)} is not a retargeting rule`);
    const out: ShoppingRetargeting = {};
    for (const [field, v] of Object.entries(rule)) {
      if (field === 'lookback_window' || field === 'exclusion_window') {
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > MAX_WINDOW_DAYS) {
          throw bad(`${at}.${field}`, `${show(v)} is not a number of days from 0 to ${MAX_WINDOW_DAYS}`);
        }
        out[field] = v as number;
      } else if (field === 'tag_types') {
        if (!Array.isArray(v) || !v.every((t) => Number.isInteger(t) && t >= 0)) {
          throw bad(`${at}.${field}`, `${show(v)} is not a list of event type numbers`);
        }
        out.tag_types = [...new Set(v as number[])].sort((a, b) => a - b);
      } else throw bad(`${at}.${field}`, 'not a retargeting rule field');
    }
    const { lookback_window: lookback, exclusion_window: exclusion } = out;
    if (lookback !== undefined && exclusion !== undefined && exclusion >= lookback) {
      throw bad(`${at}.exclusion_window`, `${exclusion} is not below lookback_window ${lookback}`);
    }
    return out;
  });
}

function inCatalogueOrder(key: keyof typeof VALUES_OF, values: string[]): string[] {
  const source = VALUES_OF[key];
  const order = typeof source === 'string' ? targetingValues(source).map((v) => v.value) : source;
  const rank = new Map(order.map((v, i) => [v, i]));
  // Values accepted by form (GEO postal codes and subdivisions) follow the listed ones, in text order.
  const last = order.length;
  return [...new Set(values)].sort(
    (a, b) => (rank.get(a) ?? last) - (rank.get(b) ?? last) || (a < b ? -1 : a > b ? 1 : 0),
  );
}

function sortIds(ids: string[]): string[] {
  return ids.sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
}
