import { randomFillSync } from 'node:crypto';

/**
 * Spend store port: budgets as hard caps shared by every API node.
 *
 * Each capped key (say `ag:<adGroupId>:<day>` under the ad group's daily budget and `c:<campaignId>:<day>`
 * under the campaign's cap) holds two totals in integer micro-currency: `settled` (spend billed) and
 * `reserved` (spend promised to ads served and not billed yet). Serving an ad first reserves its price on
 * all of its keys at once, and only when every key keeps `settled + reserved + amount <= cap`; billing then
 * settles the reservation (the price or less; the rest returns to the budget), and an ad that will not be
 * billed releases it. A reservation neither settled nor released within its ttl gives its amount back by
 * itself. A settle that comes after that is charged only if every key still has room for it; otherwise it
 * is refused and counted as overdelivery (served, free to the advertiser). So `settled` never passes the
 * latest cap recorded, however many nodes serve at once: every check-and-change is one atomic step of the adapter (one
 * Lua script in Redis, one synchronous block in memory).
 *
 * A reservation may also be drawn from in parts: a node reserves a block of budget and hands it out to the
 * ads it serves without asking the store (BudgetBlocks). Each part is then settled on its own (a
 * SettleItem with `part`), taking its amount off the block's hold while the block is open, and what the
 * node never handed out is given back (`giveBack`).
 *
 * Amounts are integers in 0..MAX_SPEND_MICRO, so a sum of three stays exact in a double (and in Lua).
 */
export interface SpendStore {
  /**
   * Reserves `amount` on every key of `caps`, all or nothing: succeeds only if for every key
   * `settled + reserved + amount + headroom <= cap`; a refusal changes nothing and names the first key
   * without room.
   */
  reserve(request: ReserveRequest): Promise<ReserveResult>;
  /**
   * Several reservations, each exactly as `reserve` (all or nothing on its own keys), one after the other
   * in one call (one script in Redis: a page's winners at once); answers in order.
   */
  reserveMany(requests: readonly ReserveRequest[]): Promise<ReserveResult[]>;
  /**
   * Turns a reservation into spend of `actual` micro (at most the amount reserved, else a RangeError),
   * all or nothing: charged only if every key keeps `settled + reserved <= cap` (always, for a reservation
   * still open under an unchanged cap), else refused and counted as overdelivery. Idempotent: only the
   * first settle decides; later ones answer what it did with `settledNow: false`.
   */
  settle(reservationId: string, actual: number, now?: number): Promise<SettleResult>;
  /**
   * Several settles, each exactly as `settle`, in one call (one script in Redis: billing settles a batch
   * of events at once); answers in order. An item whose `actual` is above its reservation is answered
   * `unknown` with nothing charged (where `settle` throws).
   */
  settleMany(items: readonly SettleItem[], now?: number): Promise<SettleResult[]>;
  /**
   * Gives back up to `amount` of an open, unexpired reservation, which stays open with the rest (a block's
   * part that was never handed out, or will not be billed). Answers the micro given back (0 when the
   * reservation is not open, expired or unknown).
   */
  giveBack(reservationId: string, amount: number, now?: number): Promise<number>;
  /**
   * Gives a reservation back (it will not be billed: a later settle is refused). Idempotent: true only
   * for the call that closed an open reservation; false when it was settled, released or is unknown.
   */
  release(reservationId: string, now?: number): Promise<boolean>;
  /** The totals of one key (zeros for a key never used or forgotten), expired reservations given back. */
  spent(key: string, now?: number): Promise<SpendTotals>;
  /**
   * Raises a key's `settled` to at least `settled` (never lowers it): how totals billed before are put
   * back from the ledger after the store lost them (a restart of the in-process store, a Redis flush). A
   * key it creates is kept for `retainMs` (default DEFAULT_RETAIN_MS). Answers the key's settled now.
   */
  restore(key: string, settled: number, retainMs?: number, now?: number): Promise<number>;
  close(): Promise<void>;
}

/** One key a reservation counts against, and its cap. */
export interface SpendCap {
  /** The counter's name, e.g. `ag:<adGroupId>:<day>`; any text of 1..MAX_KEY_LENGTH characters. */
  readonly key: string;
  /**
   * The most micro that settled plus reserved spend may reach. Every reserve records it, granted or not,
   * and settles are checked against the latest recorded, so a lowered budget binds bills still to come.
   */
  readonly cap: number;
  /**
   * How long the key's totals are kept after its last change, in ms (default DEFAULT_RETAIN_MS: a few
   * days, right for day keys). A lifetime key needs a retention past the end of its schedule.
   */
  readonly retainMs?: number;
}

/** What `reserve` takes. */
export interface ReserveRequest {
  /** The keys to reserve on (distinct, at least one). */
  readonly caps: readonly SpendCap[];
  /** Micro to reserve: a positive integer. */
  readonly amount: number;
  /** How long the reservation holds before it gives its amount back by itself, in ms. */
  readonly ttlMs: number;
  /**
   * Room every key must still have beyond the amount for the reservation to be granted (not held; default
   * 0): a per-click hold is granted only while the budget could still pay for the click it may bring.
   */
  readonly headroom?: number;
  /** Epoch ms, for tests of the memory adapter; the Redis adapter reads Redis's clock instead. */
  readonly now?: number;
}

/** The answer to `reserve`. */
export type ReserveResult =
  | {
      readonly ok: true;
      /** Opaque; names the reservation to settle or release (it carries the keys, so no lookup is needed). */
      readonly reservationId: string;
      /** Epoch ms after which the reservation has given its amount back. */
      readonly expiresAt: number;
    }
  | {
      readonly ok: false;
      /** The first key (in request order) without room for the amount. */
      readonly fullKey: string;
      /** What that key could still take: `cap - settled - reserved`, never below 0 (headroom not deducted). */
      readonly room: number;
    };

/** One settle of `settleMany`. */
export interface SettleItem {
  readonly reservationId: string;
  readonly actual: number;
  /**
   * Settles one part drawn from the reservation (a block), named by this id, instead of the whole: what
   * the open, unexpired reservation still holds, up to `held` (default `actual`), comes off its hold, and the part is
   * charged if every key then keeps `settled + reserved + actual <= cap` (always, when the hold covered it
   * under an unchanged cap), else counted as overdelivery. So a part may be larger than its hold (a click
   * whose impression held its expected cost): the rest is charged only if the budget has room. The
   * reservation stays open with the rest. Idempotent per part: a repeat answers what the first did with
   * `settledNow: false`.
   */
  readonly part?: string;
  /**
   * With `part`: the most the part takes off the reservation's hold, its own share of the block (default
   * `actual`), so a part larger than its share leaves the other parts' shares held.
   */
  readonly held?: number;
}

/** What settling a reservation that cannot be settled answers (unknown, or above what it holds). */
export const NOT_SETTLED: SettleResult = Object.freeze({
  settledNow: false,
  state: 'unknown',
  charged: 0,
  overdelivered: 0,
});

/** Where a reservation stands. */
export type ReservationState = 'open' | 'charged' | 'overdelivered' | 'released' | 'unknown';

/** The answer to `settle`. */
export interface SettleResult {
  /** True for the one call that settled the reservation (charged or overdelivered). */
  readonly settledNow: boolean;
  /**
   * `charged`: its spend is billed; `overdelivered`: a key had no room for it (it had expired and the budget
   * was taken meanwhile, or the cap was lowered since), so nothing was charged (free to the advertiser,
   * counted on its keys); `released`: given back before, nothing charged;
   * `unknown`: no such reservation (never made, or forgotten after its retention), nothing charged.
   */
  readonly state: Exclude<ReservationState, 'open'>;
  /** Micro charged by its settlement (this call's or the earlier one's); 0 unless charged. */
  readonly charged: number;
  /** Micro served beyond a cap and not charged by its settlement; 0 unless overdelivered. */
  readonly overdelivered: number;
}

/** The totals of one key. */
export interface SpendTotals {
  /** Spend billed. Never above `cap`. */
  readonly settled: number;
  /** Spend of open reservations. `settled + reserved <= cap` unless the cap was lowered under them. */
  readonly reserved: number;
  /** Spend refused at settle (overdelivery) because this key or another of the reservation had no room. */
  readonly overdelivered: number;
  /** The latest cap given for the key; undefined when none was (or it has been forgotten). */
  readonly cap: number | undefined;
}

/** 2^51 micro (about 2.25 billion currency units): sums of three such amounts stay exact integers. */
export const MAX_SPEND_MICRO = 2 ** 51;
/** Day keys outlive their day by a few days, for late billing and reports. */
export const DEFAULT_RETAIN_MS = 4 * 86_400_000;
/** The longest retention accepted: about 400 days (a year-long lifetime budget with margin). */
export const MAX_RETAIN_MS = 400 * 86_400_000;
/** The longest key name accepted. */
export const MAX_KEY_LENGTH = 200;
/** The most keys one reservation may count against. */
export const MAX_CAPS = 8;

/** A reserve request checked, with every retention filled in. */
export interface CheckedReserve {
  readonly caps: readonly Required<SpendCap>[];
  readonly amount: number;
  readonly ttlMs: number;
  readonly headroom: number;
  /** The longest retention of its keys: how long the reservation itself is remembered. */
  readonly retainMs: number;
}

const isMicro = (n: number) => Number.isSafeInteger(n) && n >= 0 && n <= MAX_SPEND_MICRO;

/** Throws a RangeError unless the request is well formed (the adapters' shared check). */
export function checkReserve(request: ReserveRequest): CheckedReserve {
  const { amount, ttlMs, headroom = 0 } = request;
  if (!isMicro(amount) || amount < 1)
    throw new RangeError(`spend amount must be an integer in 1..${MAX_SPEND_MICRO}, got ${amount}`);
  if (!isMicro(headroom))
    throw new RangeError(`headroom must be an integer in 0..${MAX_SPEND_MICRO}, got ${headroom}`);
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1)
    throw new RangeError(`reservation ttl must be a positive integer of ms, got ${ttlMs}`);
  if (request.caps.length < 1 || request.caps.length > MAX_CAPS)
    throw new RangeError(`a reservation needs 1..${MAX_CAPS} keys, got ${request.caps.length}`);
  const seen = new Set<string>();
  const caps = request.caps.map(({ key, cap, retainMs = DEFAULT_RETAIN_MS }) => {
    if (typeof key !== 'string' || key.length < 1 || key.length > MAX_KEY_LENGTH)
      throw new RangeError(`spend key must be 1..${MAX_KEY_LENGTH} characters`);
    if (seen.has(key)) throw new RangeError(`spend key ${key} is given twice`);
    seen.add(key);
    if (!isMicro(cap))
      throw new RangeError(`cap of ${key} must be an integer in 0..${MAX_SPEND_MICRO}, got ${cap}`);
    // A key must outlive every open reservation on it, or its totals could vanish under one.
    if (!Number.isSafeInteger(retainMs) || retainMs < ttlMs || retainMs > MAX_RETAIN_MS)
      throw new RangeError(
        `retention of ${key} must be an integer from the ttl (${ttlMs}) to ${MAX_RETAIN_MS} ms`,
      );
    return { key, cap, retainMs };
  });
  return { caps, amount, ttlMs, headroom, retainMs: Math.max(...caps.map((c) => c.retainMs)) };
}

/** Throws a RangeError unless a restore's arguments are well formed (the adapters' shared check). */
export function checkRestore(key: string, settled: number, retainMs: number): void {
  if (typeof key !== 'string' || key.length < 1 || key.length > MAX_KEY_LENGTH)
    throw new RangeError(`spend key must be 1..${MAX_KEY_LENGTH} characters`);
  if (!isMicro(settled))
    throw new RangeError(`settled must be an integer in 0..${MAX_SPEND_MICRO}, got ${settled}`);
  if (!Number.isSafeInteger(retainMs) || retainMs < 1 || retainMs > MAX_RETAIN_MS)
    throw new RangeError(`retention must be an integer of 1..${MAX_RETAIN_MS} ms`);
}

/** Throws a RangeError unless `actual` is a whole micro amount (the reserved amount bounds it later). */
export function checkActual(actual: number): void {
  if (!isMicro(actual))
    throw new RangeError(`settled amount must be an integer in 0..${MAX_SPEND_MICRO}, got ${actual}`);
}

/** The longest part id accepted. */
export const MAX_PART_LENGTH = 100;

/** Throws a RangeError unless a settle item is well formed (the adapters' shared check). */
export function checkSettleItem(item: SettleItem): void {
  checkActual(item.actual);
  if (item.part !== undefined && (item.part.length < 1 || item.part.length > MAX_PART_LENGTH))
    throw new RangeError(`a part id must be 1..${MAX_PART_LENGTH} characters`);
  if (item.held !== undefined) checkActual(item.held);
}

/** Random bytes drawn 4 KiB at a time (one system call for 341 nonces, not one each: a page reserves several). */
const pool = Buffer.alloc(4092);
let poolAt = pool.length;

/** A reservation id's nonce: 12 random bytes, written as 16 base64url characters. */
export const NONCE_BYTES = 12;
export const NONCE_CHARS = 16;

/** NONCE_BYTES random bytes as NONCE_CHARS base64url characters. */
function randomNonce(): string {
  if (poolAt + NONCE_BYTES > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += NONCE_BYTES;
  return pool.toString('base64url', poolAt - NONCE_BYTES, poolAt);
}

/** A reservation id: a random nonce and the keys it holds, so settle and release need no lookup first. */
export function reservationId(keys: readonly string[]): { id: string; nonce: string } {
  const nonce = randomNonce();
  return { id: formatReservationId(nonce, keys), nonce };
}

/** The reservation id of a nonce (16 base64url characters) and keys: what parseReservationId reads. */
export function formatReservationId(nonce: string, keys: readonly string[]): string {
  return `${nonce}.${Buffer.from(JSON.stringify(keys)).toString('base64url')}`;
}

/** The nonce and keys of a reservation id; undefined when it is not one. */
export function parseReservationId(id: string): { nonce: string; keys: string[] } | undefined {
  const dot = id.indexOf('.');
  if (dot !== NONCE_CHARS) return undefined;
  try {
    const keys: unknown = JSON.parse(Buffer.from(id.slice(dot + 1), 'base64url').toString());
    if (!Array.isArray(keys) || keys.length < 1 || keys.length > MAX_CAPS) return undefined;
    if (!keys.every((k) => typeof k === 'string' && k.length >= 1 && k.length <= MAX_KEY_LENGTH))
      return undefined;
    return { nonce: id.slice(0, dot), keys };
  } catch {
    return undefined;
  }
}
