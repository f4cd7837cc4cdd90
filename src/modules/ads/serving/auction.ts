/**
 * The generalised second-price auction on eCPM. Each candidate is an ad that passed eligibility, with
 * its effective bid (micro-currency per click for CLICKTHROUGH billing, per thousand impressions for
 * IMPRESSION billing, as Pinterest defines bids), its predicted click-through rate and its relevance to
 * the surface. Pure: the same input gives the same winners and prices on every node.
 *
 * - eCPM (micro per thousand impressions): bid × pCTR × 1000 for per-click bids, the bid for CPM bids.
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
 */

export type BillableEvent = 'CLICKTHROUGH' | 'IMPRESSION';

export interface Candidate {
  readonly adId: string;
  readonly adGroupId: string;
  /** Who pays: at most `perAdvertiser` ads of one advertiser win in one auction. */
  readonly advertiserId: string;
  readonly pinId: string;
  readonly billableEvent: BillableEvent;
  /** Effective bid, micro-currency per billable event (per thousand impressions for IMPRESSION). */
  readonly bidMicro: number;
  /** The ad group's bid floor, in the same unit. */
  readonly floorMicro: number;
  /** Predicted click-through rate on this placement, in (0, 1]. */
  readonly pctr: number;
  /** Relevance of the ad to the surface (the organic quality guard), in [0, 1]. */
  readonly relevance: number;
}

export interface AuctionInput {
  readonly candidates: readonly Candidate[];
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

export interface Scored {
  readonly candidate: Candidate;
  readonly ecpm: number;
  readonly tieKey: number;
  /** Why it could not win, if it could not. */
  readonly refused?: 'relevance' | 'floor' | 'reserve' | 'bid';
}

export interface Winner {
  readonly candidate: Candidate;
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

/** eCPM of a bid: micro per thousand impressions. */
export function ecpmOf(c: Pick<Candidate, 'billableEvent' | 'bidMicro' | 'pctr'>): number {
  return c.billableEvent === 'IMPRESSION' ? c.bidMicro : c.bidMicro * perUnitOf(c);
}

/** eCPM of one micro of bid: how a bid converts (computed one way everywhere, so prices compare exactly). */
function perUnitOf(c: Pick<Candidate, 'billableEvent' | 'pctr'>): number {
  return c.billableEvent === 'IMPRESSION' ? 1 : c.pctr * 1000;
}

/** 32-bit FNV-1a of text: the tie-break key. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Whether `a` ranks above `b`: higher eCPM, then the lower tie key, then the lower ad id. */
function ranksAbove(a: Scored, b: Scored): boolean {
  if (a.ecpm !== b.ecpm) return a.ecpm > b.ecpm;
  if (a.tieKey !== b.tieKey) return a.tieKey < b.tieKey;
  return a.candidate.adId < b.candidate.adId;
}

/**
 * The least whole micro-amount, in `c`'s billable unit, whose eCPM reaches `ecpm` (strictly exceeds it
 * when `strict`).
 */
export function toBillable(c: Candidate, ecpm: number, strict: boolean): number {
  const perUnit = perUnitOf(c);
  let price = Math.max(0, Math.ceil(ecpm / perUnit));
  // Floating point can land a hair either side: settle on the exact least amount.
  while (price > 0 && (strict ? (price - 1) * perUnit > ecpm : (price - 1) * perUnit >= ecpm)) price -= 1;
  while (strict ? price * perUnit <= ecpm : price * perUnit < ecpm) price += 1;
  return price;
}

/** Runs the auction: winners of up to `slots` slots, in slot order, with their prices. */
export function runAuction(input: AuctionInput): AuctionResult {
  const perAdvertiser = input.perAdvertiser ?? 1;
  const scored: Scored[] = input.candidates.map((candidate) => {
    const ecpm = ecpmOf(candidate);
    const tieKey = fnv1a(`${input.seed}:${candidate.adId}`);
    let refused: Scored['refused'];
    if (!(candidate.bidMicro > 0) || !Number.isFinite(ecpm)) refused = 'bid';
    else if (candidate.relevance < input.minRelevance) refused = 'relevance';
    else if (candidate.bidMicro < candidate.floorMicro) refused = 'floor';
    else if (ecpm < input.reserveEcpmMicro) refused = 'reserve';
    return refused ? { candidate, ecpm, tieKey, refused } : { candidate, ecpm, tieKey };
  });
  const eligible = scored.filter((s) => !s.refused).sort((a, b) => (ranksAbove(a, b) ? -1 : 1));
  const refused = scored.filter((s) => s.refused).sort((a, b) => (ranksAbove(a, b) ? -1 : 1));

  const winners: Winner[] = [];
  const wins = new Map<string, number>();
  for (let i = 0; i < eligible.length && winners.length < input.slots; i++) {
    const s = eligible[i]!;
    const taken = wins.get(s.candidate.advertiserId) ?? 0;
    if (taken >= perAdvertiser) continue;
    wins.set(s.candidate.advertiserId, taken + 1);
    // The ad that would rank here without this one sets the price: the next eligible ad of another
    // advertiser that may still win (an advertiser never sets its own price).
    const next = eligible
      .slice(i + 1)
      .find(
        (o) =>
          o.candidate.advertiserId !== s.candidate.advertiserId &&
          (wins.get(o.candidate.advertiserId) ?? 0) < perAdvertiser,
      );
    const reserve = toBillable(s.candidate, input.reserveEcpmMicro, false);
    const keep = next ? toBillable(s.candidate, next.ecpm, !ranksAbove(s, { ...next, ecpm: s.ecpm })) : 0;
    const price = Math.min(s.candidate.bidMicro, Math.max(keep, reserve, s.candidate.floorMicro));
    winners.push({ candidate: s.candidate, slot: winners.length, ecpm: s.ecpm, priceMicro: price });
  }
  return { winners, scored: [...eligible, ...refused] };
}
