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

/** Refusal codes in the scoring pass (0: eligible). */
const REFUSALS: (Scored['refused'] | undefined)[] = [undefined, 'bid', 'relevance', 'floor', 'reserve'];

/**
 * Runs the auction: winners of up to `slots` slots, in slot order, with their prices; with `log`, also
 * every candidate scored and ranked (the auction log; sampled by the caller, as ranking all is the dear
 * part). Only the top of the ranking is ordered: the eligible candidates are scored in one pass into
 * typed arrays, and the best few kept by insertion, more only when the winners' prices need them.
 */
export function runAuction(input: AuctionInput, options: { log?: boolean } = {}): AuctionResult {
  const cs = input.candidates;
  const n = cs.length;
  const perAdvertiser = input.perAdvertiser ?? 1;
  const ecpm = new Float64Array(n);
  const refusal = new Uint8Array(n);
  const reserveEcpm = input.reserveEcpmMicro;
  const minRelevance = input.minRelevance;
  let eligibleCount = 0;
  for (let i = 0; i < n; i++) {
    const c = cs[i]!;
    const bid = c.bidMicro;
    const e = ecpmOf(c);
    ecpm[i] = e;
    if (!(bid > 0) || !Number.isFinite(e)) refusal[i] = 1;
    else if (c.relevance < minRelevance) refusal[i] = 2;
    else if (bid < c.floorMicro) refusal[i] = 3;
    else if (e < reserveEcpm) refusal[i] = 4;
    else eligibleCount++;
  }
  // Tie keys are hashed only when two eCPMs are equal.
  const keys = new Map<number, number>();
  const tieKey = (i: number) => {
    let k = keys.get(i);
    if (k === undefined) {
      k = fnv1a(`${input.seed}:${cs[i]!.adId}`);
      keys.set(i, k);
    }
    return k;
  };
  /** Whether `a` would win a tie against `b`: the lower tie key, then the lower ad id. */
  const winsTie = (a: number, b: number) => {
    const ka = tieKey(a);
    const kb = tieKey(b);
    return ka !== kb ? ka < kb : cs[a]!.adId < cs[b]!.adId;
  };
  const above = (a: number, b: number) => (ecpm[a] !== ecpm[b] ? ecpm[a]! > ecpm[b]! : winsTie(a, b));
  /** The best `m` eligible candidates, ranked. */
  const top = (m: number): number[] => {
    const out: number[] = [];
    if (m <= 0) return out;
    for (let i = 0; i < n; i++) {
      if (refusal[i] !== 0) continue;
      if (out.length === m) {
        const last = out[m - 1]!;
        if (ecpm[i]! < ecpm[last]! || (ecpm[i] === ecpm[last] && !winsTie(i, last))) continue;
      }
      let j = out.length < m ? out.length : m - 1;
      if (out.length < m) out.push(i);
      while (j > 0 && above(i, out[j - 1]!)) {
        out[j] = out[j - 1]!;
        j--;
      }
      out[j] = i;
    }
    return out;
  };

  let winners: Winner[] | undefined;
  for (
    let m = Math.min(eligibleCount, 4 * input.slots + 8);
    winners === undefined;
    m = Math.min(eligibleCount, m * 4)
  ) {
    winners = resolve(top(m), m >= eligibleCount);
  }

  /** Winners and prices from the ranked head; undefined when a price needs a candidate past it. */
  function resolve(ranked: number[], complete: boolean): Winner[] | undefined {
    const out: Winner[] = [];
    const wins = new Map<string, number>();
    for (let r = 0; r < ranked.length && out.length < input.slots; r++) {
      const i = ranked[r]!;
      const c = cs[i]!;
      const taken = wins.get(c.advertiserId) ?? 0;
      if (taken >= perAdvertiser) continue;
      wins.set(c.advertiserId, taken + 1);
      // The ad that would rank here without this one sets the price: the next eligible ad of another
      // advertiser that may still win (an advertiser never sets its own price).
      let next = -1;
      for (let q = r + 1; q < ranked.length; q++) {
        const o = cs[ranked[q]!]!;
        if (o.advertiserId !== c.advertiserId && (wins.get(o.advertiserId) ?? 0) < perAdvertiser) {
          next = ranked[q]!;
          break;
        }
      }
      if (next < 0 && !complete) return undefined;
      const reserve = toBillable(c, input.reserveEcpmMicro, false);
      // Keeping the rank at the next ad's eCPM is enough if this ad wins the tie there; else one micro more.
      const keep = next >= 0 ? toBillable(c, ecpm[next]!, !winsTie(i, next)) : 0;
      const price = Math.min(c.bidMicro, Math.max(keep, reserve, c.floorMicro));
      out.push({ candidate: c, slot: out.length, ecpm: ecpm[i]!, priceMicro: price });
    }
    if (out.length < input.slots && !complete) return undefined;
    return out;
  }

  if (!options.log) return { winners, scored: [] };
  const scored: Scored[] = cs.map((candidate, i) => {
    const reason = REFUSALS[refusal[i]!];
    return reason
      ? { candidate, ecpm: ecpm[i]!, tieKey: tieKey(i), refused: reason }
      : { candidate, ecpm: ecpm[i]!, tieKey: tieKey(i) };
  });
  const order = scored.map((_, i) => i).sort((a, b) => (above(a, b) ? -1 : 1));
  const eligible = order.filter((i) => refusal[i] === 0).map((i) => scored[i]!);
  const refused = order.filter((i) => refusal[i] !== 0).map((i) => scored[i]!);
  return { winners, scored: [...eligible, ...refused] };
}
