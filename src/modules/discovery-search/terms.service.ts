import { randomBytes } from 'node:crypto';
import type { Cache } from '../../platform/cache/cache.js';
import type { Db } from '../../platform/db/database.js';
import { Invalid } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { DISCOVERY_EPOCH_KEY } from '../boards/index.js';
import type { GlobalSearchService } from './global-search.service.js';
import { MAX_CANDIDATES, type ScoredTerm, TermIndex } from './term-index.js';
import { termsRepository as repo } from './terms.repository.js';
import { normaliseTerm, searchTerm } from './text.js';

/** How old the typeahead index may get before a request triggers a rebuild in the background. */
export const TERMS_REFRESH_MS = 30_000;
/** Weight of search popularity against vocabulary frequency in a term's typeahead score. */
export const SEARCH_WEIGHT = 2;
/** Most input terms of one related-terms request, and related terms listed per input term. */
export const MAX_RELATED_INPUTS = 10;
export const RELATED_PER_TERM = 20;

/** A term's typeahead score: SEARCH_WEIGHT · ln(1 + searches in 30 days) + ln(1 + pins and boards carrying it). */
export function termScore(searches: number, docs: number): number {
  return SEARCH_WEIGHT * Math.log1p(searches) + Math.log1p(docs);
}

/**
 * Typeahead and related terms. Candidates come from an in-memory TermIndex built from the database
 * (popular public queries and the public vocabulary) and rebuilt in the background when older than
 * TERMS_REFRESH_MS, so a keystroke reads no large list; every process keeps its own copy. That copy
 * lags privacy changes (a board made secret, a pin deleted or moved) by up to TERMS_REFRESH_MS, and by
 * however long the job worker that updates the vocabulary is behind; so before answering, the few
 * candidates are checked in one indexed query against the pins and boards as they are now
 * (termsRepository.visibleNow), and a term hidden since the build is never shown.
 *
 * A keystroke must not cost that query: each verdict is remembered while DISCOVERY_EPOCH_KEY holds the
 * value it had when the verdict was read. Every writer that can take content out of discovery
 * invalidates that key after its commit, on every node, so the next keystroke checks again; a verdict
 * read while the key changed is not kept. In steady state a prefix costs no query at all.
 */
export class TermsService {
  private index: TermIndex | undefined;
  /** The popular queries among the index's terms (checked by their words, not as titles). */
  private searched: ReadonlySet<string> = new Set();
  private builtAt = 0;
  private building: Promise<TermIndex> | undefined;
  /** Verdicts of visibleNow, valid while the discovery epoch is `verdictEpoch`. */
  private verdicts = new Map<string, boolean>();
  private verdictEpoch: string | undefined;

  constructor(
    private readonly db: Db,
    private readonly cache: Cache,
    private readonly search: Pick<GlobalSearchService, 'parse'>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Rebuilds the index now (tests, and the first request). */
  refresh(): Promise<TermIndex> {
    this.building ??= this.build().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  private async build(): Promise<TermIndex> {
    const [queries, vocabulary] = await Promise.all([repo.popularQueries(this.db), repo.vocabulary(this.db)]);
    const searches = new Map(queries.map((q) => [q.term, q.n]));
    const docs = new Map(vocabulary.map((v) => [v.term, v.n]));
    const entries: ScoredTerm[] = [];
    for (const term of new Set([...searches.keys(), ...docs.keys()])) {
      entries.push({ term, score: termScore(searches.get(term) ?? 0, docs.get(term) ?? 0) });
    }
    const index = new TermIndex(entries);
    this.index = index;
    this.searched = new Set(searches.keys());
    this.builtAt = this.now();
    return index;
  }

  private async current(): Promise<TermIndex> {
    if (!this.index) return this.refresh();
    if (this.now() - this.builtAt > TERMS_REFRESH_MS && !this.building) {
      this.refresh().catch((err) => this.log.warn({ err }, 'typeahead refresh failed'));
    }
    return this.index;
  }

  /** Popular terms beginning with the input term (the spec's /v5/terms/suggested). */
  async suggested(input: { term: string; limit?: number }): Promise<string[]> {
    const term = searchTerm(input.term);
    const candidates = (await this.current()).complete(term, MAX_CANDIDATES);
    return (await this.visible(candidates)).slice(0, input.limit ?? 4);
  }

  /** The candidates (in their order) that public content carries now. */
  private async visible(candidates: readonly string[]): Promise<string[]> {
    if (candidates.length === 0) return [];
    const epoch = await this.epoch();
    if (epoch !== this.verdictEpoch) {
      this.verdicts = new Map();
      this.verdictEpoch = epoch;
    }
    const unknown = candidates.filter((t) => !this.verdicts.has(t));
    if (unknown.length > 0) {
      const asQuery = unknown.filter((t) => this.searched.has(t));
      const ok = await repo.visibleNow(this.db, unknown, asQuery);
      // Kept only if nothing left discovery while the query ran (the epoch would have changed).
      const fresh = this.cache.peek<string>(DISCOVERY_EPOCH_KEY) === epoch && this.verdictEpoch === epoch;
      if (fresh && this.verdicts.size + unknown.length <= MAX_VERDICTS) {
        for (const t of unknown) this.verdicts.set(t, ok.has(t));
      }
      return candidates.filter((t) => this.verdicts.get(t) ?? ok.has(t));
    }
    return candidates.filter((t) => this.verdicts.get(t));
  }

  /** The discovery epoch now: held by this node without a round trip in steady state. */
  private async epoch(): Promise<string> {
    return (
      this.cache.peek<string>(DISCOVERY_EPOCH_KEY) ??
      (await this.cache.getOrLoad(DISCOVERY_EPOCH_KEY, EPOCH_TTL_MS, async () =>
        randomBytes(8).toString('hex'),
      ))
    );
  }

  /**
   * Terms related to each input term: terms containing all its words (from queries and the vocabulary,
   * by typeahead score), then titles co-occurring with it on public boards; the spec's RelatedTerms.
   */
  async related(rawTerms: readonly string[]) {
    if (rawTerms.length === 0) throw invalid('give at least one term');
    if (rawTerms.length > MAX_RELATED_INPUTS) throw invalid(`at most ${MAX_RELATED_INPUTS} terms`);
    const terms = [...new Set(rawTerms.map((t) => searchTerm(t, 'terms')))];
    const index = await this.current();
    // Twice as many candidates as listed, all checked in one query (see visible()).
    const candidates = terms.map((term) => index.containing(term.split(' '), term, 2 * RELATED_PER_TERM));
    const shown = new Set(await this.visible([...new Set(candidates.flat())]));
    const list = [];
    for (const [i, term] of terms.entries()) {
      const kept = (candidates[i] ?? []).filter((t) => shown.has(t)).slice(0, RELATED_PER_TERM);
      const related = new Set(kept);
      if (related.size < RELATED_PER_TERM) {
        const parsed = await this.search.parse(term);
        if (parsed.searchable) {
          for (const t of await repo.boardNeighbours(this.db, parsed.lexemes, RELATED_PER_TERM)) {
            if (related.size >= RELATED_PER_TERM) break;
            if (t !== term) related.add(normaliseTerm(t));
          }
        }
      }
      list.push({ term, related_terms: [...related] });
    }
    return {
      id: terms[0] as string,
      related_term_count: list.reduce((n, l) => n + l.related_terms.length, 0),
      related_terms_list: list,
    };
  }
}

/** Verdicts kept per epoch at most (a few MB); past it, new terms are checked on every request. */
const MAX_VERDICTS = 200_000;
/**
 * How long an epoch lives without a change: the bound on a stale verdict should an invalidation message
 * be lost, as for every cached copy.
 */
const EPOCH_TTL_MS = 60_000;

function invalid(why: string): Invalid {
  return new Invalid(`Invalid terms related parameters: ${why}.`);
}
