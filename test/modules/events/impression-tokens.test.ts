import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { budgetReservations } from '../../../src/modules/ads/serving/budget-keys.js';
import { HmacSha256 } from '../../../src/modules/events/hmac-sha256.js';
import { CHUNK } from '../../../src/modules/events/impression-tokens.js';
import { ImpressionTokens } from '../../../src/modules/events/index.js';
import { reservationId } from '../../../src/platform/spend/spend-store.js';

const key = randomBytes(32);
const tokens = new ImpressionTokens(key, 24 * 3_600_000);
const input = {
  viewerUserId: '1234567890123',
  pinId: '9223372036854775807',
  surface: 'RELATED' as const,
  position: 17,
  requestId: 'a1b2c3d4e5f6-1z',
};

describe('HmacSha256', () => {
  it('equals node:crypto HMAC-SHA256 for every message length up to 200 and long keys', () => {
    for (const k of [key, randomBytes(64), randomBytes(100), randomBytes(16)]) {
      const h = new HmacSha256(k);
      for (let len = 0; len <= 200; len++) {
        const data = randomBytes(len);
        const out = Buffer.alloc(32);
        h.mac(data, len, out, 0, 32);
        expect(out.toString('hex')).toBe(createHmac('sha256', k).update(data).digest('hex'));
      }
    }
  });
});

describe('ImpressionTokens', () => {
  it('round-trips its claims, URL-safe, with a unique token id', () => {
    const now = Date.UTC(2025, 0, 2, 3, 4, 5);
    const t = tokens.issue(input, now);
    expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
    const r = tokens.verify(t, now + 1000);
    expect(r).toEqual({
      ok: true,
      claims: {
        tokenId: expect.stringMatching(/^[A-Za-z0-9_-]{14}$/),
        viewer: { kind: 'user', id: input.viewerUserId },
        pinId: input.pinId,
        surface: 'RELATED',
        position: 17,
        requestId: input.requestId,
        issuedAt: now - 5000 + 5000,
        expiresAt: now + 24 * 3_600_000,
      },
    });
    const ids = new Set(
      Array.from(
        { length: 1000 },
        () =>
          (tokens.verify(tokens.issue(input, now), now) as { claims: { tokenId: string } }).claims.tokenId,
      ),
    );
    expect(ids.size).toBe(1000);
    const app = tokens.verify(
      tokens.issue({ ...input, viewerUserId: undefined, viewerAppId: '77' }, now),
      now,
    );
    expect(app).toMatchObject({ ok: true, claims: { viewer: { kind: 'app', id: '77' } } });
  });

  it('says expired once its TTL has passed', () => {
    const now = Date.now();
    const t = tokens.issue(input, now);
    expect(tokens.verify(t, now + 24 * 3_600_000 - 2000).ok).toBe(true);
    expect(tokens.verify(t, now + 24 * 3_600_000 + 1000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('says forged for any changed byte, another key, or a signature moved to other claims', () => {
    const now = Date.now();
    const t = tokens.issue(input, now);
    const raw = Buffer.from(t, 'base64url');
    for (let i = 0; i < raw.length; i++) {
      const copy = Buffer.from(raw);
      copy[i] = copy[i]! ^ 0x01;
      const r = tokens.verify(copy.toString('base64url'), now);
      expect(r.ok, `byte ${i}`).toBe(false);
      expect(['forged', 'malformed']).toContain((r as { reason: string }).reason);
    }
    expect(tokens.verify(new ImpressionTokens(randomBytes(32)).issue(input, now), now)).toEqual({
      ok: false,
      reason: 'forged',
    });
    const other = Buffer.from(tokens.issue({ ...input, pinId: '5' }, now), 'base64url');
    raw.subarray(raw.length - 16).copy(other, other.length - 16);
    expect(tokens.verify(other.toString('base64url'), now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('says malformed for text that is no token', () => {
    for (const bad of ['', 'abc', '!!!!', 'x'.repeat(1000), Buffer.alloc(60).toString('base64url')])
      expect(tokens.verify(bad)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('signs a list in chunks: each item its own pin, position and token id; the index picks within a chunk', () => {
    const pinIds = Array.from({ length: 19 }, (_, i) => String(1000 + i));
    const list = tokens.issueList({
      viewerUserId: input.viewerUserId,
      pinIds,
      surface: 'BOARD',
      firstPosition: 25,
      requestId: 'req-7',
    });
    expect(list).toHaveLength(19);
    // Chunks of CHUNK items share their signed text; each item adds its index.
    expect(new Set(list.map((t) => t.split('.')[0])).size).toBe(Math.ceil(19 / CHUNK));
    const claims = list.map((t) => {
      const v = tokens.verify(t);
      if (!v.ok) throw new Error(v.reason);
      return v.claims;
    });
    expect(claims.map((c) => c.pinId)).toEqual(pinIds);
    expect(claims.map((c) => c.position)).toEqual(pinIds.map((_, i) => 25 + i));
    expect(new Set(claims.map((c) => c.tokenId)).size).toBe(19);
    expect(claims.every((c) => c.surface === 'BOARD' && c.requestId === 'req-7')).toBe(true);
    // Another index of the same chunk names another item that was served (so it needs no signature of its
    // own); an index past the chunk, or none on a chunk of several, is no token.
    const [text] = list[0]!.split('.');
    expect(tokens.verify(`${text}.${CHUNK}`)).toEqual({ ok: false, reason: 'malformed' });
    expect(tokens.verify(text!)).toEqual({ ok: false, reason: 'malformed' });
    expect(tokens.verify(`${text}.3`)).toMatchObject({ ok: true, claims: { pinId: '1003', position: 28 } });
    // The last chunk holds the remainder.
    const last = tokens.verify(list[18]!);
    expect(last).toMatchObject({ ok: true, claims: { pinId: '1018', position: 43 } });
  });

  it('carries every 64-bit id exactly, and refuses ids that are not decimal or do not fit', () => {
    // Short ids are written from numbers, long ones through BigInt: both sides of the switch, and the
    // 32-bit halves.
    const ids = [
      '0',
      '1',
      '4294967295',
      '4294967296',
      '999999999999999',
      '1000000000000000',
      '9007199254740993',
      '18446744073709551615',
    ];
    const list = tokens.issueList({
      viewerUserId: '999999999999999',
      pinIds: ids,
      surface: 'BOARD',
      firstPosition: 0,
      requestId: 'r',
    });
    expect(list.map((t) => (tokens.verify(t) as { claims: { pinId: string } }).claims.pinId)).toEqual(ids);
    const viewer = tokens.verify(tokens.issue({ ...input, viewerUserId: '18446744073709551615' }));
    expect(viewer).toMatchObject({
      ok: true,
      claims: { viewer: { kind: 'user', id: '18446744073709551615' } },
    });
    for (const bad of ['', '12a', '-1', '1.5', '18446744073709551616', '1e5']) {
      expect(() => tokens.issueList({ ...input, pinIds: [bad], firstPosition: 0 })).toThrow(RangeError);
    }
  });
});

describe('ImpressionTokens: promoted items', () => {
  const ad = {
    adId: '687194767360123',
    chargeMicro: 2_500_001,
    holdMicro: 50_001,
    billableEvent: 'CLICKTHROUGH' as const,
    reservationId: 'AbCdEfGhIjKlMnOp.WyJhZzoxOmQ6MjAyNi0xMi0wMyJd',
  };

  it('carries the auction outcome, signed with the rest', () => {
    const now = Date.UTC(2026, 11, 3, 10, 0, 0);
    const t = tokens.issuePromoted({ ...input, ad }, now);
    expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
    const r = tokens.verify(t, now);
    expect(r.ok && r.claims.ad).toEqual(ad);
    expect(r.ok && r.claims.pinId).toBe(input.pinId);
    expect(r.ok && r.claims.position).toBe(17);
    // Organic tokens say nothing of ads.
    const organic = tokens.verify(tokens.issue(input, now), now);
    expect(organic.ok && organic.claims.ad).toBeUndefined();
    for (const billableEvent of ['IMPRESSION', 'CLICKTHROUGH'] as const) {
      const edge = {
        ...ad,
        billableEvent,
        chargeMicro: 2 ** 48 - 1,
        holdMicro: 2 ** 48 - 1,
        reservationId: 'x'.repeat(255),
      };
      const v = tokens.verify(tokens.issuePromoted({ ...input, ad: edge }, now), now);
      expect(v.ok && v.claims.ad).toEqual(edge);
    }
  });

  it('still reads a promoted token of version 2 (no hold): the hold is the charge', () => {
    const now = Date.UTC(2026, 11, 3, 10, 0, 0);
    const v3 = Buffer.from(tokens.issuePromoted({ ...input, ad }, now), 'base64url');
    const adAt = 31 + input.requestId.length + 8;
    // Version 2's ad section: ad 8 | charge 6 | event 1 | reservation length 1 | reservation.
    const signed = Buffer.concat([v3.subarray(0, adAt + 14), v3.subarray(adAt + 20, v3.length - 16)]);
    signed[0] = (2 << 4) | (signed[0]! & 0x0f);
    const mac = createHmac('sha256', key).update(signed).digest().subarray(0, 16);
    const v2 = Buffer.concat([signed, mac]).toString('base64url');
    const r = tokens.verify(v2, now);
    expect(r.ok && r.claims.ad).toEqual({ ...ad, holdMicro: ad.chargeMicro });
    // Versions other than 2 to 5 are not tokens.
    const v6 = Buffer.from(signed);
    v6[0] = (6 << 4) | (v6[0]! & 0x0f);
    expect(tokens.verify(Buffer.concat([v6, mac]).toString('base64url'), now)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('refuses a changed charge, hold, ad or reservation, and a truncated or padded ad section', () => {
    const now = Date.UTC(2026, 11, 3, 10, 0, 0);
    const t = tokens.issuePromoted({ ...input, ad }, now);
    const buf = Buffer.from(t, 'base64url');
    const adAt = 31 + input.requestId.length + 8;
    for (const at of [adAt + 3, adAt + 12, adAt + 16, adAt + 20, adAt + 26]) {
      const b = Buffer.from(buf);
      b[at] = b[at]! ^ 1;
      expect(tokens.verify(b.toString('base64url'), now)).toEqual({ ok: false, reason: 'forged' });
    }
    // Lengths that do not add up are malformed before any MAC is computed.
    const short = Buffer.from(buf);
    short[adAt + 21] = short[adAt + 21]! + 1;
    expect(tokens.verify(short.toString('base64url'), now)).toEqual({ ok: false, reason: 'malformed' });
    expect(tokens.verify(buf.subarray(0, adAt + 10).toString('base64url'), now)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    // The promoted flag on a token issued without an ad section: malformed or forged, never an ad.
    const organic = Buffer.from(tokens.issue(input, now), 'base64url');
    organic[0] = organic[0]! | 2;
    expect(tokens.verify(organic.toString('base64url'), now).ok).toBe(false);
  });

  it('carries a budget block id packed (version 4), read back as its text; other ids as text (version 3)', () => {
    const now = Date.UTC(2026, 11, 4, 10, 0, 0);
    const packing = new ImpressionTokens(key, 24 * 3_600_000, budgetReservations);
    const block = reservationId(['ag:70918499995794:d:2026-12-04', 'c:70849780518938:d:2026-12-04']).id;
    const withBlock = { ...input, ad: { ...ad, reservationId: block } };
    const packed = packing.issuePromoted(withBlock, now);
    const text = tokens.issuePromoted(withBlock, now);
    expect(Buffer.from(packed, 'base64url')[0]! >> 4).toBe(4);
    expect(Buffer.from(text, 'base64url')[0]! >> 4).toBe(3);
    expect(text.length - packed.length).toBeGreaterThanOrEqual(90);
    const read = packing.verify(packed, now);
    expect(read.ok && read.claims.ad).toEqual(withBlock.ad);
    expect(read.ok && read.claims.pinId).toBe(input.pinId);
    // A node that packs reads the text of a token issued without packing, as before.
    const old = packing.verify(text, now);
    expect(old.ok && old.claims.ad).toEqual(withBlock.ad);
    // A node that cannot unpack refuses a packed token: it never bills a reservation it misread.
    expect(tokens.verify(packed, now)).toEqual({ ok: false, reason: 'malformed' });
    // An id the packer does not take is written as text; again and again for the same id.
    const foreign = { ...ad, reservationId: 'another-store:r-1' };
    for (let i = 0; i < 2; i++) {
      const other = packing.issuePromoted({ ...input, ad: foreign }, now);
      expect(Buffer.from(other, 'base64url')[0]! >> 4).toBe(3);
      const r = packing.verify(other, now);
      expect(r.ok && r.claims.ad).toEqual(foreign);
    }
    // Changed bytes of the packed reservation are forged, as anywhere else.
    const buf = Buffer.from(packed, 'base64url');
    const at = 31 + input.requestId.length + 8 + 22 + 13;
    buf[at] = buf[at]! ^ 1;
    expect(packing.verify(buf.toString('base64url'), now)).toEqual({ ok: false, reason: 'forged' });
    // Version 4 is for promoted items only.
    const organic = Buffer.from(packing.issue(input, now), 'base64url');
    organic[0] = (4 << 4) | (organic[0]! & 0x0f);
    expect(packing.verify(organic.toString('base64url'), now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses to issue what it cannot carry', () => {
    expect(() => tokens.issuePromoted({ ...input, ad: { ...ad, chargeMicro: 2 ** 48 } })).toThrow(RangeError);
    expect(() => tokens.issuePromoted({ ...input, ad: { ...ad, chargeMicro: 1.5 } })).toThrow(RangeError);
    expect(() => tokens.issuePromoted({ ...input, ad: { ...ad, holdMicro: -1 } })).toThrow(RangeError);
    expect(() => tokens.issuePromoted({ ...input, ad: { ...ad, reservationId: 'x'.repeat(256) } })).toThrow(
      RangeError,
    );
    expect(() => tokens.issuePromoted({ ...input, ad: { ...ad, reservationId: 'é' } })).toThrow(RangeError);
  });
});

describe("ImpressionTokens: a page's promoted items signed together", () => {
  const now = Date.UTC(2026, 11, 4, 10, 0, 0);
  const packing = new ImpressionTokens(key, 24 * 3_600_000, budgetReservations);
  const block = reservationId(['ag:70918499995794:d:2026-12-04', 'c:70849780518938:d:2026-12-04']).id;
  const claim = (i: number, reservation = block) => ({
    pinId: String(9_000_000_000_000 + i),
    position: 3 + 6 * i,
    ad: {
      adId: String(687_194_767_360_000 + i),
      chargeMicro: 100_000 * (i + 1) + 1,
      holdMicro: 50_000 * (i + 1),
      billableEvent: i % 2 === 0 ? ('CLICKTHROUGH' as const) : ('IMPRESSION' as const),
      reservationId: reservation,
    },
  });
  const adOf = (r: ReturnType<ImpressionTokens['verify']>) => (r.ok ? r.claims.ad : undefined);
  const page = (items: ReturnType<typeof claim>[]) => ({
    viewerUserId: input.viewerUserId,
    surface: 'HOME_FEED' as const,
    requestId: input.requestId,
    items,
  });

  it('gives each item its own claims (pin, position, ad) under one MAC (version 5)', () => {
    const items = [claim(0), claim(1, 'another-store:r-1'), claim(2)];
    const issued = packing.issuePromotedPage(page(items), now);
    expect(issued).toHaveLength(3);
    const base = issued[0]!.split('.')[0]!;
    expect(issued).toEqual([`${base}.0`, `${base}.1`, `${base}.2`]);
    expect(Buffer.from(base, 'base64url')[0]! >> 4).toBe(5);
    const ids = new Set<string>();
    issued.forEach((t, i) => {
      expect(t.length).toBeLessThanOrEqual(512);
      const r = packing.verify(t, now);
      expect(r).toEqual({
        ok: true,
        claims: {
          tokenId: expect.stringMatching(new RegExp(`^[A-Za-z0-9_-]{14}\\.${i}$`)),
          viewer: { kind: 'user', id: input.viewerUserId },
          pinId: items[i]!.pinId,
          surface: 'HOME_FEED',
          position: items[i]!.position,
          requestId: input.requestId,
          issuedAt: now,
          expiresAt: now + 24 * 3_600_000,
          ad: items[i]!.ad,
        },
      });
      if (r.ok) ids.add(r.claims.tokenId);
    });
    expect(ids.size).toBe(3);
    // A node without the packer reads the item written as text and refuses the packed ones.
    expect(adOf(tokens.verify(issued[1]!, now))).toEqual(items[1]!.ad);
    expect(tokens.verify(issued[0]!, now)).toEqual({ ok: false, reason: 'malformed' });
    // One item alone: no index, as a list chunk of one.
    const [alone] = packing.issuePromotedPage(page([claim(4)]), now);
    expect(alone).toMatch(/^[A-Za-z0-9_-]+$/);
    const one = packing.verify(alone!, now);
    expect(one.ok && one.claims.ad).toEqual(claim(4).ad);
    expect(one.ok && one.claims.position).toBe(claim(4).position);
    expect(packing.verify(`${alone}.0`, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(packing.issuePromotedPage(page([]), now)).toEqual([]);
  });

  it('splits a page into chunks of at most four items and 512 characters a token', () => {
    const five = [0, 1, 2, 3, 4].map((i) => claim(i));
    const issued = packing.issuePromotedPage(page(five), now);
    expect(issued.map((t) => t.split('.')[1])).toEqual(['0', '1', '2', '3', undefined]);
    // Four packed items with the longest request id kept: still within 512 characters.
    const longest64 = packing.issuePromotedPage(
      { ...page(five.slice(0, 4)), requestId: 'r'.repeat(64) },
      now,
    );
    expect(new Set(longest64.map((t) => t.split('.')[0])).size).toBe(1);
    for (const [i, t] of longest64.entries()) {
      expect(t.length).toBeLessThanOrEqual(512);
      expect(adOf(packing.verify(t, now))).toEqual(five[i]!.ad);
    }
    // Long reservations written as text: two a chunk, every token readable by POST /v5/events.
    const long = [0, 1, 2].map((i) => claim(i, `r${i}-`.padEnd(100, 'x')));
    const split = tokens.issuePromotedPage(page(long), now);
    expect(split.map((t) => t.split('.')[1])).toEqual(['0', '1', undefined]);
    for (const [i, t] of split.entries()) {
      expect(t.length).toBeLessThanOrEqual(512);
      const r = tokens.verify(t, now);
      expect(r.ok && r.claims.ad).toEqual(long[i]!.ad);
    }
    // An item too long to share a chunk still gets its token, alone.
    const longest = [claim(0, 'x'.repeat(255)), claim(1)];
    const apart = tokens.issuePromotedPage(page(longest), now);
    expect(apart.map((t) => t.includes('.'))).toEqual([false, false]);
    expect(adOf(tokens.verify(apart[0]!, now))).toEqual(longest[0]!.ad);
  });

  it('refuses a changed byte of any item, an index past the items, and lengths that do not add up', () => {
    const items = [claim(0), claim(1, 'another-store:r-1'), claim(2)];
    const issued = packing.issuePromotedPage(page(items), now);
    const [base] = issued[0]!.split('.');
    const buf = Buffer.from(base!, 'base64url');
    const first = 31 + input.requestId.length;
    for (let at = first; at < buf.length - 16; at += 7) {
      const b = Buffer.from(buf);
      b[at] = b[at]! ^ 1;
      const r = packing.verify(`${b.toString('base64url')}.1`, now);
      expect(r.ok).toBe(false);
    }
    for (const at of [first + 2, first + 9, first + 14, first + 22, first + 28]) {
      const b = Buffer.from(buf);
      b[at] = b[at]! ^ 1;
      expect(packing.verify(`${b.toString('base64url')}.0`, now)).toEqual({ ok: false, reason: 'forged' });
    }
    expect(packing.verify(`${base}.3`, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(packing.verify(base!, now)).toEqual({ ok: false, reason: 'malformed' });
    // An item's reservation length changed: the items no longer end where the MAC begins.
    const longer = Buffer.from(buf);
    longer[first + 32] = longer[first + 32]! + 1;
    expect(packing.verify(`${longer.toString('base64url')}.0`, now)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    // Without the promoted flag, or with flags no issuer writes: malformed before any MAC.
    const plain = Buffer.from(buf);
    plain[0] = plain[0]! & ~2;
    expect(packing.verify(`${plain.toString('base64url')}.0`, now)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    const flags = Buffer.from(buf);
    flags[first + 31] = 4;
    expect(packing.verify(`${flags.toString('base64url')}.0`, now)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(packing.verify(`${base}.0`, now + 25 * 3_600_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses to issue what it cannot carry', () => {
    const bad =
      (change: Partial<ReturnType<typeof claim>['ad']>, position = 3) =>
      () =>
        packing.issuePromotedPage(
          page([claim(0), { ...claim(1), position, ad: { ...claim(1).ad, ...change } }]),
          now,
        );
    expect(bad({ chargeMicro: 2 ** 48 })).toThrow(RangeError);
    expect(bad({ holdMicro: 0.5 })).toThrow(RangeError);
    expect(bad({ reservationId: 'é' })).toThrow(RangeError);
    expect(bad({}, 2 ** 24)).toThrow(RangeError);
    expect(bad({}, -1)).toThrow(RangeError);
    expect(bad({ adId: 'ad-1' })).toThrow(RangeError);
  });
});
