import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Static } from 'typebox';
import type { Db } from '../../../platform/db/database.js';
import { Invalid, NotFound } from '../../../platform/errors.js';
import type { Principal } from '../../../platform/principal.js';
import { instanceSecret } from '../../../platform/secrets.js';
import type { PinsService } from '../../pins/index.js';
import type { AdAccess } from '../ad-access.js';
import { adsRepository } from '../ads/ads.repository.js';
import { isHttpUrl } from '../entity-rules.js';
import type { AdPreviewRequest } from './ad-previews.schemas.js';

/** How long a preview URL works (Pinterest's seven days). */
export const PREVIEW_TTL_S = 7 * 24 * 3600;

/** What a preview shows, as its signed token carries it. */
interface PreviewClaim {
  /** Ad account. */
  a: string;
  /** Pin, or an image URL and title. */
  p?: string;
  i?: string;
  t?: string;
  /** Expiry, Unix seconds. */
  e: number;
}

/** What the preview page renders. */
export interface Preview {
  advertiser: string;
  title: string;
  description: string;
  imageUrl: string | null;
  link: string | null;
  dominantColor: string | null;
}

export interface AdPreviewsDeps {
  readonly db: Db;
  readonly access: AdAccess;
  readonly pins: Pick<PinsService, 'get'>;
  readonly publicUrl: string;
  readonly now?: () => number;
}

/**
 * Ad previews: POST answers a URL of a page that shows the pin (or an image and title) as a promoted
 * pin of the account, for seven days. The URL carries a signed claim, so the page needs no session and
 * nothing is stored; the pin is checked again when the page is shown (deleted or no longer public: gone).
 */
export class AdPreviewsService {
  private key: Promise<Buffer> | undefined;

  constructor(private readonly deps: AdPreviewsDeps) {}

  private nowS(): number {
    return Math.floor((this.deps.now?.() ?? Date.now()) / 1000);
  }

  /** POST /v5/ad_accounts/{ad_account_id}/ad_previews. */
  async create(userId: string, accountId: string, body: Static<typeof AdPreviewRequest>) {
    const account = await this.deps.access.require(userId, accountId, 'manage');
    const claim: PreviewClaim = { a: accountId, e: this.nowS() + PREVIEW_TTL_S };
    if (body.catalog_product_group_id !== undefined)
      throw new Invalid(
        'catalog_product_group_id: catalogs are not offered; preview a pin_id or an image_url.',
      );
    if (body.pin_id !== undefined) {
      const pin = await adsRepository.pin(this.deps.db, body.pin_id);
      if (pin.owner_id !== account.owner_id || !pin.pin_public)
        throw new Invalid(`pin_id ${body.pin_id} is not a public pin this advertiser may promote.`);
      claim.p = body.pin_id;
    } else if (body.image_url !== undefined) {
      const title = body.title?.trim();
      if (!title) throw new Invalid('title: a preview from an image_url needs a title.');
      if (!isHttpUrl(body.image_url)) throw new Invalid('image_url must be an http(s) URL.');
      claim.i = body.image_url;
      claim.t = title;
    } else {
      throw new Invalid('Give pin_id, or image_url and title.');
    }
    return { url: `${this.deps.publicUrl}/ad_previews?token=${await this.sign(claim)}` };
  }

  /** What the page of a preview token shows; NotFound for a bad, expired or withdrawn preview. */
  async show(token: string): Promise<Preview> {
    const claim = await this.verify(token);
    if (!claim || claim.e < this.nowS()) throw new NotFound('This preview is no longer available.');
    const owner = await this.deps.db
      .selectFrom('ad_accounts')
      .select(['owner_id', 'name'])
      .where('id', '=', claim.a)
      .executeTakeFirst();
    if (!owner) throw new NotFound('This preview is no longer available.');
    if (claim.p) {
      const standing = await adsRepository.pin(this.deps.db, claim.p);
      if (standing.owner_id !== owner.owner_id || !standing.pin_public)
        throw new NotFound('This preview is no longer available.');
      const viewer: Principal = {
        userId: owner.owner_id,
        appId: '0',
        scopes: new Set(['pins:read', 'boards:read']),
      };
      const pin = await this.deps.pins.get(viewer, claim.p);
      const images = (pin.media as { images?: Record<string, { url: string }> }).images ?? {};
      return {
        advertiser: owner.name,
        title: pin.title ?? '',
        description: pin.description ?? '',
        imageUrl: (images['600x'] ?? images['1200x'] ?? Object.values(images)[0])?.url ?? null,
        link: pin.link ?? null,
        dominantColor: pin.dominant_color ?? null,
      };
    }
    return {
      advertiser: owner.name,
      title: claim.t ?? '',
      description: '',
      imageUrl: claim.i ?? null,
      link: null,
      dominantColor: null,
    };
  }

  private secret(): Promise<Buffer> {
    this.key ??= instanceSecret(this.deps.db, 'ad-previews');
    return this.key;
  }

  private async sign(claim: PreviewClaim): Promise<string> {
    const body = Buffer.from(JSON.stringify(claim)).toString('base64url');
    return `${body}.${this.mac(await this.secret(), body)}`;
  }

  private async verify(token: string): Promise<PreviewClaim | undefined> {
    const [body, mac] = token.split('.');
    if (!body || !mac || !/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]+$/.test(mac)) return undefined;
    const expected = Buffer.from(this.mac(await this.secret(), body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const claim = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as PreviewClaim;
      return typeof claim.a === 'string' && typeof claim.e === 'number' ? claim : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(key: Buffer, body: string): string {
    return createHmac('sha256', key)
      .update('ad-preview\0')
      .update(body)
      .digest()
      .subarray(0, 18)
      .toString('base64url');
  }
}
