import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../../platform/principal.js';
import { HmacSha256 } from './hmac-sha256.js';

/** Where an item was shown (the issue's surfaces). */
export const SURFACES = ['HOME_FEED', 'SEARCH', 'RELATED', 'BOARD', 'PROFILE', 'CLOSEUP'] as const;
export type Surface = (typeof SURFACES)[number];

/** Who a token was served to: a person, or an app acting without one (client_credentials). */
export type Viewer = { viewerUserId: string } | { viewerAppId: string };

export interface IssueInput {
  viewerUserId?: string;
  viewerAppId?: string;
  pinId: string;
  surface: Surface;
  /** 0-based position of the item in the response (at most 2^24 - 1). */
  position: number;
  /** The request id of the response that shows the item (at most 64 ASCII characters are kept). */
  requestId: string;
}

/**
 * What a promoted item's token carries of the auction that placed it: billing reads it back, so nothing
 * is looked up or stored when an ad is served.
 */
export interface AdClaim {
  readonly adId: string;
  /** What one billable event of this item costs, integer micro-currency of the ad's account. */
  readonly chargeMicro: number;
  /**
   * What serving the item holds of its budget block (at most this comes off the block's hold when the
   * event is billed; the rest of a charge needs room in the budget). Tokens of version 2 carry none: it
   * reads as the charge.
   */
  readonly holdMicro: number;
  readonly billableEvent: 'IMPRESSION' | 'CLICKTHROUGH';
  /** The spend store reservation that holds the charge (printable ASCII, at most 255 characters). */
  readonly reservationId: string;
}

/**
 * Writes reservation ids of a known shape in fewer bytes than their text, and reads them back: the
 * ad server's budget ids (budgetReservations) are most of a promoted token's length otherwise.
 */
export interface ReservationPacker {
  /** The id's bytes, or undefined when it is not of the packer's shape (the token then carries its text). */
  pack(id: string): Buffer | undefined;
  /** The id of these bytes, as pack() took it; undefined when they are not the packer's. */
  unpack(bytes: Buffer): string | undefined;
}

/** One promoted item shown to one viewer. */
export interface PromotedIssueInput extends IssueInput {
  readonly ad: AdClaim;
}

/** The promoted items of one response, each at its own position (see issuePromotedPage). */
export interface PromotedPageInput {
  viewerUserId?: string;
  viewerAppId?: string;
  surface: Surface;
  requestId: string;
  items: readonly { readonly pinId: string; readonly position: number; readonly ad: AdClaim }[];
}

/** Items of one list response, shown from `firstPosition` on. */
export interface ListInput {
  viewerUserId?: string;
  viewerAppId?: string;
  pinIds: readonly string[];
  surface: Surface;
  firstPosition: number;
  requestId: string;
}

/** What every chunk of one response's tokens shares. */
interface ChunkHead {
  readonly app: boolean;
  readonly viewer: string;
  readonly surface: number;
  readonly first: number;
  readonly requestId: string;
}

/** What a valid token says. */
export interface ImpressionClaims {
  /** Unique per item (the chunk's nonce: a random per-process prefix and a counter, plus the index); the replay key. */
  tokenId: string;
  viewer: { kind: 'user' | 'app'; id: string };
  pinId: string;
  surface: Surface;
  position: number;
  requestId: string;
  /** Epoch milliseconds (second precision). */
  issuedAt: number;
  expiresAt: number;
  /** Present when the item was a promoted pin: the auction's outcome. */
  ad?: AdClaim;
}

export type TokenRejection = 'malformed' | 'forged' | 'expired';

export type VerifyResult = { ok: true; claims: ImpressionClaims } | { ok: false; reason: TokenRejection };

// A token signs a chunk of up to CHUNK items of one list response at once; each item's token is the
// chunk's text plus `.<index>` (no suffix for a chunk of one). Layout (big-endian), then a 16-byte
// truncated HMAC-SHA256 over everything before it, all base64url:
// version << 4 | flags (bit 0: the viewer is an app) 1 | viewer 8 | surface 1 | first position 3 |
// issued-at s 4 | lifetime min 2 | nonce 10 | item count 1 | request-id length 1 | request id (ASCII) |
// pin 8 per item. Item i of the chunk is that pin at position first + i. A promoted item (flag bit 1, a
// chunk of one) adds after its pin: ad 8 | charge micro 6 | hold micro 6 | billable event 1 (0 impression,
// 1 click) | reservation length 1 | reservation (ASCII; in version 4, the ReservationPacker's bytes); version 2 (still
// read) had no hold. A promoted token whose reservation the packer took is version 4, every other token
// version 3 (a node that does not know version 4 refuses such a token as malformed rather than misread
// its reservation). Version 5 signs the promoted items of one response together (PAGE_CHUNK at most; the
// promoted flag set, the first-position field the first item's): after the request id, per item, pin 8 |
// position 3 | ad 8 | charge micro 6 | hold micro 6 | flags 1 (bit 0 click, bit 1 the reservation packed) |
// reservation length 1 | reservation; item i's token is the chunk's text plus `.<i>` (none for a chunk of
// one), as a list's. Signing a chunk once instead
// of every item makes a 25-pin page cost four MACs, not 25 (the index needs no signature: it only picks
// which of the signed items the token speaks of).
const VERSION = 3;
/** A promoted token whose reservation id is packed (ReservationPacker); otherwise as VERSION. */
const PACKED_VERSION = 4;
/** Tokens of version 2 (no hold in the ad section) are still read while they live. */
const OLD_VERSION = 2;
/** The promoted items of one response under one MAC (issuePromotedPage). */
const PAGE_VERSION = 5;
/** Promoted items signed together at most. */
const PAGE_CHUNK = 4;
/**
 * Bytes of items a version-5 chunk holds at most (one item may hold more, alone): with the head, the
 * longest request id and the MAC, its tokens stay within the 512 characters POST /v5/events reads.
 */
const PAGE_ITEM_BYTES = 270;
/** A version-5 item before its reservation: pin, position, then the ad section as in versions 3 and 4. */
const ITEM_FIXED = 11 + 22;
/** A version-5 item's ad-section flag: its reservation is the packer's bytes (bit 0 is the click). */
const RESERVATION_PACKED = 2;
const FIXED = 31;
const COUNT_AT = 29;
const MAC_BYTES = 16;
const NONCE_AT = 19;
const NONCE_BYTES = 10;
const MAX_REQUEST_ID = 64;
/** Items signed together; bounds a token's length (about 190 characters with a usual request id). */
export const CHUNK = 8;
const MAX_POSITION = 0xffffff;
const MAX_U64 = (1n << 64n) - 1n;
const AD_FIXED = 22;
const OLD_AD_FIXED = 16;
const MAX_RESERVATION = 255;
const MAX_CHARGE = 2 ** 48 - 1;
const MAX_RESERVATIONS_KEPT = 4_096;
const PROMOTED = 2;
const MAX_TOKEN_CHARS =
  Math.ceil(
    ((FIXED +
      MAX_REQUEST_ID +
      Math.max(8 * CHUNK, 8 + AD_FIXED + MAX_RESERVATION, ITEM_FIXED + MAX_RESERVATION, PAGE_ITEM_BYTES) +
      MAC_BYTES) *
      4) /
      3,
  ) + 3;
const SURFACE_INDEX = new Map<string, number>(SURFACES.map((s, i) => [s, i]));
const DECIMAL = /^\d{1,20}$/;
const ASCII = /^[\x20-\x7e]*$/;
const TOKEN_TEXT = /^([A-Za-z0-9_-]+)(?:\.(\d))?$/;

/**
 * Writes a decimal id as 8 big-endian bytes. Ids of up to 15 digits (every id this instance makes: its
 * shard bits are zero) are parsed as numbers; longer ones through BigInt.
 */
function writeId(buf: Buffer, id: string, at: number, what: string): void {
  const n = id.length;
  if (n === 0 || n > 15) {
    buf.writeBigUInt64BE(u64(id, what), at);
    return;
  }
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw new RangeError(`${what} must be a decimal id, got "${id}"`);
    v = v * 10 + d;
  }
  buf.writeUInt32BE(Math.floor(v / 0x1_0000_0000), at);
  buf.writeUInt32BE(v >>> 0, at + 4);
}

/** The bytes of an ad section: AD_FIXED and the reservation (its packed bytes, or its text). */
function adBytes(ad: AdClaim, packed: Buffer | null): number {
  return AD_FIXED + (packed ? packed.length : ad.reservationId.length);
}

/**
 * Writes an ad section at `at` (ad 8 | charge micro 6 | hold micro 6 | flags 1, bit 0 a click, with
 * `flags` | reservation length 1 | reservation) and answers where it ends.
 */
function writeAd(buf: Buffer, at: number, ad: AdClaim, packed: Buffer | null, flags: number): number {
  const length = packed ? packed.length : ad.reservationId.length;
  writeId(buf, ad.adId, at, 'adId');
  buf.writeUIntBE(ad.chargeMicro, at + 8, 6);
  buf.writeUIntBE(ad.holdMicro, at + 14, 6);
  buf[at + 20] = (ad.billableEvent === 'CLICKTHROUGH' ? 1 : 0) | flags;
  buf[at + 21] = length;
  if (packed) packed.copy(buf, at + AD_FIXED);
  else buf.write(ad.reservationId, at + AD_FIXED, 'latin1');
  return at + AD_FIXED + length;
}

/** A promoted claim's amounts fit their fields (6 bytes each), or a RangeError. */
function checkAmounts(ad: AdClaim): void {
  if (!Number.isSafeInteger(ad.chargeMicro) || ad.chargeMicro < 0 || ad.chargeMicro > MAX_CHARGE)
    throw new RangeError(`charge must be an integer in 0..${MAX_CHARGE}`);
  if (!Number.isSafeInteger(ad.holdMicro) || ad.holdMicro < 0 || ad.holdMicro > MAX_CHARGE)
    throw new RangeError(`hold must be an integer in 0..${MAX_CHARGE}`);
}

function u64(id: string, what: string): bigint {
  if (!DECIMAL.test(id)) throw new RangeError(`${what} must be a decimal id, got "${id}"`);
  const n = BigInt(id);
  if (n > MAX_U64) throw new RangeError(`${what} out of range`);
  return n;
}

/**
 * Signed, expiring tokens that bind one served item (pin, surface, position, response) to the viewer it was
 * served to. Every item of a list response carries one; a client echoes it back with the impression or
 * click it reports, so only items actually served to that viewer count (see EventsService).
 *
 * `issueList` is on the path of every list response, so it draws no randomness (a random per-process
 * prefix and a counter make the nonce), signs CHUNK items at a time with {@link HmacSha256}, and leaves
 * each item only a string concatenation.
 */
export class ImpressionTokens {
  private readonly hmac: HmacSha256;
  private readonly prefix = randomBytes(5);
  private readonly lifetimeMin: number;
  private counter = 0;
  /** The last request id found fit to write (each call's check is skipped for it). */
  private readonly checked = { requestId: '' };
  /**
   * Reservation ids found fit to write, with their packed bytes (null: written as text). A budget block's
   * id is on every ad served out of it: checked and packed once.
   */
  private readonly reservations = new Map<string, Buffer | null>();

  /**
   * @param key the instance secret (`impression-tokens` in instance_secrets), shared by every node
   * @param ttlMs how long a token stays valid after it is issued (default 24 h; whole minutes, ≤ 45 days)
   * @param packer writes the reservation ids of promoted tokens in fewer bytes (every node needs the same)
   */
  constructor(
    key: Buffer,
    ttlMs = 24 * 3_600_000,
    private readonly packer?: ReservationPacker,
  ) {
    if (key.length < 16) throw new RangeError('impression token key too short');
    this.lifetimeMin = Math.ceil(ttlMs / 60_000);
    if (this.lifetimeMin < 1 || this.lifetimeMin > 0xffff) throw new RangeError('ttl out of range');
    this.hmac = new HmacSha256(key);
  }

  /** How long a token lives, in milliseconds. */
  get ttlMs(): number {
    return this.lifetimeMin * 60_000;
  }

  /** A new token for one item shown to one viewer. `now` is epoch ms (default: the clock). */
  issue(input: IssueInput, now = Date.now()): string {
    const list: ListInput = {
      viewerUserId: input.viewerUserId,
      viewerAppId: input.viewerAppId,
      pinIds: [input.pinId],
      surface: input.surface,
      firstPosition: input.position,
      requestId: input.requestId,
    };
    return this.issueList(list, now)[0]!;
  }

  /**
   * The token of a promoted item: as {@link issue}, plus what the auction decided (the ad, its charge per
   * billable event, the budget reservation), signed with the rest.
   */
  issuePromoted(input: PromotedIssueInput, now = Date.now()): string {
    const { ad } = input;
    checkAmounts(ad);
    const packed = this.reservationOf(ad.reservationId);
    const head = this.head(input, input.position, 1);
    const buf = this.chunk(head, now, [input.pinId], 0, 1, adBytes(ad, packed));
    // The version says whether the reservation is packed; the ad section, after the one pin, does not.
    if (packed) buf[0] = (PACKED_VERSION << 4) | (buf[0]! & 0x0f);
    writeAd(buf, FIXED + head.requestId.length + 8, ad, packed, 0);
    return this.sign(buf);
  }

  /**
   * The tokens of one response's promoted items, in order, each claim as {@link issuePromoted} signs it:
   * up to PAGE_CHUNK items (and PAGE_ITEM_BYTES of them) under one MAC (version 5), where issuePromoted
   * signs each alone. A page's three ads then cost one MAC of six SHA-256 compressions, not three of three,
   * and one chunk to write; each token is the chunk's text (about 350 characters) plus its index.
   */
  issuePromotedPage(input: PromotedPageInput, now = Date.now()): string[] {
    const { items } = input;
    const out: string[] = [];
    for (let start = 0; start < items.length; ) {
      // As many items as fit (PAGE_CHUNK, PAGE_ITEM_BYTES), one at least.
      const packs: (Buffer | null)[] = [];
      let size = 0;
      let count = 0;
      while (count < PAGE_CHUNK && start + count < items.length) {
        const { ad, position } = items[start + count]!;
        checkAmounts(ad);
        if (!Number.isInteger(position) || position < 0 || position > MAX_POSITION)
          throw new RangeError(`positions must be integers 0..${MAX_POSITION}`);
        const packed = this.reservationOf(ad.reservationId);
        const bytes = ITEM_FIXED - AD_FIXED + adBytes(ad, packed);
        if (count > 0 && size + bytes > PAGE_ITEM_BYTES) break;
        packs.push(packed);
        size += bytes;
        count++;
      }
      const head = this.head(input, items[start]!.position, 1);
      // The chunk's head, its items written after it here (each with its own position).
      const buf = this.chunk(head, now, [], 0, 0, size);
      buf[0] = (PAGE_VERSION << 4) | (buf[0]! & 0x0f);
      buf[COUNT_AT] = count;
      let at = FIXED + head.requestId.length;
      for (let i = 0; i < count; i++) {
        const { pinId, position, ad } = items[start + i]!;
        const packed = packs[i] ?? null;
        writeId(buf, pinId, at, 'pinId');
        buf.writeUIntBE(position, at + 8, 3);
        // Each item says whether its reservation is packed, in its ad section's flags.
        at = writeAd(buf, at + ITEM_FIXED - AD_FIXED, ad, packed, packed ? RESERVATION_PACKED : 0);
      }
      const text = this.sign(buf);
      if (count === 1) out.push(text);
      else for (let i = 0; i < count; i++) out.push(`${text}.${i}`);
      start += count;
    }
    return out;
  }

  /**
   * Tokens for the items of one list response, in order: `pinIds[i]` shown at `firstPosition + i`.
   * Signs each chunk of CHUNK items once.
   */
  issueList(input: ListInput, now = Date.now()): string[] {
    const head = this.head(input, input.firstPosition, input.pinIds.length);
    const out: string[] = [];
    for (let start = 0; start < input.pinIds.length; start += CHUNK) {
      const count = Math.min(CHUNK, input.pinIds.length - start);
      const text = this.sign(this.chunk(head, now, input.pinIds, start, count, 0));
      if (count === 1) out.push(text);
      else for (let i = 0; i < count; i++) out.push(`${text}.${i}`);
    }
    return out;
  }

  /** A reservation id's packed bytes, or null to write its text; checked (and packed) once per id. */
  private reservationOf(id: string): Buffer | null {
    let packed = this.reservations.get(id);
    if (packed !== undefined) return packed;
    if (id.length > MAX_RESERVATION || !ASCII.test(id))
      throw new RangeError('reservation id must be printable ASCII of at most 255 characters');
    packed = this.packer?.pack(id) ?? null;
    if (packed && packed.length > MAX_RESERVATION) packed = null;
    // Blocks are renewed every second or so per ad group: the ids of the last few thousand are kept.
    if (this.reservations.size >= MAX_RESERVATIONS_KEPT) this.reservations.clear();
    this.reservations.set(id, packed);
    return packed;
  }

  /** What every chunk of one response shares, checked once. */
  private head(input: Omit<ListInput, 'pinIds' | 'firstPosition'>, first: number, items: number): ChunkHead {
    const app = input.viewerUserId === undefined;
    const viewer = app ? input.viewerAppId : input.viewerUserId;
    if (viewer === undefined) throw new RangeError('issue needs viewerUserId or viewerAppId');
    const surface = SURFACE_INDEX.get(input.surface);
    if (surface === undefined) throw new RangeError(`unknown surface ${input.surface}`);
    if (!Number.isInteger(first) || first < 0 || first + items - 1 > MAX_POSITION)
      throw new RangeError(`positions must be integers 0..${MAX_POSITION}`);
    let requestId = input.requestId;
    // A response's items are issued in a few calls (its list, its promoted items): checked once.
    if (requestId !== this.checked.requestId) {
      if (requestId.length > MAX_REQUEST_ID || !ASCII.test(requestId)) requestId = '';
      else this.checked.requestId = requestId;
    }
    return { app, viewer, surface, first, requestId };
  }

  /**
   * A chunk's bytes, unsigned, with room for `extra` bytes after its pins (a promoted item's ad section)
   * and for the MAC: pins[start .. start + count) at positions first + start on.
   */
  private chunk(
    head: ChunkHead,
    now: number,
    pins: readonly string[],
    start: number,
    count: number,
    extra: number,
  ) {
    const n = head.requestId.length;
    const buf = Buffer.allocUnsafe(FIXED + n + 8 * count + extra + MAC_BYTES);
    buf[0] = (VERSION << 4) | (head.app ? 1 : 0) | (extra > 0 ? PROMOTED : 0);
    writeId(buf, head.viewer, 1, 'viewer');
    buf[9] = head.surface;
    buf.writeUIntBE(head.first + start, 10, 3);
    buf.writeUInt32BE(Math.floor(now / 1000), 13);
    buf.writeUInt16BE(this.lifetimeMin, 17);
    this.prefix.copy(buf, NONCE_AT);
    // A 40-bit counter: a process would need 10^12 chunks to wrap it.
    buf.writeUIntBE(++this.counter, NONCE_AT + 5, 5);
    buf[COUNT_AT] = count;
    buf[COUNT_AT + 1] = n;
    if (n > 0) buf.write(head.requestId, FIXED, 'latin1');
    for (let i = 0; i < count; i++) writeId(buf, pins[start + i]!, FIXED + n + 8 * i, 'pinId');
    return buf;
  }

  /** Signs a chunk (its MAC fills its last MAC_BYTES) and answers its text. */
  private sign(buf: Buffer): string {
    const signed = buf.length - MAC_BYTES;
    this.hmac.mac(buf, signed, buf, signed, MAC_BYTES);
    return buf.toString('base64url');
  }

  /** The claims of a genuine, unexpired token at `now` (epoch ms), or why it is not one. */
  verify(token: string, now = Date.now()): VerifyResult {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS)
      return { ok: false, reason: 'malformed' };
    const text = TOKEN_TEXT.exec(token);
    if (!text) return { ok: false, reason: 'malformed' };
    const index = text[2] === undefined ? 0 : Number(text[2]);
    const buf = Buffer.from(text[1]!, 'base64url');
    const version = buf.length > 0 ? buf[0]! >> 4 : 0;
    if (
      buf.length < FIXED + 8 + MAC_BYTES ||
      (version !== VERSION &&
        version !== OLD_VERSION &&
        version !== PACKED_VERSION &&
        version !== PAGE_VERSION)
    )
      return { ok: false, reason: 'malformed' };
    const count = buf[COUNT_AT]!;
    const n = buf[COUNT_AT + 1]!;
    const promoted = (buf[0]! & PROMOTED) !== 0;
    // A chunk of one has no index; a longer one always has one, below its count.
    if ((count === 1) !== (text[2] === undefined) || index >= count || n > MAX_REQUEST_ID)
      return { ok: false, reason: 'malformed' };
    const item =
      version === PAGE_VERSION ? pageItem(buf, n, count, index) : listItem(buf, version, n, count, index);
    if (!item) return { ok: false, reason: 'malformed' };
    const { signed } = item;
    const expected = this.scratch;
    this.hmac.mac(buf, signed, expected, 0, MAC_BYTES);
    if (!timingSafeEqual(expected, buf.subarray(signed))) return { ok: false, reason: 'forged' };
    // Signed by us from here on, so the fields are as an issue method wrote them.
    const surface = SURFACES[buf[9]!];
    if (surface === undefined || (buf[0]! & 0x0f) > (PROMOTED | 1)) return { ok: false, reason: 'malformed' };
    const issuedAt = buf.readUInt32BE(13) * 1000;
    const expiresAt = issuedAt + buf.readUInt16BE(17) * 60_000;
    if (expiresAt <= now) return { ok: false, reason: 'expired' };
    const nonce = buf.toString('base64url', NONCE_AT, NONCE_AT + NONCE_BYTES);
    let ad: AdClaim | undefined;
    if (promoted) {
      const { adAt, reservationAt } = item;
      const chargeMicro = buf.readUIntBE(adAt + 8, 6);
      const reservationId = item.packed
        ? this.packer?.unpack(buf.subarray(reservationAt, item.reservationEnd))
        : buf.toString('latin1', reservationAt, item.reservationEnd);
      // Signed by a node whose packer this one lacks or reads otherwise: not a token this node can bill.
      if (reservationId === undefined) return { ok: false, reason: 'malformed' };
      ad = {
        adId: buf.readBigUInt64BE(adAt).toString(),
        chargeMicro,
        holdMicro: version === OLD_VERSION ? chargeMicro : buf.readUIntBE(adAt + 14, 6),
        billableEvent: item.click ? 'CLICKTHROUGH' : 'IMPRESSION',
        reservationId,
      };
    }
    return {
      ok: true,
      claims: {
        tokenId: count === 1 ? nonce : `${nonce}.${index}`,
        viewer: { kind: (buf[0]! & 1) === 1 ? 'app' : 'user', id: buf.readBigUInt64BE(1).toString() },
        pinId: buf.readBigUInt64BE(item.pinAt).toString(),
        surface,
        position: item.position,
        requestId: buf.toString('latin1', FIXED, FIXED + n),
        issuedAt,
        expiresAt,
        ...(ad ? { ad } : {}),
      },
    };
  }

  private readonly scratch = Buffer.alloc(MAC_BYTES);
}

/** Where item `index` of a token's chunk is, and how long the signed part is; undefined: malformed. */
interface ItemLayout {
  /** Bytes covered by the MAC (the MAC follows them, to the end). */
  signed: number;
  pinAt: number;
  position: number;
  /** A promoted item's ad section: ad id at adAt (charge at +8, hold at +14), its reservation's bytes. */
  adAt: number;
  click: boolean;
  packed: boolean;
  reservationAt: number;
  reservationEnd: number;
}

/** A list chunk (versions 2–4): pins of consecutive positions, or one promoted pin with its ad section. */
function listItem(
  buf: Buffer,
  version: number,
  n: number,
  count: number,
  index: number,
): ItemLayout | undefined {
  const promoted = (buf[0]! & PROMOTED) !== 0;
  if (version === PACKED_VERSION && !promoted) return undefined;
  const adFixed = version === OLD_VERSION ? OLD_AD_FIXED : AD_FIXED;
  const adAt = FIXED + n + 8;
  // A promoted item is a chunk of one with its ad section after the pin.
  if (promoted && (count !== 1 || buf.length < adAt + adFixed + MAC_BYTES)) return undefined;
  const signed = FIXED + n + 8 * count + (promoted ? adFixed + buf[adAt + adFixed - 1]! : 0);
  if (count < 1 || count > CHUNK || buf.length !== signed + MAC_BYTES) return undefined;
  return {
    signed,
    pinAt: FIXED + n + 8 * index,
    position: buf.readUIntBE(10, 3) + index,
    adAt,
    click: promoted && buf[adAt + adFixed - 2] === 1,
    packed: version === PACKED_VERSION,
    reservationAt: adAt + adFixed,
    reservationEnd: signed,
  };
}

/** A promoted page chunk (version 5): items of their own positions, each with its ad section. */
function pageItem(buf: Buffer, n: number, count: number, index: number): ItemLayout | undefined {
  if ((buf[0]! & PROMOTED) === 0 || count < 1 || count > PAGE_CHUNK) return undefined;
  let at = FIXED + n;
  let mine = -1;
  for (let i = 0; i < count; i++) {
    if (at + ITEM_FIXED + MAC_BYTES > buf.length) return undefined;
    if (i === index) mine = at;
    at += ITEM_FIXED + buf[at + ITEM_FIXED - 1]!;
  }
  if (buf.length !== at + MAC_BYTES) return undefined;
  const flags = buf[mine + ITEM_FIXED - 2]!;
  if (flags > (RESERVATION_PACKED | 1)) return undefined;
  return {
    signed: at,
    pinAt: mine,
    position: buf.readUIntBE(mine + 8, 3),
    adAt: mine + 11,
    click: (flags & 1) === 1,
    packed: (flags & RESERVATION_PACKED) !== 0,
    reservationAt: mine + ITEM_FIXED,
    reservationEnd: mine + ITEM_FIXED + buf[mine + ITEM_FIXED - 1]!,
  };
}

/**
 * The viewer to issue tokens for, from the caller's principal: the user, or the app for an app-only
 * (client_credentials) token.
 */
export function viewerOf(principal: Principal): Viewer {
  return principal.appOnly === true ? { viewerAppId: principal.appId } : { viewerUserId: principal.userId };
}
