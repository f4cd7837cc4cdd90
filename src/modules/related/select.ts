import { isDiscoverable } from '../boards/index.js';
import type { CandidateRow } from './related.repository.js';

/**
 * Two images whose 64-bit dHashes differ in at most this many bits are the same picture (re-encoded,
 * resized, lightly edited). 6 of 64 is tight: distinct pictures of one colour scheme sit 10+ bits apart.
 */
export const DHASH_MAX_DISTANCE = 6;

/** Bits that differ between two dHashes given as signed 64-bit decimal text (images.dhash). */
export function dhashDistance(a: string, b: string): number {
  let x = BigInt.asUintN(64, BigInt(a) ^ BigInt(b));
  let n = 0;
  while (x !== 0n) {
    x &= x - 1n;
    n++;
  }
  return n;
}

/** What the ranked candidates are checked against. */
export interface QueryPin {
  canonicalId: string;
  dhash: string | null;
}

/**
 * Candidates in rank order, keeping only those anyone may see (not on secret boards), not of the query's
 * save chain, not an exact or near duplicate (dHash) of the query or of a candidate kept before them, and
 * one per canonical pin.
 */
export function distinct(
  ranked: readonly string[],
  rows: ReadonlyMap<string, CandidateRow>,
  query: QueryPin,
): CandidateRow[] {
  const kept: CandidateRow[] = [];
  const canonicals = new Set([query.canonicalId]);
  const hashes: string[] = query.dhash === null ? [] : [query.dhash];
  for (const id of ranked) {
    const row = rows.get(id);
    if (!row || !isDiscoverable(row.privacy) || canonicals.has(row.canonical_id)) continue;
    const hash = row.dhash;
    if (hash !== null && hashes.some((h) => dhashDistance(h, hash) <= DHASH_MAX_DISTANCE)) continue;
    canonicals.add(row.canonical_id);
    if (hash !== null) hashes.push(hash);
    kept.push(row);
  }
  return kept;
}

/** At most this many pins of one board, and of one creator, on a page of `pageSize`. */
export function diversityCap(pageSize: number): number {
  return Math.max(2, Math.ceil(pageSize / 5));
}

/**
 * Cuts the ranked list into pages holding at most `diversityCap(pageSize)` pins per board and per
 * creator: each page takes the best remaining pins that fit, and pins that did not fit wait for the next
 * page. A pin that fits no page any more (only its board or creator is left) ends the list.
 */
export function paginate(rows: readonly CandidateRow[], pageSize: number): CandidateRow[][] {
  const cap = diversityCap(pageSize);
  const pages: CandidateRow[][] = [];
  let rest = [...rows];
  while (rest.length > 0) {
    const page: CandidateRow[] = [];
    const perBoard = new Map<string, number>();
    const perOwner = new Map<string, number>();
    const later: CandidateRow[] = [];
    for (const row of rest) {
      const b = perBoard.get(row.board_id) ?? 0;
      const o = perOwner.get(row.owner_id) ?? 0;
      if (page.length >= pageSize || b >= cap || o >= cap) {
        later.push(row);
        continue;
      }
      perBoard.set(row.board_id, b + 1);
      perOwner.set(row.owner_id, o + 1);
      page.push(row);
    }
    if (page.length === 0) break;
    pages.push(page);
    rest = later;
    // A page the rest could not fill: what is left breaks a cap on every page to come.
    if (page.length < pageSize) break;
  }
  return pages;
}
