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
