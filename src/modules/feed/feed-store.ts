// Where the home feed keeps what it computes: each person's materialised following list, and the ranked
// lists of feed sessions. Memory (embedded) or Redis (services), behind this one port.

/** One pin in a following list: newest `at` (ms since the epoch) first. */
export interface FeedEntry {
  pinId: string;
  at: number;
}

/** Why a pin is in the feed, as served on each item. */
export type FeedReason = 'FOLLOWING' | 'RELATED_TO_SAVE' | 'POPULAR_IN_TOPIC' | 'POPULAR';

/**
 * A ranked list handed out page by page. `ids` and `reasons` are parallel; everything in `ids` has been
 * or will be served in this session, so a refill excludes all of it. `done` once nothing more was found.
 */
export interface FeedSession {
  viewer: string;
  /** When its first batch was ranked (ms since the epoch). */
  at: number;
  ids: string[];
  reasons: FeedReason[];
  done: boolean;
  /**
   * The experiment variants its ranking settings came from (ExperimentParams.variantsOf; '' or absent:
   * none): a first page kept for reuse is ranked anew when the person's variants differ.
   */
  variants?: string;
}

export interface FeedStore {
  /**
   * Adds `entry` to the following lists of these people that exist (a list that was never built, or has
   * expired, is left alone: it is rebuilt from the database when read), keeping the newest `cap`.
   * Idempotent: adding the same pin again leaves one entry.
   */
  push(userIds: readonly string[], entry: FeedEntry, cap: number): Promise<void>;
  /** The newest `limit` pin ids of a following list, or undefined when the list does not exist. */
  read(userId: string, limit: number): Promise<string[] | undefined>;
  /** Replaces a following list (a rebuild); it exists for `ttlMs`, an empty list too. */
  replace(userId: string, entries: readonly FeedEntry[], cap: number, ttlMs: number): Promise<void>;
  /** Keeps an existing following list for `ttlMs` from now. */
  touch(userId: string, ttlMs: number): Promise<void>;

  /** Stores a session under `id` for `ttlMs`; with `currentMs` it is also the person's current first page. */
  saveSession(id: string, session: FeedSession, ttlMs: number, currentMs?: number): Promise<void>;
  loadSession(id: string): Promise<FeedSession | undefined>;
  /** The session of the person's current first page (see saveSession), if any. */
  current(userId: string): Promise<{ id: string; session: FeedSession } | undefined>;
  /** Forgets these people's current first pages (something they should see changed). */
  dropCurrent(userIds: readonly string[]): Promise<void>;
}

/** Reason codes stored in one character each. */
export const REASON_CODES: Record<FeedReason, string> = {
  FOLLOWING: 'f',
  RELATED_TO_SAVE: 'r',
  POPULAR_IN_TOPIC: 't',
  POPULAR: 'p',
};
const REASONS_BY_CODE = new Map(Object.entries(REASON_CODES).map(([r, c]) => [c, r as FeedReason]));

/**
 * A session as compact JSON text: `{"v":viewer,"t":rankedAt,"i":[ids],"r":"codes","d":0|1}`, and
 * `"x":variants` when experiments set its ranking.
 */
export function encodeSession(s: FeedSession): string {
  return JSON.stringify({
    v: s.viewer,
    t: s.at,
    i: s.ids,
    r: s.reasons.map((r) => REASON_CODES[r]).join(''),
    d: s.done ? 1 : 0,
    ...(s.variants ? { x: s.variants } : {}),
  });
}

export function decodeSession(text: string): FeedSession | undefined {
  try {
    const o = JSON.parse(text) as {
      v?: unknown;
      t?: unknown;
      i?: unknown;
      r?: unknown;
      d?: unknown;
      x?: unknown;
    };
    if (typeof o.v !== 'string' || !Array.isArray(o.i) || typeof o.r !== 'string') return undefined;
    const reasons = [...o.r].map((c) => REASONS_BY_CODE.get(c) ?? 'POPULAR');
    const at = typeof o.t === 'number' ? o.t : 0;
    const session: FeedSession = { viewer: o.v, at, ids: o.i.map(String), reasons, done: o.d === 1 };
    if (typeof o.x === 'string' && o.x) session.variants = o.x;
    return session;
  } catch {
    return undefined;
  }
}
