import { describe, expect, it } from 'vitest';
import {
  AUTOMATIC_DEMAND_TARGET,
  automaticBidCeiling,
  type BidState,
  effectiveBid,
  measurement,
  startBidStrategy,
  step,
  TARGET_AVG_MAX_MULTIPLIER,
} from '../../src/modules/ads/serving/bid-strategy.js';
import * as pacing from '../../src/modules/ads/serving/pacing.js';
import { type Market, MarketSim } from '../helpers/ads-market-sim.js';

const UNIT = 1_000_000;
const FLOOR = 200;

const market: Market = {
  opportunitiesPerDay: 200_000,
  shape: pacing.DIURNAL_SHAPE,
  trafficNoise: 0.1,
  priceMedianMicro: 2_500,
  priceSigma: 0.5,
  priceSwing: 0.15,
};

interface Run {
  spent: number;
  events: number;
  refusals: number;
  bids: number[];
  /** Billed cost and events per hour. */
  hourlyCost: number[];
  hourlyEvents: number[];
  bid: BidState;
}

/** A day with STANDARD pacing and a bid strategy, both stepped every minute; the budget is a hard cap. */
function runDay(sim: MarketSim, bid: BidState, budget: number, floor = FLOOR): Run {
  const plan = pacing.dailyPlan(budget);
  let pace = pacing.startPacing({ mode: 'STANDARD', plan });
  let state = bid;
  let spent = 0;
  let events = 0;
  let refusals = 0;
  const bids: number[] = [];
  const hourlyCost = new Array<number>(24).fill(0);
  const hourlyEvents = new Array<number>(24).fill(0);
  for (let m = 0; m < 1440; m++) {
    const p = pacing.participation(pace);
    const bidMicro = effectiveBid(state, floor);
    bids.push(bidMicro);
    const out = sim.minute(m, { participation: p, bidMicro, remainingMicro: budget - spent });
    spent += out.spentMicro;
    events += out.won;
    refusals += out.refusals;
    hourlyCost[Math.floor(m / 60)]! += out.spentMicro;
    hourlyEvents[Math.floor(m / 60)]! += out.won;
    state = step(state, {
      spentMicro: out.spentMicro,
      billableEvents: out.won,
      auctions: out.entered,
      plannedMicro: pacing.plannedBy(plan, m + 1) - pacing.plannedBy(plan, m),
      participation: p,
    });
    pace = pacing.step(pace, { minute: m + 1, spentMicro: spent });
  }
  return { spent, events, refusals, bids, hourlyCost, hourlyEvents, bid: state };
}

const observation = (o: Partial<Parameters<typeof step>[1]>) => ({
  spentMicro: 0,
  billableEvents: 0,
  auctions: 100,
  plannedMicro: 1000,
  participation: 1,
  ...o,
});

describe('MAX_BID', () => {
  it('bids as given, whatever happens', () => {
    let s = startBidStrategy({ strategy: 'MAX_BID', bidMicro: 4_000 });
    expect(effectiveBid(s, FLOOR)).toBe(4_000);
    s = step(s, observation({ spentMicro: 0 }));
    s = step(s, observation({ spentMicro: 1e6, billableEvents: 10 }));
    expect(effectiveBid(s, FLOOR)).toBe(4_000);
    // An auction floor above the bid lifts it to the floor.
    expect(effectiveBid(s, 5_000)).toBe(5_000);
  });
});

describe('AUTOMATIC_BID', () => {
  const budget = 100 * UNIT;

  it('under-delivery raises the bid, bounded by the ceiling', () => {
    let s = startBidStrategy({ strategy: 'AUTOMATIC_BID', budgetMicro: budget, floorMicro: FLOOR });
    expect(effectiveBid(s, FLOOR)).toBe(FLOOR);
    const bids = [effectiveBid(s, FLOOR)];
    for (let i = 0; i < 200; i++) {
      s = step(s, observation({ spentMicro: 0 }));
      bids.push(effectiveBid(s, FLOOR));
    }
    for (let i = 1; i < bids.length; i++) expect(bids[i]!).toBeGreaterThanOrEqual(bids[i - 1]!);
    expect(bids[1]!).toBeGreaterThan(bids[0]!);
    expect(bids.at(-1)).toBe(automaticBidCeiling(budget, FLOOR));
    expect(automaticBidCeiling(budget, FLOOR)).toBe(budget / 20);
  });

  it('over-delivery lowers the bid, never under the floor', () => {
    let s = startBidStrategy({ strategy: 'AUTOMATIC_BID', budgetMicro: budget, floorMicro: FLOOR });
    for (let i = 0; i < 30; i++) s = step(s, observation({ spentMicro: 0 }));
    const high = effectiveBid(s, FLOOR);
    for (let i = 0; i < 200; i++) s = step(s, observation({ spentMicro: 10_000 }));
    expect(effectiveBid(s, FLOOR)).toBeLessThan(high);
    expect(effectiveBid(s, FLOOR)).toBe(FLOOR);
  });

  it('no auction entered is no evidence: the bid holds', () => {
    const s = startBidStrategy({ strategy: 'AUTOMATIC_BID', budgetMicro: budget, floorMicro: FLOOR });
    expect(step(s, observation({ auctions: 0 }))).toEqual(s);
    expect(step(s, observation({ participation: 0 }))).toEqual(s);
  });

  it('spends at least 90% of the budget against competition, bids within [floor, ceiling]', () => {
    const start = startBidStrategy({ strategy: 'AUTOMATIC_BID', budgetMicro: budget, floorMicro: FLOOR });
    const run = runDay(new MarketSim(market, 11), start, budget);
    expect(run.spent).toBeGreaterThanOrEqual(0.9 * budget);
    expect(run.spent).toBeLessThanOrEqual(budget);
    const ceiling = automaticBidCeiling(budget, FLOOR);
    expect(run.bids.every((b) => b >= FLOOR && b <= ceiling && Number.isInteger(b))).toBe(true);
    // The bid settles where demand is about θ* times the plan, well under the ceiling.
    expect(measurement(run.bid)!).toBeGreaterThan(AUTOMATIC_DEMAND_TARGET * 0.8);
    expect(measurement(run.bid)!).toBeLessThan(AUTOMATIC_DEMAND_TARGET * 1.25);
    expect(Math.max(...run.bids.slice(240))).toBeLessThan(2 * market.priceMedianMicro);
  });

  it('buys the budget more cheaply than a generous fixed bid', () => {
    const auto = runDay(
      new MarketSim(market, 12),
      startBidStrategy({ strategy: 'AUTOMATIC_BID', budgetMicro: budget, floorMicro: FLOOR }),
      budget,
    );
    const fixed = runDay(
      new MarketSim(market, 12),
      startBidStrategy({ strategy: 'MAX_BID', bidMicro: 10_000 }),
      budget,
    );
    expect(auto.spent / auto.events).toBeLessThan(fixed.spent / fixed.events);
  });

  it('a market beyond the ceiling pins the bid at the ceiling, never above', () => {
    const dear: Market = { ...market, priceMedianMicro: 20 * UNIT };
    const small = 10 * UNIT;
    const start = startBidStrategy({ strategy: 'AUTOMATIC_BID', budgetMicro: small, floorMicro: FLOOR });
    const run = runDay(new MarketSim(dear, 13), start, small);
    const ceiling = automaticBidCeiling(small, FLOOR);
    expect(Math.max(...run.bids)).toBe(ceiling);
    expect(run.bids.slice(120).every((b) => b === ceiling)).toBe(true);
    expect(run.spent).toBeLessThanOrEqual(small);
  });
});

describe('TARGET_AVG', () => {
  const budget = 100 * UNIT;
  const target = 2_000;

  it('holds the average cost per event within ±10% of the target after convergence', () => {
    const start = startBidStrategy({ strategy: 'TARGET_AVG', bidMicro: target });
    const run = runDay(new MarketSim(market, 21), start, budget);
    for (let h = 2; h < 24; h++) {
      const avg = run.hourlyCost[h]! / run.hourlyEvents[h]!;
      expect(Math.abs(avg / target - 1), `hour ${h}`).toBeLessThanOrEqual(0.1);
    }
    const cost = run.hourlyCost.slice(2).reduce((a, b) => a + b, 0);
    const events = run.hourlyEvents.slice(2).reduce((a, b) => a + b, 0);
    expect(Math.abs(cost / events / target - 1)).toBeLessThanOrEqual(0.03);
    expect(
      run.bids.every((b) => b >= Math.max(FLOOR, target) && b <= target * TARGET_AVG_MAX_MULTIPLIER),
    ).toBe(true);
    expect(run.spent).toBeLessThanOrEqual(budget);
    expect(run.spent).toBeGreaterThanOrEqual(0.95 * budget);
  });

  it('a target above what the market ever charges pins the bid at its bound', () => {
    const start = startBidStrategy({ strategy: 'TARGET_AVG', bidMicro: 50_000 });
    const run = runDay(new MarketSim(market, 22), start, budget);
    expect(Math.max(...run.bids)).toBe(50_000 * TARGET_AVG_MAX_MULTIPLIER);
    expect(run.bids.every((b) => b >= 50_000)).toBe(true);
  });

  it('a floor above the target lifts the bid to the floor', () => {
    const s = startBidStrategy({ strategy: 'TARGET_AVG', bidMicro: 1_000 });
    expect(effectiveBid(s, 1_500)).toBe(1_500);
  });

  it('no events changes nothing; cheap events lower the bid toward the target, dear ones raise it', () => {
    let s = startBidStrategy({ strategy: 'TARGET_AVG', bidMicro: target });
    expect(step(s, observation({ billableEvents: 0, spentMicro: 0 }))).toEqual(s);
    for (let i = 0; i < 20; i++) s = step(s, observation({ billableEvents: 10, spentMicro: 10 * 1_000 }));
    const raised = effectiveBid(s, FLOOR);
    expect(raised).toBeGreaterThan(target);
    for (let i = 0; i < 20; i++) s = step(s, observation({ billableEvents: 10, spentMicro: 10 * 3_000 }));
    expect(effectiveBid(s, FLOOR)).toBeLessThan(raised);
    expect(effectiveBid(s, FLOOR)).toBeGreaterThanOrEqual(target);
  });
});

describe('state', () => {
  it('round-trips through JSON and steps the same afterwards', () => {
    for (const start of [
      startBidStrategy({ strategy: 'AUTOMATIC_BID', budgetMicro: 100 * UNIT, floorMicro: FLOOR }),
      startBidStrategy({ strategy: 'TARGET_AVG', bidMicro: 2_000 }),
      startBidStrategy({ strategy: 'MAX_BID', bidMicro: 2_000 }),
    ]) {
      const s = step(start, observation({ spentMicro: 700, billableEvents: 1 }));
      const copy = JSON.parse(JSON.stringify(s)) as BidState;
      expect(copy).toEqual(s);
      const obs = observation({ spentMicro: 5_000, billableEvents: 2 });
      expect(step(copy, obs)).toEqual(step(s, obs));
      expect(effectiveBid(copy, FLOOR)).toBe(effectiveBid(s, FLOOR));
    }
  });

  it('a zero budget gives an AUTOMATIC_BID ceiling at the floor', () => {
    const s = startBidStrategy({ strategy: 'AUTOMATIC_BID', budgetMicro: 0, floorMicro: FLOOR });
    let t = s;
    for (let i = 0; i < 10; i++) t = step(t, observation({ spentMicro: 0 }));
    expect(effectiveBid(t, FLOOR)).toBe(FLOOR);
  });
});
