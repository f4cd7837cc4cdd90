import { Type } from 'typebox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { validatorCompiler } from '../../../src/http/validation.js';
import {
  normalizeTargetingSpec,
  TARGETING_TYPES,
  TargetingSpecBody,
  targetingValues,
  validateTargetingSpec,
} from '../../../src/modules/ads/targeting/index.js';
import { TargetingService } from '../../../src/modules/ads/targeting/targeting.service.js';
import { INTERESTS } from '../../../src/modules/interests/index.js';
import { Invalid } from '../../../src/platform/errors.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { startTestApp } from '../../helpers/app.js';
import { makeUser, type TestUser } from '../../helpers/factories.js';

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
      GEO: ['US-CA', 'BE', 'CA-QC', 'BE-VOV', 'US-94107'],
      INTEREST: [travel.id, food.id],
      TARGETING_STRATEGY: ['FIND_NEW_CUSTOMERS'],
      SHOPPING_RETARGETING: [{ lookback_window: 30, exclusion_window: 14, tag_types: [6, 0, 6] }],
      GENDER: null,
      LOCATION: null,
    });
    expect(spec).toEqual({
      GEO: ['BE', 'US-CA', 'CA-QC', 'BE-VOV', 'US-94107'],
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
    [
      'a region of an unknown country',
      { GEO: ['ZZ-VOV'] },
      'targeting_spec.GEO: "ZZ-VOV" is not a GEO value',
    ],
    [
      'a postal code without digits',
      { GEO: ['US-ABCDE'] },
      'targeting_spec.GEO: "US-ABCDE" is not a GEO value',
    ],
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

describe('TargetingSpecBody', () => {
  it('lets unknown keys and rule fields through the body validator, for validateTargetingSpec to name', () => {
    const validate = validatorCompiler()({
      schema: Type.Object({ targeting_spec: TargetingSpecBody }) as object,
      httpPart: 'body',
    }) as (data: unknown) => boolean;
    const body = {
      targeting_spec: { HAIR_COLOUR: ['red'], SHOPPING_RETARGETING: [{ days: 3 }], GENDER: null },
    };
    expect(validate(body)).toBe(true);
    expect(body.targeting_spec).toEqual({
      HAIR_COLOUR: ['red'],
      SHOPPING_RETARGETING: [{ days: 3 }],
      GENDER: null,
    });
    expect(invalid(body.targeting_spec).message).toContain('targeting_spec.HAIR_COLOUR');
    expect(validate({ targeting_spec: { GENDER: 'male' } })).toBe(false);
  });
});

describe('TargetingService.metricsReadyState', () => {
  const service = new TargetingService({ now: () => new Date('2026-03-10T23:59:00Z') });

  it('is ready up to today (UTC) and not after', () => {
    const ready = { conversion_metrics_ready: true, non_conversion_metrics_ready: true };
    expect(service.metricsReadyState('2026-03-10')).toEqual(ready);
    expect(service.metricsReadyState('2020-01-01')).toEqual(ready);
    expect(service.metricsReadyState('2026-03-11')).toEqual({
      conversion_metrics_ready: false,
      non_conversion_metrics_ready: false,
    });
  });

  it('refuses a date that is not on the calendar', () => {
    expect(() => service.metricsReadyState('2026-02-30')).toThrow(Invalid);
    expect(() => service.metricsReadyState('2026-13-01')).toThrow(/not a calendar date/);
  });
});

describe('/v5/resources over HTTP', () => {
  let app: App;
  let user: TestUser;

  beforeAll(async () => {
    app = await startTestApp({ runJobs: false });
    user = await makeUser(app);
  });

  async function get(url: string, scopes: string[] = ['ads:read']) {
    return app.http.inject({ method: 'GET', url, headers: await user.auth(scopes) });
  }

  function expectError(res: { statusCode: number; json: () => unknown }, status: number) {
    expect(res.statusCode).toBe(status);
    const body = res.json() as { code: unknown; message: unknown };
    expect(body).toEqual({ code: expect.any(Number), message: expect.any(String) });
  }

  it.each([...TARGETING_TYPES])('GET /v5/resources/targeting/%s answers its catalogue', async (type) => {
    const res = await get(`/v5/resources/targeting/${type}?client_id=1094834&timestamp=1618338184277`);
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('GET', '/resources/targeting/{targeting_type}', 200, res.json());
    const keys = (res.json() as Record<string, string>[]).map((o) => Object.keys(o)[0]);
    expect(keys).toEqual(targetingValues(type).map((v) => v.value));
  });

  it('labels values for people to read', async () => {
    const gender = (await get('/v5/resources/targeting/GENDER')).json();
    expect(gender).toEqual([{ unknown: 'Unknown' }, { male: 'Male' }, { female: 'Female' }]);
    const interests = (await get('/v5/resources/targeting/INTEREST')).json();
    expect(interests).toHaveLength(24);
    expect(interests[0]).toEqual({ [food.id]: food.name });
    const geo = (await get('/v5/resources/targeting/GEO')).json() as Record<string, string>[];
    expect(geo).toContainEqual({ GR: 'Greece' });
    expect(geo).toContainEqual({ 'US-CA': 'United States: California' });
    const location = (await get('/v5/resources/targeting/LOCATION')).json() as Record<string, string>[];
    expect(location).toContainEqual({ US: 'United States' });
    const apptype = (await get('/v5/resources/targeting/APPTYPE')).json();
    expect(apptype).toContainEqual({ iphone: 'iPhone' });
  });

  it('GET /v5/resources/targeting/interests/{interest_id} answers an interest of the taxonomy', async () => {
    const res = await get(`/v5/resources/targeting/interests/${travel.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('GET', '/resources/targeting/interests/{interest_id}', 200, res.json());
    expect(res.json()).toEqual({ id: travel.id, name: 'Travel', level: 1, child_interests: [] });
  });

  it('GET /v5/resources/ad_account_countries answers countries with their currencies', async () => {
    const res = await get('/v5/resources/ad_account_countries');
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('GET', '/resources/ad_account_countries', 200, res.json());
    const items = res.json().items;
    expect(items[0]).toEqual({ code: 'US', currency: 'USD', index: 1, name: 'United States' });
    expect(items).toContainEqual(expect.objectContaining({ code: 'JP', currency: 'JPY' }));
    expect(items).toContainEqual(expect.objectContaining({ code: 'DE', currency: 'EUR' }));
    expect(items.map((i: { index: number }) => i.index)).toEqual(items.map((_: unknown, i: number) => i + 1));
  });

  it.each(['', '?report_type=SYNC', '?report_type=ASYNC'])(
    'GET /v5/resources/delivery_metrics%s answers the ads metrics',
    async (query) => {
      const res = await get(`/v5/resources/delivery_metrics${query}`, [
        'ads:read',
        'pins:read',
        'user_accounts:read',
      ]);
      expect(res.statusCode, res.body).toBe(200);
      expectResponseMatchesSpec('GET', '/resources/delivery_metrics', 200, res.json());
      const names = res.json().items.map((m: { name: string }) => m.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'IMPRESSION_1',
          'CLICKTHROUGH_1',
          'OUTBOUND_CLICK_1',
          'REPIN_1',
          'SPEND_IN_MICRO_DOLLAR',
          'CTR',
          'ECPM_IN_MICRO_DOLLAR',
          'ECPC_IN_MICRO_DOLLAR',
          'TOTAL_CONVERSIONS',
          'TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR',
        ]),
      );
      for (const m of res.json().items)
        expect(m).toMatchObject({ category: 'ADS', display_name: expect.any(String) });
    },
  );

  it('GET /v5/resources/metrics_ready_state: a past day is ready, a future day is not', async () => {
    const past = await get('/v5/resources/metrics_ready_state?date=2022-07-13');
    expect(past.statusCode, past.body).toBe(200);
    expectResponseMatchesSpec('GET', '/resources/metrics_ready_state', 200, past.json());
    expect(past.json()).toEqual({ conversion_metrics_ready: true, non_conversion_metrics_ready: true });
    const future = await get('/v5/resources/metrics_ready_state?date=2999-01-01');
    expect(future.statusCode).toBe(200);
    expect(future.json()).toEqual({ conversion_metrics_ready: false, non_conversion_metrics_ready: false });
  });

  it.each([
    ['an unknown targeting type', '/v5/resources/targeting/HAIR_COLOUR', 400],
    ['a lower-case targeting type', '/v5/resources/targeting/gender', 400],
    ['a non-numeric client_id', '/v5/resources/targeting/GENDER?client_id=abc', 400],
    ['an unknown interest id', '/v5/resources/targeting/interests/903000000999', 404],
    ['a non-numeric interest id', '/v5/resources/targeting/interests/travel', 400],
    ['an interest id too long', '/v5/resources/targeting/interests/1234567890123456789', 400],
    ['an unknown report type', '/v5/resources/delivery_metrics?report_type=DAILY', 400],
    ['no date', '/v5/resources/metrics_ready_state', 400],
    ['a malformed date', '/v5/resources/metrics_ready_state?date=13/07/2022', 400],
    ['a date not on the calendar', '/v5/resources/metrics_ready_state?date=2022-02-30', 400],
  ])('answers %s with a %i and {code, message}', async (_, url, status) => {
    const res = await get(url, ['ads:read', 'pins:read', 'user_accounts:read']);
    expectError(res, status);
    const specPath = url.includes('/interests/')
      ? '/resources/targeting/interests/{interest_id}'
      : url.includes('/targeting/')
        ? '/resources/targeting/{targeting_type}'
        : url.replace(/^\/v5/, '').replace(/\?.*$/, '');
    expectResponseMatchesSpec('GET', specPath, status, res.json());
  });

  it.each([
    ['/v5/resources/targeting/GENDER', ['pins:read']],
    [`/v5/resources/targeting/interests/${travel.id}`, ['user_accounts:read']],
    ['/v5/resources/ad_account_countries', ['ads:write']],
    ['/v5/resources/delivery_metrics', ['ads:read']],
    ['/v5/resources/metrics_ready_state?date=2022-07-13', ['pins:read']],
  ])('GET %s without its scopes is a 403', async (url, scopes) => {
    expectError(await get(url, scopes), 403);
  });

  it('refuses a request without a token (401)', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/v5/resources/targeting/GENDER' });
    expectError(res, 401);
  });
});
