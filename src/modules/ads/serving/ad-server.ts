import type { Logger } from '../../../platform/logger.js';
import type { ReserveRequest, ReserveResult, SpendStore } from '../../../platform/spend/spend-store.js';
import type { AdCatalog, CatalogSnapshot, ServableAd } from './ad-catalog.js';
import { fnv1a, type Scored } from './auction.js';
import { type BlockSettings, BudgetBlocks, DEFAULT_BLOCKS } from './budget-blocks.js';
import { budgetCaps, holdAmount } from './budget-keys.js';
import { CandidateColumns } from './candidate-columns.js';
import type { CtrBook } from './ctr-book.js';
import {
  momentIneligibility,
  type Placement,
  type ServingContext,
  standingIneligibility,
  type ViewerProfile,
} from './eligibility.js';

/** One request for ads: who, where, how many slots, and what the page shows already. */
export interface AdRequest extends ServingContext {
  readonly viewer: ViewerProfile;
  readonly slots: number;
  /** Pins the page shows organically: an ad never duplicates one. */
  readonly organicPinIds: ReadonlySet<string>;
  /** Seeds the auction's tie-break. */
  readonly requestId: string;
  /** The reserve for this request (an experiment's), else the settings' for its placement. */
  readonly reserveEcpmMicro?: number;
}

/** A slot won in the auction, before its budget is held: the ad, its score and price, its predicted CTR. */
export interface WonSlot {
  readonly ad: ServableAd;
  readonly ecpm: number;
  readonly priceMicro: number;
  readonly pctr: number;
}

/**
 * A won slot: the ad, its price per billable event, and the budget reserved for it; with its pin and
 * advertiser as a page item (where insertion lays it).
 */
export interface ServedAd {
  readonly ad: ServableAd;
  readonly pinId: string;
  /** The advertiser (insertion keeps an ad from their own organic pins). */
  readonly ownerId: string;
  readonly slot: number;
  readonly ecpm: number;
  readonly priceMicro: number;
  /** Its budget block's reservation, and the part of it this ad holds (holdAmount). */
  readonly reservationId: string;
  readonly holdMicro: number;
}

/** Settings of the auction per placement. */
export interface AuctionSettings {
  readonly reserveEcpmMicro: Readonly<Record<Placement, number>>;
  readonly minRelevance: number;
  /** How long a served ad's budget is held for its billable event (the impression token's life). */
  readonly reservationTtlMs: number;
  /**
   * How long a per-click winner's budget is held (default reservationTtlMs). Short: only about one
   * impression in a hundred is clicked, and every hold counts against the budget until it expires, so a
   * long hold would keep a per-click group from spending its budget; a click after it is billed if the
   * budget still has room (a late settle).
   */
  readonly clickReservationTtlMs?: number;
  /** Share of auctions whose every candidate is logged (ranking them all is the dear part), 0 to 1. */
  readonly logRate?: number;
}

export interface AdServerDeps {
  readonly catalog: Pick<AdCatalog, 'snapshot'>;
  readonly ctr: () => CtrBook;
  readonly spend: SpendStore;
  readonly settings: AuctionSettings;
  /** The ad's relevance to the request, in [0, 1] (the quality guard's measure). */
  readonly relevance: (ad: ServableAd, request: AdRequest) => number;
  /**
   * The bid the ad group enters this auction with, micro per billable event (its strategy's effective
   * bid), or null when it stays out (no bid, or pacing holds it back from this request).
   */
  readonly effectiveBid: (ad: ServableAd, request: AdRequest) => number | null;
  /** The ad group's bid floor, micro per billable event. */
  readonly floor: (ad: ServableAd) => number;
  /** How many times the request's viewer saw the ad group's ads in its frequency window. */
  readonly shown?: (request: AdRequest, adGroupId: string) => number;
  /**
   * What one unit of the ad's currency is worth in the auction's currency, or null when it is not known
   * (the ad then stays out: bids are never compared by their numbers across currencies). Default 1.
   */
  readonly rate?: (ad: ServableAd) => number | null;
  /** How budget is held per node in blocks (default DEFAULT_BLOCKS). */
  readonly blocks?: BlockSettings;
  /** Where failures of the budget blocks' background work are told. */
  readonly log?: Logger;
}

/**
 * A viewer's standing candidates on one surface: the catalog's candidates that pass every check that does
 * not depend on the moment (standingIneligibility), with what the auction reads of them that does not
 * either (floor, predicted CTR, relevance, exchange rate). Valid while the catalog snapshot, the click
 * history, the surface (placement, query, interests on screen) and the viewer's profile are the ones it
 * was made from; each request still checks schedules, frequency caps, its own page and pacing.
 */
interface StandingCandidates {
  readonly snapshot: CatalogSnapshot;
  readonly ctr: CtrBook;
  readonly placement: Placement;
  readonly query: string | undefined;
  readonly context: ReadonlySet<string> | undefined;
  readonly ads: ServableAd[];
  readonly floor: number[];
  readonly pctr: number[];
  readonly relevance: number[];
  readonly rate: number[];
}

/** What an auction did, for the auction log. */
export interface AuctionRecord {
  /** Every candidate scored and ranked, when this auction is sampled for the log; else empty. */
  readonly scored: readonly Scored[];
  readonly served: readonly ServedAd[];
  /** Winners dropped because a budget had no room left. */
  readonly outOfBudget: readonly string[];
}

/**
 * The ad server: for a request, the catalog's candidates, the eligible among them, not duplicating the
 * page, scored by predicted click-through and bid, and the auction's winners, each with its budget held
 * out of a block this node reserved in the shared spend store (a winner whose budget has no room is
 * dropped, so no budget is ever passed). Billing settles each hold as a part of its block when the ad's
 * billable event is reported.
 */
export class AdServer {
  /** The auction's candidates, refilled by each request (before its first await, so never shared). */
  private readonly candidates = new CandidateColumns<ServableAd>();
  /** Winners' holds, handed out of blocks of budget this node holds in the spend store. */
  private readonly blocks: BudgetBlocks;
  /**
   * Each viewer's standing candidates on the surface they last asked for, for as long as their profile
   * object lives (the profiles are cached and reused as they are): a reload asks again for the same.
   */
  private readonly standing = new WeakMap<ViewerProfile, StandingCandidates>();

  constructor(private readonly deps: AdServerDeps) {
    this.blocks = new BudgetBlocks(deps.spend, deps.blocks ?? DEFAULT_BLOCKS, deps.log);
  }

  /** Gives back the holds of ads served but not laid into the page. */
  async release(served: readonly ServedAd[], now: number): Promise<void> {
    await Promise.all(served.map((s) => this.blocks.release(s.reservationId, s.holdMicro, now)));
  }

  /** Gives back what this node's budget blocks hold unhanded. */
  close(now: number): Promise<void> {
    return this.blocks.close(now);
  }

  /** The auction and the winners' budget holds: auction() then hold(). */
  async select(request: AdRequest): Promise<{ served: ServedAd[]; record: AuctionRecord }> {
    const { won, scored } = this.auction(request);
    const { served, outOfBudget } = await this.hold(request, won);
    return { served, record: { scored, served, outOfBudget } };
  }

  /**
   * The auction alone, synchronous: the request's eligible candidates scored and ranked, and the winners
   * of its slots with their prices (no budget held yet); with every candidate scored when the request is
   * sampled for the auction log.
   */
  auction(request: AdRequest): { won: WonSlot[]; scored: Scored[] } {
    if (request.slots <= 0) return { won: [], scored: [] };
    const pool = this.standingOf(request);
    const candidates = this.candidates;
    candidates.clear();
    const { ads, floor, pctr, relevance, rate } = pool;
    for (let k = 0; k < ads.length; k++) {
      const ad = ads[k]!;
      if (request.organicPinIds.has(ad.pinId)) continue;
      const shown = ad.group.frequencyCap === null ? 0 : (this.deps.shown?.(request, ad.adGroupId) ?? 0);
      if (momentIneligibility(ad.group, request.nowMs, shown) !== null) continue;
      const bid = this.deps.effectiveBid(ad, request);
      if (bid === null) continue;
      candidates.add(ad, bid, floor[k]!, pctr[k]!, relevance[k]!, rate[k]!);
    }
    // Sampled by the request id, so a request is logged or not whatever node serves it.
    const log = fnv1a(`log:${request.requestId}`) / 2 ** 32 < (this.deps.settings.logRate ?? 0);
    const { winners, scored } = candidates.run(
      {
        slots: request.slots,
        reserveEcpmMicro: request.reserveEcpmMicro ?? this.deps.settings.reserveEcpmMicro[request.placement],
        minRelevance: this.deps.settings.minRelevance,
        seed: request.requestId,
      },
      { log },
    );
    // The winners' ads, taken now: the next request refills the columns.
    const won = winners.map(
      (w): WonSlot => ({
        ad: candidates.ad(w.index),
        ecpm: w.ecpm,
        priceMicro: w.priceMicro,
        pctr: w.candidate.pctr,
      }),
    );
    return { won, scored };
  }

  /**
   * Holds each winner's budget, in slot order, each all or nothing, out of this node's budget blocks (a
   * store call only for the blocks that need opening): the winners served, and those dropped because a
   * budget had no room (or there is no budget to draw on: a campaign optimizing its budget without a cap).
   */
  async hold(request: Pick<AdRequest, 'nowMs'>, won: readonly WonSlot[]): Promise<Held> {
    const wanted = this.holdsWanted(request, won);
    if (wanted.requests.length === 0) return heldOf(wanted, []);
    return heldOf(wanted, await this.blocks.reserveMany(wanted.requests, request.nowMs));
  }

  /**
   * As hold(), synchronously, when every winner's hold fits in an open block of this node (a page's usual
   * case); undefined when one needs a block opened (nothing is held then: call hold()).
   */
  holdNow(request: Pick<AdRequest, 'nowMs'>, won: readonly WonSlot[]): Held | undefined {
    const wanted = this.holdsWanted(request, won);
    if (wanted.requests.length === 0) return heldOf(wanted, []);
    const holds = this.blocks.takeNow(wanted.requests, request.nowMs);
    return holds && heldOf(wanted, holds);
  }

  /** The winners with a budget to draw on, and their hold requests; those without are out of budget. */
  private holdsWanted(request: Pick<AdRequest, 'nowMs'>, won: readonly WonSlot[]): HoldsWanted {
    const wanted: HoldsWanted = { won: [], holds: [], requests: [], outOfBudget: [] };
    const { reservationTtlMs, clickReservationTtlMs } = this.deps.settings;
    for (const w of won) {
      const caps = budgetCaps(w.ad, request.nowMs);
      if (caps.length === 0) {
        wanted.outOfBudget.push(w.ad.adId);
        continue;
      }
      const hold = holdAmount(w.ad.billableEvent, w.priceMicro, w.pctr);
      const perClick = w.ad.billableEvent === 'CLICKTHROUGH';
      wanted.won.push(w);
      wanted.holds.push(hold);
      wanted.requests.push({
        caps,
        amount: hold,
        // A per-click ad is served only while its budget could still pay for the click.
        headroom: perClick ? w.priceMicro - hold : 0,
        ttlMs: perClick ? (clickReservationTtlMs ?? reservationTtlMs) : reservationTtlMs,
        // The request's clock: the hold expires a ttl after the ad was served, on the clock it was served by.
        now: request.nowMs,
      });
    }
    return wanted;
  }

  /** The request's standing candidates: the viewer's last ones when they still hold, else made anew. */
  private standingOf(request: AdRequest): StandingCandidates {
    const snapshot = this.deps.catalog.snapshot();
    const ctr = this.deps.ctr();
    const { viewer, placement, query, contextInterests: context } = request;
    const held = this.standing.get(viewer);
    if (
      held &&
      held.snapshot === snapshot &&
      held.ctr === ctr &&
      held.placement === placement &&
      held.query === query &&
      held.context === context
    )
      return held;
    const interests =
      context && context.size > 0 ? new Set([...viewer.interests, ...context]) : viewer.interests;
    const made: StandingCandidates = {
      snapshot,
      ctr,
      placement,
      query,
      context,
      ads: [],
      floor: [],
      pctr: [],
      relevance: [],
      rate: [],
    };
    for (const ad of snapshot.candidates(placement, interests, query)) {
      if (standingIneligibility(ad.group, viewer, request) !== null) continue;
      const rate = this.deps.rate ? this.deps.rate(ad) : 1;
      if (rate === null) continue;
      made.ads.push(ad);
      made.floor.push(this.deps.floor(ad));
      made.pctr.push(ctr.predict(ad, placement));
      made.relevance.push(this.deps.relevance(ad, request));
      made.rate.push(rate);
    }
    this.standing.set(viewer, made);
    return made;
  }
}

/** What holding a request's winners did: the winners served, and those a budget had no room for. */
export interface Held {
  readonly served: ServedAd[];
  readonly outOfBudget: string[];
}

/** Winners with a budget to draw on, their holds and hold requests (in step), and those without one. */
interface HoldsWanted {
  readonly won: WonSlot[];
  readonly holds: number[];
  readonly requests: ReserveRequest[];
  readonly outOfBudget: string[];
}

/** The winners served, in slot order, by the answers to their hold requests. */
function heldOf(wanted: HoldsWanted, holds: readonly ReserveResult[]): Held {
  const out: ServedAd[] = [];
  const outOfBudget = wanted.outOfBudget;
  for (let i = 0; i < holds.length; i++) {
    const w = wanted.won[i]!;
    const reserved = holds[i]!;
    if (!reserved.ok) {
      outOfBudget.push(w.ad.adId);
      continue;
    }
    out.push({
      ad: w.ad,
      pinId: w.ad.pinId,
      ownerId: w.ad.advertiserId,
      slot: out.length,
      ecpm: w.ecpm,
      priceMicro: w.priceMicro,
      reservationId: reserved.reservationId,
      holdMicro: wanted.holds[i]!,
    });
  }
  return { served: out, outOfBudget };
}
