import { describe, expect, it } from 'vitest';
import {
  currencyDecimals,
  formatMoney,
  MAX_MICRO,
  microsToInput,
  moneyInWords,
  parseMoney,
} from '../src/pages/ads/money.js';

const micros = (text: string, currency: string, decimals?: number) => {
  const r = parseMoney(text, currency, decimals);
  return r.ok ? r.micros : r.error;
};

describe('parseMoney: typed units to micro-units, exactly', () => {
  it('parses the decimal text without float rounding', () => {
    expect(micros('1.10', 'EUR')).toBe(1_100_000);
    expect(micros('25.00', 'USD')).toBe(25_000_000);
    expect(micros('1.5', 'USD')).toBe(1_500_000);
    expect(micros('0.29', 'USD')).toBe(290_000); // 0.29 * 1e6 is 289999.99999999994 as a float
    expect(micros('4.35', 'USD')).toBe(4_350_000); // 4.35 * 1e6 is 4349999.999999999
    expect(micros('.5', 'GBP')).toBe(500_000);
    expect(micros('7.', 'GBP')).toBe(7_000_000);
    expect(micros(' 12 ', 'USD')).toBe(12_000_000);
    expect(micros('1,234.56', 'USD')).toBe(1_234_560_000);
    expect(micros('0', 'USD')).toBe(0);
    expect(micros('007.25', 'USD')).toBe(7_250_000);
  });

  it('takes down to a micro-unit when asked for micro precision', () => {
    expect(micros('0.000001', 'USD', 6)).toBe(1);
    expect(micros('123456.654321', 'EUR', 6)).toBe(123_456_654_321);
    expect(micros('0.0000001', 'USD', 6)).toMatch(/At most 6 decimals/);
  });

  it('allows only the decimals the currency has', () => {
    expect(currencyDecimals('JPY')).toBe(0);
    expect(currencyDecimals('EUR')).toBe(2);
    expect(micros('1500', 'JPY')).toBe(1_500_000_000);
    expect(micros('1500.5', 'JPY')).toMatch(/whole numbers/);
    expect(micros('1.234', 'EUR')).toMatch(/At most 2 decimals in EUR/);
    expect(micros('0.000001', 'USD')).toMatch(/At most 2 decimals/);
  });

  it('refuses negative amounts, garbage, and more than the API takes', () => {
    expect(micros('-1', 'USD')).toMatch(/negative/);
    expect(micros('−1', 'USD')).toMatch(/negative/);
    expect(micros('', 'USD')).toMatch(/Enter an amount/);
    expect(micros('   ', 'USD')).toMatch(/Enter an amount/);
    for (const bad of [
      'abc',
      '1.2.3',
      '1e5',
      '0x10',
      '1,23',
      '12,34.5',
      '$5',
      '5 USD',
      '.',
      'NaN',
      'Infinity',
    ]) {
      expect(micros(bad, 'USD'), bad).toMatch(/is not an amount/);
    }
    expect(micros('1000000000', 'USD')).toBe(MAX_MICRO);
    expect(micros('1000000000.01', 'USD')).toMatch(/more than the largest/);
    expect(micros('99999999999999999999', 'USD')).toMatch(/more than the largest/);
  });
});

describe('showing money', () => {
  it('writes micros back as the decimal text a field holds', () => {
    expect(microsToInput(1_500_000)).toBe('1.5');
    expect(microsToInput(25_000_000)).toBe('25');
    expect(microsToInput(1)).toBe('0.000001');
    expect(microsToInput(null)).toBe('');
    for (const text of ['1.10', '0.29', '4.35', '123.45']) {
      const r = parseMoney(text, 'USD');
      expect(r.ok && parseMoney(microsToInput(r.micros), 'USD')).toEqual(r);
    }
  });

  it("formats in the account's currency with Intl.NumberFormat", () => {
    expect(formatMoney(1_100_000, 'EUR')).toBe(
      new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(1.1),
    );
    expect(formatMoney(1_500_000_000, 'JPY')).toMatch(/1,500/);
    expect(formatMoney(1_500_000_000, 'JPY')).not.toMatch(/\./);
    // Finer than the currency's cents: shown, not rounded away.
    expect(formatMoney(1, 'USD')).toMatch(/0\.000001/);
  });
});

describe('moneyInWords', () => {
  it("says the API's micro-unit amounts in the currency too", () => {
    const usd = formatMoney(100_000, 'USD');
    expect(
      moneyInWords(
        'bid_in_micro_currency must be at least the bid floor, 100000 micro-units per click.',
        'USD',
      ),
    ).toBe(`bid_in_micro_currency must be at least the bid floor, 100000 micro-units (${usd}) per click.`);
    expect(moneyInWords('Nothing to say.', 'USD')).toBe('Nothing to say.');
  });
});
