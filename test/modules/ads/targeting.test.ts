import { describe, expect, it } from 'vitest';
import {
  normalizeTargetingSpec,
  targetingValues,
  validateTargetingSpec,
} from '../../../src/modules/ads/targeting/index.js';
import { INTERESTS } from '../../../src/modules/interests/index.js';
import { Invalid } from '../../../src/platform/errors.js';

const food = INTERESTS[0]!;
const travel = INTERESTS.find((i) => i.key === 'travel')!;

/** The Invalid a spec throws, or a failure if it is accepted. */
function invalid(spec: unknown): Invalid {
  try {
    validateTargetingSpec(spec);
  } catch (err) {
    expect(err).toBeInstanceOf(Invalid);
    return err as Invalid;
  }
  throw new Error(`accepted ${JSON.stringify(spec)}`);
}

describe('validateTargetingSpec', () => {
  it("accepts the spec's own example and every catalogue value of every list key", () => {
    const example = {
      APPTYPE: ['iphone'],
      GENDER: ['male'],
      LOCALE: ['en-US'],
      LOCATION: ['US'],
      MINIMUM_AGE: '18',
      MAXIMUM_AGE: '65+',
    };
    expect(validateTargetingSpec(example)).toEqual({ spec: example, audienceIds: [] });
    const all = Object.fromEntries(
      (['APPTYPE', 'GENDER', 'AGE_BUCKET', 'LOCALE', 'LOCATION', 'GEO', 'INTEREST'] as const).map((t) => [
        t,
        targetingValues(t).map((v) => v.value),
      ]),
    );
    expect(validateTargetingSpec(all).spec).toEqual(all);
  });

  it('accepts region codes, interest ids, strategies, retargeting rules and nulls for nullable keys', () => {
    const { spec } = validateTargetingSpec({
      GEO: ['US-CA', 'BE', 'CA-QC'],
      INTEREST: [travel.id, food.id],
      TARGETING_STRATEGY: ['FIND_NEW_CUSTOMERS'],
      SHOPPING_RETARGETING: [{ lookback_window: 30, exclusion_window: 14, tag_types: [6, 0, 6] }],
      GENDER: null,
      LOCATION: null,
    });
    expect(spec).toEqual({
      GEO: ['BE', 'US-CA', 'CA-QC'],
      INTEREST: [food.id, travel.id],
      SHOPPING_RETARGETING: [{ lookback_window: 30, exclusion_window: 14, tag_types: [0, 6] }],
      TARGETING_STRATEGY: ['FIND_NEW_CUSTOMERS'],
    });
  });

  it('returns the audience ids, canonical and deduplicated, for the caller to check', () => {
    const result = validateTargetingSpec({
      AUDIENCE_INCLUDE: ['2542620905473', '12', '012'],
      AUDIENCE_EXCLUDE: ['2542620905475'],
    });
    expect(result.audienceIds).toEqual(['12', '2542620905473', '2542620905475']);
    expect(result.spec.AUDIENCE_INCLUDE).toEqual(['12', '2542620905473']);
  });

  it('normalises: duplicates removed, values in catalogue order, keys in spec order', () => {
    const spec = normalizeTargetingSpec({
      LOCATION: ['US', 'FR', 'US'],
      AGE_BUCKET: ['65+', '18-24', '35-44'],
      APPTYPE: ['web', 'iphone'],
    });
    expect(spec).toEqual({
      AGE_BUCKET: ['18-24', '35-44', '65+'],
      APPTYPE: ['iphone', 'web'],
      LOCATION: ['FR', 'US'],
    });
    expect(Object.keys(spec)).toEqual(['AGE_BUCKET', 'APPTYPE', 'LOCATION']);
  });

  it.each([
    ['not an object', ['GENDER'], 'targeting_spec: must be an object'],
    ['null', null, 'targeting_spec: must be an object'],
    ['an unknown key', { HAIR_COLOUR: ['red'] }, 'targeting_spec.HAIR_COLOUR: not a targeting type'],
    [
      'a value not in the catalogue',
      { GENDER: ['robot'] },
      'targeting_spec.GENDER: "robot" is not a GENDER value',
    ],
    [
      'a value in the wrong case',
      { GENDER: ['Male'] },
      'targeting_spec.GENDER: "Male" is not a GENDER value',
    ],
    ['an unknown app type', { APPTYPE: ['blackberry'] }, 'targeting_spec.APPTYPE: "blackberry"'],
    ['an unknown age bucket', { AGE_BUCKET: ['12-17'] }, 'targeting_spec.AGE_BUCKET: "12-17"'],
    ['an unknown country', { LOCATION: ['XX'] }, 'targeting_spec.LOCATION: "XX" is not a LOCATION value'],
    ['a lower-case country', { LOCATION: ['us'] }, 'targeting_spec.LOCATION: "us"'],
    ['an unknown region', { GEO: ['US-ZZ'] }, 'targeting_spec.GEO: "US-ZZ" is not a GEO value'],
    ['an unknown locale', { LOCALE: ['klingon'] }, 'targeting_spec.LOCALE: "klingon"'],
    ['an unknown interest id', { INTEREST: ['903000000999'] }, 'targeting_spec.INTEREST: "903000000999"'],
    ['an unknown strategy', { TARGETING_STRATEGY: ['ALL'] }, 'targeting_spec.TARGETING_STRATEGY: "ALL"'],
    ['a string instead of a list', { GENDER: 'male' }, 'targeting_spec.GENDER: "male" is not a list'],
    ['a number in a list', { LOCATION: ['US', 5] }, 'targeting_spec.LOCATION: 5 is not a LOCATION value'],
    ['null for INTEREST', { INTEREST: null }, 'targeting_spec.INTEREST: null is not a list'],
    [
      'a non-numeric audience',
      { AUDIENCE_INCLUDE: ['abc'] },
      'targeting_spec.AUDIENCE_INCLUDE: "abc" is not',
    ],
    [
      'an audience past bigint',
      { AUDIENCE_EXCLUDE: ['99999999999999999999'] },
      'targeting_spec.AUDIENCE_EXCLUDE',
    ],
    [
      'an audience both included and excluded',
      { AUDIENCE_INCLUDE: ['5'], AUDIENCE_EXCLUDE: ['5'] },
      'targeting_spec.AUDIENCE_EXCLUDE: "5" is also in AUDIENCE_INCLUDE',
    ],
  ])('refuses %s, naming the field', (_, spec, message) => {
    expect(invalid(spec).message).toContain(message);
  });

  it.each([
    ['a minimum under 18', { MINIMUM_AGE: '17', MAXIMUM_AGE: '30' }, 'targeting_spec.MINIMUM_AGE: "17"'],
    ['65+ as a minimum', { MINIMUM_AGE: '65+', MAXIMUM_AGE: '65+' }, 'targeting_spec.MINIMUM_AGE: "65+"'],
    ['a maximum over 65', { MINIMUM_AGE: '18', MAXIMUM_AGE: '70' }, 'targeting_spec.MAXIMUM_AGE: "70"'],
    ['a number for an age', { MINIMUM_AGE: 18, MAXIMUM_AGE: '30' }, 'targeting_spec.MINIMUM_AGE: 18'],
    ['a minimum alone', { MINIMUM_AGE: '18' }, 'targeting_spec.MAXIMUM_AGE: missing'],
    ['a maximum alone', { MAXIMUM_AGE: '40' }, 'targeting_spec.MINIMUM_AGE: missing'],
    [
      'a maximum below the minimum',
      { MINIMUM_AGE: '40', MAXIMUM_AGE: '30' },
      'targeting_spec.MAXIMUM_AGE: "30"',
    ],
    [
      'ages with age buckets',
      { MINIMUM_AGE: '18', MAXIMUM_AGE: '30', AGE_BUCKET: ['18-24'] },
      'targeting_spec.AGE_BUCKET: cannot be combined',
    ],
  ])('refuses %s', (_, spec, message) => {
    expect(invalid(spec).message).toContain(message);
  });

  it('accepts a valid age range, 65+ included', () => {
    expect(validateTargetingSpec({ MINIMUM_AGE: '25', MAXIMUM_AGE: '65+' }).spec).toEqual({
      MAXIMUM_AGE: '65+',
      MINIMUM_AGE: '25',
    });
    expect(validateTargetingSpec({ MINIMUM_AGE: '30', MAXIMUM_AGE: '30' }).spec.MINIMUM_AGE).toBe('30');
  });

  it.each([
    ['an object instead of a list', { lookback_window: 30 }, 'targeting_spec.SHOPPING_RETARGETING:'],
    ['a rule that is not an object', ['x'], 'targeting_spec.SHOPPING_RETARGETING[0]: "x"'],
    ['an unknown rule field', [{ days: 3 }], 'targeting_spec.SHOPPING_RETARGETING[0].days'],
    ['a negative window', [{ lookback_window: -1 }], 'SHOPPING_RETARGETING[0].lookback_window: -1'],
    ['a fractional window', [{ exclusion_window: 1.5 }], 'SHOPPING_RETARGETING[0].exclusion_window: 1.5'],
    ['bad tag types', [{ tag_types: ['6'] }], 'SHOPPING_RETARGETING[0].tag_types: ["6"]'],
    [
      'an exclusion not below the lookback',
      [{ lookback_window: 7, exclusion_window: 7 }],
      'SHOPPING_RETARGETING[0].exclusion_window: 7 is not below lookback_window 7',
    ],
  ])('refuses a retargeting rule with %s', (_, rules, message) => {
    expect(invalid({ SHOPPING_RETARGETING: rules }).message).toContain(message);
  });
});
