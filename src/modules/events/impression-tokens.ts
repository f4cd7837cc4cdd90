import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../../http/auth.js';
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

/** What a valid token says. */
export interface ImpressionClaims {
  /** Unique per token (random per-process prefix + counter), 14 base64url characters; the replay key. */
  tokenId: string;
  viewer: { kind: 'user' | 'app'; id: string };
  pinId: string;
  surface: Surface;
  position: number;
  requestId: string;
  /** Epoch milliseconds (second precision). */
  issuedAt: number;
  expiresAt: number;
}

export type TokenRejection = 'malformed' | 'forged' | 'expired';

export type VerifyResult = { ok: true; claims: ImpressionClaims } | { ok: false; reason: TokenRejection };

// Layout (big-endian), then a 16-byte truncated HMAC-SHA256 over everything before it, all base64url:
// version << 4 | flags (bit 0: the viewer is an app) 1 | viewer 8 | pin 8 | surface 1 | position 3 |
// issued-at s 4 | lifetime min 2 | nonce 10 | request-id length 1 | request id (ASCII).
// Kept at 38 bytes + the request id so that, with the usual request ids (≤ 17 characters), the signed part
// fits one SHA-256 block: issuing costs two compressions.
const VERSION = 1;
const FIXED = 38;
const MAC_BYTES = 16;
const NONCE_AT = 27;
const NONCE_BYTES = 10;
const MAX_REQUEST_ID = 64;
const MAX_POSITION = 0xffffff;
const MAX_U64 = (1n << 64n) - 1n;
const MAX_TOKEN_CHARS = Math.ceil(((FIXED + MAX_REQUEST_ID + MAC_BYTES) * 4) / 3);
const SURFACE_INDEX = new Map<string, number>(SURFACES.map((s, i) => [s, i]));
const DECIMAL = /^\d{1,20}$/;
const ASCII = /^[\x20-\x7e]*$/;
const TOKEN_TEXT = /^[A-Za-z0-9_-]+$/;

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
 * `issue` is on the path of every item of every list, so it draws no randomness per token (a random
 * per-process prefix and a counter make the nonce) and signs with {@link HmacSha256}, about 1–2 µs a token.
 */
export class ImpressionTokens {
  private readonly hmac: HmacSha256;
  private readonly prefix = randomBytes(5);
  private readonly lifetimeMin: number;
  private counter = 0;

  /**
   * @param key the instance secret (`impression-tokens` in instance_secrets), shared by every node
   * @param ttlMs how long a token stays valid after it is issued (default 24 h; whole minutes, ≤ 45 days)
   */
  constructor(key: Buffer, ttlMs = 24 * 3_600_000) {
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
    const app = input.viewerUserId === undefined;
    const viewer = app ? input.viewerAppId : input.viewerUserId;
    if (viewer === undefined) throw new RangeError('issue needs viewerUserId or viewerAppId');
    const surface = SURFACE_INDEX.get(input.surface);
    if (surface === undefined) throw new RangeError(`unknown surface ${input.surface}`);
    const position = input.position;
    if (!Number.isInteger(position) || position < 0 || position > MAX_POSITION)
      throw new RangeError(`position must be an integer 0..${MAX_POSITION}`);
    let requestId = input.requestId;
    if (requestId.length > MAX_REQUEST_ID || !ASCII.test(requestId)) requestId = '';
    const n = requestId.length;
    const buf = Buffer.allocUnsafe(FIXED + n + MAC_BYTES);
    buf[0] = (VERSION << 4) | (app ? 1 : 0);
    buf.writeBigUInt64BE(u64(viewer, 'viewer'), 1);
    buf.writeBigUInt64BE(u64(input.pinId, 'pinId'), 9);
    buf[17] = surface;
    buf.writeUIntBE(position, 18, 3);
    buf.writeUInt32BE(Math.floor(now / 1000), 21);
    buf.writeUInt16BE(this.lifetimeMin, 25);
    this.prefix.copy(buf, NONCE_AT);
    // A 40-bit counter: a process would need 10^12 tokens to wrap it.
    buf.writeUIntBE(++this.counter, NONCE_AT + 5, 5);
    buf[37] = n;
    if (n > 0) buf.write(requestId, FIXED, 'latin1');
    this.hmac.mac(buf, FIXED + n, buf, FIXED + n, MAC_BYTES);
    return buf.toString('base64url');
  }

  /** The claims of a genuine, unexpired token at `now` (epoch ms), or why it is not one. */
  verify(token: string, now = Date.now()): VerifyResult {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS || !TOKEN_TEXT.test(token))
      return { ok: false, reason: 'malformed' };
    const buf = Buffer.from(token, 'base64url');
    if (buf.length < FIXED + MAC_BYTES || buf[0]! >> 4 !== VERSION) return { ok: false, reason: 'malformed' };
    const n = buf[37]!;
    if (n > MAX_REQUEST_ID || buf.length !== FIXED + n + MAC_BYTES) return { ok: false, reason: 'malformed' };
    const expected = this.scratch;
    this.hmac.mac(buf, FIXED + n, expected, 0, MAC_BYTES);
    if (!timingSafeEqual(expected, buf.subarray(FIXED + n))) return { ok: false, reason: 'forged' };
    // Signed by us from here on, so the fields are as issue() wrote them.
    const surface = SURFACES[buf[17]!];
    if (surface === undefined || (buf[0]! & 0x0f) > 1) return { ok: false, reason: 'malformed' };
    const issuedAt = buf.readUInt32BE(21) * 1000;
    const expiresAt = issuedAt + buf.readUInt16BE(25) * 60_000;
    if (expiresAt <= now) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      claims: {
        tokenId: buf.toString('base64url', NONCE_AT, NONCE_AT + NONCE_BYTES),
        viewer: { kind: (buf[0]! & 1) === 1 ? 'app' : 'user', id: buf.readBigUInt64BE(1).toString() },
        pinId: buf.readBigUInt64BE(9).toString(),
        surface,
        position: buf.readUIntBE(18, 3),
        requestId: buf.toString('latin1', FIXED, FIXED + n),
        issuedAt,
        expiresAt,
      },
    };
  }

  private readonly scratch = Buffer.alloc(MAC_BYTES);
}

/**
 * The viewer to issue tokens for, from the caller's principal: the user, or the app for an app-only
 * token. Principal does not say yet whether a token is app-only (client_credentials tokens act for the
 * app's owner); a principal carrying `appOnly: true` is treated as one.
 */
export function viewerOf(principal: Principal): Viewer {
  return (principal as Principal & { appOnly?: boolean }).appOnly === true
    ? { viewerAppId: principal.appId }
    : { viewerUserId: principal.userId };
}
