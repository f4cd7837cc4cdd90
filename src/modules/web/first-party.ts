/** The key and name of the web app's first-party OAuth client (apps.first_party). */
export const WEB_CLIENT_KEY = 'web';
export const WEB_CLIENT_NAME = 'Corkboard web app';
/** Where the web app receives its authorization code. */
export const CALLBACK_PATH = '/callback';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The web app's redirect URIs: its callback at PUBLIC_URL, and, when PUBLIC_URL is a loopback address,
 * at the other loopback names with the same port (a person opening http://127.0.0.1:8080 while
 * PUBLIC_URL says localhost still signs in; RFC 8252 §7.3 treats loopback addresses alike).
 */
export function webRedirectUris(publicUrl: string): string[] {
  const base = new URL(publicUrl);
  const path = `${base.pathname.replace(/\/+$/, '')}${CALLBACK_PATH}`;
  if (!LOOPBACK.has(base.hostname)) return [`${base.origin}${path}`];
  const port = base.port ? `:${base.port}` : '';
  const own = `${base.protocol}//${base.hostname}${port}${path}`;
  const others = [...LOOPBACK]
    .filter((h) => h !== base.hostname)
    .map((h) => `${base.protocol}//${h}${port}${path}`);
  return [own, ...others];
}
