/**
 * Keyword targeting against a search query, as Pinterest defines the match types:
 * - BROAD: every word of the keyword is in the query, in any order;
 * - PHRASE: the keyword's words appear together, in order, in the query;
 * - EXACT: the query is the keyword;
 * - PHRASE_NEGATIVE / EXACT_NEGATIVE: as PHRASE / EXACT, but a match excludes the ad.
 * Text is compared lower-cased, with punctuation and repeated spaces folded, word by word.
 */

export type MatchType = 'BROAD' | 'PHRASE' | 'EXACT' | 'PHRASE_NEGATIVE' | 'EXACT_NEGATIVE';

export interface KeywordRule {
  readonly value: string;
  readonly matchType: MatchType;
}

/** The words of a text as keywords compare them. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}']+/u)
    .filter(Boolean);
}

function containsRun(haystack: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0 || needle.length > haystack.length) return false;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Whether one keyword matches the query's words by its match type (negatives: whether they exclude). */
export function keywordMatches(rule: KeywordRule, query: readonly string[]): boolean {
  const kw = words(rule.value);
  if (kw.length === 0) return false;
  switch (rule.matchType) {
    case 'BROAD': {
      const have = new Set(query);
      return kw.every((w) => have.has(w));
    }
    case 'PHRASE':
    case 'PHRASE_NEGATIVE':
      return containsRun(query, kw);
    case 'EXACT':
    case 'EXACT_NEGATIVE':
      return kw.length === query.length && kw.every((w, i) => w === query[i]);
  }
}

/**
 * Whether an ad group's keywords let it show for a query: no excluding keyword matches, and, when it has
 * targeting keywords, at least one matches. `inherited` are the excluding keywords of its campaign and
 * account.
 */
export function keywordsAllow(
  own: readonly KeywordRule[],
  inherited: readonly KeywordRule[],
  query: string,
): boolean {
  const q = words(query);
  const negatives = [...own, ...inherited].filter((k) => k.matchType.endsWith('_NEGATIVE'));
  if (negatives.some((k) => keywordMatches(k, q))) return false;
  const positives = own.filter((k) => !k.matchType.endsWith('_NEGATIVE'));
  return positives.length === 0 || positives.some((k) => keywordMatches(k, q));
}
