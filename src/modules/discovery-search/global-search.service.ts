import { LRUCache } from 'lru-cache';
import type { Bookmarks, Cursor } from '../../platform/bookmarks.js';
import { Invalid } from '../../platform/errors.js';
import type { Principal } from '../../platform/principal.js';
import { writtenPage } from '../pins/index.js';
import type { ProductServices } from '../product-services.js';
import type {
  GlobalSearchRepository,
  NearLexeme,
  ScoreCursor,
  ScoredHit,
} from './global-search.repository.js';
import { searchTerm } from './text.js';

export interface GlobalSearchInput {
  term: string;
  limit?: number;
  bookmark?: string;
  /** False: search the words as written, none corrected (the "search instead for" of a corrected search). */
  correct?: boolean;
}

/** What a query's words became: the lexemes searched, and the words corrected to a public lexeme. */
export interface ParsedQuery {
  lexemes: string[];
  /**
   * Lexeme searched for each word that had no exact match (typo tolerance), and a word of public text it
   * stands for (`to` is a stem).
   */
  corrections: { word: string; to: string; shown: string }[];
  /** Document count of each lexeme searched (the rarest drives the search). */
  counts: ReadonlyMap<string, number>;
  /** False when some word matches nothing public, even after correction: the search finds nothing. */
  searchable: boolean;
}

/** Remembered when no public lexeme is near a misspelt one. */
const NONE = Symbol('no near lexeme');

export const DEFAULT_LIMIT = 10;
/** How long a term whose every word matched exactly keeps its lexemes and driver in memory. */
const PARSED_TTL_MS = 30_000;
/** How long the public lexeme nearest to a misspelt one is remembered. */
const NEAREST_TTL_MS = 30_000;

/** The lexemes to search for a term and the rarest of them (the driver). */
interface Plan {
  lexemes: string[];
  driver: string;
}

/**
 * Global search of public content: pins (/v5/search/partner/pins), boards and people (extensions).
 * Secret boards and their pins are never indexed, and the page's pins are checked again on the way out.
 */
export class GlobalSearchService {
  // Terms whose words all matched exactly: their lexemes cannot change (stemming is fixed) and the driver
  // only moves with document counts, so they are kept a while. Corrected or unmatched terms are parsed
  // again each time (a new pin may add the word), but the nearest public lexeme to a misspelt one (a
  // trigram search of the lexicon, the costly part) is remembered for a while, NONE when none is near.
  private readonly exact = new LRUCache<string, Plan>({ max: 10_000, ttl: PARSED_TTL_MS });
  private readonly nearest = new LRUCache<string, NearLexeme | typeof NONE>({
    max: 10_000,
    ttl: NEAREST_TTL_MS,
  });

  constructor(
    private readonly repo: GlobalSearchRepository,
    private readonly bookmarks: Bookmarks,
    private readonly product: Pick<ProductServices, 'pins' | 'boards'>,
    private readonly events: Pick<ProductServices['events'], 'recordNow'>,
  ) {}

  /**
   * The query's words as lexemes, each word without an exact public match corrected to the nearest
   * (unless `correct` is false: such a word then matches nothing).
   */
  async parse(term: string, correct = true): Promise<ParsedQuery> {
    const words = term.split(' ');
    const lexemes = new Map<string, number>();
    const corrections: ParsedQuery['corrections'] = [];
    let searchable = true;
    for (const w of await this.repo.lexemes(words)) {
      if (w.lexemes.length === 0) continue; // a stop word
      if (w.known.length > 0) {
        for (const [i, l] of w.known.entries()) lexemes.set(l, w.counts[i] ?? 0);
        continue;
      }
      // No lexeme of the word occurs in public content: take the nearest public lexeme to its longest one.
      const longest = [...w.lexemes].sort((a, b) => b.length - a.length || (a < b ? -1 : 1))[0] ?? w.word;
      const near = correct ? await this.nearestTo(longest) : undefined;
      if (near === undefined) searchable = false;
      else {
        lexemes.set(near.lexeme, near.count);
        corrections.push({ word: w.word, to: near.lexeme, shown: near.word ?? near.lexeme });
      }
    }
    return {
      lexemes: [...lexemes.keys()],
      counts: lexemes,
      corrections,
      searchable: searchable && lexemes.size > 0,
    };
  }

  private async nearestTo(lexeme: string): Promise<NearLexeme | undefined> {
    let near = this.nearest.get(lexeme);
    if (near === undefined) {
      near = (await this.repo.nearestLexeme(lexeme)) ?? NONE;
      this.nearest.set(lexeme, near);
    }
    return near === NONE ? undefined : near;
  }

  /**
   * Public pins matching the term, best first (see ranking.ts), as the spec's paginated list, written as
   * JSON from each pin's cached copy (with its impression token for the SEARCH surface).
   */
  async pins(
    viewer: Principal,
    input: GlobalSearchInput,
    ctx: { requestId: string; deviceId?: string | undefined },
  ): Promise<Buffer> {
    const term = searchTerm(input.term);
    const limit = input.limit ?? DEFAULT_LIMIT;
    const scope = `global-search:pins:${term}`;
    const after = input.bookmark ? scoreCursor(this.bookmarks.decode(scope, input.bookmark)) : undefined;
    let hits: (ScoredHit & { visible?: boolean })[] = [];
    const { plan, corrections } = await this.plan(term, input.correct !== false);
    if (plan) hits = await this.repo.pins({ ...plan, after, limit: limit + 1 });
    // The SEARCH event of a first page is written while the page is made, and answered only once written.
    const recorded = input.bookmark ? undefined : this.record(viewer, term, ctx.requestId);
    // Awaited below; handled here as well, so that if making the page throws first, the write's own
    // failure is not left unhandled.
    recorded?.catch(() => {});
    const cursorOf = (h: ScoredHit): Cursor => [h.score, h.id];
    const page = this.bookmarks.page(scope, hits, limit, cursorOf);
    // A pin whose board became secret (or that was deleted) since it was indexed is dropped here, for its
    // owner too: global search shows public content only. The bookmark still moves past it.
    const listed = page.items.filter((h) => h.visible !== false);
    const { json, consumed } = await this.product.pins.list(
      viewer,
      listed.map((h) => h.id),
      {
        surface: 'SEARCH',
        requestId: ctx.requestId,
        publicOnly: true,
        promote: { query: term, ...(ctx.deviceId !== undefined && { deviceId: ctx.deviceId }) },
      },
    );
    // Ads displaced the last hits: the next page starts at the first of them (the hit before it is shown).
    let { bookmark } = page;
    if (consumed < listed.length) {
      const first = page.items.indexOf(listed[consumed]!);
      bookmark = this.bookmarks.encode(scope, cursorOf(page.items[first - 1]!));
    }
    await recorded;
    return writtenPage(json, bookmark, correctedTerm(term, corrections));
  }

  /**
   * The lexemes to search for a term and the rarest of them (no plan when it can match nothing), and the
   * words corrected to make it.
   */
  private async plan(
    term: string,
    correct: boolean,
  ): Promise<{ plan?: Plan; corrections: ParsedQuery['corrections'] }> {
    const cached = this.exact.get(term);
    if (cached) return { plan: cached, corrections: [] };
    const parsed = await this.parse(term, correct);
    if (!parsed.searchable) return { corrections: [] };
    const count = (l: string) => parsed.counts.get(l) ?? 0;
    const driver = [...parsed.lexemes].sort((a, b) => count(a) - count(b) || (a < b ? -1 : 1))[0] as string;
    const plan = { lexemes: parsed.lexemes, driver };
    if (parsed.corrections.length === 0) this.exact.set(term, plan);
    return { plan, corrections: parsed.corrections };
  }

  /** Public boards matching the term, best first. */
  async boards(viewer: Principal, input: GlobalSearchInput) {
    const term = searchTerm(input.term);
    const limit = input.limit ?? DEFAULT_LIMIT;
    const scope = `global-search:boards:${term}`;
    const after = input.bookmark ? scoreCursor(this.bookmarks.decode(scope, input.bookmark)) : undefined;
    // The term's own lexemes when some public board has them all; else the words corrected as for pins.
    const exact = (await this.repo.lexemes(term.split(' '))).flatMap((w) => w.lexemes);
    let lexemes = exact;
    let corrections: ParsedQuery['corrections'] = [];
    if (input.correct !== false && (exact.length === 0 || !(await this.repo.anyBoard(exact)))) {
      const parsed = await this.parse(term);
      lexemes = parsed.searchable ? parsed.lexemes : [];
      if (parsed.searchable) corrections = parsed.corrections;
    }
    const hits = lexemes.length > 0 ? await this.repo.boards({ lexemes, after, limit: limit + 1 }) : [];
    const page = this.bookmarks.page(scope, hits, limit, (h) => [h.score, h.id]);
    return {
      items: await this.product.boards.byIds(
        viewer,
        page.items.map((h) => h.id),
      ),
      bookmark: page.bookmark,
      ...correctedTerm(term, corrections),
    };
  }

  /** People whose username starts with or resembles the term. */
  async users(input: GlobalSearchInput) {
    const term = searchTerm(input.term);
    const limit = input.limit ?? DEFAULT_LIMIT;
    const scope = `global-search:users:${term}`;
    const after = input.bookmark ? scoreCursor(this.bookmarks.decode(scope, input.bookmark)) : undefined;
    const hits = await this.repo.users({ term, after, limit: limit + 1 });
    return this.bookmarks.page(
      scope,
      hits,
      limit,
      (h) => [h.score, h.id],
      (h) => ({
        id: h.id,
        username: h.username,
        about: h.about,
        profile_image: h.profile_image,
        website_url: h.website_url,
        account_type: h.account_type,
        follower_count: Number(h.follower_count),
      }),
    );
  }

  /** A SEARCH event for the first page of a pin search (typeahead and trends count these). */
  private record(viewer: Principal, term: string, requestId: string): Promise<void> {
    return this.events.recordNow([
      {
        kind: 'SEARCH',
        userId: viewer.userId,
        appId: viewer.appId,
        query: term,
        surface: 'SEARCH',
        requestId,
      },
    ]);
  }
}

/**
 * The extension field of a corrected search: the term with each corrected word replaced by the public
 * word it was corrected to (`{corrected_term}`), or nothing when no word was corrected.
 */
export function correctedTerm(
  term: string,
  corrections: ParsedQuery['corrections'],
): { corrected_term: string } | Record<string, never> {
  if (corrections.length === 0) return {};
  const shown = new Map(corrections.map((c) => [c.word, c.shown]));
  return {
    corrected_term: term
      .split(' ')
      .map((w) => shown.get(w) ?? w)
      .join(' '),
  };
}

/** A signed cursor is ours, but check its shape anyway before it reaches SQL. */
function scoreCursor(cursor: Cursor): ScoreCursor {
  const [score, id] = cursor;
  if (
    cursor.length !== 2 ||
    typeof score !== 'number' ||
    !Number.isFinite(score) ||
    typeof id !== 'string' ||
    !/^\d{1,19}$/.test(id)
  ) {
    throw new Invalid('Invalid bookmark: pass the bookmark value from a previous page unchanged.');
  }
  return [score, id];
}
