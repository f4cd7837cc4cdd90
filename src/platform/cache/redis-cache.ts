import { randomBytes } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Cache } from './cache.js';

// Fill only if no invalidation bumped the key's version since the reader looked.
const FILL = `
local v = redis.call('GET', KEYS[2])
if (v or '0') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`;

// For each key: its current version, and its value (with its remaining TTL) only when the caller's copy
// has another version.
// KEYS = value keys then version keys; ARGV = the caller's versions ('' for none).
const READ = `
local n = #ARGV
local out = {}
for i = 1, n do
  local v = redis.call('GET', KEYS[n + i]) or '0'
  if v == ARGV[i] then
    out[i] = {v}
  else
    out[i] = {v, redis.call('GET', KEYS[i]), redis.call('PTTL', KEYS[i])}
  end
end
return out
`;

/** How long a node keeps a copy it read from Redis: a bound on staleness should an invalidation be lost. */
const LOCAL_TTL_MS = 60_000;

/** How long a key's version outlives its last invalidation; far longer than any load or local copy. */
const VERSION_TTL_MS = 24 * 3600 * 1000;

/** How long an invalidation waits for the other nodes to confirm they dropped their copies. */
const ACK_TIMEOUT_MS = 1_000;

/** Keys invalidated recently, remembered so a read that was in flight does not keep its older copy. */
const RECENT_INVALIDATIONS = 20_000;

type Local = { version: string; value: unknown };
type Scripts = {
  corkboardCacheRead(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  corkboardCacheFill(...args: (string | number)[]): Promise<unknown>;
};
type ReadReply = [version: string, value?: string | null, pttl?: number][];
type Invalidation = { n: string; s: number; k: string[] };
type PendingAck = { got: number; need: number; done: () => void };

export interface RedisCacheOptions {
  /** Entries of this node's copy. */
  localEntries?: number;
  /**
   * A dedicated connection for invalidation messages (its owner closes it). With it, a node answers from its own copy without
   * asking Redis, and invalidations reach every node over pub/sub before `invalidate` resolves; without
   * it, every read checks its copy's version in Redis.
   */
  subscriber?: Redis;
  onError?: (err: unknown) => void;
}

/**
 * Cache kept in Redis and shared by every API node, with a copy on each node.
 *
 * With a subscriber connection (as the server runs), a node serves keys it holds from memory, with no
 * round trip. `invalidate` bumps the keys' versions and deletes them in Redis and publishes the keys in
 * the same transaction; every subscribed node drops its copies and confirms, and `invalidate` resolves
 * once every node that received the message confirmed (or after ACK_TIMEOUT_MS). So a write followed by
 * its invalidation is seen by the next read on any node. A node whose subscriber is down serves nothing
 * from memory (and clears it when the subscriber returns, since it may have missed messages).
 *
 * Without a subscriber, each read asks Redis for the keys' versions in one round trip, and Redis sends
 * a value only when this node's copy is of another version.
 */
export class RedisCache implements Cache {
  private readonly local: LRUCache<string, Local>;
  private readonly subscriber: Redis | undefined;
  private readonly node = randomBytes(8).toString('hex');
  private readonly channel: string;
  private readonly ackChannel: string;
  /** Whether the subscriber is connected and subscribed, so copies in memory are kept current. */
  private live = false;
  /** Counts invalidations seen by this node (its own and others'). */
  private generation = 0;
  private readonly recent: LRUCache<string, number>;
  private sequence = 0;
  private readonly acks = new Map<number, PendingAck>();
  private readonly onError: (err: unknown) => void;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: RedisCacheOptions = {},
  ) {
    this.local = new LRUCache({ max: Math.max(1, options.localEntries ?? 10_000) });
    this.recent = new LRUCache({ max: RECENT_INVALIDATIONS });
    this.onError = options.onError ?? (() => {});
    this.channel = `${prefix}cache:invalidate`;
    this.ackChannel = `${prefix}cache:ack:${this.node}`;
    // Scripts run by SHA (EVALSHA, loaded once) rather than sent in full with every call.
    redis.defineCommand('corkboardCacheRead', { lua: READ });
    redis.defineCommand('corkboardCacheFill', { lua: FILL, numberOfKeys: 2 });
    this.subscriber = options.subscriber;
    if (this.subscriber) this.listen(this.subscriber);
  }

  private listen(sub: Redis): void {
    const down = () => {
      this.live = false;
      this.local.clear();
    };
    const up = () => {
      sub.subscribe(this.channel, this.ackChannel).then(() => {
        // Messages may have been missed while down: start from an empty copy.
        this.local.clear();
        this.live = true;
      }, this.onError);
    };
    sub.on('close', down);
    sub.on('end', down);
    sub.on('ready', up);
    if (sub.status === 'ready') up();
    sub.on('message', (channel: string, message: string) => {
      if (channel === this.ackChannel) this.acked(Number(message));
      else if (channel === this.channel) this.received(message);
    });
  }

  private received(message: string): void {
    let msg: Invalidation;
    try {
      msg = JSON.parse(message) as Invalidation;
    } catch (err) {
      this.onError(err);
      return;
    }
    this.forget(msg.k);
    if (msg.n === this.node) this.acked(msg.s);
    else this.redis.publish(`${this.prefix}cache:ack:${msg.n}`, String(msg.s)).catch(this.onError);
  }

  private forget(keys: readonly string[]): void {
    const generation = ++this.generation;
    for (const key of keys) {
      this.local.delete(key);
      this.recent.set(key, generation);
    }
  }

  private acked(seq: number): void {
    const pending = this.acks.get(seq);
    if (!pending) return;
    pending.got++;
    if (pending.got >= pending.need) pending.done();
  }

  private get scripts(): Scripts {
    return this.redis as unknown as Scripts;
  }

  private k(key: string): string {
    return `${this.prefix}c:${key}`;
  }
  private v(key: string): string {
    return `${this.prefix}cv:${key}`;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const found = await this.read([key]);
    return found.get(key)?.value as T | undefined;
  }

  peek<T>(key: string): T | undefined {
    return this.live ? (this.local.get(key)?.value as T | undefined) : undefined;
  }

  async getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const mine = this.peek<T>(key);
    if (mine !== undefined) return mine;
    const found = await this.getOrLoadMany<T>([key], ttlMs, async () => new Map([[key, await load()]]));
    return found.get(key) as T;
  }

  async getOrLoadMany<T>(
    keys: readonly string[],
    ttlMs: number,
    load: (missing: string[]) => Promise<Map<string, T>>,
  ): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    if (keys.length === 0) return out;
    const since = this.generation;
    const found = await this.read(keys);
    const missing: string[] = [];
    const versions = new Map<string, string>();
    for (const key of keys) {
      const f = found.get(key)!;
      if ('value' in f) out.set(key, f.value as T);
      else {
        missing.push(key);
        versions.set(key, f.version);
      }
    }
    if (missing.length === 0) return out;
    const loaded = await load(missing);
    const fill = this.redis.pipeline();
    const filled: [string, T][] = [];
    for (const [key, value] of loaded) {
      out.set(key, value);
      (fill as unknown as Scripts).corkboardCacheFill(
        this.k(key),
        this.v(key),
        versions.get(key) ?? '0',
        JSON.stringify(value),
        Math.max(1, ttlMs),
      );
      filled.push([key, value]);
    }
    if (filled.length === 0) return out;
    const results = (await fill.exec()) ?? [];
    filled.forEach(([key, value], i) => {
      if (results[i]?.[1] === 1) this.keep(key, since, versions.get(key) ?? '0', value, ttlMs);
    });
    return out;
  }

  /** Keeps a copy, unless the key was invalidated after `since` (the copy may predate that). */
  private keep(key: string, since: number, version: string, value: unknown, ttlMs: number): void {
    if ((this.recent.get(key) ?? 0) > since || this.generation - since >= RECENT_INVALIDATIONS) return;
    this.local.set(key, { version, value }, { ttl: Math.min(ttlMs, LOCAL_TTL_MS) });
  }

  /**
   * Current values (this node's copy when it is known current), or just the version where Redis has
   * none. Keys held in memory while the subscriber is live cost no round trip.
   */
  private async read(keys: readonly string[]): Promise<Map<string, { version: string; value?: unknown }>> {
    const out = new Map<string, { version: string; value?: unknown }>();
    const ask: string[] = [];
    const mine: (Local | undefined)[] = [];
    for (const key of keys) {
      const local = this.local.get(key);
      if (local && this.live) out.set(key, { version: local.version, value: local.value });
      else {
        ask.push(key);
        mine.push(local);
      }
    }
    if (ask.length === 0) return out;
    const since = this.generation;
    const reply = (await this.scripts.corkboardCacheRead(
      ask.length * 2,
      ...ask.map((key) => this.k(key)),
      ...ask.map((key) => this.v(key)),
      ...mine.map((l) => l?.version ?? ''),
    )) as ReadReply;
    ask.forEach((key, i) => {
      const [version, raw, pttl] = reply[i] ?? ['0'];
      const local = mine[i];
      if (local && local.version === version && raw === undefined) {
        out.set(key, { version, value: local.value });
      } else if (typeof raw === 'string') {
        const value: unknown = JSON.parse(raw);
        // Never longer than Redis keeps the value.
        this.keep(key, since, version, value, typeof pttl === 'number' && pttl > 0 ? pttl : LOCAL_TTL_MS);
        out.set(key, { version, value });
      } else {
        this.local.delete(key);
        out.set(key, { version });
      }
    });
    return out;
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    // A new version, so other nodes drop their copies.
    await this.change([key], (tx) => tx.set(this.k(key), JSON.stringify(value), 'PX', Math.max(1, ttlMs)));
  }

  async invalidate(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.change(keys, (tx) => tx.del(...keys.map((key) => this.k(key))));
  }

  /**
   * Bumps the keys' versions, applies `write`, and tells every node, in one transaction; resolves when
   * every node that got the message has dropped its copies.
   */
  private async change(keys: string[], write: (tx: ChainableCommander) => void): Promise<void> {
    this.forget(keys);
    const tx = this.redis.multi();
    for (const key of keys) {
      tx.incr(this.v(key));
      tx.pexpire(this.v(key), VERSION_TTL_MS);
    }
    write(tx);
    if (!this.subscriber) {
      await tx.exec();
      return;
    }
    const seq = ++this.sequence;
    tx.publish(this.channel, JSON.stringify({ n: this.node, s: seq, k: keys } satisfies Invalidation));
    let timer: NodeJS.Timeout | undefined;
    const confirmed = new Promise<void>((resolve) => {
      const pending: PendingAck = { got: 0, need: Number.POSITIVE_INFINITY, done: resolve };
      this.acks.set(seq, pending);
      timer = setTimeout(resolve, ACK_TIMEOUT_MS);
    });
    try {
      const results = (await tx.exec()) ?? [];
      const receivers = results.at(-1)?.[1];
      const pending = this.acks.get(seq)!;
      pending.need = typeof receivers === 'number' ? receivers : 0;
      if (pending.got >= pending.need) pending.done();
      await confirmed;
    } finally {
      clearTimeout(timer);
      this.acks.delete(seq);
    }
  }

  async close(): Promise<void> {
    this.live = false;
    this.local.clear();
    for (const pending of this.acks.values()) pending.done();
  }
}
