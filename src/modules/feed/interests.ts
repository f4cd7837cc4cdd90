// Topics without a topic column: a viewer's interests are the (stemmed) words of their boards' names,
// the boards they follow and their recent pins' titles; a popular pin is "in topic" when the words of
// its title and board name meet them. Words common to much of the popular pool say nothing and are
// dropped from it.
import type { PoolRow } from './feed.repository.js';

/** A word in more than this share of the pool's pins is too common to tell topics apart. */
const COMMON_SHARE = 0.25;

/** The pool with too-common words taken out of each pin's words. */
export function withoutCommonWords(pool: readonly PoolRow[]): PoolRow[] {
  if (pool.length < 20) return [...pool];
  const df = new Map<string, number>();
  for (const p of pool) for (const t of new Set(p.terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const limit = pool.length * COMMON_SHARE;
  return pool.map((p) => ({ ...p, terms: p.terms.filter((t) => (df.get(t) ?? 0) <= limit) }));
}

/**
 * The interests without the words found in more than COMMON_SHARE of these pins' words (for 20 pins or
 * more): a word most candidates share does not tell the viewer's topics from others.
 */
export function distinctive(
  interests: ReadonlyMap<string, number>,
  docs: readonly (readonly string[])[],
): Map<string, number> {
  if (docs.length < 20) return new Map(interests);
  const df = new Map<string, number>();
  for (const terms of docs)
    for (const t of new Set(terms)) if (interests.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  const limit = docs.length * COMMON_SHARE;
  return new Map([...interests].filter(([t]) => (df.get(t) ?? 0) <= limit));
}

/** How much of the viewer's interest weight a pin's words cover, 0..1. */
export function topicMatch(terms: readonly string[], interests: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const w of interests.values()) total += w;
  if (total === 0) return 0;
  let hit = 0;
  for (const t of new Set(terms)) hit += interests.get(t) ?? 0;
  return hit / total;
}

/**
 * The popular source for one viewer: pins matching their interests first (by popularity × match), then
 * the rest by popularity alone.
 */
export function popularFor(
  pool: readonly (PoolRow & { score: number })[],
  interests: ReadonlyMap<string, number>,
): { inTopic: (PoolRow & { score: number })[]; rest: (PoolRow & { score: number })[] } {
  const inTopic: { row: PoolRow & { score: number }; s: number }[] = [];
  const rest: (PoolRow & { score: number })[] = [];
  for (const row of pool) {
    const m = interests.size > 0 ? topicMatch(row.terms, interests) : 0;
    if (m > 0) inTopic.push({ row, s: row.score * m });
    else rest.push(row);
  }
  inTopic.sort((a, b) => b.s - a.s);
  return { inTopic: inTopic.map((x) => x.row), rest };
}
