import type { Redis } from 'ioredis';
import {
  GIVE_BACK,
  RELEASE,
  RESERVE,
  RESERVE_MANY,
  RESTORE,
  SETTLE,
  SETTLE_MANY,
  SPENT,
  type SpendScript,
} from './spend-scripts.js';

import {
  checkActual,
  checkReserve,
  checkRestore,
  checkSettleItem,
  DEFAULT_RETAIN_MS,
  NOT_SETTLED,
  parseReservationId,
  type ReserveRequest,
  type ReserveResult,
  reservationId,
  type SettleItem,
  type SettleResult,
  type SpendStore,
  type SpendTotals,
} from './spend-store.js';

type Minimal = Pick<Redis, 'evalsha' | 'eval'>;

/**
 * Entries (a whole settle, or a run of one reservation's parts) and settles per script call: a script runs
 * alone in Redis, so a call stays short. A part in a run costs a few table operations; an entry, Redis calls.
 */
const SETTLE_CHUNK = 200;
const SETTLE_PARTS_CHUNK = 2_000;
/** Reservations a RESERVE_MANY call holds at most (calls of one turn beyond it go in more). */
const RESERVE_CHUNK = 64;

/** A RESERVE answer ({1, expiresAt} or {0, index of the full key, room}) for a reservation on `keys`. */
function reserveResult(id: string, keys: readonly string[], [ok, a, b]: readonly number[]): ReserveResult {
  return ok === 1
    ? { ok: true, reservationId: id, expiresAt: a! }
    : { ok: false, fullKey: keys[a! - 1]!, room: b! };
}

/**
 * Spend store in Redis for services mode: every API node sharing the Redis (and prefix) reserves against
 * the same totals, each operation one Lua script (spend-scripts.ts), so a cap holds across nodes. Expired
 * reservations are given back lazily by the next script that touches their keys, in expiry order (a sorted
 * set per key). Keys carry a TTL (their retention, refreshed on every change, never shortened).
 * Redis must not evict these keys (`maxmemory-policy noeviction` or a volatile policy with room): an
 * evicted total would be a budget forgotten. `now` arguments are ignored: the scripts read Redis's clock.
 */
export class RedisSpendStore implements SpendStore {
  constructor(
    private readonly redis: Minimal,
    private readonly prefix: string,
  ) {}

  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    const { caps, amount, ttlMs, retainMs, headroom } = checkReserve(request);
    const keys = caps.map((c) => c.key);
    const { id, nonce } = reservationId(keys);
    const args = [nonce, amount, ttlMs, JSON.stringify(keys), retainMs, headroom];
    for (const c of caps) args.push(c.cap, c.retainMs);
    const reply = (await this.run(
      RESERVE,
      [this.reservationKey(nonce), ...this.keyPairs(keys)],
      args,
    )) as number[];
    return reserveResult(id, keys, reply);
  }

  /**
   * One script call for all of them, shared with the other reserveMany calls of this turn of the event
   * loop (a node serving many pages at once writes one command for them all, not one a page), in call
   * order; `now` is ignored: the script reads Redis's clock.
   */
  async reserveMany(requests: readonly ReserveRequest[]): Promise<ReserveResult[]> {
    if (requests.length === 0) return [];
    const prepared = requests.map(checkReserve).map(({ caps, amount, ttlMs, retainMs, headroom }) => {
      const keys = caps.map((c) => c.key);
      const { id, nonce } = reservationId(keys);
      const args: (string | number)[] = [
        nonce,
        amount,
        ttlMs,
        JSON.stringify(keys),
        retainMs,
        caps.length,
        headroom,
      ];
      for (const c of caps) args.push(c.cap, c.retainMs);
      return { id, keys, scriptKeys: [this.reservationKey(nonce), ...this.keyPairs(keys)], args };
    });
    return new Promise<ReserveResult[]>((resolve, reject) => {
      this.reserving.push({ prepared, resolve, reject });
      if (this.reserving.length === 1) setImmediate(() => this.sendReservations());
    });
  }

  /** The reserveMany calls waiting for this turn's script call(s). */
  private reserving: {
    prepared: { id: string; keys: string[]; scriptKeys: string[]; args: (string | number)[] }[];
    resolve: (results: ReserveResult[]) => void;
    reject: (err: unknown) => void;
  }[] = [];

  private sendReservations(): void {
    const calls = this.reserving.splice(0);
    for (let start = 0; start < calls.length; ) {
      // Whole calls, up to RESERVE_CHUNK reservations a script (at least one call).
      let end = start + 1;
      let size = calls[start]!.prepared.length;
      while (end < calls.length && size + calls[end]!.prepared.length <= RESERVE_CHUNK)
        size += calls[end++]!.prepared.length;
      const batch = calls.slice(start, end);
      start = end;
      const keyList: string[] = [];
      const args: (string | number)[] = [];
      for (const call of batch)
        for (const p of call.prepared) {
          keyList.push(...p.scriptKeys);
          args.push(...p.args);
        }
      this.run(RESERVE_MANY, keyList, args).then(
        (value) => {
          const reply = value as number[];
          let at = 0;
          for (const call of batch)
            call.resolve(
              call.prepared.map(({ id, keys }) => {
                at++;
                return reserveResult(id, keys, reply.slice(3 * at - 3, 3 * at));
              }),
            );
        },
        (err) => {
          for (const call of batch) call.reject(err);
        },
      );
    }
  }

  /** `now` is ignored: the script reads Redis's clock. */
  async settle(id: string, actual: number, _now?: number): Promise<SettleResult> {
    checkActual(actual);
    const parsed = parseReservationId(id);
    if (!parsed) return { settledNow: false, state: 'unknown', charged: 0, overdelivered: 0 };
    const { nonce, keys } = parsed;
    const [state, settledNow, charged, overdelivered] = (await this.run(
      SETTLE,
      [this.reservationKey(nonce), ...this.keyPairs(keys)],
      [nonce, actual, JSON.stringify(keys)],
    )) as [string, number, number, number];
    if (state === 'too-much') throw new RangeError(`cannot settle ${actual}: more than was reserved`);
    if (state !== 'charged' && state !== 'overdelivered' && state !== 'released' && state !== 'unknown')
      throw new Error(`spend store: unexpected reservation state ${state}`);
    return { settledNow: settledNow === 1, state, charged, overdelivered };
  }

  /**
   * `now` is ignored: the script reads Redis's clock. Consecutive parts of one reservation go as one entry
   * (its hash and keys read and written once), so callers settling many parts of few blocks should pass
   * each block's parts together.
   */
  async settleMany(items: readonly SettleItem[], _now?: number): Promise<SettleResult[]> {
    for (const item of items) checkSettleItem(item);
    const out: SettleResult[] = new Array(items.length).fill(NOT_SETTLED);
    // A block's parts share its id: each id is parsed, and its keys written out, once a call.
    const ids = new Map<
      string,
      { nonce: string; keys: string[]; scriptKeys: string[]; json: string } | null
    >();
    const reservationOf = (id: string) => {
      let r = ids.get(id);
      if (r === undefined) {
        const p = parseReservationId(id);
        r = p
          ? {
              ...p,
              scriptKeys: [this.reservationKey(p.nonce), ...this.keyPairs(p.keys)],
              json: JSON.stringify(p.keys),
            }
          : null;
        ids.set(id, r);
      }
      return r;
    };
    type Reservation = NonNullable<ReturnType<typeof reservationOf>>;
    // Entries: a whole settle, or a run of consecutive parts of one reservation; item indexes in order.
    const entries: { r: Reservation; whole: boolean; indexes: number[] }[] = [];
    items.forEach((item, index) => {
      const r = reservationOf(item.reservationId);
      if (!r) return;
      const last = entries.at(-1);
      if (
        item.part !== undefined &&
        last &&
        !last.whole &&
        last.r === r &&
        last.indexes.length < SETTLE_PARTS_CHUNK
      )
        last.indexes.push(index);
      else entries.push({ r, whole: item.part === undefined, indexes: [index] });
    });
    for (let next = 0; next < entries.length; ) {
      const chunk: typeof entries = [];
      let settles = 0;
      while (
        next < entries.length &&
        chunk.length < SETTLE_CHUNK &&
        (chunk.length === 0 || settles + entries[next]!.indexes.length <= SETTLE_PARTS_CHUNK)
      ) {
        settles += entries[next]!.indexes.length;
        chunk.push(entries[next++]!);
      }
      const keyList: string[] = [];
      const args: (string | number)[] = [];
      for (const { r, whole, indexes } of chunk) {
        keyList.push(...r.scriptKeys);
        if (whole) args.push(r.nonce, r.json, r.keys.length, 0, items[indexes[0]!]!.actual);
        else {
          args.push(r.nonce, r.json, r.keys.length, indexes.length);
          for (const i of indexes) {
            const item = items[i]!;
            args.push(item.part!, item.actual, item.held ?? item.actual);
          }
        }
      }
      const reply = (await this.run(SETTLE_MANY, keyList, args)) as (string | number)[];
      let at = 0;
      for (const { indexes } of chunk)
        for (const index of indexes) {
          const [state, settledNow, charged, overdelivered] = reply.slice(at, at + 4) as [
            string,
            number,
            number,
            number,
          ];
          at += 4;
          if (state === 'too-much') continue;
          if (state !== 'charged' && state !== 'overdelivered' && state !== 'released' && state !== 'unknown')
            throw new Error(`spend store: unexpected reservation state ${state}`);
          out[index] = { settledNow: settledNow === 1, state, charged, overdelivered };
        }
    }
    return out;
  }

  /** `now` is ignored: the script reads Redis's clock. */
  async giveBack(id: string, amount: number, _now?: number): Promise<number> {
    checkActual(amount);
    const parsed = parseReservationId(id);
    if (!parsed || amount === 0) return 0;
    const { nonce, keys } = parsed;
    const keyList = [this.reservationKey(nonce), ...this.keyPairs(keys)];
    return Number(await this.run(GIVE_BACK, keyList, [nonce, amount, JSON.stringify(keys)]));
  }

  /** `now` is ignored: the script reads Redis's clock. */
  async release(id: string, _now?: number): Promise<boolean> {
    const parsed = parseReservationId(id);
    if (!parsed) return false;
    const { nonce, keys } = parsed;
    const keyList = [this.reservationKey(nonce), ...this.keyPairs(keys)];
    return (await this.run(RELEASE, keyList, [nonce, JSON.stringify(keys)])) === 1;
  }

  /** `now` is ignored: the script reads Redis's clock. */
  async spent(key: string, _now?: number): Promise<SpendTotals> {
    const [s, r, o, c] = (await this.run(SPENT, this.keyPairs([key]), [])) as string[];
    return {
      settled: Number(s),
      reserved: Number(r),
      overdelivered: Number(o),
      cap: c ? Number(c) : undefined,
    };
  }

  async restore(key: string, settled: number, retainMs = DEFAULT_RETAIN_MS, _now?: number): Promise<number> {
    checkRestore(key, settled, retainMs);
    return Number(await this.run(RESTORE, this.keyPairs([key]), [settled, retainMs]));
  }

  async close(): Promise<void> {
    // The Redis connection belongs to the composition root.
  }

  private reservationKey(nonce: string): string {
    return `${this.prefix}sp:r:${nonce}`;
  }

  private keyPairs(keys: readonly string[]): string[] {
    return keys.flatMap((k) => [`${this.prefix}sp:k:${k}`, `${this.prefix}sp:x:${k}`]);
  }

  private async run(s: SpendScript, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return this.redis.eval(s.source, keys.length, ...keys, ...args);
    }
  }
}
