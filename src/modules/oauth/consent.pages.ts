import { readFileSync } from 'node:fs';
import { esc } from '../../platform/html.js';
import { SCOPE_DESCRIPTIONS } from './scopes.js';

// The web app's stylesheet (web/src/styles/base.css), so these pages share its look. The same relative
// path holds from src/ and from dist/. Read once, on the first page; without it the pages still work.
const BASE_CSS = new URL('../../../web/src/styles/base.css', import.meta.url);
let baseCss: string | undefined;

function sharedStyles(): string {
  if (baseCss === undefined) {
    try {
      baseCss = readFileSync(BASE_CSS, 'utf8');
    } catch {
      baseCss = 'body{font-family:system-ui,sans-serif}';
    }
  }
  return baseCss;
}

const PAGE_CSS = `.scopes{padding-left:1.2rem}.scopes li{margin:6px 0}.signout{margin-top:18px}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Corkboard</title>
<style>${sharedStyles()}${PAGE_CSS}</style></head><body>
<header class="topbar"><a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span>Corkboard</a></header>
<main class="card auth-card">${body}</main></body></html>`;
}

function field(id: string, label: string, attrs: string): string {
  return `<div class="field"><label for="${id}">${esc(label)}</label><input id="${id}" ${attrs}></div>`;
}

function hidden(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
}

/**
 * Sign-in (and sign-up) form shown before consent; `next` returns to the consent page, `csrf` is the
 * browser's form token (consent.csrf.ts). With `signUp`, the sign-up form is shown open.
 */
export function signInPage(
  next: string,
  appName: string,
  csrf: string,
  error?: string,
  signUp = false,
): string {
  return page(
    signUp ? 'Sign up' : 'Sign in',
    `<h1>Sign in to continue to ${esc(appName)}</h1>
${error ? `<p class="notice" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/oauth/signin">${hidden({ next, csrf })}
${field('login', 'Username or email', 'name="login" autocomplete="username" required')}
${field('password', 'Password', 'name="password" type="password" autocomplete="current-password" required')}
<div class="actions"><button class="btn btn-primary" type="submit">Sign in</button></div></form>
<details${signUp ? ' open' : ''}><summary>New here? Create an account</summary>
<form method="post" action="/oauth/signup">${hidden({ next, csrf })}
${field('username', 'Username', 'name="username" autocomplete="username" required')}
${field('email', 'Email', 'name="email" type="email" autocomplete="email" required')}
${field('new-password', 'Password (8 characters or more)', 'name="password" type="password" autocomplete="new-password" minlength="8" required')}
<div class="actions"><button class="btn btn-primary" type="submit">Create account</button></div></form></details>`,
  );
}

/** The consent page: which app wants which access, approve or deny. */
export function consentPage(
  username: string,
  appName: string,
  scopes: string[],
  fields: {
    client_id: string;
    redirect_uri: string;
    scope: string;
    state: string;
    csrf: string;
    code_challenge?: string;
    code_challenge_method?: string;
  },
): string {
  const items = scopes
    .map((s) => `<li><strong>${esc(s)}</strong>: ${esc(SCOPE_DESCRIPTIONS[s] ?? s)}</li>`)
    .join('');
  return page(
    'Authorize app',
    `<h1>${esc(appName)} wants access to your Corkboard account</h1>
<p class="muted">Signed in as <strong>${esc(username)}</strong>.</p>
<p>It will be able to:</p><ul class="scopes">${items}</ul>
<form method="post" action="/oauth/authorize">${hidden(fields)}
<div class="actions"><button class="btn btn-primary" type="submit" name="decision" value="approve">Allow</button>
<button class="btn" type="submit" name="decision" value="deny">Deny</button></div></form>
<form class="signout" method="post" action="/oauth/signout">${hidden({ next: '', csrf: fields.csrf })}<button class="btn btn-link" type="submit">Not you? Sign out</button></form>`,
  );
}

/** An error we must not redirect (unknown app or redirect URI not registered: RFC 6749 §4.1.2.1). */
export function errorPage(message: string): string {
  return page('Authorization error', `<h1>Authorization error</h1><p class="notice">${esc(message)}</p>`);
}

/** Too many failed attempts: when to try again (the response also carries Retry-After). */
export function tooManyAttemptsPage(
  retryAfterSeconds: number,
  form: 'sign-in' | 'sign-up' = 'sign-in',
): string {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const wait =
    retryAfterSeconds < 60 ? `${retryAfterSeconds} seconds` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  if (form === 'sign-up')
    return page(
      'Too many sign-ups',
      `<h1>Too many sign-ups</h1><p class="notice" role="alert">There were too many sign-ups from your network. Try again in ${esc(wait)}.</p>`,
    );
  return page(
    'Too many attempts',
    `<h1>Too many sign-in attempts</h1><p class="notice" role="alert">There were too many failed sign-in attempts. For your account's safety, try again in ${esc(wait)}.</p>`,
  );
}
