import type { Db } from '../../platform/db/database.js';
import type { Logger } from '../../platform/logger.js';
import type { PopularitySignals } from '../analytics/index.js';
import { type PoolRow, feedRepository as repo } from './feed.repository.js';
import { withoutCommonWords } from './interests.js';

export type PoolPin = PoolRow & { score: number };

/** Popularity signals of pins (the analytics module's decayed recent saves and engagements). */
export type SignalSource = (pinIds: string[]) => Promise<Map<string, PopularitySignals>>;

/** How long one process reuses the pool. */
const POOL_TTL_MS = 5 * 60_000;
const POOL_SIZE = 1000;
const FILLER = 200;
const POOL_DAYS = 30;
const HALF_LIFE_DAYS = 10;

/**
 * The popular pins every viewer's popular source is cut from: the most saved pins of the last 30 days
 * (saves decayed with age), lifted by their recent save and engagement signals, then the newest public
 * pins as filler so a young install still has something to show. Built at most every five minutes per
 * process; concurrent readers share one build.
 */
export class PopularPool {
  private value: { at: number; pins: PoolPin[] } | undefined;
  private building: Promise<PoolPin[]> | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly signals: SignalSource | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<PoolPin[]> {
    if (this.value && this.now() - this.value.at < POOL_TTL_MS) return this.value.pins;
    if (!this.building) {
      this.building = this.build()
        .then((pins) => {
          this.value = { at: this.now(), pins };
          return pins;
        })
        .finally(() => {
          this.building = undefined;
        });
    }
    // A stale pool is still served while the next one is built.
    return this.value?.pins ?? this.building;
  }

  /** Forgets the pool (tests, or after bulk changes). */
  clear(): void {
    this.value = undefined;
  }

  private async build(): Promise<PoolPin[]> {
    const saved = await repo.popular(this.db, {
      days: POOL_DAYS,
      halfLifeDays: HALF_LIFE_DAYS,
      limit: POOL_SIZE,
    });
    let signals = new Map<string, PopularitySignals>();
    if (this.signals && saved.length > 0) {
      try {
        signals = await this.signals(saved.map((p) => p.id));
      } catch (err) {
        this.log.warn({ err }, 'feed: popularity signals unavailable; ranking the pool by saves alone');
      }
    }
    const scored = saved.map((p) => {
      const s = signals.get(p.id);
      return { ...p, score: p.saves + (s ? 2 * s.save_7d + 0.5 * s.engagement_7d : 0) };
    });
    scored.sort((a, b) => b.score - a.score);
    const have = new Set(scored.map((p) => p.canonical));
    const filler = (await repo.newest(this.db, FILLER))
      .filter((p) => !have.has(p.canonical))
      .map((p) => ({ ...p, score: 0 }));
    return withoutCommonWords([...scored, ...filler]) as PoolPin[];
  }
}
