// The home feed's ranker: blends the sources by their shares, spreads boards and creators out, and drops
// what the viewer has or was already shown. Pure: no I/O, no clock, no randomness.
import type { FeedReason } from './feed-store.js';

export interface Candidate {
  pinId: string;
  boardId: string;
  ownerId: string;
  /** The pin it is a save of, or itself. */
  canonical: string;
  reason: FeedReason;
}

export type SourceName = 'following' | 'related' | 'popular';
export const SOURCE_NAMES: readonly SourceName[] = ['following', 'related', 'popular'];

export interface RankOptions {
  /** Relative shares of the sources; a source with share 0 only fills in when the others run dry. */
  shares: Readonly<Record<SourceName, number>>;
  /** At most `max` pins of one board, and of one creator, in any `window` consecutive items. */
  diversity: { max: number; window: number };
  /** Pin ids and canonical ids the viewer must not get (their own pins, pins already served). */
  exclude: ReadonlySet<string>;
  /** How many items to rank. */
  limit: number;
}

/** How far down a source's queue the ranker looks for a candidate that keeps the spread. */
const LOOKAHEAD = 64;

class Queue {
  private readonly used: boolean[];
  private first = 0;
  constructor(readonly items: readonly Candidate[]) {
    this.used = items.map(() => false);
  }

  /** Index of the first unused candidate that `ok` accepts, looking LOOKAHEAD deep; -1 if none. */
  find(ok: (c: Candidate) => boolean, skip: (c: Candidate) => boolean): number {
    let seen = 0;
    for (let i = this.first; i < this.items.length && seen < LOOKAHEAD; i++) {
      if (this.used[i]) continue;
      const c = this.items[i]!;
      if (skip(c)) {
        this.take(i);
        continue;
      }
      seen++;
      if (ok(c)) return i;
    }
    return -1;
  }

  take(i: number): Candidate {
    this.used[i] = true;
    while (this.first < this.items.length && this.used[this.first]) this.first++;
    return this.items[i]!;
  }

  get empty(): boolean {
    return this.first >= this.items.length;
  }
}

/**
 * Ranks the sources (each already best first) into one list. Each next slot goes to the source furthest
 * below its share so far that has a candidate keeping the spread (see RankOptions.diversity); when no
 * source has one, the spread is relaxed for that slot rather than ending the list early. A pin is shown
 * once per canonical pin, and never if excluded.
 */
export function rank(
  sources: Readonly<Record<SourceName, readonly Candidate[]>>,
  o: RankOptions,
): Candidate[] {
  const queues = Object.fromEntries(SOURCE_NAMES.map((s) => [s, new Queue(sources[s])])) as Record<
    SourceName,
    Queue
  >;
  const taken: Record<SourceName, number> = { following: 0, related: 0, popular: 0 };
  const totalShare = SOURCE_NAMES.reduce((sum, s) => sum + o.shares[s], 0) || 1;
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const skip = (c: Candidate) =>
    seen.has(c.canonical) || o.exclude.has(c.pinId) || o.exclude.has(c.canonical);
  // Counts of boards and creators among the last window - 1 items, kept as the list grows.
  const boards = new Map<string, number>();
  const owners = new Map<string, number>();
  const bump = (m: Map<string, number>, key: string, by: number) => m.set(key, (m.get(key) ?? 0) + by);
  const spread = (c: Candidate) =>
    (boards.get(c.boardId) ?? 0) < o.diversity.max && (owners.get(c.ownerId) ?? 0) < o.diversity.max;
  while (out.length < o.limit) {
    // Sources by how far they are below their share after this slot, most behind first.
    const n = out.length + 1;
    const behind = (s: SourceName) => taken[s] - (n * o.shares[s]) / totalShare;
    const order = SOURCE_NAMES.filter((s) => !queues[s].empty).sort(
      (a, b) =>
        Number(o.shares[a] === 0) - Number(o.shares[b] === 0) ||
        behind(a) - behind(b) ||
        o.shares[b] - o.shares[a],
    );
    if (order.length === 0) break;
    let pick: { source: SourceName; index: number } | undefined;
    for (const s of order) {
      const i = queues[s].find(spread, skip);
      if (i >= 0) {
        pick = { source: s, index: i };
        break;
      }
    }
    if (!pick) {
      for (const s of order) {
        const i = queues[s].find(() => true, skip);
        if (i >= 0) {
          pick = { source: s, index: i };
          break;
        }
      }
    }
    if (!pick) continue; // every queue held only skipped candidates, now used up
    const c = queues[pick.source].take(pick.index);
    taken[pick.source]++;
    seen.add(c.canonical);
    out.push(c);
    bump(boards, c.boardId, 1);
    bump(owners, c.ownerId, 1);
    const leaving = out[out.length - o.diversity.window];
    if (leaving) {
      bump(boards, leaving.boardId, -1);
      bump(owners, leaving.ownerId, -1);
    }
  }
  return out;
}

/** Whether a list keeps the spread rule (for tests and checks). */
export function keepsSpread(
  items: readonly Candidate[],
  diversity: { max: number; window: number },
): boolean {
  for (let start = 0; start < items.length; start++) {
    const w = items.slice(start, start + diversity.window);
    const count = (key: (c: Candidate) => string) => {
      const m = new Map<string, number>();
      for (const c of w) m.set(key(c), (m.get(key(c)) ?? 0) + 1);
      return Math.max(0, ...m.values());
    };
    if (count((c) => c.boardId) > diversity.max || count((c) => c.ownerId) > diversity.max) return false;
  }
  return true;
}
