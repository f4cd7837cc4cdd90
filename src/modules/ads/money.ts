/**
 * Money is integer micro-currency everywhere (1 unit of a currency = 1,000,000 micro-units), kept in
 * bigint columns and carried as JavaScript integers, never floats: the largest budget accepted is far
 * below Number.MAX_SAFE_INTEGER micro-units (9 billion units).
 */
export const MICRO = 1_000_000;

/** The currencies the spec's Currency enum lists (UNK excluded: an account needs a real currency). */
export const CURRENCIES = [
  'USD',
  'GBP',
  'CAD',
  'EUR',
  'AUD',
  'NZD',
  'SEK',
  'ILS',
  'CHF',
  'HKD',
  'JPY',
  'SGD',
  'KRW',
  'NOK',
  'DKK',
  'PLN',
  'RON',
  'HUF',
  'CZK',
  'BRL',
  'MXN',
  'ARS',
  'CLP',
  'COP',
  'INR',
  'TRY',
] as const;
export type Currency = (typeof CURRENCIES)[number];

/** Units below which a daily budget is refused, where one unit of the currency is worth little. */
const MIN_DAILY_UNITS: Partial<Record<Currency, number>> = {
  JPY: 100,
  KRW: 1000,
  HUF: 300,
  CLP: 800,
  COP: 4000,
  ARS: 1000,
  INR: 80,
  CZK: 25,
  SEK: 10,
  NOK: 10,
  DKK: 7,
  PLN: 4,
  RON: 5,
  MXN: 20,
  BRL: 5,
  TRY: 30,
  HKD: 8,
};

/** The largest amount accepted anywhere (budgets, caps, bids): one billion units of the currency. */
export const MAX_MICRO = 1_000_000_000 * MICRO;

/** The least daily budget of a currency, in micro-units (one unit unless the table says more). */
export function minDailyBudgetMicro(currency: string): number {
  return (MIN_DAILY_UNITS[currency as Currency] ?? 1) * MICRO;
}

/**
 * The least bid of a currency for a billable event, in micro-units (the bid floor): per click a tenth of
 * the least daily budget (0.10 USD), per thousand impressions twice it (2 USD CPM).
 */
export function bidFloorMicro(currency: string, billableEvent: string): number {
  const daily = minDailyBudgetMicro(currency);
  return billableEvent === 'IMPRESSION' ? daily * 2 : daily / 10;
}

/** A micro amount as a decimal string in units (for reports): 1234567 -> "1.234567". */
export function microToUnits(micro: number): string {
  const negative = micro < 0;
  const abs = Math.abs(micro);
  const units = Math.floor(abs / MICRO);
  const fraction = String(abs % MICRO).padStart(6, '0');
  return `${negative ? '-' : ''}${units}.${fraction}`;
}

/** An amount in units given as text (conversion values: "12.50") as micro-units, or undefined. */
export function unitsToMicro(text: string): number | undefined {
  const match = /^\s*(-?)(\d{1,12})(?:\.(\d{1,6})\d*)?\s*$/.exec(text);
  if (!match) return undefined;
  const micro = Number(match[2]) * MICRO + Number((match[3] ?? '').padEnd(6, '0'));
  return match[1] ? -micro : micro;
}
