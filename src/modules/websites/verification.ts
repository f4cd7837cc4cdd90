import { createHmac } from 'node:crypto';
import { Invalid } from '../../platform/errors.js';

/** What a person places on a website to claim it: the same code in each of the three forms. */
export function verificationOf(key: Buffer, userId: string) {
  const code = createHmac('sha256', key).update(`website:${userId}`).digest('hex').slice(0, 32);
  return {
    verification_code: code,
    dns_txt_record: `pinterest-site-verification=${code}`,
    metatag: `<meta name="p:domain_verify" content="${code}"/>`,
    filename: `pinterest-${code.slice(0, 5)}.html`,
    file_content: `<!DOCTYPE html><html><head><meta name="pinterest" content="${code}"/></head><body>Website verification: leave this file in place.</body></html>`,
  };
}

/** A website as it is stored and compared: host (lower case, optional port) and path without `/` at the end. */
export function normalizeWebsite(text: string): { website: string; host: string } {
  const bare = text.trim().replace(/^https?:\/\//i, '');
  let url: URL;
  try {
    url = new URL(`http://${bare}`);
  } catch {
    throw new Invalid(`website: "${text}" is not a domain with an optional path.`);
  }
  const host = url.host.toLowerCase();
  // A host name (letters, digits, dots and dashes, with a dot) or an address, and an optional port.
  const name = url.hostname.replace(/^\[|\]$/g, '');
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    !/^[a-z0-9.:-]+$/i.test(name) ||
    (!name.includes('.') && !name.includes(':'))
  ) {
    throw new Invalid(`website: "${text}" is not a domain with an optional path.`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  return { website: `${host}${path}`, host };
}

/** The content of every `<meta name=... content=...>` tag of a page, by name (lower case). */
export function metaTags(html: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [tag] of html.matchAll(/<meta\b[^>]*>/gi)) {
    const attrs = new Map<string, string>();
    for (const m of tag.matchAll(/([a-z:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>/]+))/gi)) {
      attrs.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? m[4] ?? '');
    }
    const name = attrs.get('name')?.toLowerCase();
    const content = attrs.get('content');
    if (name && content !== undefined) out.set(name, [...(out.get(name) ?? []), content.trim()]);
  }
  return out;
}
