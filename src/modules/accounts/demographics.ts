import { Invalid } from '../../platform/errors.js';

/** What a person tells of themselves for ads targeting: each optional, null when not given. */
export interface Demographics {
  locale: string | null;
  country: string | null;
  gender: 'female' | 'male' | 'unknown' | null;
  birth_year: number | null;
}

/** The age buckets ads target by (the spec's TargetingSpecAgeBucket ranges that partition adult ages). */
export const AGE_BUCKETS = ['18-24', '25-34', '35-44', '45-49', '50-54', '55-64', '65+'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
/** Codes ICU names that are not countries (unions, the unknown region). */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'ZZ', 'QO']);
/** Whether a code is an ISO 3166-1 alpha-2 country the runtime's ICU data knows. */
const isCountry = (code: string) =>
  /^[A-Z]{2}$/.test(code) && !NOT_COUNTRIES.has(code) && regions.of(code) !== undefined;
const LOCALE = /^[a-z]{2,3}(-[A-Z]{2})?$/;

/**
 * The age bucket of someone born in `birthYear` as of `now` (the youngest age they may be: birthdays are
 * not kept), or null when unknown or under 18: minors are never targeted by age.
 */
export function ageBucket(birthYear: number | null, now: Date = new Date()): AgeBucket | null {
  if (birthYear === null) return null;
  const age = now.getUTCFullYear() - birthYear - 1;
  if (age < 18) return null;
  if (age <= 24) return '18-24';
  if (age <= 34) return '25-34';
  if (age <= 44) return '35-44';
  if (age <= 49) return '45-49';
  if (age <= 54) return '50-54';
  if (age <= 64) return '55-64';
  return '65+';
}

/** Checks a change of demographics: a locale like en or en-US, a known country code, a year of birth. */
export function checkDemographics(
  patch: Partial<Demographics>,
  now: Date = new Date(),
): Partial<Demographics> {
  if (patch.locale != null && !LOCALE.test(patch.locale))
    throw new Invalid('locale must be a language, optionally with a region (e.g. en, en-US).');
  if (patch.country != null && !isCountry(patch.country))
    throw new Invalid('country must be an ISO 3166-1 alpha-2 code (e.g. US).');
  if (patch.birth_year != null) {
    const year = now.getUTCFullYear();
    if (!Number.isInteger(patch.birth_year) || patch.birth_year < year - 120 || patch.birth_year > year - 13)
      throw new Invalid(`birth_year must be between ${year - 120} and ${year - 13}.`);
  }
  return patch;
}
