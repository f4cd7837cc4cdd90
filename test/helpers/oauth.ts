import type { App } from '../../src/app.js';

export const FORM = 'application/x-www-form-urlencoded';

/** A URL-encoded form body. */
export const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** The CSRF token a consent page embeds in its form. */
export function csrfOf(html: string): string {
  const found = /name="csrf" value="([^"]+)"/.exec(html);
  if (!found) throw new Error('no csrf field on the page');
  return found[1]!;
}

/** Submits the consent form as the browser with `cookie` would: approve or deny. */
export function submitConsent(
  app: App,
  cookie: string,
  fields: {
    client_id: string;
    redirect_uri: string;
    scope: string;
    state: string;
    csrf: string;
    decision: 'approve' | 'deny';
  },
) {
  return app.http.inject({
    method: 'POST',
    url: '/oauth/authorize',
    headers: { 'content-type': FORM, cookie },
    payload: form(fields),
  });
}

/** The first `name=value` of a response's Set-Cookie headers whose name is `name`. */
export function cookieNamed(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const set = res.headers['set-cookie'];
  const all = Array.isArray(set) ? set : set ? [String(set)] : [];
  return all.map((c) => String(c).split(';')[0]!).find((c) => c.startsWith(`${name}=`));
}

/**
 * What a browser holds after opening the sign-in page at `url`: the form-token cookie and the token the
 * page's forms carry (both needed to post sign-in or sign-up).
 */
export async function signInForm(app: App, url: string): Promise<{ cookie: string; csrf: string }> {
  const page = await app.http.inject({ method: 'GET', url });
  const cookie = cookieNamed(page, 'cb_form');
  if (!cookie) throw new Error(`no form cookie from ${url}: ${page.statusCode}`);
  return { cookie, csrf: csrfOf(page.body) };
}

/** The hidden fields of the form on `html` that posts to `action`, as a browser would submit them. */
export function hiddenFields(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  if (start < 0) throw new Error(`no form posting to ${action} on the page`);
  const formHtml = html.slice(start, html.indexOf('</form>', start));
  const unEsc = (v: string) =>
    v
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const fields: Record<string, string> = {};
  for (const m of formHtml.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[unEsc(m[1]!)] = unEsc(m[2]!);
  }
  return fields;
}

/**
 * An app-only access token (the client_credentials grant) of a new app owned by `ownerId`, with `scopes`;
 * returns the `Authorization` header value.
 */
export async function appOnlyBearer(
  app: App,
  ownerId: string,
  scopes: readonly string[],
  name = 'App-only client',
): Promise<string> {
  const client = await app.product.oauth.createApp(name, ['https://example.org/cb'], ownerId);
  const grant = await app.http.inject({
    method: 'POST',
    url: '/v5/oauth/token',
    headers: {
      'content-type': FORM,
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
    },
    payload: form({ grant_type: 'client_credentials', scope: scopes.join(',') }),
  });
  if (grant.statusCode !== 200)
    throw new Error(`client_credentials grant: ${grant.statusCode} ${grant.body}`);
  return `Bearer ${(grant.json() as { access_token: string }).access_token}`;
}
