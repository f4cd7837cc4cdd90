import { LRUCache } from 'lru-cache';
import type { Cache } from '../../../platform/cache/cache.js';
import type { AdsServingConfig } from '../../../platform/config.js';
import type { Db } from '../../../platform/db/database.js';
import type { Logger } from '../../../platform/logger.js';
import type { Metrics } from '../../../platform/metrics.js';
import type { Principal } from '../../../platform/principal.js';
import type { SpendStore } from '../../../platform/spend/spend-store.js';
import { type ImpressionTokens, type PromotedPageInput, viewerOf } from '../../events/index.js';
import type { Exposures } from '../../experiments/index.js';
import { pinInterests } from '../../interests/index.js';
import type {
  InsertedItem,
  OrganicItem,
  PromotedPage,
  PromotedSurface,
  PromotionContext,
  Promotions,
} from '../../pins/index.js';
import { type AuctionLogEntry, emit } from '../../topics.js';
import { adBillingRepository } from '../billing/ad-billing.repository.js';
import { bidFloorMicro } from '../money.js';
import { AdCatalog, type CatalogSnapshot, type ServableAd } from './ad-catalog.js';
import { layoutFor, reserveFor } from './ad-params.js';
import {
  type AdRequest,
  type AdServer,
  type AuctionRecord,
  type ServedAd,
  AdServer as Server,
  type WonSlot,
} from './ad-server.js';
import { fnv1a, type Scored } from './auction.js';
import { DEFAULT_BLOCKS } from './budget-blocks.js';
import { budgetCaps, ledgerFigure, reserveAmount, utcDay } from './budget-keys.js';
import { CtrBook } from './ctr-book.js';
import { momentIneligibility, type Placement, type ViewerProfile } from './eligibility.js';
import { adSlots, adsWithin, insertAds } from './insertion.js';
import { Pacer } from './pacer.js';
import { queryInterests, relevance } from './relevance.js';
import { ViewerProfiles } from './viewer-profiles.js';

/** How often the click history predicted CTR learns from is read again. */
const CTR_RELOAD_MS = 30_000;
/** How often pacing and bid strategies take a control step. */
const CONTROL_STEP_MS = 60_000;
/** How often the spend store's totals are checked against the ledger (and raised where it lost some). */
const RESTORE_MS = 10 * 60_000;
/**
 * How long a page asked again (the same page of the same feed session: a reload of a reused first page,
 * a retried bookmark) keeps the auction it ran on this node: its winners and their prices. Each serve
 * still holds its own budget and carries its own tokens.
 */
const PAGE_AUCTION_MS = 5_000;
/** How long a viewer's frequency counts are reused on this node. */
const FREQUENCY_TTL_MS = 5_000;
/** How long the interests of a pin on screen are reused. */
const CONTEXT_TTL_MS = 10 * 60_000;

export interface AdsServingDeps {
  readonly db: Db;
  readonly cache: Cache;
  readonly spend: SpendStore;
  readonly tokens: ImpressionTokens;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly settings: AdsServingConfig;
  /**
   * The viewer's experiment parameters (reserve prices and slots can be under test), when the surface
   * did not resolve them for the request already.
   */
  readonly exposures: Pick<Exposures, 'forUnit'>;
  /** Wakes the outbox relay (the auction log is written to the outbox). */
  readonly eventsCommitted: () => void;
  readonly now?: () => number;
}

const PLACEMENT: Record<PromotedSurface, Placement> = {
  HOME_FEED: 'BROWSE',
  RELATED: 'BROWSE',
  SEARCH: 'SEARCH',
};

/** A page's auction as it is kept for the page asked again, with what its outcome depended on. */
interface PageAuction {
  readonly page: string;
  readonly at: number;
  readonly profile: ViewerProfile;
  readonly snapshot: CatalogSnapshot;
  readonly ctr: CtrBook;
  readonly steppedAt: number;
  readonly shown: ReadonlyMap<string, number> | undefined;
  readonly slots: number;
  readonly reserve: number | undefined;
  readonly organic: readonly string[];
  readonly won: readonly WonSlot[];
}

interface RequestFacts {
  readonly paceSeed: number;
  readonly relevance: Parameters<typeof relevance>[1];
  /** The viewer's impressions per frequency-capped ad group (loadFrequencies), when known. */
  readonly shown: ReadonlyMap<string, number> | undefined;
}

/**
 * The ad server as the surfaces use it (Promotions): for a page of organic pins, the ads that win its
 * slots, laid in by the insertion rules, each with a promoted impression token that carries its ad, its
 * charge and its budget reservation. Every surface (home feed, related pins, search) goes through `fill`.
 *
 * A node keeps the live catalog, the click history and the pacing state fresh by itself: the first page
 * waits for the first load; afterwards, a page that finds them older than ADS_REFRESH_SECONDS starts a
 * refresh in the background and is served from what is held. Ads never fail a page: an error here is
 * logged and the page goes out organic.
 */
export class AdsServing implements Promotions {
  private readonly catalog: AdCatalog;
  private readonly profiles: ViewerProfiles;
  private readonly pacer: Pacer;
  private readonly server: AdServer;
  private readonly now: () => number;
  private ctr = CtrBook.empty();
  private loaded = false;
  private refreshedAt = Number.NEGATIVE_INFINITY;
  private ctrAt = Number.NEGATIVE_INFINITY;
  private steppedAt = Number.NEGATIVE_INFINITY;
  private restoredAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;
  private readonly frequencies = new LRUCache<string, Map<string, number>>({
    max: 20_000,
    ttl: FREQUENCY_TTL_MS,
  });
  /** The interests of pins on screen; the same set for a pin while it is held (the ad server keys on it). */
  private readonly contexts = new LRUCache<string, ReadonlySet<string>>({
    max: 20_000,
    ttl: CONTEXT_TTL_MS,
  });
  private readonly queries = new LRUCache<string, Set<string>>({ max: 5_000 });
  /** Each unit's (person's or device's) last page auction, for that page asked again (pageAuction). */
  private readonly pageAuctions = new LRUCache<string, PageAuction>({ max: 20_000 });
  /**
   * What every candidate of a request shares: the pacing draw's hash, relevance's interests, the viewer's
   * frequency counts. Made on the request's first candidate and kept for the request being scored (select
   * scores a request's candidates in one synchronous pass, so one slot is enough).
   */
  private facts: { request: AdRequest; facts: RequestFacts } | undefined;
  /** Each live ad's promoted members (membersOf), for as long as the catalog holds the ad. */
  private readonly members = new WeakMap<ServableAd, { feed: string; other: string }>();
  /** Currencies without an exchange rate, warned about once. */
  private readonly unpriced = new Set<string>();
  /** Promoted pins laid in, a series per surface. */
  private readonly served: Record<PromotedSurface, { inc(n?: number): void }>;
  private readonly failures;

  constructor(private readonly deps: AdsServingDeps) {
    this.now = deps.now ?? Date.now;
    this.catalog = new AdCatalog({ db: deps.db, now: this.now });
    this.profiles = new ViewerProfiles(deps.db, deps.cache, this.now);
    const floor = (ad: ServableAd) => bidFloorMicro(ad.currency, ad.billableEvent);
    this.pacer = new Pacer({
      ledger: (day) => adBillingRepository.ledgerOf(deps.db, day),
      spentBefore: (day, ids) => adBillingRepository.spentBefore(deps.db, day, ids),
      floor,
    });
    this.server = new Server({
      catalog: this.catalog,
      ctr: () => this.ctr,
      spend: deps.spend,
      settings: deps.settings,
      floor,
      relevance: (ad, request) => relevance(ad, this.requestFacts(request).relevance),
      // Pacing draws once per ad group and request, fnv1a(`pace:<request id>:<ad group id>`): reproducible
      // on any node. The request's part is hashed once (select asks for all its ads in one go).
      effectiveBid: (ad, request) =>
        this.pacer.enters(ad, fnv1a(ad.adGroupId, this.requestFacts(request).paceSeed) / 2 ** 32)
          ? this.pacer.bid(ad)
          : null,
      // A signed-out device's impressions are not counted per viewer (ad_viewer_impressions is per user):
      // a frequency-capped ad group is never shown to one, so no cap is broken.
      shown: (request, adGroupId) =>
        request.viewer.userId
          ? (this.requestFacts(request).shown?.get(adGroupId) ?? 0)
          : Number.POSITIVE_INFINITY,
      rate: (ad) => this.rateOf(ad.currency),
      blocks: { ...DEFAULT_BLOCKS, windowMs: deps.settings.budgetBlockMs },
      log: deps.log,
    });
    const served = deps.metrics.counter(
      'corkboard_ads_served_total',
      'Promoted pins laid into pages, by surface.',
      ['surface'] as const,
    );
    this.served = {
      HOME_FEED: served.labels({ surface: 'HOME_FEED' }),
      RELATED: served.labels({ surface: 'RELATED' }),
      SEARCH: served.labels({ surface: 'SEARCH' }),
    };
    this.failures = deps.metrics.counter(
      'corkboard_ads_serving_failures_total',
      'Pages served without ads because the ad server failed (the page went out organic), by surface.',
      ['surface'] as const,
    );
  }

  async fill<O extends OrganicItem>(
    viewer: Principal,
    organic: readonly O[],
    context: PromotionContext,
    page: PromotedPage,
  ): Promise<readonly (O | InsertedItem)[]> {
    const settings = this.deps.settings;
    if (!settings.enabled) return organic;
    const who = viewerOf(viewer);
    // Ads are for people: a token acting for an app alone gets none, unless it names the device the page
    // is for (X-Device-Id), a signed-out person: no profile to target, no frequency-capped groups.
    const device = 'viewerAppId' in who ? context.deviceId : undefined;
    if ('viewerAppId' in who && device === undefined) return organic;
    const userId = device === undefined ? viewer.userId : null;
    // The layout is read (the viewer exposed to an experiment that sets it) whenever the page could
    // carry ads; the reserve only when an auction runs. A signed-out device is its own unit.
    const params =
      context.experiments ??
      (await this.deps.exposures.forUnit(
        device === undefined ? { userId: viewer.userId } : { deviceId: device },
      ));
    const layout = layoutFor(params, settings);
    // Ads take places of the page (never more items than its size), one organic pin at least kept.
    const slots = Math.min(adSlots(organic.length, layout), adsWithin(page.room, layout));
    if (slots === 0) return organic;
    let served: ServedAd[] = [];
    try {
      const loading = this.fresh();
      if (loading) await loading;
      if (this.catalog.snapshot().ads.length === 0) return organic;
      const nowMs = this.now();
      // What is held on this node is used as it is (a reload asks for the same); what is not, loaded.
      const contextPinId = context.contextPinId;
      let profile = this.profiles.held(userId, null);
      let contextInterests = contextPinId ? this.contexts.get(contextPinId) : undefined;
      const frequencies =
        userId !== null && this.catalog.snapshot().hasFrequencyCaps && !this.frequencies.has(userId);
      if (!profile || (contextPinId && !contextInterests) || frequencies)
        [profile, contextInterests] = await Promise.all([
          profile ?? this.profiles.of(userId, null),
          contextPinId ? (contextInterests ?? this.contextInterests(contextPinId)) : undefined,
          frequencies && userId !== null ? this.loadFrequencies(userId) : undefined,
        ]);
      const adRequest: AdRequest = {
        viewer: profile,
        placement: PLACEMENT[page.surface],
        nowMs,
        // Every field written, unset ones as undefined: one shape for every request (see withOrganic).
        query: context.query || undefined,
        contextInterests,
        slots,
        // Made only when the auction runs (a page asked again compares its pins as they are).
        organicPinIds: NO_PINS,
        requestId: page.requestId,
        reserveEcpmMicro: reserveFor(params, settings, PLACEMENT[page.surface]),
      };
      // A page asked again keeps the auction it ran (pageAuction); otherwise the auction runs now.
      const unit = userId ?? `d${device}`;
      let won =
        context.pageKey === undefined
          ? undefined
          : this.pageAuction(unit, context.pageKey, adRequest, organic);
      let scored: readonly Scored[] = [];
      if (won === undefined) {
        const pins = organic.map((o) => o.pinId);
        ({ won, scored } = this.server.auction(withOrganic(adRequest, new Set(pins))));
        if (context.pageKey !== undefined)
          this.pageAuctions.set(unit, this.pageAuctionKept(context.pageKey, adRequest, pins, won));
      }
      // Held out of this node's open blocks without an await when they have room (nearly always).
      const held = this.server.holdNow(adRequest, won) ?? (await this.server.hold(adRequest, won));
      served = held.served;
      if (scored.length > 0)
        this.logAuction(adRequest, page.surface, { scored, served, outOfBudget: held.outOfBudget });
    } catch (err) {
      this.failures.inc({ surface: page.surface });
      this.deps.log.warn({ err, surface: page.surface }, 'ad serving failed; the page goes out without ads');
      await this.releaseAll(served);
      return organic;
    }
    if (served.length === 0) return organic;
    const { items, left } = insertAds<O, ServedAd>(organic, served, layout, page.room);
    if (left.length > 0) await this.releaseAll(left);
    const issuedAt = this.now();
    // A device's tokens are the app's: its events name the device (POST /v5/events' device_id).
    const viewerUserId = userId === null ? undefined : viewer.userId;
    const viewerAppId = userId === null ? viewer.appId : undefined;
    const { surface, requestId } = page;
    // The page is the items laid out, each ad in it replaced by its promoted item; the ads' tokens are
    // signed together (issuePromotedPage).
    const laid = items as (O | ServedAd | InsertedItem)[];
    const claims: PromotedPageInput['items'][number][] = [];
    for (let position = 0; position < laid.length; position++) {
      const item = laid[position]!;
      // An ad is one of the (few) served ones: found by identity, not by its shape among the organic.
      if (!served.includes(item as ServedAd)) continue;
      const { ad, priceMicro, reservationId, holdMicro } = item as ServedAd;
      claims.push({
        pinId: ad.pinId,
        position,
        ad: {
          adId: ad.adId,
          chargeMicro: reserveAmount(ad.billableEvent, priceMicro),
          holdMicro,
          billableEvent: ad.billableEvent,
          reservationId,
        },
      });
    }
    const tokens = this.deps.tokens.issuePromotedPage(
      { viewerUserId, viewerAppId, surface, requestId, items: claims },
      issuedAt,
    );
    for (let i = 0; i < claims.length; i++) {
      const { position } = claims[i]!;
      const { ad } = laid[position] as ServedAd;
      laid[position] = { pinId: ad.pinId, token: tokens[i]!, members: this.membersOf(ad, surface) };
    }
    this.served[page.surface].inc(served.length - left.length);
    return laid as (O | InsertedItem)[];
  }

  /** What a page's auction is kept with: everything its outcome depends on (pageAuction). */
  private pageAuctionKept(
    page: string,
    request: AdRequest,
    organic: readonly string[],
    won: readonly WonSlot[],
  ): PageAuction {
    return {
      page,
      at: request.nowMs,
      profile: request.viewer,
      snapshot: this.catalog.snapshot(),
      ctr: this.ctr,
      steppedAt: this.steppedAt,
      shown: request.viewer.userId ? this.frequencies.get(request.viewer.userId) : undefined,
      slots: request.slots,
      reserve: request.reserveEcpmMicro,
      organic,
      won,
    };
  }

  /**
   * The winners of the auction `unit` last ran for `page`, when the page is asked again within
   * PAGE_AUCTION_MS and nothing the outcome depends on changed: the catalog, the click history, the
   * pacing step, the viewer's profile and frequency counts, the slots and reserve, the page's own pins.
   * Winners whose schedule ended, or whose frequency cap the viewer reached, since are left out; budgets
   * are held anew by the caller. Undefined: run the auction.
   */
  private pageAuction(
    unit: string,
    page: string,
    request: AdRequest,
    organic: readonly OrganicItem[],
  ): readonly WonSlot[] | undefined {
    const kept = this.pageAuctions.get(unit);
    if (
      !kept ||
      kept.page !== page ||
      request.nowMs < kept.at ||
      request.nowMs - kept.at >= PAGE_AUCTION_MS ||
      kept.profile !== request.viewer ||
      kept.snapshot !== this.catalog.snapshot() ||
      kept.ctr !== this.ctr ||
      kept.steppedAt !== this.steppedAt ||
      kept.shown !== (request.viewer.userId ? this.frequencies.get(request.viewer.userId) : undefined) ||
      kept.slots !== request.slots ||
      kept.reserve !== request.reserveEcpmMicro ||
      !sameItems(kept.organic, organic)
    )
      return undefined;
    const shown = kept.shown;
    return kept.won.filter(
      (w) =>
        momentIneligibility(
          w.ad.group,
          request.nowMs,
          w.ad.group.frequencyCap === null
            ? 0
            : request.viewer.userId
              ? (shown?.get(w.ad.adGroupId) ?? 0)
              : Number.POSITIVE_INFINITY,
        ) === null,
    );
  }

  /** A promoted pin's members (after the pin's own fields), made once per ad and surface kind. */
  private membersOf(ad: ServableAd, surface: PromotedSurface): string {
    let made = this.members.get(ad);
    if (!made) {
      const common = `"is_promoted":true,"ad_id":"${ad.adId}","advertiser_name":${JSON.stringify(ad.advertiserName)}`;
      made = { feed: `${common},"reason":"PROMOTED"`, other: common };
      this.members.set(ad, made);
    }
    return surface === 'HOME_FEED' ? made.feed : made.other;
  }

  /** The request's shared facts, made on its first candidate. */
  private requestFacts(request: AdRequest): RequestFacts {
    if (this.facts?.request === request) return this.facts.facts;
    const facts: RequestFacts = {
      paceSeed: fnv1a(`pace:${request.requestId}:`),
      relevance: {
        placement: request.placement,
        interests: union(request.viewer.interests, request.contextInterests),
        ...(request.query ? { queryInterests: this.queryInterestsOf(request.query) } : {}),
      },
      shown: request.viewer.userId ? this.frequencies.get(request.viewer.userId) : undefined,
    };
    this.facts = { request, facts };
    return facts;
  }

  /**
   * What one unit of `currency` is worth in the auction currency (1 for itself), or null, said once in
   * the log, when ADS_EXCHANGE_RATES has no rate for it: its ads are then not served.
   */
  private rateOf(currency: string): number | null {
    const { auctionCurrency, exchangeRates } = this.deps.settings;
    if (currency === auctionCurrency) return 1;
    const rate = exchangeRates[currency];
    if (rate !== undefined) return rate;
    if (!this.unpriced.has(currency)) {
      this.unpriced.add(currency);
      this.deps.log.warn(
        { currency, auctionCurrency },
        'ads in this currency are not served: ADS_EXCHANGE_RATES has no rate for it',
      );
    }
    return null;
  }

  /** Loads everything now (tests, and a node that wants its first page fast). */
  async refreshNow(): Promise<void> {
    await this.refresh(this.now(), true);
  }

  /** The first load to wait for, or undefined: what is held is fresh, or refreshing in the background. */
  private fresh(): Promise<void> | undefined {
    const now = this.now();
    if (this.loaded && now - this.refreshedAt < this.deps.settings.refreshMs) return undefined;
    if (!this.refreshing) {
      this.refreshing = this.refresh(now, false).finally(() => {
        this.refreshing = undefined;
      });
    }
    if (!this.loaded) return this.refreshing;
    this.refreshing.catch((err) => this.deps.log.warn({ err }, 'ads refresh failed; serving what is held'));
    return undefined;
  }

  private async refresh(now: number, force: boolean): Promise<void> {
    await this.catalog.refresh(force);
    if (force || now - this.ctrAt >= CTR_RELOAD_MS) {
      this.ctr = await CtrBook.load(this.deps.db);
      this.ctrAt = now;
    }
    if (force || now - this.restoredAt >= RESTORE_MS) {
      await this.restoreTotals(now);
      this.restoredAt = now;
    }
    if (force || now - this.steppedAt >= CONTROL_STEP_MS) {
      await this.pacer.tick(this.catalog.snapshot().ads, now);
      this.steppedAt = now;
    }
    this.refreshedAt = now;
    this.loaded = true;
  }

  /**
   * Raises the spend store's totals of every live budget key to what the ledger has billed on it, before
   * this node serves its first ad and every RESTORE_MS after: the in-process store starts empty after a
   * restart and a Redis flush forgets spend, and without this a budget billed before would be spent again.
   * (The store is usually ahead of the ledger, which lags billing by a moment; then nothing changes.)
   */
  private async restoreTotals(now: number): Promise<void> {
    const ads = this.catalog.snapshot().ads;
    if (ads.length === 0) return;
    const { groups, campaigns } = await adBillingRepository.budgetTotals(
      this.deps.db,
      utcDay(now),
      [...new Set(ads.map((a) => a.adGroupId))],
      [...new Set(ads.map((a) => a.campaignId))],
    );
    const keys = new Map<string, { settled: number; retainMs: number | undefined }>();
    for (const ad of ads)
      for (const cap of budgetCaps(ad, now)) {
        const settled = ledgerFigure(cap.key, groups, campaigns);
        if (settled !== undefined && settled > 0) keys.set(cap.key, { settled, retainMs: cap.retainMs });
      }
    await Promise.all(
      [...keys].map(([key, { settled, retainMs }]) => this.deps.spend.restore(key, settled, retainMs)),
    );
  }

  /** The viewer's impressions per frequency-capped ad group, when the catalog has such groups. */
  private async loadFrequencies(userId: string): Promise<void> {
    if (!this.catalog.snapshot().hasFrequencyCaps || this.frequencies.has(userId)) return;
    const rows = await this.deps.db
      .selectFrom('ad_viewer_impressions')
      .select(['ad_group_id', 'impressions'])
      .where('user_id', '=', userId)
      .execute();
    this.frequencies.set(userId, new Map(rows.map((r) => [r.ad_group_id, Number(r.impressions)])));
  }

  private async contextInterests(pinId: string): Promise<ReadonlySet<string>> {
    let ids = this.contexts.get(pinId);
    if (!ids) {
      ids = new Set((await pinInterests(this.deps.db, [pinId])).get(pinId)?.keys() ?? []);
      this.contexts.set(pinId, ids);
    }
    return ids;
  }

  private queryInterestsOf(query: string): Set<string> {
    let found = this.queries.get(query);
    if (!found) {
      found = queryInterests(query);
      this.queries.set(query, found);
    }
    return found;
  }

  private async releaseAll(served: readonly ServedAd[]): Promise<void> {
    if (served.length === 0) return;
    await this.server.release(served, this.now()).catch((err) => {
      // Unreleased, it goes back with its block when the block expires.
      this.deps.log.warn({ err }, 'could not give back an ad budget hold');
    });
  }

  /** Gives back what this node's budget blocks hold unhanded (the node is stopping). */
  async close(): Promise<void> {
    await this.server.close(this.now());
  }

  /** Writes a sampled auction to the event stream (the `ads.auction` topic); never delays the page. */
  private logAuction(request: AdRequest, surface: PromotedSurface, record: AuctionRecord): void {
    const won = new Set(record.served.map((s) => s.ad.adId));
    const entry: AuctionLogEntry = {
      at: new Date(request.nowMs).toISOString(),
      requestId: request.requestId,
      surface,
      placement: request.placement,
      candidates: record.scored.map((s) => ({
        adId: s.candidate.adId,
        adGroupId: s.candidate.adGroupId,
        bidMicro: s.candidate.bidMicro,
        pctr: s.candidate.pctr,
        relevance: s.candidate.relevance,
        ecpm: s.ecpm,
        refused: s.refused ?? null,
      })),
      winners: [
        ...record.served.map((s) => ({
          adId: s.ad.adId,
          slot: s.slot,
          priceMicro: s.priceMicro,
          reserved: true,
        })),
        ...record.outOfBudget
          .filter((id) => !won.has(id))
          .map((adId) => ({ adId, slot: -1, priceMicro: 0, reserved: false })),
      ],
    };
    emit(this.deps.db, 'ads.auction', entry).then(
      () => this.deps.eventsCommitted(),
      (err) => this.deps.log.warn({ err }, 'could not log an auction'),
    );
  }
}

/** Whether `organic` are the pins of `ids`, in order. */
function sameItems(ids: readonly string[], organic: readonly OrganicItem[]): boolean {
  if (ids.length !== organic.length) return false;
  for (let i = 0; i < ids.length; i++) if (ids[i] !== organic[i]!.pinId) return false;
  return true;
}

/**
 * `request` with the page's organic pins, every field written: not `{ ...request, organicPinIds }`, which
 * gets a new V8 map per request (docs/architecture.md, "Object shapes"). `satisfies` makes a field added
 * to AdRequest a compile error here until it is copied.
 */
function withOrganic(request: AdRequest, organicPinIds: ReadonlySet<string>): AdRequest {
  return {
    viewer: request.viewer,
    placement: request.placement,
    nowMs: request.nowMs,
    query: request.query,
    contextInterests: request.contextInterests,
    slots: request.slots,
    organicPinIds,
    requestId: request.requestId,
    reserveEcpmMicro: request.reserveEcpmMicro,
  } satisfies Record<keyof AdRequest, unknown>;
}

/** An auction request's page pins before the auction runs (see fill). */
const NO_PINS: ReadonlySet<string> = new Set();

function union(a: ReadonlySet<string>, b: ReadonlySet<string> | undefined): ReadonlySet<string> {
  if (!b || b.size === 0) return a;
  return new Set([...a, ...b]);
}
