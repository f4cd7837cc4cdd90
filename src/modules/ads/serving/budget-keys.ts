import {
  formatReservationId,
  MAX_CAPS,
  NONCE_BYTES,
  NONCE_CHARS,
  parseReservationId,
  type SpendCap,
} from '../../../platform/spend/spend-store.js';
import type { ReservationPacker } from '../../events/impression-tokens.js';
import type { ServableAd } from './ad-catalog.js';

/** How long lifetime totals are kept after their last change (a flight is at most a year and a month). */
const LIFETIME_RETAIN_MS = 400 * 24 * 3_600_000;

const DAY_MS = 86_400_000;
/** The last day asked for, and its range (every request of a day asks for the same). */
let lastDay = { from: 0, to: 0, day: '' };

/** The UTC day of a moment, YYYY-MM-DD: daily budgets run from midnight UTC. */
export function utcDay(ms: number): string {
  if (ms >= lastDay.from && ms < lastDay.to) return lastDay.day;
  const from = Math.floor(ms / DAY_MS) * DAY_MS;
  lastDay = { from, to: from + DAY_MS, day: new Date(ms).toISOString().slice(0, 10) };
  return lastDay.day;
}

/** The caps of each ad (the catalog's objects) on the day last asked for. */
const capsOf = new WeakMap<object, { day: string; caps: readonly SpendCap[] }>();

/**
 * The capped spend keys a served ad draws on: its ad group's budget (daily, or lifetime; none under
 * campaign budget optimization) and its campaign's daily and lifetime caps. A reservation is taken on all
 * at once, so no cap is passed by one micro. The same list for the same object on the same day (the
 * catalog's ads are not changed in place: a refresh makes new ones).
 */
export function budgetCaps(ad: Parameters<typeof capsFor>[0], nowMs: number): readonly SpendCap[] {
  const day = utcDay(nowMs);
  const held = capsOf.get(ad);
  if (held?.day === day) return held.caps;
  const caps = capsFor(ad, day);
  capsOf.set(ad, { day, caps });
  return caps;
}

function capsFor(
  ad: Pick<
    ServableAd,
    | 'adGroupId'
    | 'campaignId'
    | 'budgetType'
    | 'budgetMicro'
    | 'campaignDailyCapMicro'
    | 'campaignLifetimeCapMicro'
  >,
  day: string,
): SpendCap[] {
  const caps: SpendCap[] = [];
  if (ad.budgetMicro !== null && ad.budgetType === 'DAILY')
    caps.push({ key: budgetKey('ag', ad.adGroupId, day), cap: ad.budgetMicro });
  if (ad.budgetMicro !== null && ad.budgetType === 'LIFETIME')
    caps.push({
      key: budgetKey('ag', ad.adGroupId, undefined),
      cap: ad.budgetMicro,
      retainMs: LIFETIME_RETAIN_MS,
    });
  if (ad.campaignDailyCapMicro !== null)
    caps.push({ key: budgetKey('c', ad.campaignId, day), cap: ad.campaignDailyCapMicro });
  if (ad.campaignLifetimeCapMicro !== null)
    caps.push({
      key: budgetKey('c', ad.campaignId, undefined),
      cap: ad.campaignLifetimeCapMicro,
      retainMs: LIFETIME_RETAIN_MS,
    });
  return caps;
}

/** Whose budget a key counts: an ad group's (`ag`) or a campaign's (`c`). */
type KeyOwner = 'ag' | 'c';

/** The spend key of an ad group's or campaign's budget on a UTC day (YYYY-MM-DD), or lifetime (no day). */
function budgetKey(owner: KeyOwner, id: string, day: string | undefined): string {
  return day === undefined ? `${owner}:${id}:life` : `${owner}:${id}:d:${day}`;
}

/** The parts of a key budgetKey makes: its owner, the owner's id, and its day (none for a lifetime key). */
const BUDGET_KEY = /^(ag|c):(\d+):(?:d:(\d{4}-\d{2}-\d{2})|life)$/;

/**
 * The most one billable event of a winner can cost, reserved when it is served: the price per click, or
 * for CPM billing a thousandth of the price per thousand rounded up (billing charges the exact share).
 */
export function reserveAmount(billableEvent: 'CLICKTHROUGH' | 'IMPRESSION', priceMicro: number): number {
  return billableEvent === 'IMPRESSION' ? Math.ceil(priceMicro / 1000) : priceMicro;
}

/** A per-click hold covers this many times the impression's expected cost (price × predicted CTR). */
export const CLICK_HOLD_MARGIN = 2;

/**
 * What serving a winner holds of its budget: an impression's charge for CPM billing (it is nearly always
 * reported); for CPC billing the impression's expected cost with a margin, price × pCTR × CLICK_HOLD_MARGIN
 * rounded up (at least 1 micro, at most the price). Only about one impression in a hundred is clicked:
 * holding the full price for each would keep most of a small budget held and unspendable. A click
 * settles its whole price: what its node's block still holds first, the rest only if the budget has room,
 * else it is served free (overdelivery), so the cap holds either way.
 */
export function holdAmount(
  billableEvent: 'CLICKTHROUGH' | 'IMPRESSION',
  priceMicro: number,
  pctr: number,
): number {
  if (billableEvent === 'IMPRESSION') return Math.ceil(priceMicro / 1000);
  return Math.min(priceMicro, Math.max(1, Math.ceil(priceMicro * pctr * CLICK_HOLD_MARGIN)));
}

/**
 * What the ledger says a budget key has settled: the ad group's or campaign's spend of the key's day, or
 * of all time for a lifetime key; undefined for a key this does not know.
 */
export function ledgerFigure(
  key: string,
  groups: ReadonlyMap<string, { today: number; life: number }>,
  campaigns: ReadonlyMap<string, { today: number; life: number }>,
): number | undefined {
  const m = BUDGET_KEY.exec(key);
  if (!m) return undefined;
  const totals = (m[1] === 'ag' ? groups : campaigns).get(m[2]!);
  return m[3] === undefined ? (totals?.life ?? 0) : (totals?.today ?? 0);
}

/** Kind byte, id, and a day's key's day (days since 1970-01-01). */
const DAY_KEY_BYTES = 11;
const LIFE_KEY_BYTES = 9;

/**
 * Budget reservation ids (a block's id, on every promoted item served from it) written in a promoted
 * item's impression token in few bytes: the nonce as its 12 bytes, and each key as a kind byte (ad group
 * or campaign, a day's or lifetime), the id's 8 bytes and a day's key's day in 2. An ad group's and its
 * campaign's daily keys take 34 bytes where the id's text takes about 105: the token is about 95
 * characters shorter, and its MAC one SHA-256 block less. An id of another shape is written as its text.
 */
export const budgetReservations: ReservationPacker = {
  pack(id: string): Buffer | undefined {
    // Every block of an ad group's keys on a day has the same keys (only its nonce differs): they are
    // packed, and checked to read back the same, once.
    const dot = id.indexOf('.');
    if (dot !== NONCE_CHARS) return undefined;
    const keys = packedKeysOf(id.slice(dot + 1));
    if (keys === undefined) return undefined;
    const out = Buffer.allocUnsafe(NONCE_BYTES + keys.length);
    const nonce = id.slice(0, dot);
    // NONCE_CHARS base64url characters are NONCE_BYTES exactly, and only the same characters write them.
    if (
      out.write(nonce, 0, 'base64url') !== NONCE_BYTES ||
      out.toString('base64url', 0, NONCE_BYTES) !== nonce
    )
      return undefined;
    keys.copy(out, NONCE_BYTES);
    return out;
  },
  unpack: unpackReservation,
};

/** The keys part of block ids (after the nonce's dot), packed; null for one that does not pack. */
const packedKeys = new Map<string, Buffer | null>();
/** Key sets whose packing is remembered, at most (keys are per day: a day's are dropped with the rest). */
const MAX_PACKED_KEYS = 4_096;

/** The packed keys of an id's keys part (its text after the dot), or undefined when they do not pack. */
function packedKeysOf(text: string): Buffer | undefined {
  let packed = packedKeys.get(text);
  if (packed === undefined) {
    packed = packKeys(text) ?? null;
    if (packedKeys.size >= MAX_PACKED_KEYS) packedKeys.clear();
    packedKeys.set(text, packed);
  }
  return packed ?? undefined;
}

/** A keys part packed, when its keys are budget keys that read back as the very same text. */
function packKeys(text: string): Buffer | undefined {
  // Any nonce of the right shape: the keys are what is checked here.
  const sample = `${'A'.repeat(NONCE_CHARS)}.${text}`;
  const parsed = parseReservationId(sample);
  if (!parsed) return undefined;
  const out = Buffer.alloc(DAY_KEY_BYTES * parsed.keys.length);
  let at = 0;
  for (const key of parsed.keys) {
    const m = BUDGET_KEY.exec(key);
    // An id of 0 or with leading zeros is no id this instance makes (and would not read back the same).
    if (!m || m[2]![0] === '0') return undefined;
    const owner = BigInt(m[2]!);
    if (owner >= 2n ** 64n) return undefined;
    const day = m[3];
    out[at] = (m[1] === 'ag' ? 0 : 2) + (day === undefined ? 1 : 0);
    out.writeBigUInt64BE(owner, at + 1);
    if (day === undefined) {
      at += LIFE_KEY_BYTES;
      continue;
    }
    const days = Date.parse(`${day}T00:00:00Z`) / DAY_MS;
    if (!Number.isInteger(days) || days < 0 || days > 0xffff) return undefined;
    out.writeUInt16BE(days, at + 1 + 8);
    at += DAY_KEY_BYTES;
  }
  const keys = out.subarray(0, at);
  // Only what reads back as the very same text (a day that is a real date, the keys' order).
  const nonce = Buffer.from(parsed.nonce, 'base64url');
  return unpackReservation(Buffer.concat([nonce, keys])) === sample ? Buffer.from(keys) : undefined;
}

function unpackReservation(bytes: Buffer): string | undefined {
  const keys: string[] = [];
  let at = NONCE_BYTES;
  while (at < bytes.length) {
    const kind = bytes[at]!;
    const daily = (kind & 1) === 0;
    if (kind > 3 || at + (daily ? DAY_KEY_BYTES : LIFE_KEY_BYTES) > bytes.length) return undefined;
    const day = daily
      ? new Date(bytes.readUInt16BE(at + 1 + 8) * DAY_MS).toISOString().slice(0, 10)
      : undefined;
    keys.push(budgetKey(kind < 2 ? 'ag' : 'c', String(bytes.readBigUInt64BE(at + 1)), day));
    at += daily ? DAY_KEY_BYTES : LIFE_KEY_BYTES;
  }
  if (keys.length < 1 || keys.length > MAX_CAPS) return undefined;
  return formatReservationId(bytes.toString('base64url', 0, NONCE_BYTES), keys);
}
