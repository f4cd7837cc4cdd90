import type { Redis } from 'ioredis';
import {
  decodeSession,
  encodeSession,
  type FeedEntry,
  type FeedSession,
  type FeedStore,
} from './feed-store.js';

// A following list is a sorted set: member = pin id, score = ms of the pin. It always holds SENTINEL at
// -inf, so an existing list is never an absent key (an empty list was built too) and reads need no
// EXISTS; trimming keeps rank 0 (the sentinel) and the newest `cap`.
const SENTINEL = '~';

// KEYS: lists; ARGV[1] score, ARGV[2] pin id, ARGV[3] cap. Lists that do not exist are left alone.
const PUSH = `
local cap = tonumber(ARGV[3])
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('ZADD', KEYS[i], ARGV[1], ARGV[2])
    redis.call('ZREMRANGEBYRANK', KEYS[i], 1, -(cap + 1))
  end
end
return 1
`;

// KEYS[1]: the person's current-page pointer; ARGV[1]: the session key prefix.
const CURRENT = `
local id = redis.call('GET', KEYS[1])
if not id then return nil end
local text = redis.call('GET', ARGV[1] .. id)
if not text then return nil end
return {id, text}
`;

const CHUNK = 500;

/** The scripts as commands of the client (EVALSHA, the source sent only if Redis lacks it). */
type Scripts = {
  corkboardFeedPush(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  corkboardFeedCurrent(...args: string[]): Promise<unknown>;
};

/** The feed's lists and sessions in Redis (services mode), shared by every API node and worker. */
export class RedisFeedStore implements FeedStore {
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('corkboardFeedPush', { lua: PUSH });
    redis.defineCommand('corkboardFeedCurrent', { lua: CURRENT, numberOfKeys: 1 });
    this.scripts = redis as unknown as Scripts;
  }

  private listKey(userId: string): string {
    return `${this.prefix}feed:f:${userId}`;
  }

  private sessionKey(id: string): string {
    return `${this.prefix}feed:s:${id}`;
  }

  private currentKey(userId: string): string {
    return `${this.prefix}feed:c:${userId}`;
  }

  async push(userIds: readonly string[], entry: FeedEntry, cap: number): Promise<void> {
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const keys = userIds.slice(i, i + CHUNK).map((u) => this.listKey(u));
      await this.scripts.corkboardFeedPush(keys.length, ...keys, entry.at, entry.pinId, cap);
    }
  }

  async read(userId: string, limit: number): Promise<string[] | undefined> {
    // One more than asked: the sentinel comes last when the list is shorter than that.
    const ids = await this.redis.zrevrange(this.listKey(userId), 0, limit);
    if (ids.length === 0) return undefined;
    return ids.filter((id) => id !== SENTINEL).slice(0, limit);
  }

  async replace(userId: string, entries: readonly FeedEntry[], cap: number, ttlMs: number): Promise<void> {
    const key = this.listKey(userId);
    const newest = [...entries].sort((a, b) => b.at - a.at).slice(0, cap);
    const args: (string | number)[] = ['-inf', SENTINEL];
    for (const e of newest) args.push(e.at, e.pinId);
    await this.redis
      .multi()
      .del(key)
      .zadd(key, ...args)
      .pexpire(key, ttlMs)
      .exec();
  }

  async touch(userId: string, ttlMs: number): Promise<void> {
    await this.redis.pexpire(this.listKey(userId), ttlMs);
  }

  async saveSession(id: string, session: FeedSession, ttlMs: number, currentMs?: number): Promise<void> {
    const text = encodeSession(session);
    if (!currentMs) {
      await this.redis.set(this.sessionKey(id), text, 'PX', ttlMs);
      return;
    }
    await this.redis
      .multi()
      .set(this.sessionKey(id), text, 'PX', ttlMs)
      .set(this.currentKey(session.viewer), id, 'PX', currentMs)
      .exec();
  }

  async loadSession(id: string): Promise<FeedSession | undefined> {
    const text = await this.redis.get(this.sessionKey(id));
    return text === null ? undefined : decodeSession(text);
  }

  async current(userId: string): Promise<{ id: string; session: FeedSession } | undefined> {
    const found = (await this.scripts.corkboardFeedCurrent(this.currentKey(userId), this.sessionKey(''))) as
      | [string, string]
      | null;
    if (!found) return undefined;
    const session = decodeSession(found[1]);
    return session && { id: found[0], session };
  }

  async dropCurrent(userIds: readonly string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const keys = userIds.slice(i, i + CHUNK).map((u) => this.currentKey(u));
      if (keys.length) await this.redis.del(...keys);
    }
  }
}
