import { ExpiryQueue } from './expiry-queue.js';
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

interface KeyRecord {
  settled: number;
  reserved: number;
  overdelivered: number;
  cap: number;
  /** Epoch ms after which the totals are forgotten (never moved earlier, so open reservations outlive it). */
  forgetAt: number;
}

interface Reservation {
  readonly keys: readonly string[];
  /** What it holds now (a block's parts settled or given back come off it). */
  amount: number;
  readonly expiresAt: number;
  readonly forgetAt: number;
  /** `expired`: open past its ttl, its amount already given back; a settle may still charge it if room. */
  state: 'open' | 'expired' | 'charged' | 'overdelivered' | 'released';
  charged: number;
  overdelivered: number;
  /** What each part settled from it answered (settles with a part id). */
  parts?: Map<string, SettleResult>;
}

/** How often (by the clock operations are given) forgotten keys and reservations are dropped. */
const PRUNE_EVERY_MS = 60_000;

/**
 * In-process spend store for embedded mode (one process serves, so its memory is the shared store).
 * Every method does all of its checking and changing synchronously, with no await in between, so calls
 * are atomic with respect to each other. Expired reservations are given back lazily, in expiry order
 * (a heap), at the start of every call; forgotten totals and reservations are dropped once a minute.
 */
export class MemorySpendStore implements SpendStore {
  private readonly keys = new Map<string, KeyRecord>();
  private readonly reservations = new Map<string, Reservation>();
  private readonly expiries = new ExpiryQueue<Reservation>();
  /** Each key's retention, the latest given, for refreshing its forgetAt on every change. */
  private readonly retain = new Map<string, number>();
  private nextPrune = 0;

  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    const { caps, amount, ttlMs, retainMs, headroom } = checkReserve(request);
    const now = request.now ?? Date.now();
    this.tidy(now);
    // Every cap given is recorded, granted or not, so a lowered budget binds the settles still to come.
    for (const { key, cap, retainMs: keep } of caps) {
      const rec = this.record(key, now);
      rec.cap = cap;
      this.retain.set(key, keep);
      this.touch(key, rec, now);
    }
    for (const { key, cap } of caps) {
      const rec = this.record(key, now);
      const used = rec.settled + rec.reserved;
      if (used + amount + headroom > cap) return { ok: false, fullKey: key, room: Math.max(0, cap - used) };
    }
    for (const { key } of caps) this.record(key, now).reserved += amount;
    const { id } = reservationId(caps.map((c) => c.key));
    const expiresAt = now + ttlMs;
    const r: Reservation = {
      keys: caps.map((c) => c.key),
      amount,
      expiresAt,
      forgetAt: now + retainMs,
      state: 'open',
      charged: 0,
      overdelivered: 0,
    };
    this.reservations.set(id, r);
    this.expiries.push(expiresAt, r);
    return { ok: true, reservationId: id, expiresAt };
  }

  async settle(id: string, actual: number, now = Date.now()): Promise<SettleResult> {
    checkActual(actual);
    this.tidy(now);
    const r = parseReservationId(id) ? this.reservations.get(id) : undefined;
    if (!r) return { settledNow: false, state: 'unknown', charged: 0, overdelivered: 0 };
    if (actual > r.amount) throw new RangeError(`cannot settle ${actual} on a reservation of ${r.amount}`);
    switch (r.state) {
      case 'charged':
      case 'overdelivered':
        return { settledNow: false, state: r.state, charged: r.charged, overdelivered: r.overdelivered };
      case 'released':
        return { settledNow: false, state: 'released', charged: 0, overdelivered: 0 };
      case 'open':
      case 'expired': {
        if (r.state === 'open') for (const key of r.keys) this.record(key, now).reserved -= r.amount;
        // An open reservation's amount was held for it, so it fits unless the cap was lowered since; an
        // expired one's went back to the budget.
        const fits = this.charge(r.keys, actual, now);
        return this.finish(r, fits ? 'charged' : 'overdelivered', actual);
      }
    }
  }

  async reserveMany(requests: readonly ReserveRequest[]): Promise<ReserveResult[]> {
    for (const request of requests) checkReserve(request);
    const out: ReserveResult[] = [];
    for (const request of requests) out.push(await this.reserve(request));
    return out;
  }

  async settleMany(items: readonly SettleItem[], now = Date.now()): Promise<SettleResult[]> {
    for (const item of items) checkSettleItem(item);
    const out: SettleResult[] = [];
    for (const { reservationId, actual, part, held } of items) {
      try {
        out.push(
          part === undefined
            ? await this.settle(reservationId, actual, now)
            : this.settlePart(reservationId, part, actual, held ?? actual, now),
        );
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        out.push(NOT_SETTLED);
      }
    }
    return out;
  }

  /** One part of a reservation (see SettleItem.part); synchronous, so atomic. */
  private settlePart(id: string, part: string, actual: number, held: number, now: number): SettleResult {
    this.tidy(now);
    const r = parseReservationId(id) ? this.reservations.get(id) : undefined;
    if (!r) return NOT_SETTLED;
    const done = r.parts?.get(part);
    if (done) return { ...done, settledNow: false };
    // What the open block still holds of it comes off the hold; the rest is charged only if there is room.
    if (r.state === 'open') {
      const taken = Math.min(actual, held, r.amount);
      r.amount -= taken;
      for (const key of r.keys) this.record(key, now).reserved -= taken;
    }
    const result: SettleResult = this.charge(r.keys, actual, now)
      ? { settledNow: true, state: 'charged', charged: actual, overdelivered: 0 }
      : { settledNow: true, state: 'overdelivered', charged: 0, overdelivered: actual };
    if (!r.parts) r.parts = new Map();
    r.parts.set(part, result);
    return result;
  }

  async giveBack(id: string, amount: number, now = Date.now()): Promise<number> {
    checkActual(amount);
    this.tidy(now);
    const r = parseReservationId(id) ? this.reservations.get(id) : undefined;
    if (r?.state !== 'open') return 0;
    const given = Math.min(amount, r.amount);
    r.amount -= given;
    for (const key of r.keys) {
      const rec = this.record(key, now);
      rec.reserved -= given;
      this.touch(key, rec, now);
    }
    return given;
  }

  async release(id: string, now = Date.now()): Promise<boolean> {
    this.tidy(now);
    const r = parseReservationId(id) ? this.reservations.get(id) : undefined;
    if (!r || (r.state !== 'open' && r.state !== 'expired')) return false;
    if (r.state === 'open') {
      for (const key of r.keys) {
        const rec = this.record(key, now);
        rec.reserved -= r.amount;
        this.touch(key, rec, now);
      }
    }
    r.state = 'released';
    return true;
  }

  async spent(key: string, now = Date.now()): Promise<SpendTotals> {
    this.tidy(now);
    const rec = this.keys.get(key);
    if (!rec) return { settled: 0, reserved: 0, overdelivered: 0, cap: undefined };
    return { settled: rec.settled, reserved: rec.reserved, overdelivered: rec.overdelivered, cap: rec.cap };
  }

  async restore(
    key: string,
    settled: number,
    retainMs = DEFAULT_RETAIN_MS,
    now = Date.now(),
  ): Promise<number> {
    checkRestore(key, settled, retainMs);
    this.tidy(now);
    const rec = this.record(key, now);
    if (!this.retain.has(key)) this.retain.set(key, retainMs);
    if (settled > rec.settled) rec.settled = settled;
    this.touch(key, rec, now);
    return rec.settled;
  }

  async close(): Promise<void> {
    this.keys.clear();
    this.reservations.clear();
    this.retain.clear();
  }

  /**
   * Charges `actual` to every key if each keeps settled + reserved <= cap (what the settle held is off
   * `reserved` already), else counts it as overdelivery on them; answers whether it was charged.
   */
  private charge(keys: readonly string[], actual: number, now: number): boolean {
    const fits = keys.every((key) => {
      const rec = this.keys.get(key);
      return rec !== undefined && rec.settled + rec.reserved + actual <= rec.cap;
    });
    for (const key of keys) {
      const rec = this.keys.get(key);
      if (!rec) continue;
      if (fits) rec.settled += actual;
      else rec.overdelivered += actual;
      this.touch(key, rec, now);
    }
    return fits;
  }

  private finish(r: Reservation, state: 'charged' | 'overdelivered', actual: number): SettleResult {
    r.state = state;
    if (state === 'charged') r.charged = actual;
    else r.overdelivered = actual;
    return { settledNow: true, state, charged: r.charged, overdelivered: r.overdelivered };
  }

  private record(key: string, now: number): KeyRecord {
    let rec = this.keys.get(key);
    if (!rec) {
      rec = { settled: 0, reserved: 0, overdelivered: 0, cap: 0, forgetAt: now };
      this.keys.set(key, rec);
    }
    return rec;
  }

  private touch(key: string, rec: KeyRecord, now: number): void {
    rec.forgetAt = Math.max(rec.forgetAt, now + (this.retain.get(key) ?? 0));
  }

  /** Gives back what expired by `now`; now and then drops what is past its retention. */
  private tidy(now: number): void {
    for (let r = this.expiries.popExpired(now); r; r = this.expiries.popExpired(now)) {
      if (r.state !== 'open') continue;
      r.state = 'expired';
      for (const key of r.keys) {
        const rec = this.keys.get(key);
        if (rec) rec.reserved -= r.amount;
      }
    }
    if (now < this.nextPrune) return;
    this.nextPrune = now + PRUNE_EVERY_MS;
    for (const [id, r] of this.reservations) if (r.forgetAt <= now) this.reservations.delete(id);
    for (const [key, rec] of this.keys) {
      if (rec.forgetAt > now) continue;
      this.keys.delete(key);
      this.retain.delete(key);
    }
  }
}
