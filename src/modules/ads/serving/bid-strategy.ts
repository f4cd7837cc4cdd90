/**
 * Bid strategies for the ad server, as pure functions: the effective bid an ad group enters an auction
 * with, and the controllers that move it. No clock, no randomness, no I/O: each control step takes what
 * was billed since the last one. The state is a plain JSON object (Redis or the database, shared by nodes).
 *
 * Bids are integer micro-currency per billable event, rounded down and never below the floor the caller
 * gives; the multiplier and the estimates are floats.
 *
 *   MAX_BID        the bid as given.
 *   AUTOMATIC_BID  floor × m, m raised while the group cannot spend its plan and lowered while it could
 *                  spend well over it, so the budget is bought as cheaply as the market allows.
 *   TARGET_AVG     target × m, m moved so that the average cost per billable event converges to the target.
 *
 * Both controllers are integral controllers in the log domain: log m += K · log(reference / measurement),
 * the factor per step bounded to [1/S, S] and m to [m_min, m_max]. The measurement is a ratio of
 * exponential averages (smoothing α), so a step with few events moves it little.
 */

export type BidStrategyType = 'MAX_BID' | 'AUTOMATIC_BID' | 'TARGET_AVG';

/**
 * AUTOMATIC_BID aims at demand (spend at full participation) this many times the plan: pacing then
 * throttles to about 1/1.25 = 80%, a margin that absorbs traffic dips without falling behind, while the
 * bid is no higher than needed to spend the budget.
 */
export const AUTOMATIC_DEMAND_TARGET = 1.25;

/** AUTOMATIC_BID never bids more than budget / this for one billable event (at least 20 per budget). */
export const AUTOMATIC_MIN_EVENTS_PER_BUDGET = 20;

/** TARGET_AVG never bids more than this many times the target. */
export const TARGET_AVG_MAX_MULTIPLIER = 4;

/** Integral gain of AUTOMATIC_BID per step. */
export const AUTOMATIC_GAIN = 0.1;

/** Integral gain of TARGET_AVG per step. */
export const TARGET_AVG_GAIN = 0.3;

/** The largest factor by which one step may move the multiplier, up or down. */
export const MAX_STEP_FACTOR = 1.2;

/** Smoothing factor of the measurements per step. */
export const MEASURE_SMOOTHING = 0.2;

/** Bid-strategy state of one ad group; plain data, JSON round-trips exactly. */
export interface BidState {
  readonly strategy: BidStrategyType;
  /** MAX_BID: the bid; TARGET_AVG: the target average cost; AUTOMATIC_BID: the floor it started from. */
  readonly baseMicro: number;
  /** The effective bid never exceeds this (unless the auction's floor is higher), micro. */
  readonly maxMicro: number;
  readonly multiplier: number;
  readonly minMultiplier: number;
  readonly maxMultiplier: number;
  /** Exponential average of the measurement's numerator: spend (AUTOMATIC_BID) or cost (TARGET_AVG). */
  readonly measureNum: number;
  /** ...and of its denominator: planned spend × participation (AUTOMATIC_BID) or events (TARGET_AVG). */
  readonly measureDen: number;
}

/** What was billed in one control step. */
export interface BidObservation {
  /** Billed spend in the step, micro. */
  readonly spentMicro: number;
  /** Billable events in the step. */
  readonly billableEvents: number;
  /** Auctions the group entered in the step. */
  readonly auctions: number;
  /** Spend the pacing plan asked for in the step, micro. */
  readonly plannedMicro: number;
  /** Pacing participation in force during the step. */
  readonly participation: number;
}

/** Input of `startBidStrategy`, per strategy. */
export type BidStart =
  | { readonly strategy: 'MAX_BID'; readonly bidMicro: number }
  | { readonly strategy: 'TARGET_AVG'; readonly bidMicro: number }
  | { readonly strategy: 'AUTOMATIC_BID'; readonly budgetMicro: number; readonly floorMicro: number };

/** The most AUTOMATIC_BID bids for one billable event: budget / 20, and never under the floor. */
export function automaticBidCeiling(budgetMicro: number, floorMicro: number): number {
  return Math.max(floorMicro, Math.floor(budgetMicro / AUTOMATIC_MIN_EVENTS_PER_BUDGET));
}

/**
 * A new state. AUTOMATIC_BID starts at the floor (m = 1) and climbs while it wins too little; TARGET_AVG
 * starts at the target (m = 1: under a second price the average cost is below the bid, so the bid must be
 * at least the target, which is also its lower bound).
 */
export function startBidStrategy(start: BidStart): BidState {
  const measure = { measureNum: 0, measureDen: 0 };
  if (start.strategy === 'AUTOMATIC_BID') {
    const floor = Math.max(1, Math.floor(start.floorMicro));
    const ceiling = automaticBidCeiling(start.budgetMicro, floor);
    return {
      strategy: 'AUTOMATIC_BID',
      baseMicro: floor,
      maxMicro: ceiling,
      multiplier: 1,
      minMultiplier: 1,
      maxMultiplier: ceiling / floor,
      ...measure,
    };
  }
  const bid = Math.max(0, Math.floor(start.bidMicro));
  if (start.strategy === 'MAX_BID') {
    return {
      strategy: 'MAX_BID',
      baseMicro: bid,
      maxMicro: bid,
      multiplier: 1,
      minMultiplier: 1,
      maxMultiplier: 1,
      ...measure,
    };
  }
  return {
    strategy: 'TARGET_AVG',
    baseMicro: bid,
    maxMicro: bid * TARGET_AVG_MAX_MULTIPLIER,
    multiplier: 1,
    minMultiplier: 1,
    maxMultiplier: TARGET_AVG_MAX_MULTIPLIER,
    ...measure,
  };
}

/**
 * The bid to enter an auction with, micro: base × m rounded down, at most the state's bound, and never
 * below `floorMicro` (an auction's floor above the bound wins: a bid under the floor cannot take part).
 */
export function effectiveBid(state: BidState, floorMicro: number): number {
  const raw = Math.floor(state.baseMicro * state.multiplier);
  return Math.max(Math.ceil(floorMicro), Math.min(raw, state.maxMicro));
}

/** The measurement the controller acts on: θ (AUTOMATIC_BID) or the average cost (TARGET_AVG), or null. */
export function measurement(state: BidState): number | null {
  return state.measureDen > 0 ? state.measureNum / state.measureDen : null;
}

/**
 * One control step.
 *
 * AUTOMATIC_BID measures θ = avg(spend) / avg(plan × participation), the group's demand at its current
 * bid relative to its plan, and moves m by (θ* / θ)^K with θ* = AUTOMATIC_DEMAND_TARGET, K =
 * AUTOMATIC_GAIN: θ < θ* (cannot spend the plan, or only just) raises the bid, θ > θ* (pacing throttles
 * hard) lowers it. A step in which the group entered no auction is no evidence about its bid and changes
 * nothing (no traffic is not fixed by bidding more). Spend rises with the bid with elasticity
 * ε = d log spend / d log bid (about 2.3 at the median price of a log-normal market with σ = 0.5, larger
 * in narrower markets), so the log-error e evolves as e' = (1 − K·ε) · e: stable for K·ε < 2 and without
 * oscillation for K·ε < 1, i.e. ε < 10 with K = 0.1, which leaves room for the smoothing lag. The bound
 * S = 1.2 per step caps the climb from the floor while θ is 0 (×1.2 a step: ×38 in 20 steps).
 *
 * TARGET_AVG measures A = avg(cost) / avg(events) and moves m by (target / A)^K with K = TARGET_AVG_GAIN.
 * Under a second price the average cost rises with the bid more slowly than the bid (slope η in (0, 1]),
 * so e' = (1 − K·η) · e converges monotonically for K ≤ 1; K = 0.3 with the 0.2 smoothing lag stays well
 * damped. Steps without events change nothing.
 *
 * MAX_BID has no controller.
 */
export function step(state: BidState, obs: BidObservation): BidState {
  if (state.strategy === 'MAX_BID') return state;
  let num: number;
  let den: number;
  if (state.strategy === 'AUTOMATIC_BID') {
    if (obs.auctions <= 0 || obs.plannedMicro <= 0 || obs.participation <= 0) return state;
    num = Math.max(0, obs.spentMicro);
    den = obs.plannedMicro * obs.participation;
  } else {
    if (obs.billableEvents <= 0) return state;
    num = Math.max(0, obs.spentMicro);
    den = obs.billableEvents;
  }
  const measureNum = (1 - MEASURE_SMOOTHING) * state.measureNum + MEASURE_SMOOTHING * num;
  const measureDen = (1 - MEASURE_SMOOTHING) * state.measureDen + MEASURE_SMOOTHING * den;
  const measured = measureNum / measureDen;
  const ratio =
    state.strategy === 'AUTOMATIC_BID'
      ? measured > 0
        ? AUTOMATIC_DEMAND_TARGET / measured
        : Number.POSITIVE_INFINITY
      : measured > 0
        ? state.baseMicro / measured
        : Number.POSITIVE_INFINITY;
  const gain = state.strategy === 'AUTOMATIC_BID' ? AUTOMATIC_GAIN : TARGET_AVG_GAIN;
  const factor = Math.min(MAX_STEP_FACTOR, Math.max(1 / MAX_STEP_FACTOR, ratio ** gain));
  const multiplier = Math.min(state.maxMultiplier, Math.max(state.minMultiplier, state.multiplier * factor));
  return { ...state, multiplier, measureNum, measureDen };
}
