import { api, query } from './client.js';
import type { Board, FeedPin, Page } from './types.js';

/** What a search result list can be: pins, boards or people (the tabs of the search page). */
export type SearchType = 'pins' | 'boards' | 'people';
export const SEARCH_TYPES: readonly SearchType[] = ['pins', 'boards', 'people'];

/** A page of search results; `corrected_term` (extension) when a misspelt word was corrected. */
export interface SearchPage<T> extends Page<T> {
  corrected_term?: string;
}

/** A person found by /v5/search/global/users (extension). */
export interface PersonResult {
  id: string;
  username: string;
  about: string;
  profile_image: string;
  website_url: string;
  account_type: string;
  follower_count: number;
}

export const PAGE_SIZE = 25;

/** `correct: false` searches the words as typed (the "search instead for" link). */
export interface SearchOptions {
  bookmark: string | null;
  correct: boolean;
}

/** Public pins matching `term` (GET /v5/search/partner/pins), with impression tokens for SEARCH. */
export function searchPins(term: string, o: SearchOptions): Promise<SearchPage<FeedPin>> {
  return api(
    `/v5/search/partner/pins${query({
      term,
      country_code: 'US',
      limit: PAGE_SIZE,
      bookmark: o.bookmark,
      correct: o.correct ? undefined : 'false',
    })}`,
  );
}

/** Public boards matching `term` (extension GET /v5/search/global/boards). */
export function searchBoards(term: string, o: SearchOptions): Promise<SearchPage<Board>> {
  return api(
    `/v5/search/global/boards${query({
      term,
      limit: PAGE_SIZE,
      bookmark: o.bookmark,
      correct: o.correct ? undefined : 'false',
    })}`,
  );
}

/** People whose username starts with or resembles `term` (extension GET /v5/search/global/users). */
export function searchPeople(term: string, bookmark: string | null): Promise<SearchPage<PersonResult>> {
  return api(`/v5/search/global/users${query({ term, limit: PAGE_SIZE, bookmark })}`);
}

/** Typeahead: public terms beginning with `term` (GET /v5/terms/suggested). */
export function suggestedTerms(term: string, limit = 6, signal?: AbortSignal): Promise<string[]> {
  return api(`/v5/terms/suggested${query({ term, limit })}`, signal ? { signal } : {});
}

interface RelatedAnswer {
  related_terms_list: { term: string; related_terms: string[] }[];
}

/** Terms related to `term` (GET /v5/terms/related), without the term itself. */
export async function relatedTerms(term: string): Promise<string[]> {
  const answer = await api<RelatedAnswer>(`/v5/terms/related${query({ terms: term })}`);
  const own = term.trim().toLowerCase();
  return (answer.related_terms_list[0]?.related_terms ?? []).filter((t) => t !== own);
}

interface TrendsAnswer {
  trends: { keyword: string }[];
}

/**
 * What people search for now: the growing terms of the week, or when none grows, the most searched of
 * the month (GET /v5/trends/keywords/{region}/top/{trend_type}; every region answers the same).
 */
export async function trendingTerms(limit = 6): Promise<string[]> {
  const path = (type: string) => `/v5/trends/keywords/US/top/${type}${query({ limit })}`;
  const growing = await api<TrendsAnswer>(path('growing'));
  if (growing.trends.length > 0) return growing.trends.map((t) => t.keyword);
  return (await api<TrendsAnswer>(path('monthly'))).trends.map((t) => t.keyword);
}

/** The address of a search. */
export function searchPath(term: string, type: SearchType = 'pins', exact = false): string {
  return `/search${query({ q: term.trim(), type: type === 'pins' ? undefined : type, exact: exact ? '1' : undefined })}`;
}
