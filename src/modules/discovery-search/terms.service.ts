import type { Db } from '../../platform/db/database.js';
import { Invalid } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
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
 */
export class TermsService {
  private index: TermIndex | undefined;
  /** The popular queries among the index's terms (checked by their words, not as titles). */
  private searched: ReadonlySet<string> = new Set();
  private builtAt = 0;
  private building: Promise<TermIndex> | undefined;

  constructor(
    private readonly db: Db,
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
    const asQuery = candidates.filter((t) => this.searched.has(t));
    const ok = await repo.visibleNow(this.db, candidates, asQuery);
    return candidates.filter((t) => ok.has(t));
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

function invalid(why: string): Invalid {
  return new Invalid(`Invalid terms related parameters: ${why}.`);
}
