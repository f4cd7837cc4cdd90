import { bidFloorMicro } from '../../src/modules/ads/money.js';
import { CatalogSnapshot, type ServableAd } from '../../src/modules/ads/serving/ad-catalog.js';
import { type AdRequest, AdServer } from '../../src/modules/ads/serving/ad-server.js';
import { fnv1a } from '../../src/modules/ads/serving/auction.js';
import { budgetCaps, reserveAmount, utcDay } from '../../src/modules/ads/serving/budget-keys.js';
import { CtrBook } from '../../src/modules/ads/serving/ctr-book.js';
import type { ViewerProfile } from '../../src/modules/ads/serving/eligibility.js';
import { type Billed, Pacer } from '../../src/modules/ads/serving/pacer.js';
import { MemorySpendStore } from '../../src/platform/spend/memory-spend-store.js';
import type { SettleResult } from '../../src/platform/spend/spend-store.js';
import { makeServableAd } from './ad-factories.js';
import { type Market, MarketSim } from './ads-market-sim.js';

/**
 * A simulated day of the ad server as production runs it: several API nodes, each with its own AdServer
 * and its own Pacer (as separate processes have), sharing one spend store (Redis) and one ledger
 * (ad_spend_daily), on an accelerated clock. Requests arrive minute by minute on the market's traffic
 * shape (MarketSim: diurnal weights, slow log-noise, Poisson-like counts) and go to a node at random; each
 * node's pacer is stepped once a simulated minute (the nodes' timers not aligned) from the shared ledger,
 * and serves with the production glue: the group enters when fnv1a(`pace:<request>:<group>`) / 2^32 is
 * under its participation, with the pacer's bid. Each node holds budget in blocks (BudgetBlocks, the
 * production sizes, on the simulated clock). Billing settles a billed event's part of its block in the
 * spend store a few seconds (an impression) or up to a few minutes (a click) after serving, for
 * reserveAmount(event, price), and adds the outcome to the ledger on the day of serving, as the billing
 * consumer does; unbilled parts expire with their blocks, and ads the page had no place for are
 * given back at once.
 *
 * The rest of the market is background ads: CPM bids drawn once from a log-normal law, each targeting
 * one interest, so a random few of them compete in each auction (the viewer's interests decide which).
 */

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** One ad group of the simulation (one ad each), with the click-through rate its viewers really have. */
export interface SimGroup {
  readonly ad: ServableAd;
  /** True click-through rate (the auction predicts with an empty click history: 1% for everyone). */
  readonly ctr: number;
}

export interface DaySimOptions {
  readonly seed: number;
  /** The UTC day simulated, YYYY-MM-DD. */
  readonly day: string;
  readonly nodes: number;
  /** Traffic: opportunitiesPerDay is the requests of the day; the price fields are not used. */
  readonly market: Market;
  readonly groups: readonly SimGroup[];
  /** Background competitors: how many, their median CPM bid (micro) and its log-normal sigma. */
  readonly background: { readonly count: number; readonly medianMicro: number; readonly sigma: number };
  /** Interests a viewer has, out of the background's (each background ad targets one). */
  readonly viewerInterests: number;
  /** Ad slots of a request: from 1 to this many. */
  readonly maxSlots: number;
  readonly reservationTtlMs: number;
  /** How long a per-click winner's budget is held (production: ADS_CLICK_RESERVATION_SECONDS). */
  readonly clickReservationTtlMs: number;
  /** Share of served ads never seen (their reservation expires) and never placed (released at once). */
  readonly unseen: number;
  readonly unplaced: number;
  /** Mean delay from serving to a click, ms (exponential, kept within the ttl). */
  readonly clickDelayMs: number;
}

/** Per ad group, what the day did. */
export interface GroupOutcome {
  /** Charged spend by hour of serving (ad_hourly_stats), micro. */
  readonly hourly: number[];
  /** Billed events by hour of serving. */
  readonly hourlyEvents: number[];
  /** Ledger (ad_spend_daily) spend of the day, micro, and billed events. */
  readonly spent: number;
  readonly events: number;
  readonly overdelivered: number;
  /** Winners dropped because a budget had no room. */
  readonly outOfBudget: number;
  /** Participation of the group on each node's pacer, sampled each minute (minute × node). */
  readonly participation: number[][];
}

export interface DayOutcome {
  readonly requests: number;
  readonly served: number;
  readonly groups: ReadonlyMap<string, GroupOutcome>;
  /** Every capped key of the groups under test: its cap and what the ledger billed on it. */
  readonly caps: ReadonlyMap<string, { cap: number; ledger: number; settled: number }>;
  /** Checks made after every settle: settled over its cap, settled + reserved over it, store ≠ ledger. */
  readonly violations: { overCap: number; overReserved: number; mismatch: number; checks: number };
  /** Settles answered `unknown` (billing would charge them late). */
  readonly unknown: number;
}

interface PendingBill {
  readonly reservationId: string;
  /** The served ad's part of its node's budget block, settled once. */
  readonly part: string;
  readonly groupId: string;
  readonly amount: number;
  readonly servedMs: number;
  readonly keys: readonly { key: string; cap: number }[];
}

/**
 * A plain ServableAd for the simulation: ad `ad-<id>` in ad group `id`, billed per impression, no bid or
 * budget unless given, every placement, no targeting but `interests`.
 */
export function simAd(id: string, over: Partial<ServableAd> & { interests?: readonly string[] }): ServableAd {
  const { interests, ...rest } = over;
  return makeServableAd(id, {
    adId: `ad-${id}`,
    adGroupId: id,
    billableEvent: 'IMPRESSION',
    bidMicro: null,
    budgetMicro: null,
    ...rest,
    group: { targeting: interests ? { INTEREST: [...interests] } : {} },
  });
}

/** The shared ledger: billed spend and events per ad group and UTC day of serving. */
class Ledger {
  readonly days = new Map<string, Map<string, { spendMicro: number; events: number; over: number }>>();

  add(day: string, groupId: string, charged: number, overdelivered: number): void {
    const d = this.days.get(day) ?? new Map<string, { spendMicro: number; events: number; over: number }>();
    this.days.set(day, d);
    const row = d.get(groupId) ?? { spendMicro: 0, events: 0, over: 0 };
    row.spendMicro += charged;
    if (charged > 0) row.events += 1;
    row.over += overdelivered;
    d.set(groupId, row);
  }

  of(day: string): Map<string, Billed> {
    const out = new Map<string, Billed>();
    for (const [id, r] of this.days.get(day) ?? [])
      out.set(id, { spendMicro: r.spendMicro, events: r.events });
    return out;
  }
}

/** Runs one simulated day; deterministic for a seed. */
export async function simulateDay(o: DaySimOptions): Promise<DayOutcome> {
  const traffic = new MarketSim(o.market, o.seed);
  const dayStart = Date.parse(`${o.day}T00:00:00Z`);
  const interests = Array.from({ length: o.background.count }, (_, i) => `i${i}`);
  const background = interests.map((interest, i) =>
    simAd(`bg${i}`, {
      bidMicro: Math.max(
        bidFloorMicro('USD', 'IMPRESSION'),
        Math.round(o.background.medianMicro * Math.exp(o.background.sigma * traffic.gauss())),
      ),
      pacing: 'ACCELERATED',
      budgetMicro: 1e12,
      interests: [interest],
    }),
  );
  const ads = [...o.groups.map((g) => g.ad), ...background];
  const ctrOf = new Map<string, number>(o.groups.map((g) => [g.ad.adGroupId, g.ctr]));
  for (const b of background) ctrOf.set(b.adGroupId, 0.01);
  const underTest = new Set(o.groups.map((g) => g.ad.adGroupId));
  const snapshot = new CatalogSnapshot(ads);
  const spend = new MemorySpendStore();
  const ledger = new Ledger();
  const floor = (ad: ServableAd) => bidFloorMicro(ad.currency, ad.billableEvent);
  const ctr = CtrBook.empty();

  const nodes = Array.from({ length: o.nodes }, () => {
    const pacer = new Pacer({
      ledger: async (day) => ledger.of(day),
      spentBefore: async () => new Map(),
      floor,
    });
    const server = new AdServer({
      catalog: { snapshot: () => snapshot },
      ctr: () => ctr,
      spend,
      settings: {
        reserveEcpmMicro: { BROWSE: 500_000, SEARCH: 1_000_000 },
        minRelevance: 0.3,
        reservationTtlMs: o.reservationTtlMs,
        clickReservationTtlMs: o.clickReservationTtlMs,
      },
      relevance: () => 1,
      floor,
      effectiveBid: (ad, request: AdRequest) =>
        pacer.enters(ad, fnv1a(`pace:${request.requestId}:${ad.adGroupId}`) / 2 ** 32) ? pacer.bid(ad) : null,
    });
    return { pacer, server };
  });

  const outcome = new Map<string, GroupOutcome & { spent: number; events: number; overdelivered: number }>();
  for (const id of underTest)
    outcome.set(id, {
      hourly: new Array<number>(24).fill(0),
      hourlyEvents: new Array<number>(24).fill(0),
      spent: 0,
      events: 0,
      overdelivered: 0,
      outOfBudget: 0,
      participation: nodes.map(() => []),
    });
  const mutable = (id: string) => outcome.get(id) as { -readonly [K in keyof GroupOutcome]: GroupOutcome[K] };

  // Bills due, bucketed by the second they are reported in.
  const due = new Map<number, PendingBill[]>();
  const schedule = (atMs: number, bill: PendingBill) => {
    const s = Math.floor(atMs / 1000);
    const list = due.get(s);
    if (list) list.push(bill);
    else due.set(s, [bill]);
  };
  let billedUpTo = Math.floor(dayStart / 1000) - 1;
  const violations = { overCap: 0, overReserved: 0, mismatch: 0, checks: 0 };
  let unknown = 0;
  const campaignOf = new Map(o.groups.map((g) => [g.ad.adGroupId, g.ad.campaignId]));
  const groupsOfCampaign = (campaignId: string) =>
    [...campaignOf].filter(([, c]) => c === campaignId).map(([g]) => g);
  const ledgerFor = (key: string, day: string): number => {
    const rows = ledger.days.get(day);
    const m = /^(ag|c):([^:]+):d:/.exec(key);
    if (!m || !rows) return 0;
    const ids = m[1] === 'ag' ? [m[2]!] : groupsOfCampaign(m[2]!);
    return ids.reduce((a, id) => a + (rows.get(id)?.spendMicro ?? 0), 0);
  };

  const bill = async (b: PendingBill, nowMs: number) => {
    const [r] = (await spend.settleMany(
      [{ reservationId: b.reservationId, actual: b.amount, part: b.part }],
      nowMs,
    )) as [SettleResult];
    if (r.state === 'unknown') unknown++;
    ledger.add(utcDay(b.servedMs), b.groupId, r.charged, r.overdelivered);
    if (!underTest.has(b.groupId)) return;
    const g = mutable(b.groupId);
    const hour = Math.floor((b.servedMs - dayStart) / 3_600_000);
    if (r.charged > 0 && hour >= 0 && hour < 24) {
      g.hourly[hour]! += r.charged;
      g.hourlyEvents[hour]! += 1;
    }
    g.overdelivered += r.overdelivered;
    // The caps hold at every moment, and the store's settled is what the ledger billed.
    for (const { key, cap } of b.keys) {
      const t = await spend.spent(key, nowMs);
      violations.checks++;
      if (t.settled > cap) violations.overCap++;
      if (t.settled + t.reserved > cap) violations.overReserved++;
      if (t.settled !== ledgerFor(key, utcDay(b.servedMs))) violations.mismatch++;
    }
  };
  const billUntil = async (nowMs: number) => {
    const s = Math.floor(nowMs / 1000);
    for (; billedUpTo < s; billedUpTo++) {
      const list = due.get(billedUpTo + 1);
      if (!list) continue;
      due.delete(billedUpTo + 1);
      for (const b of list) await bill(b, (billedUpTo + 1) * 1000);
    }
  };

  let requests = 0;
  let served = 0;
  // Each node's control timer fires once a minute, at its own offset within the minute.
  const tickOffsetMs = nodes.map((_, k) => Math.floor((k * MINUTE_MS) / nodes.length));
  for (let minute = 0; minute < 1440; minute++) {
    const minuteStart = dayStart + minute * MINUTE_MS;
    const n = traffic.opportunities(minute);
    const times = Array.from({ length: n }, () => minuteStart + Math.floor(traffic.uniform() * MINUTE_MS));
    times.sort((a, b) => a - b);
    const ticks = nodes.map((node, k) => ({ node, at: minuteStart + tickOffsetMs[k]!, k }));
    let nextTick = 0;
    for (const at of times) {
      while (nextTick < ticks.length && ticks[nextTick]!.at <= at) {
        const t = ticks[nextTick++]!;
        await billUntil(t.at);
        await t.node.pacer.tick(ads, t.at);
        for (const id of underTest) outcome.get(id)!.participation[t.k]!.push(t.node.pacer.participation(id));
      }
      await billUntil(at);
      const node = nodes[Math.floor(traffic.uniform() * nodes.length)]!;
      const viewerInterests = new Set<string>();
      while (viewerInterests.size < Math.min(o.viewerInterests, interests.length))
        viewerInterests.add(interests[Math.floor(traffic.uniform() * interests.length)]!);
      const request: AdRequest = {
        viewer: viewer(viewerInterests),
        placement: 'BROWSE',
        nowMs: at,
        slots: 1 + Math.floor(traffic.uniform() * o.maxSlots),
        organicPinIds: new Set(),
        requestId: `r${requests++}`,
      };
      const result = await node.server.select(request);
      for (const id of result.record.outOfBudget) {
        const groupId = id.slice(3);
        if (underTest.has(groupId)) mutable(groupId).outOfBudget++;
      }
      for (const s of result.served) {
        served++;
        const u = traffic.uniform();
        if (u < o.unplaced) {
          await node.server.release([s], at);
          continue;
        }
        if (u < o.unplaced + o.unseen) continue;
        const caps = budgetCaps(s.ad, at);
        const pending: PendingBill = {
          reservationId: s.reservationId,
          part: `ad${served}`,
          groupId: s.ad.adGroupId,
          amount: reserveAmount(s.ad.billableEvent, s.priceMicro),
          servedMs: at,
          keys: caps,
        };
        if (s.ad.billableEvent === 'IMPRESSION') {
          // The impression is reported within seconds of the page showing.
          schedule(at + 1_000 + Math.floor(traffic.uniform() * 20_000), pending);
        } else if (traffic.uniform() < ctrOf.get(s.ad.adGroupId)!) {
          const delay = Math.min(
            o.reservationTtlMs - 1_000,
            1_000 - o.clickDelayMs * Math.log(Math.max(traffic.uniform(), 1e-9)),
          );
          schedule(at + delay, pending);
        }
      }
    }
    // Timers of the minute that fired after its last request.
    for (; nextTick < ticks.length; nextTick++) {
      const t = ticks[nextTick]!;
      await billUntil(t.at);
      await t.node.pacer.tick(ads, t.at);
      for (const id of underTest) outcome.get(id)!.participation[t.k]!.push(t.node.pacer.participation(id));
    }
  }
  // Late reports of the day's last ads (billed on the day they were served).
  await billUntil(dayStart + DAY_MS + o.reservationTtlMs);

  const day = o.day;
  const rows = ledger.days.get(day) ?? new Map();
  for (const id of underTest) {
    const g = mutable(id);
    g.spent = rows.get(id)?.spendMicro ?? 0;
    g.events = rows.get(id)?.events ?? 0;
  }
  const caps = new Map<string, { cap: number; ledger: number; settled: number }>();
  for (const g of o.groups)
    for (const { key, cap } of budgetCaps(g.ad, dayStart)) {
      const t = await spend.spent(key, dayStart + DAY_MS + o.reservationTtlMs);
      caps.set(key, { cap, ledger: ledgerFor(key, day), settled: t.settled });
    }
  return { requests, served, groups: outcome, caps, violations, unknown };
}

function viewer(interests: ReadonlySet<string>): ViewerProfile {
  return {
    userId: null,
    interests,
    locale: 'en-US',
    country: 'US',
    gender: null,
    ageBucket: null,
    appType: 'web',
    audiences: new Set(),
  };
}
