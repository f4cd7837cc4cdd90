/** A phrase with its typeahead score. */
export interface ScoredTerm {
  term: string;
  score: number;
}

/** Prefixes up to this length have their best completions worked out when the index is built. */
const PRECOMPUTED_PREFIX = 2;
/** Most completions asked for (the spec's maximum `limit`). */
export const MAX_COMPLETIONS = 10;
/**
 * Most candidates a prefix yields: twice the most completions, so that when the read-time privacy check
 * drops terms of content hidden since the index was built, enough remain to fill an answer.
 */
export const MAX_CANDIDATES = 2 * MAX_COMPLETIONS;

const better = (a: ScoredTerm, b: ScoredTerm) =>
  b.score - a.score || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0);

/**
 * An immutable in-memory typeahead index: terms sorted, so the completions of a prefix are one contiguous
 * range found by binary search; the best MAX_CANDIDATES of short prefixes (whose ranges are long) are
 * precomputed, longer prefixes take the best of their (short) range. Rebuilt whole on refresh; what it
 * holds may be stale, so its answers are candidates that TermsService checks against the database.
 */
export class TermIndex {
  private readonly sorted: ScoredTerm[];
  private readonly byTerm: Map<string, ScoredTerm>;
  private readonly short = new Map<string, ScoredTerm[]>();

  constructor(entries: readonly ScoredTerm[]) {
    const merged = new Map<string, ScoredTerm>();
    for (const e of entries) {
      const cur = merged.get(e.term);
      merged.set(e.term, { term: e.term, score: (cur?.score ?? 0) + e.score });
    }
    this.byTerm = merged;
    this.sorted = [...merged.values()].sort((a, b) => (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
    for (const e of this.sorted) {
      for (let n = 1; n <= Math.min(PRECOMPUTED_PREFIX, e.term.length); n++) {
        const key = e.term.slice(0, n);
        const list = this.short.get(key) ?? [];
        insertTop(list, e, MAX_CANDIDATES);
        this.short.set(key, list);
      }
    }
  }

  get size(): number {
    return this.sorted.length;
  }

  /** The score of a term, if indexed. */
  score(term: string): number | undefined {
    return this.byTerm.get(term)?.score;
  }

  /** The best-scored terms (at most MAX_CANDIDATES) beginning with `prefix` (normalised), best first. */
  complete(prefix: string, limit: number): string[] {
    if (prefix.length === 0) return [];
    const pre = prefix.length <= PRECOMPUTED_PREFIX ? this.short.get(prefix) : undefined;
    if (pre) return pre.slice(0, limit).map((e) => e.term);
    const top: ScoredTerm[] = [];
    for (let i = this.lowerBound(prefix); i < this.sorted.length; i++) {
      const e = this.sorted[i] as ScoredTerm;
      if (!e.term.startsWith(prefix)) break;
      insertTop(top, e, limit);
    }
    return top.map((e) => e.term);
  }

  /** The best-scored terms containing every word of `words` as a word, other than `except`. */
  containing(words: readonly string[], except: string, limit: number): string[] {
    const top: ScoredTerm[] = [];
    for (const e of this.sorted) {
      if (e.term === except) continue;
      const have = ` ${e.term} `;
      if (words.every((w) => have.includes(` ${w} `))) insertTop(top, e, limit);
    }
    return top.map((e) => e.term);
  }

  private lowerBound(prefix: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.sorted[mid] as ScoredTerm).term < prefix) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Keeps `list` the best `limit` entries, best first. */
function insertTop(list: ScoredTerm[], e: ScoredTerm, limit: number): void {
  if (list.length >= limit && better(e, list[list.length - 1] as ScoredTerm) >= 0) return;
  let i = list.length;
  while (i > 0 && better(e, list[i - 1] as ScoredTerm) < 0) i--;
  list.splice(i, 0, e);
  if (list.length > limit) list.pop();
}
