import { useCallback, useEffect, useState } from 'preact/hooks';
import {
  type PersonResult,
  type SearchPage as ResultPage,
  relatedTerms,
  type SearchType,
  searchBoards,
  searchPath,
  searchPeople,
  searchPins,
} from '../../api/search.js';
import type { Board } from '../../api/types.js';
import { type PagedList, usePages } from '../../api/use-pages.js';
import { ErrorMessage } from '../../components/error-message.js';
import { Link } from '../../components/link.js';
import { PinList } from '../../components/pin-list.js';
import { normalTerm, readSearchParams } from './combobox.js';
import '../../styles/search.css';

const TABS: { type: SearchType; label: string }[] = [
  { type: 'pins', label: 'Pins' },
  { type: 'boards', label: 'Boards' },
  { type: 'people', label: 'People' },
];

/**
 * Search results: pins (a masonry grid, reporting impressions and clicks on the SEARCH surface), boards
 * or people, as tabs; the correction of a misspelt word, said; related terms as chips.
 */
export function SearchPage(props: { search: string }) {
  const { q, type, exact } = readSearchParams(props.search);
  useEffect(() => {
    document.title = q ? `${q} · Search · Corkboard` : 'Search · Corkboard';
  }, [q]);

  if (!q) {
    return (
      <main class="page search-page" id="main">
        <h1 class="search-heading">Search</h1>
        <p class="muted search-empty">
          Type what you are looking for in the search box above: a dish, a place, a style.
        </p>
      </main>
    );
  }
  return (
    <main class="page search-page" id="main">
      <h1 class="visually-hidden">Search results for {q}</h1>
      <nav class="search-tabs" aria-label="What to search">
        {TABS.map((t) => (
          <Link
            key={t.type}
            href={searchPath(q, t.type, exact)}
            class={t.type === type ? 'search-tab selected' : 'search-tab'}
            aria-current={t.type === type ? 'page' : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      {type === 'pins' && <PinResults key={`${q}|${exact}`} q={q} exact={exact} />}
      {type === 'boards' && <BoardResults key={`${q}|${exact}`} q={q} exact={exact} />}
      {type === 'people' && <PeopleResults key={q} q={q} />}
    </main>
  );
}

/** "Showing results for …. Search instead for …", when the API corrected a word. */
function Correction(props: { q: string; corrected: string | undefined; type: SearchType }) {
  const { q, corrected, type } = props;
  if (!corrected || corrected === normalTerm(q)) return null;
  return (
    <p class="search-correction" role="status">
      Showing results for <strong>{corrected}</strong>.{' '}
      <span class="muted">
        Search instead for <Link href={searchPath(q, type, true)}>{q}</Link>
      </span>
    </p>
  );
}

/** A list of search results with what the first page said about the term (its correction). */
function useSearch<T extends { id: string }>(
  key: string,
  fetch: (bookmark: string | null) => Promise<ResultPage<T>>,
): { list: PagedList<T>; corrected: string | undefined } {
  const [corrected, setCorrected] = useState<string | undefined>(undefined);
  const fetchPage = useCallback(
    async (bookmark: string | null) => {
      const page = await fetch(bookmark);
      if (bookmark === null) setCorrected(page.corrected_term);
      return page;
    },
    [key],
  );
  return { list: usePages(key, fetchPage), corrected };
}

function PinResults(props: { q: string; exact: boolean }) {
  const { q, exact } = props;
  const { list, corrected } = useSearch(`pins:${q}:${exact}`, (bookmark) =>
    searchPins(q, { bookmark, correct: !exact }),
  );
  return (
    <>
      <Correction q={q} corrected={corrected} type="pins" />
      <RelatedChips term={corrected ?? q} />
      <h2 class="visually-hidden">Pins</h2>
      <PinList
        list={list}
        surface="SEARCH"
        label={`Pins for ${corrected ?? q}`}
        empty={`No Pins match “${q}”. Try other words, or fewer of them.`}
      />
    </>
  );
}

/** Terms related to the search, as chips that search them. Nothing when there are none or they fail. */
function RelatedChips(props: { term: string }) {
  const [terms, setTerms] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    setTerms([]);
    relatedTerms(props.term).then(
      (t) => live && setTerms(t.slice(0, 12)),
      () => undefined, // Related terms are a help, not the page: without them the results stand.
    );
    return () => {
      live = false;
    };
  }, [props.term]);
  if (terms.length === 0) return null;
  return (
    <nav class="related-terms" aria-label="Related searches">
      <ul>
        {terms.map((t) => (
          <li key={t}>
            <Link class="chip" href={searchPath(t)}>
              {t}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Below a list of boards or people: loading, an error with a retry, the end, or a button for more. */
function ListFooter<T>(props: { list: PagedList<T>; empty: string; more: string }) {
  const { list } = props;
  let status = '';
  if (list.loading) status = 'Loading…';
  else if (!list.error && !list.hasMore && list.items.length === 0) status = props.empty;
  return (
    <div class="list-status">
      <p class="muted" role="status" aria-live="polite">
        {status}
      </p>
      {list.error ? <ErrorMessage error={list.error} onRetry={list.retry} /> : null}
      {list.hasMore && !list.loading && list.items.length > 0 && (
        <button type="button" class="btn" onClick={list.loadMore}>
          {props.more}
        </button>
      )}
    </div>
  );
}

function BoardResults(props: { q: string; exact: boolean }) {
  const { q, exact } = props;
  const { list, corrected } = useSearch<Board>(`boards:${q}:${exact}`, (bookmark) =>
    searchBoards(q, { bookmark, correct: !exact }),
  );
  return (
    <>
      <Correction q={q} corrected={corrected} type="boards" />
      <h2 class="visually-hidden">Boards</h2>
      {list.items.length > 0 && (
        <ul class="result-cards" aria-label={`Boards for ${corrected ?? q}`}>
          {list.items.map((b) => (
            <li key={b.id} class="result-card card">
              <span class="board-tile" aria-hidden="true">
                {b.name.slice(0, 1).toUpperCase()}
              </span>
              <div class="result-text">
                <h3>
                  <Link href={`/board/${b.id}`}>{b.name}</Link>
                </h3>
                <p class="muted">
                  by <Link href={`/user/${encodeURIComponent(b.owner.username)}`}>{b.owner.username}</Link>
                  {b.pin_count !== undefined && ` · ${b.pin_count} ${b.pin_count === 1 ? 'Pin' : 'Pins'}`}
                </p>
                {b.description && <p class="result-description">{b.description}</p>}
              </div>
            </li>
          ))}
        </ul>
      )}
      <ListFooter list={list} empty={`No boards match “${q}”.`} more="Show more boards" />
    </>
  );
}

function PeopleResults(props: { q: string }) {
  const { q } = props;
  const { list } = useSearch<PersonResult>(`people:${q}`, (bookmark) => searchPeople(q, bookmark));
  return (
    <>
      <h2 class="visually-hidden">People</h2>
      {list.items.length > 0 && (
        <ul class="result-cards" aria-label={`People for ${q}`}>
          {list.items.map((p) => (
            <li key={p.id} class="result-card card">
              <span class="avatar avatar-large" aria-hidden="true">
                {p.username.slice(0, 1).toUpperCase()}
              </span>
              <div class="result-text">
                <h3>
                  <Link href={`/user/${encodeURIComponent(p.username)}`}>{p.username}</Link>
                </h3>
                <p class="muted">
                  {p.follower_count} {p.follower_count === 1 ? 'follower' : 'followers'}
                </p>
                {p.about && <p class="result-description">{p.about}</p>}
              </div>
            </li>
          ))}
        </ul>
      )}
      <ListFooter list={list} empty={`Nobody’s username is like “${q}”.`} more="Show more people" />
    </>
  );
}
