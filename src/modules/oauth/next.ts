const HOME = '/oauth/';
const BASE = 'http://corkboard.invalid';

/**
 * Where the sign-in form may send the browser next: only our consent page (no open redirect), written
 * as the ASCII a Location header can carry. Control characters (CR/LF would split the header) and
 * backslashes (read as `/` by browsers) fall back to the bare consent page; other characters outside
 * ASCII are percent-encoded, as URL serialisation does.
 */
export function safeNext(next: string): string {
  if (!next.startsWith(HOME) || /[\p{Cc}\\]/u.test(next)) return HOME;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return HOME;
  }
  if (url.origin !== BASE || url.pathname !== HOME) return HOME;
  return `${HOME}${url.search}`;
}
