import { INTERESTS } from '../../interests/index.js';
import { COUNTRIES } from '../countries.js';
import { LOCALES } from './targeting-locales.js';
import { REGIONS } from './targeting-regions.js';

/** The spec's PublicTargetingType: the types GET /v5/resources/targeting/{targeting_type} answers. */
export const TARGETING_TYPES = [
  'APPTYPE',
  'GENDER',
  'LOCALE',
  'AGE_BUCKET',
  'LOCATION',
  'GEO',
  'INTEREST',
  'KEYWORD',
  'AUDIENCE_INCLUDE',
  'AUDIENCE_EXCLUDE',
] as const;
export type TargetingType = (typeof TARGETING_TYPES)[number];

/** The spec's TargetingSpecAppType. */
export const APP_TYPES = ['android_mobile', 'android_tablet', 'ipad', 'iphone', 'web', 'web_mobile'] as const;
/** The spec's TargetingSpecGender. */
export const GENDERS = ['unknown', 'male', 'female'] as const;
/** The spec's TargetingSpecAgeBucket. */
export const AGE_BUCKETS = [
  '18-24',
  '19+',
  '20+',
  '21+',
  '25-34',
  '35-44',
  '45-49',
  '50-54',
  '55-64',
  '65+',
] as const;
/** The values of TargetingSpec.TARGETING_STRATEGY (not a public targeting type, but a spec key). */
export const TARGETING_STRATEGIES = [
  'CHOOSE_YOUR_OWN',
  'FIND_NEW_CUSTOMERS',
  'RECONNECT_WITH_USERS',
] as const;

/** One targeting value and the label a person reads for it. */
export interface TargetingValue {
  readonly value: string;
  readonly label: string;
}

const APP_TYPE_LABELS: Record<(typeof APP_TYPES)[number], string> = {
  android_mobile: 'Android phone',
  android_tablet: 'Android tablet',
  ipad: 'iPad',
  iphone: 'iPhone',
  web: 'Desktop web',
  web_mobile: 'Mobile web',
};

// Names come from the runtime's ICU data (full ICU ships with Node), so no list of names is kept here.
const regionName = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
const languageName = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });

/** The English name of an ISO 3166-1 alpha-2 country code. */
export function countryName(code: string): string {
  return regionName.of(code) ?? code;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const countries = (): TargetingValue[] => COUNTRIES.map((c) => ({ value: c, label: countryName(c) }));

function build(): Record<TargetingType, readonly TargetingValue[]> {
  return {
    APPTYPE: APP_TYPES.map((value) => ({ value, label: APP_TYPE_LABELS[value] })),
    GENDER: GENDERS.map((value) => ({ value, label: capitalised(value) })),
    AGE_BUCKET: AGE_BUCKETS.map((value) => ({ value, label: value })),
    LOCALE: LOCALES.map((value) => ({ value, label: languageName.of(value) ?? value })),
    // Countries only: Nielsen DMA codes (Pinterest's US metro areas, e.g. "807") are not offered.
    LOCATION: countries(),
    // Pinterest labels a region "Country: Region", as the spec's sample answer shows.
    GEO: [
      ...countries(),
      ...REGIONS.map(([value, name]) => ({ value, label: `${countryName(value.slice(0, 2))}: ${name}` })),
    ],
    INTEREST: INTERESTS.map((i) => ({ value: i.id, label: i.name })),
    // Keywords are free text an ad group carries through the keywords operations: there is no list of them.
    KEYWORD: [],
    // Audiences belong to one ad account; they are chosen by id from that account's audiences, not from
    // a catalogue, so these types list nothing.
    AUDIENCE_INCLUDE: [],
    AUDIENCE_EXCLUDE: [],
  };
}

const CATALOGUE = build();
const LOOKUP = new Map(
  Object.entries(CATALOGUE).map(([type, values]) => [type, new Set(values.map((v) => v.value))]),
);

/** Every value of a targeting type, in catalogue order. */
export function targetingValues(type: TargetingType): readonly TargetingValue[] {
  return CATALOGUE[type];
}

const COUNTRY_SET = new Set<string>(COUNTRIES);
/** Countries whose subdivisions the catalogue lists by name: theirs must be listed ones. */
const LISTED = new Set(REGIONS.map(([code]) => code.slice(0, 2)));
const SUBDIVISION = /^([A-Z]{2})-[A-Z0-9]{1,3}$/;
const POSTAL = /^([A-Z]{2})-[0-9A-Z]{4,10}$/;

/**
 * Whether a value belongs to a targeting type's catalogue (exactly as written: case matters). GEO also
 * takes, by their form, postal codes of known countries (US-94107) and subdivisions (ISO 3166-2, BE-VOV)
 * of countries whose subdivisions the catalogue does not list by name (it lists US states and Canadian
 * provinces; theirs must be listed ones).
 */
export function isTargetingValue(type: TargetingType, value: string): boolean {
  if (LOOKUP.get(type)?.has(value)) return true;
  if (type !== 'GEO') return false;
  const sub = SUBDIVISION.exec(value);
  if (sub) return COUNTRY_SET.has(sub[1]!) && !LISTED.has(sub[1]!);
  const postal = POSTAL.exec(value);
  return postal !== null && COUNTRY_SET.has(postal[1]!) && /\d/.test(value.slice(3));
}
