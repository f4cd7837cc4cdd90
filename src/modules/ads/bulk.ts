import { DomainError } from '../../platform/errors.js';
import { isIdText } from '../../platform/ids.js';

/** One item's outcome in a bulk create or update, as the spec shapes it. */
export interface BulkItem<T> {
  data?: T;
  exceptions: { code: number; message: string }[];
}

/**
 * Runs `one` for each item of a bulk call, in order; an item whose run throws a domain error reports it
 * in its `exceptions` and the others go on (each item is its own transaction, so good items commit and
 * a bad one leaves nothing behind). Anything else is a fault and fails the call.
 */
export async function eachItem<I, T>(
  items: readonly I[],
  one: (item: I, index: number) => Promise<T>,
): Promise<{ items: BulkItem<T>[] }> {
  const out: BulkItem<T>[] = [];
  for (const [index, item] of items.entries()) {
    try {
      out.push({ data: await one(item, index), exceptions: [] });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      out.push({ exceptions: [{ code: err.code, message: `items[${index}]: ${err.message}` }] });
    }
  }
  return { items: out };
}

/**
 * Ids from a query list that may be repeated or comma-separated (`campaign_ids=1,2&campaign_ids=3`);
 * an id no object can have (past 2^63) is dropped, as it names nothing.
 */
export function idList(raw: readonly string[] | undefined): string[] | undefined {
  if (!raw) return undefined;
  return [...new Set(raw.flatMap((v) => v.split(',')).map((v) => v.trim()))].filter((v) => isIdText(v));
}

/** A bulk result in the shape of the ads operations: a failed item carries its one exception as an object. */
export function withOneException<T>(result: { items: BulkItem<T>[] }) {
  return {
    items: result.items.map((item) =>
      item.data !== undefined ? { data: item.data } : { exceptions: item.exceptions[0]! },
    ),
  };
}
