import {
  isNearDuplicate,
  NEAR_DUPLICATE_BITS,
  type PictureSignature,
  popcount64,
} from '../../platform/images/perceptual-hash.js';
import { isDiscoverable } from '../boards/index.js';
import type { CandidateRow } from './related.repository.js';

/**
 * Two images whose 64-bit dHashes differ in at most this many bits are the same picture (re-encoded,
 * resized, lightly edited), unless a hash is low-information (see isNearDuplicate: then the dominant
 * colours must match too). 6 of 64 is tight: distinct pictures of one colour scheme sit 10+ bits apart.
 */
export const DHASH_MAX_DISTANCE = NEAR_DUPLICATE_BITS;

/** Bits that differ between two dHashes given as signed 64-bit decimal text (images.dhash). */
export function dhashDistance(a: string, b: string): number {
  return popcount64(BigInt(a) ^ BigInt(b));
}

/** What the ranked candidates are checked against. */
export interface QueryPin {
  canonicalId: string;
  dhash: string | null;
  /** The query image's dominant colour (#RRGGBB), for low-information hashes. */
  color: string | null;
}

/** A stored dHash (signed 64-bit decimal text) and dominant colour, or null while the image is processed. */
function signature(dhash: string | null, color: string | null): PictureSignature | null {
  return dhash === null ? null : { bits: BigInt(dhash), color };
}

/**
 * Candidates in rank order, keeping only those anyone may see (not on secret boards), not of the query's
 * save chain, not an exact or near duplicate (isNearDuplicate: dHash, and dominant colour for flat
 * pictures) of the query or of a candidate kept before them, and one per canonical pin.
 */
export function distinct(
  ranked: readonly string[],
  rows: ReadonlyMap<string, CandidateRow>,
  query: QueryPin,
): CandidateRow[] {
  const kept: CandidateRow[] = [];
  const canonicals = new Set([query.canonicalId]);
  const first = signature(query.dhash, query.color);
  const seen: PictureSignature[] = first === null ? [] : [first];
  for (const id of ranked) {
    const row = rows.get(id);
    if (!row || !isDiscoverable(row.privacy) || canonicals.has(row.canonical_id)) continue;
    const picture = signature(row.dhash, row.dominant_color);
    if (picture !== null && seen.some((s) => isNearDuplicate(s, picture))) continue;
    canonicals.add(row.canonical_id);
    if (picture !== null) seen.push(picture);
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
