import { Invalid } from '../../platform/errors.js';

/** Longest search query we accept, in characters, after trimming. */
export const MAX_QUERY_LENGTH = 256;

// C0 controls and DEL: PostgreSQL text cannot hold NUL at all (it would fail the query with a 500), and
// no control character means anything to a text search, so they become spaces.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/**
 * The query as we search and bind bookmarks to it: control characters out, whitespace collapsed, trimmed.
 * Throws Invalid when nothing is left or it is too long. Everything else (quotes, `&|!():*<>`, `-`) goes
 * to `websearch_to_tsquery`, which never raises a syntax error; a query of stop words or punctuation only
 * becomes an empty tsquery that matches nothing.
 */
export function searchText(raw: string): string {
  const text = raw.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (text.length === 0) throw new Invalid('Invalid query: the search query is empty.');
  if (text.length > MAX_QUERY_LENGTH)
    throw new Invalid(`Invalid query: the search query is longer than ${MAX_QUERY_LENGTH} characters.`);
  return text;
}
