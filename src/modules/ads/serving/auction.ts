/**
 * The generalised second-price auction on eCPM. Each candidate is an ad that passed eligibility, with
 * its effective bid (micro-currency per click for CLICKTHROUGH billing, per thousand impressions for
 * IMPRESSION billing, as Pinterest defines bids), its predicted click-through rate and its relevance to
 * the surface. Pure: the same input gives the same winners and prices on every node.
 *
 * - eCPM (micro per thousand impressions): bid × pCTR × 1000 for per-click bids, the bid for CPM bids,
 *   times the candidate's exchange rate: eCPMs, the reserve and the ranking are in the auction's currency,
 *   bids, floors and prices in the ad's own (a price is the eCPM it must reach converted back).
 * - Shown only if relevance ≥ the quality threshold, bid ≥ its ad group's floor, eCPM ≥ the reserve.
 * - Ranked by eCPM, ties by a key hashed from the auction's seed and the ad id (deterministic, and not
 *   always the same ad winning every tie).
 * - The winner of each slot pays the least that keeps its rank over the next-ranked eligible ad of
 *   another advertiser that may still win: that ad's eCPM converted back to the winner's billable event, rounded up to the micro, plus one micro
 *   when the tie-break would go to the other ad (so a tie won is kept at equal eCPM). With no ad below,
 *   it pays the reserve. Never above its bid, never below the reserve (converted) or its floor.
 *
 * As the price depends only on who ranks below, raising one's bid never lowers one's rank and never
 * raises the price for the same slot (tested as properties).
 *
 * This file holds the auction's terms and arithmetic; candidate-columns.ts runs it (CandidateColumns,
 * runAuction).
 */

export type BillableEvent = 'CLICKTHROUGH' | 'IMPRESSION';

/** Who a candidate is and how it bills: what the auction keeps of it besides its numbers. */
export interface CandidateAd {
  readonly adId: string;
  readonly adGroupId: string;
  /** Who pays: at most `perAdvertiser` ads of one advertiser win in one auction. */
  readonly advertiserId: string;
  readonly pinId: string;
  readonly billableEvent: BillableEvent;
}

export interface Candidate extends CandidateAd {
  /** Effective bid, micro-currency per billable event (per thousand impressions for IMPRESSION). */
  readonly bidMicro: number;
  /** The ad group's bid floor, in the same unit. */
  readonly floorMicro: number;
  /** Predicted click-through rate on this placement, in (0, 1]. */
  readonly pctr: number;
  /** Relevance of the ad to the surface (the organic quality guard), in [0, 1]. */
  readonly relevance: number;
  /**
   * What one unit of the ad's currency is worth in the auction's currency (1, the default, when they are
   * the same): bids in different currencies compete on their worth, not their numbers.
   */
  readonly rate?: number;
}

/** What an auction is run with, besides its candidates. */
export interface AuctionRules {
  /** Slots to fill. */
  readonly slots: number;
  /** The placement's reserve, micro per thousand impressions. */
  readonly reserveEcpmMicro: number;
  /** Least relevance shown. */
  readonly minRelevance: number;
  /** Ads one advertiser may win in one auction (default 1). */
  readonly perAdvertiser?: number;
  /** Seeds the tie-break (the request id, say). */
  readonly seed: string;
}

export interface AuctionInput extends AuctionRules {
  readonly candidates: readonly Candidate[];
}

export interface Scored {
  readonly candidate: Candidate;
  readonly ecpm: number;
  readonly tieKey: number;
  /** Why it could not win, if it could not. */
  readonly refused?: 'relevance' | 'floor' | 'reserve' | 'bid';
}

export interface Winner {
  readonly candidate: Candidate;
  /** Its position among the auction's candidates (in the order they were added). */
  readonly index: number;
  readonly slot: number;
  readonly ecpm: number;
  /** What one billable event of this ad costs, micro-currency (per thousand impressions for CPM). */
  readonly priceMicro: number;
}

export interface AuctionResult {
  readonly winners: Winner[];
  /** Every candidate with its score, ranked, the refused ones last: the auction log. */
  readonly scored: Scored[];
}

/** eCPM of a bid: micro of the auction's currency per thousand impressions. */
export function ecpmOf(c: Pick<Candidate, 'billableEvent' | 'bidMicro' | 'pctr' | 'rate'>): number {
  return c.billableEvent === 'IMPRESSION' && (c.rate ?? 1) === 1 ? c.bidMicro : c.bidMicro * perUnitOf(c);
}

/** eCPM of one micro of bid: how a bid converts (computed one way everywhere, so prices compare exactly). */
export function perUnitOf(c: Pick<Candidate, 'billableEvent' | 'pctr' | 'rate'>): number {
  return perUnitFor(c.billableEvent, c.pctr, c.rate ?? 1);
}

/**
 * {@link perUnitOf} from its fields. A CPM bid in the auction's currency converts at 1, so the auction's
 * eCPM, bid × this, is {@link ecpmOf} exactly.
 */
export function perUnitFor(billableEvent: BillableEvent, pctr: number, rate: number): number {
  const perUnit = billableEvent === 'IMPRESSION' ? 1 : pctr * 1000;
  return rate === 1 ? perUnit : perUnit * rate;
}

/**
 * 32-bit FNV-1a of text: the tie-break key. `from` continues a hash: fnv1a(b, fnv1a(a)) is fnv1a(a + b).
 */
export function fnv1a(text: string, from = 0x811c9dc5): number {
  let h = from;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The least whole micro-amount, in `c`'s billable unit, whose eCPM reaches `ecpm` (strictly exceeds it
 * when `strict`).
 */
export function toBillable(c: Candidate, ecpm: number, strict: boolean): number {
  return billableAt(perUnitOf(c), ecpm, strict);
}

/** {@link toBillable} for a bid converting at `perUnit` eCPM per micro. */
export function billableAt(perUnit: number, ecpm: number, strict: boolean): number {
  let price = Math.max(0, Math.ceil(ecpm / perUnit));
  // Floating point can land a hair either side: settle on the exact least amount.
  while (price > 0 && (strict ? (price - 1) * perUnit > ecpm : (price - 1) * perUnit >= ecpm)) price -= 1;
  while (strict ? price * perUnit <= ecpm : price * perUnit < ecpm) price += 1;
  return price;
}
