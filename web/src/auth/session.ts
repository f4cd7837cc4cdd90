import { base64url, randomString, s256 } from './pkce.js';

// The access token lives in sessionStorage: it survives a reload but not the tab, and never reaches
// a cookie the server would read on its own.
const TOKEN_KEY = 'corkboard.token';
const PENDING_KEY = 'corkboard.signin';
/** What the web app asks for; later pages add scopes here. */
export const SCOPES = 'user_accounts:read,boards:read,pins:read,ads:read,boards:write,pins:write';
export const CALLBACK_PATH = '/callback';

/** The web client's id, written into index.html by the server. */
export function clientId(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="corkboard-client-id"]');
  return meta?.content ?? '';
}

export function redirectUri(): string {
  return `${location.origin}${CALLBACK_PATH}`;
}

export function currentToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

interface Pending {
  state: string;
  verifier: string;
  returnTo: string;
}

/** A path of this app to come back to after sign-in (never another origin). */
export function safeReturnTo(path: string | null | undefined): string {
  // `//host` and `/\host` would leave the origin.
  if (!path?.startsWith('/') || /^\/[/\\]/.test(path) || path.startsWith(CALLBACK_PATH)) return '/';
  return path;
}

/**
 * Sends the browser to the consent page with a fresh PKCE verifier and state, remembering where to
 * come back to. `signUp` opens the sign-up form first.
 */
export async function startSignIn(returnTo: string, signUp = false): Promise<void> {
  const verifier = randomString(32);
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const pending: Pending = { state, verifier, returnTo: safeReturnTo(returnTo) };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const q = new URLSearchParams({
    client_id: clientId(),
    redirect_uri: redirectUri(),
    response_type: 'code',
    scope: SCOPES,
    state,
    code_challenge: await s256(verifier),
    code_challenge_method: 'S256',
  });
  if (signUp) q.set('prompt', 'create');
  location.assign(`/oauth/?${q}`);
}

/** Why a sign-in could not finish, in words. */
export class SignInError extends Error {}

/**
 * Finishes a sign-in at the callback: checks the state, trades the code and the verifier for a token.
 * Resolves with the path to return to.
 */
export async function finishSignIn(params: URLSearchParams): Promise<string> {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = raw ? (JSON.parse(raw) as Pending) : undefined;
  const error = params.get('error');
  if (error === 'access_denied') throw new SignInError('You did not allow Corkboard to use your account.');
  if (error) throw new SignInError(`Sign-in failed (${error}). Please try again.`);
  const code = params.get('code');
  if (!pending || !code || params.get('state') !== pending.state) {
    throw new SignInError(
      'This sign-in link is out of date or came from somewhere else. Please sign in again.',
    );
  }
  const res = await fetch('/v5/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: clientId(),
      code_verifier: pending.verifier,
    }),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; message?: string };
  if (!res.ok || !body.access_token) {
    throw new SignInError(body.message ?? `Sign-in failed: the server answered ${res.status}.`);
  }
  setToken(body.access_token);
  return pending.returnTo;
}

/** Forgets the token after revoking it, so a copy of it elsewhere stops working too. */
export async function signOut(): Promise<void> {
  const token = currentToken();
  setToken(null);
  if (!token) return;
  await fetch('/v5/oauth/token/revoke', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, client_id: clientId() }),
    keepalive: true,
  }).catch(() => undefined);
}

/** Drops a token the API no longer takes (expired or revoked). */
export function forgetToken(): void {
  setToken(null);
}
