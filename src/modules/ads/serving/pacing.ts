/**
 * Budget pacing for the ad server, as pure functions: no clock, no randomness, no I/O. Time (minutes since
 * the start of the pacing period) and the billed spend come in as inputs; the state is a plain JSON object,
 * so it can live in Redis or the database and be shared by every serving node.
 *
 * Money is integer micro-currency; the participation probability and the demand estimate are floats.
 *
 * A period is a run of whole hours (a day for daily budgets); its plan is the spend planned per hour.
 * STANDARD pacing enters each auction with a probability p (the caller draws the coin), set each control
 * step by a feedforward/feedback law on the billed spend against the plan; ACCELERATED enters every auction
 * until the period's budget is spent.
 */

export type PacingMode = 'STANDARD' | 'ACCELERATED';

/** Minutes per hour of the plan. */
export const MINUTES_PER_HOUR = 60;

/**
 * Expected auction opportunities per hour of the day (UTC, relative weights): a night trough around
 * 03:00-05:00, a morning rise, a lunch plateau and an evening peak around 20:00, the usual shape of a
 * consumer feed.
 */
export const DIURNAL_SHAPE: readonly number[] = Object.freeze([
  0.45, 0.32, 0.24, 0.2, 0.2, 0.25, 0.4, 0.6, 0.8, 0.9, 0.95, 1.0, 1.05, 1.0, 0.95, 0.95, 1.0, 1.1, 1.25, 1.4,
  1.5, 1.45, 1.2, 0.8,
]);

/**
 * Catch-up horizon of the feedback term, in minutes: a deficit (or surplus) against the plan is spread over
 * the next CATCH_UP_MINUTES (fewer when the period ends sooner).
 */
export const CATCH_UP_MINUTES = 20;

/** Smoothing factor of the demand estimate per control step (time constant about 1/α ≈ 3 steps: traffic
 * bursts are the main disturbance and a faster estimate follows them; swept 0.1-0.5 in the simulation). */
export const DEMAND_SMOOTHING = 0.3;

/** The least participation while the plan still asks for spend, so the demand estimate keeps learning. */
export const MIN_PARTICIPATION = 0.001;

/**
 * Participation before any spend is seen; it doubles each step until spend shows (a slow start). Starting
 * at 1 would spend a whole step of full demand at once, which for a small budget is hours of its plan.
 */
export const INITIAL_PARTICIPATION = 0.01;

/** Pacing state of one ad group (or campaign) for one period; plain data, JSON round-trips exactly. */
export interface PacingState {
  readonly mode: PacingMode;
  /** Planned spend per hour of the period, micro; the period lasts plan.length hours. */
  readonly plan: readonly number[];
  /** Spend at which the group stops entering auctions in this period, micro. */
  readonly budgetMicro: number;
  /** Minutes since the period started, at the last step. */
  readonly minute: number;
  /** Billed spend in the period at the last step, micro. */
  readonly spentMicro: number;
  /** Probability of entering an auction until the next step, in [0, 1]. */
  readonly participation: number;
  /** Exponential average of billed spend per step (numerator of the demand estimate), micro. */
  readonly demandSpend: number;
  /** Exponential average of planned spend × participation per step (its denominator), micro. */
  readonly demandPlan: number;
}

/** What the serving side reports at a control step. */
export interface PacingObservation {
  /** Minutes since the period started, now. */
  readonly minute: number;
  /** Billed spend in the period so far (the shared counter), micro. */
  readonly spentMicro: number;
}

/**
 * Splits `total` micro in proportion to non-negative weights, exactly: floor of each share, then the micro
 * left over go one each to the largest fractional remainders (ties to the earlier index). All-zero or
 * empty weights get nothing but an empty total: the caller decides the fallback.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  const safeTotal = Math.max(0, Math.floor(total));
  const w = weights.map((x) => (Number.isFinite(x) && x > 0 ? x : 0));
  const sum = w.reduce((a, b) => a + b, 0);
  if (sum === 0) return w.map(() => 0);
  const exact = w.map((x) => (safeTotal * x) / sum);
  const out = exact.map((x) => Math.floor(x));
  let left = safeTotal - out.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, frac: x - Math.floor(x), w: w[i]! }))
    .filter((e) => e.w > 0)
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  // Float shares can round so the floors miss by more than the number of parts: cycle until exact.
  for (let k = 0; left > 0 && order.length > 0; k = (k + 1) % order.length, left--) out[order[k]!.i]! += 1;
  for (let k = order.length - 1; left < 0 && k >= 0; k--) {
    const take = Math.min(out[order[k]!.i]!, -left);
    out[order[k]!.i]! -= take;
    left += take;
  }
  return out;
}

/**
 * The spend plan of a day: the budget shared among the hours from `fromHour` on in proportion to their
 * expected traffic (hours before `fromHour` get 0). A shape with no traffic left spreads evenly.
 */
export function dailyPlan(
  budgetMicro: number,
  shape: readonly number[] = DIURNAL_SHAPE,
  fromHour = 0,
): number[] {
  const weights = shape.map((w, h) => (h >= fromHour ? w : 0));
  const hasTraffic = weights.some((w) => Number.isFinite(w) && w > 0);
  return allocate(budgetMicro, hasTraffic ? weights : shape.map((_, h) => (h >= fromHour ? 1 : 0)));
}

/**
 * Today's plan for a lifetime budget: what is left of the budget is spread over the rest of the flight in
 * proportion to expected traffic, today's hours from `fromHour` on weighing their shape and each of the
 * `daysLeft - 1` later days a whole day's shape; today's share is then planned as a daily budget. Replanned
 * each day, under- or over-delivery of earlier days is spread over the days that remain.
 */
export function lifetimeDayPlan(
  remainingMicro: number,
  daysLeft: number,
  shape: readonly number[] = DIURNAL_SHAPE,
  fromHour = 0,
): number[] {
  if (daysLeft <= 1) return dailyPlan(remainingMicro, shape, fromHour);
  const positive = shape.map((w) => (Number.isFinite(w) && w > 0 ? w : 0));
  const day = positive.reduce((a, b) => a + b, 0);
  const today = positive.reduce((a, w, h) => a + (h >= fromHour ? w : 0), 0);
  const [todayMicro] =
    day === 0
      ? allocate(remainingMicro, [shape.length - fromHour, (daysLeft - 1) * shape.length])
      : allocate(remainingMicro, [today, (daysLeft - 1) * day]);
  return dailyPlan(todayMicro ?? 0, shape, fromHour);
}

/** Planned spend from the start of the period to `minute`, micro (linear within each hour, rounded down). */
export function plannedBy(plan: readonly number[], minute: number): number {
  const end = plan.length * MINUTES_PER_HOUR;
  const m = Math.min(Math.max(0, minute), end);
  const hour = Math.floor(m / MINUTES_PER_HOUR);
  let total = 0;
  for (let h = 0; h < hour; h++) total += plan[h]!;
  if (hour < plan.length)
    total += Math.floor((plan[hour]! * (m - hour * MINUTES_PER_HOUR)) / MINUTES_PER_HOUR);
  return total;
}

/** Input of `startPacing`. */
export interface PacingStart {
  readonly mode: PacingMode;
  readonly plan: readonly number[];
  /** Defaults to the plan's sum (a daily budget); a lifetime ACCELERATED group passes what is left. */
  readonly budgetMicro?: number;
  /** Minutes since the period started (a group that starts mid-period). */
  readonly minute?: number;
  /** Spend already billed in the period, micro. */
  readonly spentMicro?: number;
  /** The previous period's state, whose demand estimate carries over (demand relative to plan). */
  readonly previous?: PacingState;
}

/**
 * A new period's state. Participation starts at INITIAL_PARTICIPATION (nothing is known of demand) or,
 * with a previous period, at what its carried demand estimate asks for.
 */
export function startPacing(start: PacingStart): PacingState {
  const budgetMicro = Math.max(0, Math.floor(start.budgetMicro ?? start.plan.reduce((a, b) => a + b, 0)));
  const base: PacingState = {
    mode: start.mode,
    plan: [...start.plan],
    budgetMicro,
    minute: Math.max(0, start.minute ?? 0),
    spentMicro: Math.max(0, start.spentMicro ?? 0),
    participation: 0,
    demandSpend: start.previous?.demandSpend ?? 0,
    demandPlan: start.previous?.demandPlan ?? 0,
  };
  return { ...base, participation: nextParticipation(base, 1) };
}

/** The probability with which the group enters an auction until the next step, in [0, 1]. */
export function participation(state: PacingState): number {
  return state.participation;
}

/** Whether to enter this auction, given a uniform draw `u` in [0, 1) made by the caller. */
export function enters(state: PacingState, u: number): boolean {
  return u < state.participation;
}

/** The demand estimate θ: spend at full participation relative to plan, or null before any evidence. */
export function demandRatio(state: PacingState): number | null {
  return state.demandPlan > 0 ? state.demandSpend / state.demandPlan : null;
}

/**
 * One control step. The demand estimate learns from the spend billed since the last step at the
 * participation that was in force (ratio of exponential averages: θ = avg(spend) / avg(plan × p), which
 * stays unbiased when p changes from step to step), then the participation for the next step is set.
 */
export function step(state: PacingState, observation: PacingObservation): PacingState {
  const minute = Math.max(state.minute, observation.minute);
  const spentMicro = Math.max(state.spentMicro, observation.spentMicro);
  const stepMinutes = minute - state.minute;
  if (stepMinutes <= 0)
    return { ...state, spentMicro, participation: spentMicro >= state.budgetMicro ? 0 : state.participation };
  const spent = spentMicro - state.spentMicro;
  const planned = plannedBy(state.plan, minute) - plannedBy(state.plan, state.minute);
  let { demandSpend, demandPlan } = state;
  if (planned > 0 && state.participation > 0) {
    demandSpend = (1 - DEMAND_SMOOTHING) * demandSpend + DEMAND_SMOOTHING * spent;
    demandPlan = (1 - DEMAND_SMOOTHING) * demandPlan + DEMAND_SMOOTHING * planned * state.participation;
  }
  const next: PacingState = { ...state, minute, spentMicro, demandSpend, demandPlan };
  return { ...next, participation: nextParticipation(next, stepMinutes) };
}

/**
 * The control law. With L the step length, R the minutes left in the period, q the spend planned over the
 * next L minutes, d = planned-to-date − spent-to-date (the deficit) and θ the demand estimate:
 *
 *   desired = q + d · L / min(H, R)        (H = CATCH_UP_MINUTES)
 *   p       = clamp(desired / (θ · q), MIN_PARTICIPATION, 1),  0 when desired ≤ 0
 *   p       = min(1, max(INITIAL_PARTICIPATION, 2 · p))        while θ is unknown or 0 (slow start)
 *
 * Spend in a step is p · θ_true · q (θ_true the real demand ratio), so with g = θ_true / θ the deficit
 * evolves as d' = d · (1 − g · L/H) + (1 − g) · q: for a correct estimate (g = 1) it shrinks geometrically
 * by (1 − L/H) per step (no overshoot for L ≤ H), and the loop stays stable for any estimate error with
 * 0 < g < 2H/L (40 for one-minute steps), while the estimate's own smoothing drives g to 1. The feedback
 * acts on the measured cumulative deficit, not an internal integrator, so saturation (p pinned at 1 when
 * demand is short) cannot wind up. Near the end of the period R < H and the whole deficit is asked for by
 * the last step, which is what spends the budget.
 */
function nextParticipation(state: PacingState, stepMinutes: number): number {
  if (state.spentMicro >= state.budgetMicro) return 0;
  const end = state.plan.length * MINUTES_PER_HOUR;
  const left = end - state.minute;
  if (left <= 0) return 0;
  if (state.mode === 'ACCELERATED') return 1;
  const length = Math.min(Math.max(1, stepMinutes), left);
  const q = plannedBy(state.plan, state.minute + length) - plannedBy(state.plan, state.minute);
  const deficit = plannedBy(state.plan, state.minute) - state.spentMicro;
  const desired = q + (deficit * length) / Math.min(CATCH_UP_MINUTES, left);
  if (desired <= 0) return 0;
  const theta = demandRatio(state);
  // No evidence of demand yet (or none for the next step's plan): probe, doubling up to 1.
  if (theta === null || theta <= 0 || q === 0)
    return Math.min(1, Math.max(INITIAL_PARTICIPATION, 2 * state.participation));
  return Math.min(1, Math.max(MIN_PARTICIPATION, desired / (theta * q)));
}
