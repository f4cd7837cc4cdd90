import { Invalid } from '../../../platform/errors.js';

/** The most records one create or update takes (a 1 MiB body holds about 15,000). */
export const MAX_RECORDS = 10_000;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The distinct SHA-256 hashes of a `records` string (comma-separated, blanks and a trailing comma
 * ignored), lower-cased, and how many records it held. Anything that is not 64 hex digits is refused
 * by position without echoing it: it may be a plain e-mail, which must not travel into logs or replies.
 */
export function parseRecords(records: string): { hashes: string[]; count: number } {
  const items = records
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  if (items.length === 0) throw new Invalid('records: no records given.');
  if (items.length > MAX_RECORDS)
    throw new Invalid(`records: at most ${MAX_RECORDS} records a call (got ${items.length}).`);
  const hashes = new Set<string>();
  for (const [i, item] of items.entries()) {
    const hash = item.toLowerCase();
    if (!SHA256.test(hash)) {
      throw new Invalid(
        `records[${i}] is not a SHA-256 hash (64 hex digits). Send the SHA-256 of each record; plain e-mails, MD5 and SHA-1 are refused.`,
      );
    }
    hashes.add(hash);
  }
  return { hashes: [...hashes], count: items.length };
}
