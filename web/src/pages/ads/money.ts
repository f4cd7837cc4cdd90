// Money in the ads manager: the API holds integer micro-units (1 unit = 1,000,000) in the account's
// currency. Shown through Intl.NumberFormat; typed amounts are parsed from their decimal text to micros
// exactly, never through a float.

export const MICRO = 1_000_000;
/** The largest amount the API takes anywhere (one billion units), in micro-units. */
export const MAX_MICRO = 1_000_000_000 * MICRO;

/** How many decimals a currency is written with (JPY 0, EUR 2, ...), as the runtime's ICU data says. */
export function currencyDecimals(currency: string): number {
  try {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits;
    return Math.min(6, Math.max(0, digits ?? 2));
  } catch {
    return 2;
  }
}

export type Parsed = { ok: true; micros: number } | { ok: false; error: string };

/**
 * Parses an amount typed in units of `currency` ("25", "1.50", "1,234.5") to micro-units, exactly.
 * `decimals` is how many digits after the point are allowed: the currency's own by default, up to 6
 * (a micro-unit). Refuses an empty, negative or malformed amount, too many decimals, and more than the API takes.
 */
export function parseMoney(text: string, currency: string, decimals = currencyDecimals(currency)): Parsed {
  const s = text.trim();
  if (s === '') return { ok: false, error: 'Enter an amount.' };
  if (/^[-−]/.test(s)) return { ok: false, error: 'The amount cannot be negative.' };
  const m = /^\+?(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/.exec(s);
  if (!m || (m[1] === undefined && !m[2])) {
    return {
      ok: false,
      error: `"${s}" is not an amount: use digits and a point, e.g. ${example(currency)}.`,
    };
  }
  const whole = (m[1] ?? '0').replaceAll(',', '');
  const fraction = m[2] ?? '';
  const allowed = Math.min(decimals, 6);
  if (fraction.length > allowed) {
    return {
      ok: false,
      error:
        allowed === 0
          ? `${currency} amounts are whole numbers: no decimals.`
          : `At most ${allowed} decimal${allowed === 1 ? '' : 's'} in ${currency}.`,
    };
  }
  // Whole units times a million plus the fraction's digits padded to six: integers only.
  const wholeDigits = whole.replace(/^0+(?=\d)/, '');
  if (wholeDigits.length > 10) return { ok: false, error: tooLarge(currency) };
  const micros = Number(wholeDigits) * MICRO + Number(fraction.padEnd(6, '0') || '0');
  if (micros > MAX_MICRO) return { ok: false, error: tooLarge(currency) };
  return { ok: true, micros };
}

function tooLarge(currency: string): string {
  return `That is more than the largest amount accepted (${formatMoney(MAX_MICRO, currency)}).`;
}

function example(currency: string): string {
  const d = currencyDecimals(currency);
  return d === 0 ? '1500' : `25.${'0'.repeat(d)}`;
}

/** Micro-units as the plain decimal text a field shows ("1.5" for 1,500,000; whole units without a point). */
export function microsToInput(micros: number | null | undefined): string {
  if (micros === null || micros === undefined) return '';
  const negative = micros < 0;
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICRO);
  const fraction = String(abs % MICRO)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

const formats = new Map<string, Intl.NumberFormat>();

/**
 * Micro-units shown in the account's currency ("€1.10", "¥1,500"). Amounts finer than the currency's
 * decimals show as many digits as they need (up to 6), so a 0.000001 bid is not shown as zero.
 */
export function formatMoney(micros: number, currency: string): string {
  const d = currencyDecimals(currency);
  const fraction = String(Math.abs(micros) % MICRO)
    .padStart(6, '0')
    .replace(/0+$/, '');
  const digits = Math.max(d, fraction.length);
  const key = `${currency}:${digits}`;
  let f = formats.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, {
        style: 'currency',
        currency,
        minimumFractionDigits: d,
        maximumFractionDigits: digits,
      });
    } catch {
      f = new Intl.NumberFormat(undefined, { minimumFractionDigits: d, maximumFractionDigits: digits });
    }
    formats.set(key, f);
  }
  // Whole part and fraction apart would be exact; as a Number divided by a million, amounts up to a billion
  // units with six decimals are exact enough to print (Intl rounds to the digits asked for).
  return f.format(micros / MICRO);
}

/**
 * An API message with its micro-unit amounts also said in the currency: "at least the bid floor, 100000
 * micro-units per click" reads "... 100000 micro-units ($0.10) per click".
 */
export function moneyInWords(message: string, currency: string): string {
  return message.replace(
    /\b(\d{1,16}) micro-units\b/g,
    (all, n: string) => `${all} (${formatMoney(Number(n), currency)})`,
  );
}
