/**
 * The global pin search score, in log space so the query-independent part can be stored in the index:
 *
 *   score = ln(Σ over the query's lexemes of W(best field the lexeme occurs in))
 *         + ln(1 + ENGAGEMENT_LIFT · ln(1 + engagement))
 *         + created_at (days since the epoch) / FRESHNESS_DAYS
 *
 * i.e. text × engagement factor × exp(-age / FRESHNESS_DAYS) up to a factor common to every pin (the
 * `now` term of the age cancels out of every comparison), so a stored score never goes stale and a
 * bookmark's keyset stays valid. W: title 1, description 0.4, board name 0.3, alt text 0.2.
 * `engagement` = saves of the pin (pins saved from it) + close-ups + outbound clicks from the rollups.
 */
export const FIELD_WEIGHTS = { A: 1, B: 0.4, C: 0.3, D: 0.2 } as const;
export const ENGAGEMENT_LIFT = 0.5;
export const FRESHNESS_DAYS = 120;
/** Candidates read per query from the posting list of its rarest lexeme (the champion list). */
export const CHAMPIONS = 1000;

/** The query-independent part of a pin's score. */
export function staticKey(engagement: number, createdAt: Date): number {
  return (
    Math.log(1 + ENGAGEMENT_LIFT * Math.log1p(Math.max(0, engagement))) +
    createdAt.getTime() / 86_400_000 / FRESHNESS_DAYS
  );
}

/** A pin's full score for a query whose lexemes it matches with these field weights. */
export function score(weights: readonly number[], engagement: number, createdAt: Date): number {
  return Math.log(weights.reduce((a, b) => a + b, 0)) + staticKey(engagement, createdAt);
}
