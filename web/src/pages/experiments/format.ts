import type { Experiment } from '../../api/experiments.js';

// How the experiments pages write numbers, dates and states.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const decimal = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 4 });
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const share = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const lift = new Intl.NumberFormat(undefined, {
  style: 'percent',
  maximumFractionDigits: 1,
  signDisplay: 'exceptZero',
});
const signed = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 3, signDisplay: 'exceptZero' });

export const formatDateTime = (iso: string | null): string => (iso ? dateTime.format(new Date(iso)) : '—');
export const formatNumber = (x: number | null): string => (x === null ? '—' : decimal.format(x));
export const formatInteger = (x: number): string => integer.format(x);
export const formatShare = (x: number | null): string => (x === null ? '—' : share.format(x));
export const formatLift = (x: number | null): string => (x === null ? '—' : lift.format(x));
export const formatSigned = (x: number | null): string => (x === null ? '—' : signed.format(x));

/** A p-value: two significant digits, and "< 0.0001" below that. */
export function formatP(p: number | null): string {
  if (p === null) return '—';
  if (p < 0.0001) return '< 0.0001';
  return new Intl.NumberFormat(undefined, { maximumSignificantDigits: 2 }).format(p);
}

/** Each variant's share of the experiment's units, from the weights. */
export function weightShares(e: Pick<Experiment, 'variants'>): number[] {
  const total = e.variants.reduce((s, v) => s + v.weight, 0);
  return e.variants.map((v) => (total > 0 ? v.weight / total : 0));
}
