import { resolveTxt } from 'node:dns/promises';
import type { Static } from 'typebox';
import type { Bookmarks } from '../../platform/bookmarks.js';
import type { Config } from '../../platform/config.js';
import type { Db } from '../../platform/db/database.js';
import { Forbidden, Invalid, NotFound } from '../../platform/errors.js';
import { FetchRefused } from '../../platform/net/fetch-refused.js';
import { safeFetch } from '../../platform/net/safe-fetch.js';
import type { Principal } from '../../platform/principal.js';
import { instanceSecret } from '../../platform/secrets.js';
import { metaTags, normalizeWebsite, verificationOf } from './verification.js';
import { websitesRepository as repo, type WebsiteRow } from './websites.repository.js';
import type { WebsiteVerify } from './websites.schemas.js';

/** How much of a page or verification file is read. */
const MAX_PAGE_BYTES = 1024 * 1024;

export interface WebsitesDeps {
  readonly db: Db;
  readonly bookmarks: Bookmarks;
  readonly fetch: Pick<Config, 'fetchTimeoutMs' | 'fetchAllowHosts'>;
  /** DNS TXT lookups (node's resolver; tests give their own). */
  readonly resolveTxt?: (host: string) => Promise<string[][]>;
}

const summary = (row: WebsiteRow) => ({
  website: row.website,
  status: 'success',
  verified_at: new Date(row.verified_at).toISOString(),
});

function noBusinessAccess(adAccountId: string | undefined): void {
  if (adAccountId !== undefined)
    throw new Forbidden(
      "Business access (acting for an ad account's owner) is not offered: leave out ad_account_id.",
    );
}

/**
 * Websites a person claims (the spec's /v5/user_account/websites): a per-person verification code, placed
 * on the site as a meta tag, a file at its root or a DNS TXT record, checked through the SSRF-safe fetcher.
 */
export class WebsitesService {
  private key: Promise<Buffer> | undefined;

  constructor(private readonly deps: WebsitesDeps) {}

  /** GET /v5/user_account/websites/verification. */
  async verification(viewer: Principal, adAccountId: string | undefined) {
    noBusinessAccess(adAccountId);
    return verificationOf(await this.secret(), viewer.userId);
  }

  /** GET /v5/user_account/websites. */
  async list(viewer: Principal, pageSize: number, bookmark: string | undefined) {
    const scope = `websites:${viewer.userId}`;
    const after = bookmark ? String(this.deps.bookmarks.decode(scope, bookmark)[0]) : undefined;
    const rows = await repo.list(this.deps.db, viewer.userId, after, pageSize + 1);
    return this.deps.bookmarks.page(scope, rows, pageSize, (last) => [last.website], summary);
  }

  /** POST /v5/user_account/websites: checks the code where the method says, then records the claim. */
  async verify(viewer: Principal, body: Static<typeof WebsiteVerify>, adAccountId: string | undefined) {
    noBusinessAccess(adAccountId);
    const { website, host } = normalizeWebsite(body.website);
    const method = body.verification_method ?? 'METATAG';
    const code = verificationOf(await this.secret(), viewer.userId);
    switch (method) {
      case 'METATAG': {
        const page = await this.fetchText(`${website}/`);
        if (!(metaTags(page.text).get('p:domain_verify') ?? []).includes(code.verification_code))
          throw new Invalid(`Verification failed: ${page.url} has no ${code.metatag} tag in its page.`);
        break;
      }
      case 'FILENAME': {
        const file = await this.fetchText(`${host}/${code.filename}`);
        if (!file.text.includes(code.verification_code))
          throw new Invalid(`Verification failed: ${file.url} does not hold your verification code.`);
        break;
      }
      case 'DNSTXT': {
        const hostname = host.replace(/:\d+$/, '');
        let records: string[][] = [];
        try {
          records = await (this.deps.resolveTxt ?? resolveTxt)(hostname);
        } catch {
          records = [];
        }
        if (!records.some((parts) => parts.join('') === code.dns_txt_record))
          throw new Invalid(`Verification failed: ${hostname} has no TXT record "${code.dns_txt_record}".`);
        break;
      }
    }
    return summary(await repo.claim(this.deps.db, viewer.userId, website, method));
  }

  /** DELETE /v5/user_account/websites?website=...: 404 when it is not one of the person's. */
  async remove(viewer: Principal, websiteText: string): Promise<void> {
    const { website } = normalizeWebsite(websiteText);
    if (!(await repo.remove(this.deps.db, viewer.userId, website)))
      throw new NotFound('Website not in user list.');
  }

  /** A page of the site over https, else http; refusals (private address, no answer) are a 400. */
  private async fetchText(target: string): Promise<{ url: string; text: string }> {
    let last: unknown;
    for (const scheme of ['https', 'http']) {
      const url = `${scheme}://${target}`;
      try {
        const res = await safeFetch(url, {
          timeoutMs: this.deps.fetch.fetchTimeoutMs,
          maxBytes: MAX_PAGE_BYTES,
          allowHosts: this.deps.fetch.fetchAllowHosts,
          accept: 'text/html,text/plain;q=0.9,*/*;q=0.5',
        });
        return { url, text: res.body.toString('utf8') };
      } catch (err) {
        if (!(err instanceof FetchRefused)) throw err;
        last = err;
        // A refused address is refused whatever the scheme.
        if (err.reason === 'private-address' || err.reason === 'invalid-url') break;
      }
    }
    throw new Invalid(`Verification failed: ${(last as Error).message}`);
  }

  private secret(): Promise<Buffer> {
    this.key ??= instanceSecret(this.deps.db, 'website-verification').catch((err: unknown) => {
      // Asked again next time: a database that was away is no reason to fail for good.
      this.key = undefined;
      throw err;
    });
    return this.key;
  }
}
