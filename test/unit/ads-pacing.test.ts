import { describe, expect, it } from 'vitest';
import {
  allocate,
  DIURNAL_SHAPE,
  dailyPlan,
  enters,
  lifetimeDayPlan,
  type PacingState,
  participation,
  plannedBy,
  startPacing,
  step,
} from '../../src/modules/ads/serving/pacing.js';
import { type Market, MarketSim } from '../helpers/ads-market-sim.js';

const UNIT = 1_000_000;

/** A market whose demand at a 4,000 micro bid is about 2.8 times a 100-unit daily budget. */
const market: Market = {
  opportunitiesPerDay: 200_000,
  shape: DIURNAL_SHAPE,
  trafficNoise: 0.1,
  priceMedianMicro: 2_500,
  priceSigma: 0.5,
  priceSwing: 0.15,
};

interface DayRun {
  hourly: number[];
  spent: number;
  refusals: number;
  state: PacingState;
  participations: number[];
}

/** Runs one day minute by minute: the state's participation enters auctions, the budget is a hard cap. */
function runDay(
  sim: MarketSim,
  start: PacingState,
  opts: { bidMicro?: number; capMicro?: number; dayFactor?: number } = {},
): DayRun {
  const bidMicro = opts.bidMicro ?? 4_000;
  const cap = opts.capMicro ?? start.budgetMicro;
  let state = start;
  let spent = start.spentMicro;
  let refusals = 0;
  const hourly = new Array<number>(24).fill(0);
  const participations: number[] = [];
  for (let m = start.minute; m < 1440; m++) {
    const p = participation(state);
    participations.push(p);
    const out = sim.minute(m, { participation: p, bidMicro, remainingMicro: cap - spent }, opts.dayFactor);
    spent += out.spentMicro;
    refusals += out.refusals;
    hourly[Math.floor(m / 60)]! += out.spentMicro;
    state = step(state, { minute: m + 1, spentMicro: spent });
  }
  return { hourly, spent, refusals, state, participations };
}

/** Relative error of each hour against its plan. */
function hourlyErrors(run: DayRun, plan: readonly number[]): number[] {
  return plan.map((q, h) => (q === 0 ? 0 : (run.hourly[h]! - q) / q));
}

describe('plans', () => {
  it('allocate splits exactly and in proportion', () => {
    const parts = allocate(1_000_003, [1, 2, 3, 0]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(1_000_003);
    expect(parts[3]).toBe(0);
    expect(Math.abs(parts[2]! - 3 * parts[0]!)).toBeLessThanOrEqual(3);
    expect(allocate(0, [1, 2])).toEqual([0, 0]);
    expect(allocate(10, [0, 0])).toEqual([0, 0]);
    expect(allocate(10, [])).toEqual([]);
  });

  it('a daily plan follows the traffic shape and sums to the budget', () => {
    const plan = dailyPlan(100 * UNIT);
    expect(plan).toHaveLength(24);
    expect(plan.reduce((a, b) => a + b, 0)).toBe(100 * UNIT);
    // The evening peak hour plans 7.5 times the night trough, as its traffic weight does.
    expect(plan[20]! / plan[3]!).toBeCloseTo(1.5 / 0.2, 3);
    expect(plan.every((q) => Number.isInteger(q))).toBe(true);
  });

  it('a group starting mid-day spreads its budget over the hours left', () => {
    const plan = dailyPlan(50 * UNIT, DIURNAL_SHAPE, 12);
    expect(plan.slice(0, 12).every((q) => q === 0)).toBe(true);
    expect(plan.reduce((a, b) => a + b, 0)).toBe(50 * UNIT);
  });

  it('empty traffic spreads evenly; a zero budget plans nothing', () => {
    const plan = dailyPlan(24 * UNIT, new Array(24).fill(0));
    expect(plan.every((q) => q === UNIT)).toBe(true);
    expect(dailyPlan(0).every((q) => q === 0)).toBe(true);
  });

  it('a lifetime plan gives today its traffic share of the flight left', () => {
    const today = lifetimeDayPlan(500 * UNIT, 5);
    expect(today.reduce((a, b) => a + b, 0)).toBe(100 * UNIT);
    // Starting at noon: today weighs its afternoon only.
    const afternoon = DIURNAL_SHAPE.slice(12).reduce((a, b) => a + b, 0);
    const day = DIURNAL_SHAPE.reduce((a, b) => a + b, 0);
    const share = lifetimeDayPlan(500 * UNIT, 5, DIURNAL_SHAPE, 12).reduce((a, b) => a + b, 0);
    expect(share / (500 * UNIT)).toBeCloseTo(afternoon / (afternoon + 4 * day), 6);
    expect(lifetimeDayPlan(7 * UNIT, 1).reduce((a, b) => a + b, 0)).toBe(7 * UNIT);
  });

  it('plannedBy is linear within the hour and the whole plan at the end', () => {
    const plan = [60, 120, 0];
    expect(plannedBy(plan, 0)).toBe(0);
    expect(plannedBy(plan, 30)).toBe(30);
    expect(plannedBy(plan, 90)).toBe(120);
    expect(plannedBy(plan, 180)).toBe(180);
    expect(plannedBy(plan, 10_000)).toBe(180);
  });
});

describe('STANDARD pacing over a simulated day', () => {
  const budget = 100 * UNIT;
  const plan = dailyPlan(budget);
  const run = runDay(new MarketSim(market, 42), startPacing({ mode: 'STANDARD', plan }));
  const errors = hourlyErrors(run, plan);

  it('demand exceeds the budget (the same market spends it by mid-day when accelerated)', () => {
    const fast = runDay(new MarketSim(market, 42), startPacing({ mode: 'ACCELERATED', plan }));
    expect(fast.spent).toBeGreaterThan(0.99 * budget);
    expect(fast.hourly.slice(15).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('spends within ±10% of the plan in every hour once traffic suffices (from 02:00)', () => {
    for (let h = 2; h < 24; h++) expect(Math.abs(errors[h]!), `hour ${h}`).toBeLessThanOrEqual(0.1);
    // The first hours are learning, yet not wild.
    expect(Math.abs(errors[0]!)).toBeLessThan(0.5);
  });

  it('spends at least 95% of the budget, never a micro over it, hardly touching the hard cap', () => {
    expect(run.spent).toBeGreaterThanOrEqual(0.95 * budget);
    expect(run.spent).toBeLessThanOrEqual(budget);
    expect(run.refusals).toBeLessThanOrEqual(5);
  });

  it('throttles: participation stays well below 1 once demand is learnt', () => {
    const later = run.participations.slice(120);
    const mean = later.reduce((a, b) => a + b, 0) / later.length;
    expect(mean).toBeGreaterThan(0.2);
    expect(mean).toBeLessThan(0.6);
    expect(later.every((p) => p >= 0 && p <= 1)).toBe(true);
  });

  it('holds the plan on other seeds and with a noisier market', () => {
    for (const seed of [1, 7, 2024]) {
      const noisy: Market = { ...market, trafficNoise: 0.2 };
      const r = runDay(new MarketSim(noisy, seed), startPacing({ mode: 'STANDARD', plan }));
      const e = hourlyErrors(r, plan);
      for (let h = 2; h < 24; h++) expect(Math.abs(e[h]!), `seed ${seed} hour ${h}`).toBeLessThanOrEqual(0.1);
      expect(r.spent).toBeGreaterThanOrEqual(0.95 * budget);
      expect(r.spent).toBeLessThanOrEqual(budget);
    }
  });

  it('small budgets: the slow start does not spend hours of plan in the first minutes', () => {
    for (const seed of [1, 2]) {
      const small = dailyPlan(10 * UNIT);
      const r = runDay(new MarketSim(market, seed), startPacing({ mode: 'STANDARD', plan: small }));
      const e = hourlyErrors(r, small);
      for (let h = 2; h < 24; h++) expect(Math.abs(e[h]!), `seed ${seed} hour ${h}`).toBeLessThanOrEqual(0.1);
      expect(r.spent).toBeGreaterThanOrEqual(0.95 * 10 * UNIT);
      // One unit a day is a few wins an hour at night: only the first hour and the total are held.
      const tiny = dailyPlan(UNIT);
      const t = runDay(new MarketSim(market, seed), startPacing({ mode: 'STANDARD', plan: tiny }));
      expect(t.hourly[0]!).toBeLessThan(1.5 * tiny[0]!);
      expect(t.spent).toBeGreaterThanOrEqual(0.95 * UNIT);
      expect(t.spent).toBeLessThanOrEqual(UNIT);
    }
  });

  it('spends everything it can when demand is short of the budget', () => {
    const thin: Market = { ...market, opportunitiesPerDay: 25_000 };
    const r = runDay(new MarketSim(thin, 5), startPacing({ mode: 'STANDARD', plan }));
    const full = runDay(new MarketSim(thin, 5), startPacing({ mode: 'ACCELERATED', plan }));
    expect(full.spent).toBeLessThan(budget);
    expect(r.spent).toBeGreaterThan(0.97 * full.spent);
    expect(r.participations.slice(60).every((p) => p === 1)).toBe(true);
  });
});

describe('ACCELERATED pacing', () => {
  it('enters every auction while budget is left, front-loaded, and stops at the budget', () => {
    const budget = 100 * UNIT;
    const plan = dailyPlan(budget);
    const run = runDay(new MarketSim(market, 42), startPacing({ mode: 'ACCELERATED', plan }));
    // Never throttled: the last micro go when a price small enough comes along (the hard cap refuses the rest).
    expect(run.participations.every((p) => p === 1 || p === 0)).toBe(true);
    expect(run.spent).toBeGreaterThan(budget - 50_000);
    const lastHour = run.hourly.findLastIndex((x) => x > 0);
    expect(lastHour).toBeLessThan(15);
    const byNoon = run.hourly.slice(0, 12).reduce((a, b) => a + b, 0);
    expect(byNoon).toBeGreaterThan(plannedBy(plan, 12 * 60) * 1.5);
    expect(run.spent).toBeLessThanOrEqual(budget);
  });
});

describe('lifetime budget over a 5-day flight', () => {
  it('spreads the budget across the days, replanning what is left each day', () => {
    const lifetime = 500 * UNIT;
    const sim = new MarketSim(market, 99);
    const dayFactors = [1, 1.3, 0.8, 1.1, 0.9];
    let remaining = lifetime;
    let previous: PacingState | undefined;
    const days: number[] = [];
    let refusals = 0;
    for (let d = 0; d < 5; d++) {
      const plan = lifetimeDayPlan(remaining, 5 - d);
      const start = startPacing({ mode: 'STANDARD', plan, ...(previous ? { previous } : {}) });
      // The hard cap is what is left of the lifetime budget, not today's share.
      const run = runDay(sim, start, { capMicro: remaining, dayFactor: dayFactors[d]! });
      days.push(run.spent);
      refusals += run.refusals;
      remaining -= run.spent;
      previous = run.state;
    }
    const total = days.reduce((a, b) => a + b, 0);
    for (const spent of days) expect(Math.abs(spent / (lifetime / 5) - 1)).toBeLessThanOrEqual(0.05);
    expect(total).toBeGreaterThanOrEqual(0.95 * lifetime);
    expect(total).toBeLessThanOrEqual(lifetime);
    expect(refusals).toBe(0);
  });

  it('a day short of demand is made up by the days after it', () => {
    const lifetime = 500 * UNIT;
    const sim = new MarketSim(market, 3);
    const dayFactors = [1, 0.1, 1, 1, 1];
    let remaining = lifetime;
    const days: number[] = [];
    for (let d = 0; d < 5; d++) {
      const run = runDay(sim, startPacing({ mode: 'STANDARD', plan: lifetimeDayPlan(remaining, 5 - d) }), {
        capMicro: remaining,
        dayFactor: dayFactors[d]!,
      });
      days.push(run.spent);
      remaining -= run.spent;
    }
    expect(days[1]!).toBeLessThan(0.5 * (lifetime / 5));
    // The shortfall is spread over the three days after it.
    const shortfall = lifetime / 5 - days[1]!;
    for (const d of [2, 3, 4]) expect(days[d]! / (lifetime / 5 + shortfall / 3)).toBeGreaterThan(0.9);
    expect(days.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(0.95 * lifetime);
    expect(remaining).toBeGreaterThanOrEqual(0);
  });
});

describe('edge cases', () => {
  it('a zero budget never enters an auction', () => {
    const s = startPacing({ mode: 'STANDARD', plan: dailyPlan(0) });
    expect(participation(s)).toBe(0);
    expect(participation(step(s, { minute: 1, spentMicro: 0 }))).toBe(0);
    expect(participation(startPacing({ mode: 'ACCELERATED', plan: dailyPlan(0) }))).toBe(0);
    expect(enters(s, 0)).toBe(false);
    const open = startPacing({ mode: 'ACCELERATED', plan: dailyPlan(UNIT) });
    expect(enters(open, 0.999)).toBe(true);
  });

  it('a budget already spent stops both modes', () => {
    for (const mode of ['STANDARD', 'ACCELERATED'] as const) {
      const s = startPacing({ mode, plan: dailyPlan(10 * UNIT), spentMicro: 10 * UNIT, minute: 600 });
      expect(participation(s)).toBe(0);
      const running = step(startPacing({ mode, plan: dailyPlan(10 * UNIT) }), {
        minute: 5,
        spentMicro: 10 * UNIT,
      });
      expect(participation(running)).toBe(0);
    }
  });

  it('empty traffic raises participation to 1 (doubling from the initial probe) and spends nothing', () => {
    const empty: Market = { ...market, opportunitiesPerDay: 0 };
    const run = runDay(new MarketSim(empty, 1), startPacing({ mode: 'STANDARD', plan: dailyPlan(UNIT) }));
    expect(run.spent).toBe(0);
    expect(run.participations.slice(0, 3)).toEqual([0.01, 0.02, 0.04]);
    expect(run.participations.slice(7).every((p) => p === 1)).toBe(true);
  });

  it('the period over, nothing more is entered', () => {
    const s = step(startPacing({ mode: 'STANDARD', plan: dailyPlan(UNIT) }), { minute: 1440, spentMicro: 0 });
    expect(participation(s)).toBe(0);
  });

  it('a repeated or stale observation does not change the demand estimate', () => {
    const s1 = step(startPacing({ mode: 'STANDARD', plan: dailyPlan(UNIT) }), {
      minute: 10,
      spentMicro: 5000,
    });
    const s2 = step(s1, { minute: 10, spentMicro: 5000 });
    const s3 = step(s1, { minute: 9, spentMicro: 4000 });
    expect(s2).toEqual(s1);
    expect(s3).toEqual(s1);
  });

  it('the state round-trips through JSON and steps the same afterwards', () => {
    const sim = new MarketSim(market, 8);
    const run = runDay(sim, startPacing({ mode: 'STANDARD', plan: dailyPlan(100 * UNIT) }));
    const mid = step(startPacing({ mode: 'STANDARD', plan: dailyPlan(100 * UNIT), previous: run.state }), {
      minute: 1,
      spentMicro: 70_000,
    });
    const copy = JSON.parse(JSON.stringify(mid)) as PacingState;
    expect(copy).toEqual(mid);
    const obs = { minute: 2, spentMicro: 150_000 };
    expect(step(copy, obs)).toEqual(step(mid, obs));
  });
});
