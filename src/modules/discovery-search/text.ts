import { Invalid } from '../../platform/errors.js';

/** Longest search term accepted, in characters after normalising (longer is a 400). */
export const MAX_TERM_LENGTH = 100;
/** Words of a term that are searched; more is a 400 (a search box, not a document). */
export const MAX_TERM_WORDS = 8;

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** Lower case, control characters out, whitespace collapsed and trimmed: how terms are compared and counted. */
export function normaliseTerm(raw: string): string {
  return raw.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** A search term as searched: normalised, non-empty, at most MAX_TERM_LENGTH characters and MAX_TERM_WORDS words. */
export function searchTerm(raw: string, what = 'term'): string {
  const term = normaliseTerm(raw);
  if (term.length === 0) throw new Invalid(`Invalid ${what}: the search term is empty.`);
  if (term.length > MAX_TERM_LENGTH)
    throw new Invalid(`Invalid ${what}: the search term is longer than ${MAX_TERM_LENGTH} characters.`);
  if (term.split(' ').length > MAX_TERM_WORDS)
    throw new Invalid(`Invalid ${what}: the search term has more than ${MAX_TERM_WORDS} words.`);
  return term;
}

/** The term a SEARCH event counts under in the rollup, or undefined when it is empty or too long to be a term. */
export function rollupTerm(query: string | null): string | undefined {
  if (query == null) return undefined;
  const term = normaliseTerm(query);
  return term.length > 0 && term.length <= MAX_TERM_LENGTH ? term : undefined;
}

/** Splits list parameters given either repeated (`a&terms=b`) or comma-separated (`a,b`), as Pinterest's examples do. */
export function listParam(values: readonly string[] | string | undefined): string[] {
  if (values === undefined) return [];
  const list = typeof values === 'string' ? [values] : values;
  return list
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}
