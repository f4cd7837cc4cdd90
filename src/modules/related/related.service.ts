import { LRUCache } from 'lru-cache';
import { type Bookmarks, type Cursor, DEFAULT_PAGE_SIZE } from '../../platform/bookmarks.js';
import type { Db } from '../../platform/db/database.js';
import { Invalid, NotFound } from '../../platform/errors.js';
import { isIdText } from '../../platform/ids.js';
import type { Principal } from '../../platform/principal.js';
import { type PinsService, writtenPage } from '../pins/index.js';
import type { PinBoardGraph } from './graph.js';
import type { GraphStore } from './graph-store.js';
import { type CandidateRow, relatedRepository as repo } from './related.repository.js';
import { distinct, paginate } from './select.js';
import { InThreadWalks, type WalkRunner } from './walk-pool.js';

/** Ranked pins a related list is cut from (pages of 25: eight pages). */
export const MAX_RESULTS = 200;
/** Pins asked of the walk: more than shown, for what filtering removes. */
const WALK_CANDIDATES = 400;
/** Fewer graph results than this and content similarity fills the list (a cold pin). */
export const MIN_GRAPH_RESULTS = DEFAULT_PAGE_SIZE;
/** Longest a request waits for the node's first graph. */
const GRAPH_WAIT_MS = 5000;
/** How long a list stays for the pages after its first (so they follow the first page's ranking). */
const LIST_TTL_MS = 5 * 60_000;

export interface RelatedDeps {
  readonly db: Db;
  readonly bookmarks: Bookmarks;
  readonly pins: PinsService;
  readonly store: GraphStore;
  /** Where walks run: worker threads (RELATED_WALK_WORKERS) or, by default, this thread. */
  readonly walks?: WalkRunner;
  /** Walk steps per query. */
  readonly steps: number;
  /** Mixed into every walk's seed (tests pin it; any fixed value keeps answers deterministic). */
  readonly seed?: number;
  /** Longest a request waits for the node's first graph (default GRAPH_WAIT_MS). */
  readonly graphWaitMs?: number;
}

/** A ranked recommendation: a pin the viewer may see and its walk score. */
export interface Recommendation {
  pinId: string;
  score: number;
}

/** FNV-1a over text: a walk's seed from what it is asked. */
function hashText(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Related pins: random walks on the pin–board graph from a pin (or, for the home feed, from several
 * weighted pins), filtered to what the viewer may see, de-duplicated by save chain and dHash, diversified
 * per board and creator, with content similarity for pins the graph knows little about.
 */
export class RelatedService {
  /**
   * Ranked lists by pin, for following pages: a first page always ranks afresh (so new saves show),
   * later pages cut the list their first page was cut from while it is kept here. What is served is
   * still filtered by current privacy (PinsService.byIds), so a kept list cannot show a pin made secret.
   */
  private readonly lists = new LRUCache<string, CandidateRow[]>({ max: 1000, ttl: LIST_TTL_MS });

  private readonly walks: WalkRunner;

  constructor(private readonly deps: RelatedDeps) {
    this.walks = deps.walks ?? new InThreadWalks();
  }

  /** GET /v5/pins/{pin_id}/related: a page of pins related to one the viewer may see. */
  async related(
    viewer: Principal,
    pinId: string,
    q: { page_size?: number; bookmark?: string },
    ctx: { requestId: string; deviceId?: string | undefined },
  ) {
    const pageSize = q.page_size ?? DEFAULT_PAGE_SIZE;
    const scope = `related:${pinId}:${pageSize}:at`;
    const offset = q.bookmark ? offsetOf(this.deps.bookmarks.decode(scope, q.bookmark)) : 0;
    if (!isIdText(pinId)) throw new NotFound('Pin not found.', 50);
    // Exactly what GET /v5/pins/{pin_id} would answer: 404 for a pin the viewer may not see.
    await this.deps.pins.get(viewer, pinId);
    let list = offset > 0 ? this.lists.get(pinId) : undefined;
    if (!list) {
      list = await this.ranked(pinId);
      this.lists.set(pinId, list);
    }
    // The ranked list in the order paginate gives it (diversity per page of pageSize); a page is the next
    // pageSize of it from the bookmark's offset (ads may have displaced the end of the last one).
    const ordered = paginate(list, pageSize).flat();
    const rows = ordered.slice(offset, offset + pageSize);
    const { json, consumed } = await this.deps.pins.list(
      viewer,
      rows.map((r) => r.id),
      {
        requestId: ctx.requestId,
        surface: 'RELATED',
        publicOnly: true,
        promote: { contextPinId: pinId, ...(ctx.deviceId !== undefined && { deviceId: ctx.deviceId }) },
      },
    );
    const end = offset + consumed;
    const bookmark = end < ordered.length ? this.deps.bookmarks.encode(scope, [end]) : null;
    return writtenPage(json, bookmark);
  }

  /**
   * Pins for the home feed from the viewer's recent pins (`seeds`, weighted by recency): the walk's
   * multi-pin boosting ranks pins reachable from several seeds higher. Results are the pins served for
   * canonical pins (a chain's root when it is on a public board, else its oldest such save),
   * never on secret boards (the viewer's own included), never of a seed's save chain or in
   * `excludePinIds` (by pin id or canonical id), one per canonical pin and per picture (dHash).
   */
  async recommend(
    _viewer: Principal,
    seeds: ReadonlyArray<{ pinId: string; weight: number }>,
    limit: number,
    opts: { excludePinIds?: ReadonlySet<string> } = {},
  ): Promise<Recommendation[]> {
    const valid = seeds.filter((s) => isIdText(s.pinId) && s.weight > 0);
    if (valid.length === 0 || limit <= 0) return [];
    const canonicals = await repo.canonicals(this.deps.db, [...new Set(valid.map((s) => s.pinId))]);
    const graph = await this.graph();
    if (!graph) return [];
    const weights = new Map<number, number>();
    for (const s of valid) {
      const canonical = canonicals.get(s.pinId);
      const p = canonical === undefined ? -1 : graph.pinIndex(BigInt(canonical));
      if (p >= 0) weights.set(p, (weights.get(p) ?? 0) + s.weight);
    }
    if (weights.size === 0) return [];
    const queries = [...weights].map(([pin, weight]) => ({ pin, weight }));
    const seedKey = [...canonicals.values()].sort().join(',');
    const exclude = opts.excludePinIds ?? new Set<string>();
    const walk = await this.walks.run(graph, queries, limit * 2 + exclude.size + 20, {
      steps: this.deps.steps,
      seed: hashText(seedKey, this.deps.seed ?? 0),
    });
    const ids = walk.pins.map((p) => graph.pinRep(p).toString());
    const rows = await repo.candidates(this.deps.db, ids);
    const score = new Map(ids.map((id, i) => [id, walk.scores[i]!]));
    const out: Recommendation[] = [];
    const kept = distinct(ids, rows, { canonicalId: '', dhash: null, color: null });
    const seedCanonicals = new Set(canonicals.values());
    for (const row of kept) {
      if (seedCanonicals.has(row.canonical_id)) continue;
      if (exclude.has(row.id) || exclude.has(row.canonical_id)) continue;
      out.push({ pinId: row.id, score: score.get(row.id) ?? 0 });
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * The graph, waiting at most GRAPH_WAIT_MS for a node's first build (or for another node's snapshot):
   * meanwhile related pins come from content similarity alone and recommendations are empty.
   */
  private async graph(): Promise<PinBoardGraph | undefined> {
    const ready = this.deps.store.peek();
    if (ready) return ready;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.deps.graphWaitMs ?? GRAPH_WAIT_MS);
    });
    try {
      return await Promise.race([this.deps.store.current(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The related list of a pin: walk results, then content neighbours if the walk found too few. */
  private async ranked(pinId: string): Promise<CandidateRow[]> {
    const { db } = this.deps;
    const canonical = (await repo.canonical(db, pinId)) ?? pinId;
    const graph = await this.graph();
    const p = graph ? graph.pinIndex(BigInt(canonical)) : -1;
    let ids: string[] = [];
    if (graph && p >= 0) {
      const walk = await this.walks.run(graph, [{ pin: p, weight: 1 }], WALK_CANDIDATES, {
        steps: this.deps.steps,
        seed: hashText(canonical, this.deps.seed ?? 0),
      });
      ids = walk.pins.map((i) => graph.pinRep(i).toString());
    }
    const rows = await repo.candidates(db, [pinId, ...ids]);
    const query = {
      canonicalId: canonical,
      dhash: rows.get(pinId)?.dhash ?? null,
      color: rows.get(pinId)?.dominant_color ?? null,
    };
    let kept = distinct(ids, rows, query);
    if (kept.length < MIN_GRAPH_RESULTS) {
      const similar = (await repo.similarText(db, pinId, WALK_CANDIDATES)).filter((id) => !rows.has(id));
      for (const [id, row] of await repo.candidates(db, similar)) rows.set(id, row);
      kept = distinct([...ids, ...similar], rows, query);
    }
    return kept.slice(0, MAX_RESULTS);
  }
}

function offsetOf(cursor: Cursor): number {
  const [n] = cursor;
  if (cursor.length !== 1 || typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_RESULTS) {
    throw new Invalid('Invalid bookmark: pass the bookmark value from a previous page unchanged.');
  }
  return n;
}
