import type { Db } from '../../platform/db/database.js';
import { EVENTS_BATCH_TOPIC, parseEventsBatch } from '../events/index.js';
import type { TopicConsumer } from '../topics.js';
import { normaliseTerm, rollupTerm } from './text.js';
import { normalise, pctGrowth, type TrendType, trendScore, weeklySeries } from './trends.js';
import { trendsRepository as repo } from './trends.repository.js';

export interface TrendsInput {
  trend_type: TrendType;
  include_keywords?: readonly string[];
  normalize_against_group?: boolean;
  limit?: number;
  include_demographics?: boolean;
}

/** Trending search keywords from the daily rollup of SEARCH events (formulas in trends.ts). */
export class TrendsService {
  constructor(
    private readonly db: Db,
    private readonly today: () => string = () => new Date().toISOString().slice(0, 10),
  ) {}

  /**
   * How often each phrase was searched in the last `days` (terms holding it as whole words), keyed by the
   * phrase as given. For keyword metrics; callers show ranges, not these counts.
   */
  async searchVolumes(phrases: readonly string[], days = 30): Promise<Map<string, number>> {
    const normal = new Map(phrases.map((p) => [p, normaliseTerm(p)]));
    const terms = [...new Set([...normal.values()].filter((t) => t.length > 0))];
    const volumes = await repo.phraseVolumes(this.db, terms, this.today(), days);
    return new Map(phrases.map((p) => [p, volumes.get(normal.get(p)!) ?? 0]));
  }

  async keywords(input: TrendsInput) {
    const today = this.today();
    const keywords = (input.include_keywords ?? []).map(normaliseTerm).filter((k) => k.length > 0);
    const ranked = (await repo.windows(this.db, today))
      .filter((c) => keywords.length === 0 || keywords.some((k) => ` ${c.term} `.includes(` ${k} `)))
      .flatMap((c) => {
        const score = trendScore(input.trend_type, c);
        return score === undefined ? [] : [{ c, score }];
      })
      .sort((a, b) => b.score - a.score || (a.c.term < b.c.term ? -1 : 1))
      .slice(0, input.limit ?? 50);
    const daily = await repo.daily(
      this.db,
      ranked.map((r) => r.c.term),
      today,
    );
    const series = normalise(
      ranked.map((r) => weeklySeries(daily.get(r.c.term) ?? new Map(), today)),
      input.normalize_against_group === true,
    );
    return {
      trends: ranked.map(({ c }, i) => ({
        keyword: c.term,
        pct_growth_wow: pctGrowth(c.w0, c.w1),
        pct_growth_mom: pctGrowth(c.m0, c.m1),
        pct_growth_yoy: pctGrowth(c.y0, c.y1),
        time_series: series[i] ?? {},
        has_prediction: false,
        // Corkboard records no age or gender of searchers.
        ...(input.include_demographics ? { demographics: null } : {}),
      })),
    };
  }
}

/**
 * The search-term rollup: each accepted batch's SEARCH events counted per normalised term and day, in
 * the delivery's transaction. A batch is marked rolled with its counts, so it counts once however often
 * it is delivered or announced.
 */
export function searchTermsConsumer(): TopicConsumer<typeof EVENTS_BATCH_TOPIC> {
  return {
    name: 'discovery-search.search-terms',
    topics: [EVENTS_BATCH_TOPIC],
    async handle(payload, ctx) {
      const { batchId, days } = parseEventsBatch(payload);
      if (!(await repo.markRolled(ctx.trx, batchId))) return;
      const counts = new Map<string, { term: string; day: string; n: number }>();
      const searchers = new Map<string, { term: string; userId: string; day: string }>();
      for (const e of await repo.batchSearches(ctx.trx, batchId, days)) {
        const term = rollupTerm(e.query);
        if (term === undefined) continue;
        const key = `${term}\u0000${e.day}`;
        const cur = counts.get(key) ?? { term, day: e.day, n: 0 };
        cur.n++;
        counts.set(key, cur);
        if (e.user_id === null) continue;
        // Key order is (term, user id): user ids compared as numbers (padded to 20 digits).
        const who = `${term}\u0000${e.user_id.padStart(20, '0')}`;
        const seen = searchers.get(who);
        if (!seen || seen.day < e.day) searchers.set(who, { term, userId: e.user_id, day: e.day });
      }
      const inOrder = <T>(m: Map<string, T>) =>
        [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
      await repo.addTermDays(ctx.trx, inOrder(counts));
      await repo.addSearchers(ctx.trx, inOrder(searchers));
    },
  };
}
