import { esc } from '../../platform/html.js';
import { SCOPE_DESCRIPTIONS } from './scopes.js';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Corkboard</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f4f4;margin:0;display:flex;justify-content:center}
main{background:#fff;margin:3rem 1rem;padding:2rem;border-radius:16px;max-width:26rem;width:100%;box-shadow:0 1px 8px #0002}
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1rem;padding:.6rem 1.2rem;border-radius:20px;border:0;font-weight:600;cursor:pointer}
.primary{background:#e60023;color:#fff}.secondary{background:#e9e9e9}.error{color:#b00020}
ul{padding-left:1.2rem}details{margin-top:1.5rem}
</style></head><body><main>${body}</main></body></html>`;
}

function hidden(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
}

/**
 * Sign-in (and sign-up) form shown before consent; `next` returns to the consent page, `csrf` is the
 * browser's form token (consent.csrf.ts).
 */
export function signInPage(next: string, appName: string, csrf: string, error?: string): string {
  return page(
    'Sign in',
    `<h1>Sign in to continue to ${esc(appName)}</h1>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/oauth/signin">${hidden({ next, csrf })}
<label for="login">Username or email</label><input id="login" name="login" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button class="primary" type="submit">Sign in</button></form>
<details><summary>New here? Create an account</summary>
<form method="post" action="/oauth/signup">${hidden({ next, csrf })}
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required>
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required>
<label for="new-password">Password (8 characters or more)</label><input id="new-password" name="password" type="password" autocomplete="new-password" minlength="8" required>
<button class="primary" type="submit">Create account</button></form></details>`,
  );
}

/** The consent page: which app wants which access, approve or deny. */
export function consentPage(
  username: string,
  appName: string,
  scopes: string[],
  fields: { client_id: string; redirect_uri: string; scope: string; state: string; csrf: string },
): string {
  const items = scopes
    .map((s) => `<li><strong>${esc(s)}</strong>: ${esc(SCOPE_DESCRIPTIONS[s] ?? s)}</li>`)
    .join('');
  return page(
    'Authorize app',
    `<h1>${esc(appName)} wants access to your Corkboard account</h1>
<p>Signed in as <strong>${esc(username)}</strong>.</p>
<p>It will be able to:</p><ul>${items}</ul>
<form method="post" action="/oauth/authorize">${hidden(fields)}
<button class="primary" type="submit" name="decision" value="approve">Allow</button>
<button class="secondary" type="submit" name="decision" value="deny">Deny</button></form>
<form method="post" action="/oauth/signout">${hidden({ next: '', csrf: fields.csrf })}<button class="secondary" type="submit">Not you? Sign out</button></form>`,
  );
}

/** An error we must not redirect (unknown app or redirect URI not registered: RFC 6749 §4.1.2.1). */
export function errorPage(message: string): string {
  return page('Authorization error', `<h1>Authorization error</h1><p class="error">${esc(message)}</p>`);
}

/** Too many failed attempts: when to try again (the response also carries Retry-After). */
export function tooManyAttemptsPage(retryAfterSeconds: number): string {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const wait =
    retryAfterSeconds < 60 ? `${retryAfterSeconds} seconds` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return page(
    'Too many attempts',
    `<h1>Too many sign-in attempts</h1><p class="error" role="alert">There were too many failed sign-in attempts. For your account's safety, try again in ${esc(wait)}.</p>`,
  );
}
