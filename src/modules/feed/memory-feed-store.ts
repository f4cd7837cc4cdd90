import {
  decodeSession,
  encodeSession,
  type FeedEntry,
  type FeedSession,
  type FeedStore,
} from './feed-store.js';

type List = { entries: FeedEntry[]; expiresAt: number };
type Stored = { text: string; expiresAt: number };

/** Sessions kept at most; the oldest go first (a bookmark of a dropped session is a 400). */
const MAX_SESSIONS = 20_000;

/** Newest first, then by pin id, so the order is total. */
function newerFirst(a: FeedEntry, b: FeedEntry): number {
  return b.at - a.at || (a.pinId < b.pinId ? 1 : a.pinId > b.pinId ? -1 : 0);
}

/** The feed's lists and sessions in process memory (embedded mode: one process). */
export class MemoryFeedStore implements FeedStore {
  private readonly lists = new Map<string, List>();
  private readonly sessions = new Map<string, Stored>();
  private readonly currents = new Map<string, { id: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  private list(userId: string): List | undefined {
    const list = this.lists.get(userId);
    if (list && list.expiresAt <= this.now()) {
      this.lists.delete(userId);
      return undefined;
    }
    return list;
  }

  async push(userIds: readonly string[], entry: FeedEntry, cap: number): Promise<void> {
    for (const userId of userIds) {
      const list = this.list(userId);
      if (!list || list.entries.some((e) => e.pinId === entry.pinId)) continue;
      list.entries.push({ ...entry });
      list.entries.sort(newerFirst);
      if (list.entries.length > cap) list.entries.length = cap;
    }
  }

  async read(userId: string, limit: number): Promise<string[] | undefined> {
    return this.list(userId)
      ?.entries.slice(0, limit)
      .map((e) => e.pinId);
  }

  async replace(userId: string, entries: readonly FeedEntry[], cap: number, ttlMs: number): Promise<void> {
    const unique = new Map(entries.map((e) => [e.pinId, { ...e }]));
    const sorted = [...unique.values()].sort(newerFirst).slice(0, cap);
    this.lists.set(userId, { entries: sorted, expiresAt: this.now() + ttlMs });
  }

  async touch(userId: string, ttlMs: number): Promise<void> {
    const list = this.list(userId);
    if (list) list.expiresAt = this.now() + ttlMs;
  }

  async saveSession(id: string, session: FeedSession, ttlMs: number, currentMs?: number): Promise<void> {
    const now = this.now();
    this.sessions.delete(id);
    this.sessions.set(id, { text: encodeSession(session), expiresAt: now + ttlMs });
    if (currentMs) this.currents.set(session.viewer, { id, expiresAt: now + currentMs });
    if (this.sessions.size > MAX_SESSIONS) {
      for (const [key, s] of this.sessions) {
        if (this.sessions.size <= MAX_SESSIONS && s.expiresAt > now) break;
        this.sessions.delete(key);
      }
    }
  }

  async loadSession(id: string): Promise<FeedSession | undefined> {
    const stored = this.sessions.get(id);
    if (!stored || stored.expiresAt <= this.now()) return undefined;
    return decodeSession(stored.text);
  }

  async current(userId: string): Promise<{ id: string; session: FeedSession } | undefined> {
    const cur = this.currents.get(userId);
    if (!cur || cur.expiresAt <= this.now()) return undefined;
    const session = await this.loadSession(cur.id);
    return session && { id: cur.id, session };
  }

  async dropCurrent(userIds: readonly string[]): Promise<void> {
    for (const id of userIds) this.currents.delete(id);
  }
}
