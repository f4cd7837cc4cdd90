import { Random } from '../../src/cli/seed/random.js';

/**
 * A small auction market for pacing and bid-strategy simulations, one simulated minute at a time:
 * opportunities arrive following a diurnal shape (smooth within the hour) with slow multiplicative noise
 * and Poisson-like counts; each auction has a competing price drawn from a log-normal law whose median
 * drifts over the day; the group wins when its bid is above the competing price and pays that price
 * (second price), unless the price would take its spend over the budget (a refusal: the hard cap).
 */
export interface Market {
  /** Mean opportunities per day. */
  readonly opportunitiesPerDay: number;
  /** Hourly weights of the true traffic. */
  readonly shape: readonly number[];
  /** Standard deviation of the slow log-noise on traffic (AR(1), per minute innovation scaled). */
  readonly trafficNoise: number;
  /** Median competing price per billable event, micro. */
  readonly priceMedianMicro: number;
  /** Log-normal sigma of the competing price. */
  readonly priceSigma: number;
  /** Relative swing of the price median over the day (0.15: ±15%, highest at the evening peak). */
  readonly priceSwing: number;
}

export interface MinuteOutcome {
  readonly opportunities: number;
  readonly entered: number;
  readonly won: number;
  readonly spentMicro: number;
  readonly refusals: number;
}

export interface Bidder {
  /** Probability of entering each auction this minute. */
  readonly participation: number;
  /** Bid per billable event, micro. */
  readonly bidMicro: number;
  /** What may still be billed before the hard cap, micro. */
  readonly remainingMicro: number;
}

/** A market simulation with its own seeded random stream and traffic-noise state. */
export class MarketSim {
  private readonly rng: Random;
  private logNoise = 0;

  constructor(
    readonly market: Market,
    seed: number,
  ) {
    this.rng = new Random(seed);
  }

  /** Standard normal draw (Box-Muller). */
  gauss(): number {
    const u = Math.max(this.rng.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.rng.next());
  }

  /** Uniform draw in [0, 1). */
  uniform(): number {
    return this.rng.next();
  }

  /** The true mean traffic weight at a minute of the day: hourly weights, linearly interpolated. */
  weightAt(minuteOfDay: number): number {
    const s = this.market.shape;
    const x = (minuteOfDay / 60 - 0.5 + s.length) % s.length;
    const h = Math.floor(x);
    const f = x - h;
    return s[h % s.length]! * (1 - f) + s[(h + 1) % s.length]! * f;
  }

  /** Opportunities in one minute: mean from the shape, slow log-noise, then Poisson-like scatter. */
  opportunities(minuteOfDay: number, dayFactor = 1): number {
    const s = this.market.shape;
    const sum = s.reduce((a, b) => a + b, 0);
    if (sum === 0 || this.market.opportunitiesPerDay === 0) return 0;
    // AR(1) with a 30-minute correlation time; stationary sd = trafficNoise.
    const rho = 1 - 1 / 30;
    this.logNoise = rho * this.logNoise + Math.sqrt(1 - rho * rho) * this.market.trafficNoise * this.gauss();
    const mean =
      ((this.market.opportunitiesPerDay * this.weightAt(minuteOfDay)) / sum / 60) *
      dayFactor *
      Math.exp(this.logNoise);
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.gauss()));
  }

  /** A competing price, micro. */
  price(minuteOfDay: number): number {
    const swing = 1 + this.market.priceSwing * Math.sin((2 * Math.PI * (minuteOfDay / 60 - 14)) / 24);
    return Math.max(
      1,
      Math.round(this.market.priceMedianMicro * swing * Math.exp(this.market.priceSigma * this.gauss())),
    );
  }

  /** Runs one minute of auctions for one bidder. */
  minute(minuteOfDay: number, bidder: Bidder, dayFactor = 1): MinuteOutcome {
    const opportunities = this.opportunities(minuteOfDay, dayFactor);
    let entered = 0;
    let won = 0;
    let spentMicro = 0;
    let refusals = 0;
    for (let i = 0; i < opportunities; i++) {
      const price = this.price(minuteOfDay);
      if (this.uniform() >= bidder.participation) continue;
      entered++;
      if (bidder.bidMicro <= price) continue;
      if (spentMicro + price > bidder.remainingMicro) {
        refusals++;
        continue;
      }
      won++;
      spentMicro += price;
    }
    return { opportunities, entered, won, spentMicro, refusals };
  }
}
