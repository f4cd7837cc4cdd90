import { INTERESTS } from '../../interests/index.js';
import type { ServableAd } from './ad-catalog.js';
import type { Placement } from './eligibility.js';
import { words } from './keyword-match.js';

/**
 * The organic quality guard's measure: how relevant a promoted pin is to where it would show, in [0, 1].
 * An ad is shown only when it reaches the auction's `minRelevance` (0.3 by default).
 *
 * - BROWSE (home feed, related pins): 1 when the promoted pin's own interests (from its title, description
 *   and board) meet the viewer's or the on-screen pin's; 0.6 when only the ad group's interest targeting
 *   met them (the advertiser says so, the pin does not); 0.5 when nothing is known of the viewer (no
 *   interests at all: a signed-out or new person); otherwise 0.1: an ad about something else entirely.
 * - SEARCH: 1 when a keyword of the ad group matched the query (eligibility has checked it); else the
 *   share of the query's interests the pin's interests cover, 0.1 when the query names no interest.
 */
export function relevance(
  ad: Pick<ServableAd, 'pinInterests' | 'group'>,
  request: { placement: Placement; interests: ReadonlySet<string>; queryInterests?: ReadonlySet<string> },
): number {
  if (request.placement === 'SEARCH') {
    if (ad.group.keywords.some((k) => !k.matchType.endsWith('_NEGATIVE'))) return 1;
    const wanted = request.queryInterests ?? new Set<string>();
    if (wanted.size === 0) return 0.1;
    let met = 0;
    for (const i of wanted) if (ad.pinInterests.has(i)) met++;
    return Math.max(0.1, met / wanted.size);
  }
  if (request.interests.size === 0) return 0.5;
  for (const i of ad.pinInterests) if (request.interests.has(i)) return 1;
  const targeted = ad.group.targeting.INTEREST;
  if (Array.isArray(targeted) && targeted.some((i) => request.interests.has(i))) return 0.6;
  return 0.1;
}

/** Interest words folded to a simple singular, each mapped to its interests. */
const INTEREST_WORDS = new Map<string, string[]>();
for (const interest of INTERESTS)
  for (const w of interest.words) {
    const folded = fold(w);
    INTEREST_WORDS.set(folded, [...(INTEREST_WORDS.get(folded) ?? []), interest.id]);
  }

function fold(word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

/** The interests a search query names: its words (plurals folded) among the taxonomy's. */
export function queryInterests(query: string): Set<string> {
  const out = new Set<string>();
  for (const w of words(query)) for (const id of INTEREST_WORDS.get(fold(w)) ?? []) out.add(id);
  return out;
}
