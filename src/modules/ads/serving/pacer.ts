import type { ServableAd } from './ad-catalog.js';
import {
  type BidState,
  type BidStrategyType,
  effectiveBid,
  startBidStrategy,
  step as stepBid,
} from './bid-strategy.js';
import { utcDay } from './budget-keys.js';
import {
  DIURNAL_SHAPE,
  dailyPlan,
  lifetimeDayPlan,
  MINUTES_PER_HOUR,
  type PacingState,
  plannedBy,
  startPacing,
  step as stepPacing,
} from './pacing.js';

const DAY_MS = 86_400_000;

/** Billed spend and events of an ad group, micro and count. */
export interface Billed {
  readonly spendMicro: number;
  readonly events: number;
}

export interface PacerDeps {
  /** The ledger of a UTC day: billed spend and events per ad group (shared by every node). */
  readonly ledger: (day: string) => Promise<ReadonlyMap<string, Billed>>;
  /** Billed spend per ad group before a day (lifetime budgets), for the groups asked. */
  readonly spentBefore: (day: string, adGroupIds: readonly string[]) => Promise<ReadonlyMap<string, number>>;
  /** The ad group's bid floor, micro per billable event. */
  readonly floor: (ad: ServableAd) => number;
}

/** One ad group's controllers on this node. */
interface GroupControl {
  readonly key: string;
  readonly day: string;
  pacing: PacingState | null;
  bid: BidState | null;
  /** Ledger figures at the last step, for the bid controller's per-step deltas. */
  spent: number;
  events: number;
  /** Auctions entered since the last step (this node's). */
  auctions: number;
}

/**
 * Pacing and bid strategies for the ad server, one control step a minute per ad group.
 *
 * The controllers (pacing.ts, bid-strategy.ts) are pure; what they observe is shared: each step reads the
 * ledger (ad_spend_daily, written by billing), so every node steps every group from the same billed spend
 * and reaches the same participation and bid, whichever node served what. A group's period is the UTC day
 * (a daily budget spread over it by DIURNAL_SHAPE); a lifetime budget's day plan is replanned each day
 * from what is left of it and the days left of the flight. Groups without a budget of their own (campaign
 * budget optimization) are not throttled here: the campaign's hard cap stops them.
 */
export class Pacer {
  private readonly groups = new Map<string, GroupControl>();

  constructor(private readonly deps: PacerDeps) {}

  /** One control step for every ad group of `ads` at `nowMs` (call about once a minute). */
  async tick(ads: readonly ServableAd[], nowMs: number): Promise<void> {
    const day = utcDay(nowMs);
    const minute = (nowMs - Date.parse(`${day}T00:00:00Z`)) / 60_000;
    const fromHour = Math.floor(minute / MINUTES_PER_HOUR);
    const byGroup = new Map<string, ServableAd>();
    for (const ad of ads) if (!byGroup.has(ad.adGroupId)) byGroup.set(ad.adGroupId, ad);
    const ledger = await this.deps.ledger(day);
    const lifetime = [...byGroup.values()].filter(
      (a) => a.budgetType === 'LIFETIME' && a.budgetMicro !== null,
    );
    const needBefore = lifetime
      .filter((a) => this.groups.get(a.adGroupId)?.day !== day)
      .map((a) => a.adGroupId);
    const before = needBefore.length > 0 ? await this.deps.spentBefore(day, needBefore) : new Map();

    for (const [id, ad] of byGroup) {
      const billed = ledger.get(id) ?? { spendMicro: 0, events: 0 };
      const key = controlKey(ad);
      const prev = this.groups.get(id);
      if (!prev || prev.day !== day || prev.key !== key) {
        const pacing = this.startPacing(ad, day, fromHour, minute, billed, before.get(id) ?? 0, prev);
        this.groups.set(id, {
          key,
          day,
          pacing,
          bid: startBid(ad, this.deps.floor(ad)),
          spent: billed.spendMicro,
          events: billed.events,
          auctions: 0,
        });
        continue;
      }
      const p = prev.pacing;
      if (prev.bid) {
        prev.bid = stepBid(prev.bid, {
          spentMicro: billed.spendMicro - prev.spent,
          billableEvents: inBidUnits(ad, billed.events - prev.events),
          auctions: prev.auctions,
          plannedMicro: p ? plannedBy(p.plan, minute) - plannedBy(p.plan, p.minute) : 0,
          participation: p ? p.participation : 1,
        });
      }
      if (p) prev.pacing = stepPacing(p, { minute, spentMicro: billed.spendMicro });
      prev.spent = billed.spendMicro;
      prev.events = billed.events;
      prev.auctions = 0;
    }
    for (const id of this.groups.keys()) if (!byGroup.has(id)) this.groups.delete(id);
  }

  /** Whether the group enters this auction, given a uniform draw `u` in [0, 1); counts the entry. */
  enters(ad: ServableAd, u: number): boolean {
    const g = this.groups.get(ad.adGroupId);
    const p = g?.pacing ? g.pacing.participation : 1;
    if (u >= p) return false;
    if (g) g.auctions++;
    return true;
  }

  /** The bid the group enters with now, micro per billable event; null when it has none. */
  bid(ad: ServableAd): number | null {
    const g = this.groups.get(ad.adGroupId);
    const floor = this.deps.floor(ad);
    if (g?.bid) return effectiveBid(g.bid, floor);
    const start = startBid(ad, floor);
    return start ? effectiveBid(start, floor) : null;
  }

  /** The participation in force for a group (1 when unpaced), for tests and the auction log. */
  participation(adGroupId: string): number {
    return this.groups.get(adGroupId)?.pacing?.participation ?? 1;
  }

  private startPacing(
    ad: ServableAd,
    day: string,
    fromHour: number,
    minute: number,
    billed: Billed,
    spentBefore: number,
    prev: GroupControl | undefined,
  ): PacingState | null {
    if (ad.budgetMicro === null) return null;
    const mode = ad.pacing === 'ACCELERATED' ? 'ACCELERATED' : 'STANDARD';
    // A group met mid-day plans from the current hour; what it already spent today counts against it.
    const previous = prev?.pacing && prev.day !== day ? prev.pacing : undefined;
    if (ad.budgetType === 'LIFETIME') {
      const end = ad.group.end ?? ad.group.campaignEnd;
      const daysLeft =
        end === null ? 1 : Math.max(1, Math.ceil((end - Date.parse(`${day}T00:00:00Z`)) / DAY_MS));
      const remaining = Math.max(0, ad.budgetMicro - spentBefore);
      const plan = lifetimeDayPlan(remaining, daysLeft, DIURNAL_SHAPE, fromHour);
      return startPacing({
        mode,
        plan,
        minute,
        spentMicro: billed.spendMicro,
        ...(previous ? { previous } : {}),
      });
    }
    const plan = dailyPlan(ad.budgetMicro, DIURNAL_SHAPE, fromHour);
    // The plan of the hours before fromHour is 0; spend already billed today still counts.
    return startPacing({
      mode,
      plan,
      budgetMicro: ad.budgetMicro,
      minute,
      spentMicro: billed.spendMicro,
      ...(previous ? { previous } : {}),
    });
  }
}

/**
 * Billed events counted in the unit the group bids for: a CPM bid (IMPRESSION billing) is per thousand
 * impressions while the ledger counts impressions, so TARGET_AVG's average cost (spend / events) compares
 * with its target per thousand.
 */
function inBidUnits(ad: ServableAd, events: number): number {
  return ad.billableEvent === 'IMPRESSION' ? events / 1000 : events;
}

/** What restarts a group's controllers when it changes: budget, pacing, strategy, bid. */
function controlKey(ad: ServableAd): string {
  return [ad.budgetType, ad.budgetMicro, ad.pacing, ad.bidStrategy, ad.bidMicro].join('|');
}

function startBid(ad: ServableAd, floor: number): BidState | null {
  const strategy = ad.bidStrategy as BidStrategyType;
  if (strategy === 'AUTOMATIC_BID') {
    const budget = ad.budgetMicro ?? ad.campaignDailyCapMicro ?? ad.campaignLifetimeCapMicro;
    if (budget === null) return null;
    return startBidStrategy({ strategy, budgetMicro: budget, floorMicro: floor });
  }
  if (ad.bidMicro === null) return null;
  return startBidStrategy({
    strategy: strategy === 'TARGET_AVG' ? 'TARGET_AVG' : 'MAX_BID',
    bidMicro: ad.bidMicro,
  });
}
