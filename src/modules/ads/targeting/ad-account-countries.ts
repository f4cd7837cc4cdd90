import type { Currency } from '../money.js';

/**
 * The countries advertisers are served from (the spec's TargetingAdvertiserCountry, in its order) and the
 * currency each one's ad accounts normally bill in. Corkboard's ad accounts are not held to this table:
 * creating one takes any country of the spec's Country list and any supported currency.
 */
export const AD_ACCOUNT_COUNTRIES: readonly (readonly [country: string, currency: Currency])[] = [
  ['US', 'USD'],
  ['GB', 'GBP'],
  ['CA', 'CAD'],
  ['IE', 'EUR'],
  ['AU', 'AUD'],
  ['NZ', 'NZD'],
  ['FR', 'EUR'],
  ['SE', 'SEK'],
  ['IL', 'ILS'],
  ['DE', 'EUR'],
  ['AT', 'EUR'],
  ['IT', 'EUR'],
  ['ES', 'EUR'],
  ['NL', 'EUR'],
  ['BE', 'EUR'],
  ['PT', 'EUR'],
  ['CH', 'CHF'],
  ['HK', 'HKD'],
  ['JP', 'JPY'],
  ['KR', 'KRW'],
  ['SG', 'SGD'],
  ['NO', 'NOK'],
  ['DK', 'DKK'],
  ['FI', 'EUR'],
  ['CY', 'EUR'],
  ['LU', 'EUR'],
  ['MT', 'EUR'],
  ['PL', 'PLN'],
  ['RO', 'RON'],
  ['HU', 'HUF'],
  ['CZ', 'CZK'],
  ['GR', 'EUR'],
  ['SK', 'EUR'],
  ['BR', 'BRL'],
  ['MX', 'MXN'],
  ['AR', 'ARS'],
  ['CL', 'CLP'],
  ['CO', 'COP'],
];
