import { Invalid } from '../../platform/errors.js';
import { MAX_MICRO, minDailyBudgetMicro } from './money.js';

/** Unix seconds -> Date; null stays null, undefined (not given) stays undefined. */
export function timeOf(seconds: number | null | undefined): Date | null | undefined {
  if (seconds === undefined || seconds === null) return seconds;
  return new Date(seconds * 1000);
}

/** A schedule's checks: the end after the start and not already past (when either changes). */
export function checkSchedule(
  start: Date | null | undefined,
  end: Date | null | undefined,
  nowMs: number,
  endChanged: boolean,
): void {
  if (start && end && end.getTime() <= start.getTime())
    throw new Invalid('end_time must be after start_time.');
  if (endChanged && end && end.getTime() <= nowMs) throw new Invalid('end_time is in the past.');
}

/** An amount of money in micro-units: a whole number within bounds, at least `least` when given. */
export function checkMicro(name: string, value: number | null | undefined, least: number): void {
  if (value === undefined || value === null) return;
  if (!Number.isSafeInteger(value)) throw new Invalid(`${name} must be a whole number of micro-units.`);
  if (value > MAX_MICRO) throw new Invalid(`${name} is over the largest amount accepted (${MAX_MICRO}).`);
  if (value < least)
    throw new Invalid(`${name} must be at least ${least} micro-units in this account's currency.`);
}

/** A budget or spend cap: at least the currency's least daily budget. */
export function checkBudget(name: string, value: number | null | undefined, currency: string): void {
  checkMicro(name, value, minDailyBudgetMicro(currency));
}

/** Statuses an entity may be created with or moved to; ARCHIVED is final. */
export function checkStatus(from: string | undefined, to: string | undefined): void {
  if (to === undefined || to === from) return;
  if (to === 'DELETED_DRAFT' && from !== undefined && from !== 'DRAFT')
    throw new Invalid('status DELETED_DRAFT applies to drafts only.');
  if (from === 'ARCHIVED') throw new Invalid('An archived entity cannot change status.');
  if (from !== undefined && from !== 'DRAFT' && to === 'DRAFT')
    throw new Invalid('A live entity cannot go back to DRAFT.');
}

/** Where an entity stands now, from its status and schedule (the spec's summary_status). */
export function summaryStatus(
  status: string,
  start: Date | null,
  end: Date | null,
  nowMs: number,
): 'RUNNING' | 'PAUSED' | 'NOT_STARTED' | 'COMPLETED' | 'ARCHIVED' | 'DRAFT' | 'DELETED_DRAFT' {
  if (status === 'ARCHIVED' || status === 'DRAFT' || status === 'DELETED_DRAFT') return status;
  if (end && new Date(end).getTime() <= nowMs) return 'COMPLETED';
  if (status === 'PAUSED') return 'PAUSED';
  if (start && new Date(start).getTime() > nowMs) return 'NOT_STARTED';
  return 'RUNNING';
}

/** Unix seconds of a stored time, or null. */
export const secondsOf = (d: Date | null): number | null =>
  d ? Math.floor(new Date(d).getTime() / 1000) : null;

/** An int8 column's decimal text as a number (money and counts stay well inside safe integers). */
export const num = (v: string | null): number | null => (v === null ? null : Number(v));

/** Tracking URLs as stored: at most three absolute http(s) URLs per kind, empty kinds dropped. */
export function checkTrackingUrls(urls: Record<string, string[] | undefined> | null | undefined) {
  if (urls === undefined || urls === null) return urls;
  const out: Record<string, string[]> = {};
  for (const [kind, list] of Object.entries(urls)) {
    if (!list || list.length === 0) continue;
    if (list.length > 3) throw new Invalid(`tracking_urls.${kind} holds at most 3 URLs.`);
    for (const url of list) {
      if (!isHttpUrl(url)) throw new Invalid(`tracking_urls.${kind}: "${url}" is not an http(s) URL.`);
    }
    out[kind] = list;
  }
  return out;
}

/** The scheme of an absolute URL (e.g. "https:"), or undefined when the text is not one. */
export function urlScheme(text: string): string | undefined {
  try {
    return new URL(text).protocol;
  } catch {
    return undefined;
  }
}

/** Whether text is an absolute http(s) URL. */
export const isHttpUrl = (text: string) => {
  const scheme = urlScheme(text);
  return scheme === 'http:' || scheme === 'https:';
};

/** A JSON column's text, or null for a value not given or cleared. */
export const jsonOrNull = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** An item naming another ad account than the path's is refused (never moved). */
export function sameAccount(itemAccount: string | undefined, accountId: string): void {
  if (itemAccount !== undefined && itemAccount !== accountId)
    throw new Invalid(`ad_account_id ${itemAccount} is not the ad account of the path (${accountId}).`);
}
