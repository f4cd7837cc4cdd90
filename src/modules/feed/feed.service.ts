import { createHash, randomBytes } from 'node:crypto';
import type { Bookmarks } from '../../platform/bookmarks.js';
import type { Cache } from '../../platform/cache/cache.js';
import type { Config } from '../../platform/config.js';
import type { Db } from '../../platform/db/database.js';
import { Invalid } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { Principal } from '../../platform/principal.js';
import type { ExperimentParams, Exposures } from '../experiments/index.js';
import { type PinsService, writtenPage } from '../pins/index.js';
import { type PinFacts, feedRepository as repo } from './feed.repository.js';
import { FEED_PARAM_NAMES, rankSettings } from './feed-params.js';
import type { FeedReason, FeedSession, FeedStore } from './feed-store.js';
import { distinctive, popularFor, topicMatch } from './interests.js';
import type { PopularPool } from './popular-pool.js';
import { type Candidate, rank, type SourceName } from './ranker.js';
import type { WalkRecommender } from './walk-recommender.js';

type FeedConfig = Pick<
  Config,
  | 'feedListSize'
  | 'feedActiveDays'
  | 'feedShares'
  | 'feedDiversity'
  | 'feedSessionTtlMs'
  | 'feedSnapshotTtlMs'
>;

export interface FeedDeps {
  db: Db;
  store: FeedStore;
  pins: PinsService;
  /** Recommendations from random walks seeded by the viewer's recent saves and close-ups. */
  recommender: WalkRecommender;
  bookmarks: Bookmarks;
  pool: PopularPool;
  /** The viewer's experiment parameters: the ranker's shares and diversity can be under test. */
  exposures: Pick<Exposures, 'forUnit'>;
  config: FeedConfig;
  log: Logger;
  /** Keeps each person's interest words for a while (they drift slowly); without it they are read each time. */
  cache?: Cache;
  now?: () => number;
  /** Items ranked at a time (BATCH); tests make it small to exercise refills. */
  batch?: number;
}

/** How many items one ranking produces: a session holds them and pages are cut from it. */
const BATCH = 250;
/** Following-list entries and walk results considered per ranking. */
const FOLLOWING_CANDIDATES = 500;
const RELATED_CANDIDATES = 150;
const SEEDS = 30;
const SEED_DAYS = 30;
/** A seed's weight halves about every week: exp(-age / 10 days). */
const SEED_DECAY_MS = 10 * 86_400_000;
/** How long a person's walk results are reused while their seeds stay the same. */
const RELATED_TTL_MS = 10 * 60_000;
/** A close-up says less than a save. */
const CLOSEUP_WEIGHT = 0.5;
const INTEREST_WORDS = 40;
const INTERESTS_TTL_MS = 10 * 60_000;
/** A reader is marked active at most this often per process. */
const ACTIVE_EVERY_MS = 3_600_000;
/** Background rankings of first pages in flight per process, at most. */
const MAX_REFRESHING = 4;
/** How long the walk may take before the page goes out without it. */
const WALK_BUDGET_MS = 250;

/**
 * The home feed: the materialised following list (with heavy sources merged at read time),
 * recommendations from random walks seeded by recent saves and close-ups, and popular pins in the
 * viewer's topics, blended by the ranker into a session that pages are cut from.
 */
export class FeedService {
  private readonly marked = new Map<string, number>();
  private readonly refreshing = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly deps: FeedDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * One page of the viewer's home feed, written as JSON: each pin as GET /v5/pins/{pin_id} shows it (only
   * pins on boards discovery may show: a board may have changed since the ranking), with its impression
   * token and `reason`.
   */
  async home(
    viewer: Principal,
    pageSize: number,
    bookmark: string | undefined,
    requestId: string,
    /** The request's server time so far (ms), read when the page is ready: the feed latency metric. */
    elapsed?: () => number,
  ) {
    // Once per request: the ranking (if this page ranks) and the ads laid into it read from it.
    const params = await this.deps.exposures.forUnit({ userId: viewer.userId });
    const page = await this.cut(viewer, pageSize, bookmark, params);
    const { json, consumed } = await this.deps.pins.list(viewer, page.ids, {
      surface: 'HOME_FEED',
      requestId,
      publicOnly: true,
      // The page is its session's, from its offset: asked again, it keeps its auction.
      promote: { experiments: params, pageKey: page.key },
      extra: (pinId) => `"reason":"${page.reasons.get(pinId) ?? 'POPULAR'}"`,
    });
    // A viewer in any running experiment has the page's server time gathered (off the request path).
    if (elapsed) params.feedTiming(elapsed());
    return writtenPage(json, page.bookmarkAfter(consumed));
  }

  /** The pin ids (and their reasons) of one page, ranking or extending the session as needed. */
  private async cut(
    viewer: Principal,
    pageSize: number,
    bookmark: string | undefined,
    params: ExperimentParams,
  ) {
    const scope = `feed:home:${viewer.userId}`;
    let id: string;
    let offset = 0;
    let session: FeedSession | undefined;
    if (bookmark) {
      [id, offset] = this.position(scope, bookmark);
      session = await this.deps.store.loadSession(id);
      if (!session || session.viewer !== viewer.userId)
        throw new Invalid('This bookmark has expired: load the feed again without a bookmark.');
      await this.markActive(viewer.userId);
    } else {
      await this.markActive(viewer.userId);
      const fresh = this.deps.config.feedSnapshotTtlMs;
      let current = fresh > 0 ? await this.deps.store.current(viewer.userId) : undefined;
      // Its bookmarks must outlive the page by a good margin: past half its life, rank anew. And when
      // the experiments that set the ranking put the person elsewhere (one started, stopped, or moved
      // them), at once: an experiment's change applies as soon as this node's definitions have it.
      if (
        current &&
        (this.now() - current.session.at > this.deps.config.feedSessionTtlMs / 2 ||
          (current.session.variants ?? '') !== params.variantsOf(FEED_PARAM_NAMES))
      )
        current = undefined;
      if (current) {
        ({ id, session } = current);
        if (this.now() - session.at > fresh) this.refreshSoon(viewer, params);
      } else {
        id = randomBytes(12).toString('base64url');
        session = await this.firstBatch(viewer, id, params);
      }
    }
    if (offset + pageSize > session.ids.length && !session.done) {
      session = await this.extend(viewer, session, params);
      await this.deps.store.saveSession(id, session, this.deps.config.feedSessionTtlMs);
    }
    const ids = session.ids.slice(offset, offset + pageSize);
    const reasons = new Map(ids.map((pinId, i) => [pinId, session.reasons[offset + i]!]));
    const { done, ids: all } = session;
    // The page may end before its last id (ads displaced it): the next page starts at the first not shown.
    const bookmarkAfter = (consumed: number) => {
      const end = offset + consumed;
      return end < all.length || !done ? this.deps.bookmarks.encode(scope, [id, end]) : null;
    };
    return { ids, reasons, bookmarkAfter, key: `${id}:${offset}` };
  }

  /** Ranks a new session and stores it, as the viewer's current first page unless reuse is off. */
  private async firstBatch(viewer: Principal, id: string, params: ExperimentParams): Promise<FeedSession> {
    const session = await this.extend(
      viewer,
      { viewer: viewer.userId, at: this.now(), ids: [], reasons: [], done: false },
      params,
    );
    const { feedSessionTtlMs, feedSnapshotTtlMs } = this.deps.config;
    await this.deps.store.saveSession(
      id,
      session,
      feedSessionTtlMs,
      feedSnapshotTtlMs > 0 ? feedSessionTtlMs : 0,
    );
    return session;
  }

  /**
   * Ranks a fresh first page in the background (stale-while-revalidate): the one just served is older
   * than FEED_SNAPSHOT_SECONDS. One at a time per person, a few at a time per process; when busy, the
   * next request asks again.
   */
  private refreshSoon(viewer: Principal, params: ExperimentParams): void {
    if (this.refreshing.has(viewer.userId) || this.refreshing.size >= MAX_REFRESHING) return;
    this.refreshing.add(viewer.userId);
    this.firstBatch(viewer, randomBytes(12).toString('base64url'), params)
      .catch((err: unknown) => this.deps.log.warn({ err }, 'feed: background ranking failed'))
      .finally(() => this.refreshing.delete(viewer.userId));
  }

  /**
   * A pin exactly as GET /v5/pins/{id} shows it (cached, with its JSON), or undefined when the viewer may
   * no longer see it: pins deleted or made secret since the ranking drop out here.
   */
  private position(scope: string, bookmark: string): [string, number] {
    const cursor = this.deps.bookmarks.decode(scope, bookmark);
    const [id, offset] = cursor;
    if (
      cursor.length !== 2 ||
      typeof id !== 'string' ||
      !/^[A-Za-z0-9_-]{1,32}$/.test(id) ||
      typeof offset !== 'number' ||
      !Number.isInteger(offset) ||
      offset < 0
    )
      throw new Invalid('Invalid bookmark: pass the bookmark value from a previous page unchanged.');
    return [id, offset];
  }

  /**
   * Marks the reader active (at most hourly per process) and keeps their following list alive as long
   * as fan-out reaches them. Marking comes before any rebuild, so a pin is either fanned out to them
   * or found by the rebuild.
   */
  private async markActive(userId: string): Promise<void> {
    const now = this.now();
    if (now - (this.marked.get(userId) ?? 0) < ACTIVE_EVERY_MS) return;
    await repo.markActive(this.deps.db, [userId]);
    await this.deps.store.touch(userId, this.listTtlMs());
    if (this.marked.size > 100_000) this.marked.clear();
    this.marked.set(userId, now);
  }

  /** A list lives no longer than its owner counts as active, or it would miss fan-out silently. */
  private listTtlMs(): number {
    return this.deps.config.feedActiveDays * 86_400_000;
  }

  /** The following list, rebuilt from the database when it does not exist (new, expired or lost). */
  private async followingList(userId: string): Promise<string[]> {
    const { store, config, db } = this.deps;
    const list = await store.read(userId, FOLLOWING_CANDIDATES);
    if (list) return list;
    // Active first (in the database), then read: whatever is fanned out after this reaches the list.
    // (markActive leaves a mark younger than an hour alone: well inside FEED_ACTIVE_DAYS.)
    await repo.markActive(db, [userId]);
    const entries = await repo.rebuild(db, userId, config.feedListSize);
    await store.replace(userId, entries, config.feedListSize, this.listTtlMs());
    return entries.slice(0, FOLLOWING_CANDIDATES).map((e) => e.pinId);
  }

  /**
   * Ranks the next batch of the session: everything already in it is excluded. The ranking settings are
   * read from `params` here, where the ranker uses them: that read is the person's exposure.
   */
  private async extend(
    viewer: Principal,
    session: FeedSession,
    params: ExperimentParams,
  ): Promise<FeedSession> {
    const { db } = this.deps;
    const userId = viewer.userId;
    const [following, graph, saved, seeds, interests, pool] = await Promise.all([
      this.followingList(userId),
      repo.graph(db, userId),
      repo.savedFrom(db, userId),
      repo.seeds(db, userId, SEEDS, SEED_DAYS),
      this.interests(userId),
      this.deps.pool.get(),
    ]);
    const exclude = new Set<string>(saved);
    for (const id of session.ids) exclude.add(id);
    const [heavy, related] = await Promise.all([
      repo.heavyRecent(db, graph.heavyUsers, graph.heavyBoards),
      this.related(viewer, seeds, exclude, session.ids.length === 0),
    ]);
    const terms = interests.size > 0 ? await repo.terms(db, [...following, ...heavy]) : new Map();
    const facts = await repo.facts(db, [...following, ...heavy, ...related, ...session.ids]);
    // Saves of what was served are served too: their canonical pins are excluded as well.
    for (const id of session.ids) {
      const f = facts.get(id);
      if (f) exclude.add(f.canonical);
    }
    // The viewer's own pins, and saves of them, are theirs already.
    const mine = (f: PinFacts) => f.ownerId === userId || f.canonicalOwner === userId;
    const followees = new Set(graph.followees);
    const boards = new Set(graph.boards);
    const candidate = (f: PinFacts, reason: FeedReason): Candidate => ({
      pinId: f.id,
      boardId: f.boardId,
      ownerId: f.ownerId,
      canonical: f.canonical,
      reason,
    });
    const followingFacts = [...new Set([...following, ...heavy])]
      .flatMap((id) => facts.get(id) ?? [])
      // An unfollowed person or board drops out of the list at once.
      .filter((f) => !mine(f) && (followees.has(f.ownerId) || boards.has(f.boardId)));
    // Pins in the viewer's topics (their words meet the viewer's interests) come first. Then every
    // followed person and board gets a turn: each one's newest pin first, then each one's second newest,
    // and so on (a prolific account does not fill the stretch on its own); within a turn, pins that
    // several of them made or saved (social proof) and then the newest.
    followingFacts.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
    const turns = new Map<string, number>();
    const turn = new Map<string, number>();
    const proof = new Map<string, number>();
    for (const f of followingFacts) {
      const source = followees.has(f.ownerId) ? `u${f.ownerId}` : `b${f.boardId}`;
      const k = turns.get(source) ?? 0;
      turns.set(source, k + 1);
      turn.set(f.id, k);
      proof.set(f.canonical, (proof.get(f.canonical) ?? 0) + 1);
    }
    const topics = distinctive(
      interests,
      followingFacts.map((f) => terms.get(f.id) ?? []),
    );
    const onTopic = new Set(
      followingFacts.filter((f) => topicMatch(terms.get(f.id) ?? [], topics) > 0).map((f) => f.id),
    );
    followingFacts.sort(
      (a, b) =>
        Number(onTopic.has(b.id)) - Number(onTopic.has(a.id)) ||
        turn.get(a.id)! - turn.get(b.id)! ||
        proof.get(b.canonical)! - proof.get(a.canonical)! ||
        b.at - a.at ||
        (a.id < b.id ? 1 : -1),
    );
    const { inTopic, rest } = popularFor(pool, interests);
    const sources: Record<SourceName, Candidate[]> = {
      following: followingFacts.map((f) => candidate(f, 'FOLLOWING')),
      related: related.flatMap((id) => {
        const f = facts.get(id);
        return f && !mine(f) ? [candidate(f, 'RELATED_TO_SAVE')] : [];
      }),
      popular: [
        ...inTopic.map((p) => candidate({ ...p, canonicalOwner: null, at: 0 }, 'POPULAR_IN_TOPIC')),
        ...rest.map((p) => candidate({ ...p, canonicalOwner: null, at: 0 }, 'POPULAR')),
      ].filter((c) => c.ownerId !== userId),
    };
    const ranked = rank(sources, {
      ...rankSettings(params, this.deps.config),
      exclude,
      limit: this.deps.batch ?? BATCH,
    });
    const variants = params.variantsOf(FEED_PARAM_NAMES);
    return {
      viewer: userId,
      at: session.at,
      ids: [...session.ids, ...ranked.map((c) => c.pinId)],
      reasons: [...session.reasons, ...ranked.map((c) => c.reason)],
      // Fewer than a batch: the sources ran dry.
      done: ranked.length < (this.deps.batch ?? BATCH),
      ...(variants ? { variants } : {}),
    };
  }

  private async interests(userId: string): Promise<Map<string, number>> {
    const load = async () => [...(await repo.interests(this.deps.db, userId, INTEREST_WORDS))];
    const pairs = this.deps.cache
      ? await this.deps.cache.getOrLoad(`feed-interests:${userId}`, INTERESTS_TTL_MS, load)
      : await load();
    return new Map(pairs);
  }

  /** Pins from the walk, seeded by recent saves and close-ups weighted by recency. */
  private async related(
    viewer: Principal,
    seeds: { pinId: string; at: number; kind: 'SAVE' | 'PIN_CLICK' }[],
    exclude: Set<string>,
    firstBatch: boolean,
  ): Promise<string[]> {
    const walk = this.deps.recommender;
    if (seeds.length === 0) return [];
    const now = this.now();
    const weights = new Map<string, number>();
    for (const s of seeds) {
      const w = Math.exp(-Math.max(0, now - s.at) / SEED_DECAY_MS) * (s.kind === 'SAVE' ? 1 : CLOSEUP_WEIGHT);
      weights.set(s.pinId, (weights.get(s.pinId) ?? 0) + w);
    }
    const ask = async (): Promise<string[]> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const found = await Promise.race([
          walk.recommend(
            viewer,
            [...weights].map(([pinId, weight]) => ({ pinId, weight })),
            RELATED_CANDIDATES,
            { excludePinIds: new Set(exclude) },
          ),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('walk took too long')), WALK_BUDGET_MS);
          }),
        ]);
        return found.map((r) => r.pinId);
      } finally {
        clearTimeout(timer);
      }
    };
    try {
      // A first batch excludes only what the viewer saved, which changes only with their seeds: while the
      // seeds are the same, so is the walk (weights drift little in RELATED_TTL_MS), and re-ranking a
      // first page does not walk again. Pins made secret since are dropped by the facts and when served.
      const found =
        firstBatch && this.deps.cache
          ? await this.deps.cache.getOrLoad(
              `feed-related:${viewer.userId}:${seedsKey(seeds)}`,
              RELATED_TTL_MS,
              ask,
            )
          : await ask();
      return found.filter((id) => !exclude.has(id));
    } catch (err) {
      this.deps.log.warn({ err }, 'feed: recommendations unavailable for this page');
      return [];
    }
  }
}

/** A short key of a set of seeds (which pins, saved or opened): the same seeds, the same key. */
function seedsKey(seeds: readonly { pinId: string; kind: string }[]): string {
  const text = seeds
    .map((s) => `${s.kind === 'SAVE' ? 's' : 'c'}${s.pinId}`)
    .sort()
    .join(',');
  return createHash('sha1').update(text).digest('base64url').slice(0, 22);
}
