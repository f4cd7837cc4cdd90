import { describe, expect, it } from 'vitest';
import type { CandidateRow } from '../../src/modules/related/related.repository.js';
import {
  DHASH_MAX_DISTANCE,
  dhashDistance,
  distinct,
  diversityCap,
  paginate,
} from '../../src/modules/related/select.js';

/** images.dhash as stored: the 64 bits as a signed bigint, in decimal. */
const hash = (bits: bigint) => BigInt.asIntN(64, bits).toString();

let n = 0;
function row(over: Partial<CandidateRow> = {}): CandidateRow {
  n++;
  return {
    id: String(n),
    board_id: `b${n}`,
    owner_id: `u${n}`,
    privacy: 'PUBLIC',
    canonical_id: String(n),
    dhash: hash(BigInt(n) * 0x9e3779b97f4a7c15n),
    dominant_color: null,
    ...over,
  };
}

describe('dHash distance', () => {
  it('counts differing bits of signed 64-bit values', () => {
    expect(dhashDistance(hash(0n), hash(0n))).toBe(0);
    expect(dhashDistance(hash(0xffff_ffff_ffff_ffffn), hash(0n))).toBe(64);
    expect(dhashDistance(hash(0x8000_0000_0000_0001n), hash(1n))).toBe(1);
    expect(dhashDistance('-1', '0')).toBe(64);
  });
});

describe('distinct', () => {
  it('drops secret pins, the query chain, repeated chains and near duplicates (<= 6 bits) in rank order', () => {
    const base = 0x0f0f_0f0f_0f0f_0f0fn;
    const query = { canonicalId: '100', dhash: hash(base), color: null };
    const near = row({ dhash: hash(base ^ 0b111111n) }); // 6 bits from the query
    const far = row({ dhash: hash(base ^ 0b1111111n) }); // 7 bits: a different picture
    const farTwin = row({ dhash: hash(base ^ 0b1111111n ^ (1n << 40n)) }); // 1 bit from `far`
    const secret = row({ privacy: 'SECRET' });
    const chain = row({ canonical_id: '100' });
    const other = row();
    const sameChain = row({ canonical_id: other.canonical_id });
    const pending = row({ dhash: null });
    const rows = new Map(
      [near, far, farTwin, secret, chain, other, sameChain, pending].map((r) => [r.id, r]),
    );
    const kept = distinct([...rows.keys(), 'gone'], rows, query).map((r) => r.id);
    expect(DHASH_MAX_DISTANCE).toBe(6);
    expect(kept).toEqual([far.id, other.id, pending.id]);
  });
});

describe('distinct with flat pictures', () => {
  it('keeps different flat pictures (their dHashes are all 0) unless their dominant colours match too', () => {
    const query = { canonicalId: '100', dhash: hash(0n), color: '#CC2200' };
    const sameRed = row({ dhash: hash(0n), dominant_color: '#CA2304' }); // the query, re-encoded
    const blue = row({ dhash: hash(0n), dominant_color: '#0033CC' });
    const green = row({ dhash: hash(0b101n), dominant_color: '#22AA33' }); // 2 bits: still low information
    const blueTwin = row({ dhash: hash(0b1n), dominant_color: '#0436C8' }); // the blue picture again
    const darkening = row({ dhash: hash(-1n), dominant_color: '#CC2200' }); // 64 bits away from 0
    const darkeningBlue = row({ dhash: hash(~0b11n), dominant_color: '#0033CC' });
    const unknown = row({ dhash: hash(0n), dominant_color: null }); // no colour: never a duplicate
    const rows = new Map(
      [sameRed, blue, green, blueTwin, darkening, darkeningBlue, unknown].map((r) => [r.id, r]),
    );
    const kept = distinct([...rows.keys()], rows, query).map((r) => r.id);
    expect(kept).toEqual([blue.id, green.id, darkening.id, darkeningBlue.id, unknown.id]);
  });

  it('still drops near duplicates of pictures with structure whatever their colours', () => {
    const base = 0x0f0f_0f0f_0f0f_0f0fn;
    const query = { canonicalId: '100', dhash: hash(base), color: '#112233' };
    const recoloured = row({ dhash: hash(base ^ 0b11n), dominant_color: '#FFEEDD' });
    const rows = new Map([[recoloured.id, recoloured]]);
    expect(distinct([recoloured.id], rows, query)).toEqual([]);
  });
});

describe('paginate', () => {
  it('caps pins per board and per creator on each page, moving the rest to later pages', () => {
    expect(diversityCap(25)).toBe(5);
    expect(diversityCap(4)).toBe(2);
    const sameBoard = Array.from({ length: 7 }, () => row({ board_id: 'B', owner_id: 'alice' }));
    const others = Array.from({ length: 2 }, () => row());
    const sameCreator = row({ owner_id: 'alice' });
    const pages = paginate([...sameBoard, sameCreator, ...others], 4);
    const ids = pages.map((p) => p.map((r) => r.id));
    // Best first, two of board B (and of alice) a page; the rest wait. Then board B alone is left: a
    // page of its two, and no more (it could never fill a page).
    expect(ids).toEqual([
      [sameBoard[0]!.id, sameBoard[1]!.id, others[0]!.id, others[1]!.id],
      [sameBoard[2]!.id, sameBoard[3]!.id],
    ]);
    const flat = ids.flat();
    expect(new Set(flat).size).toBe(flat.length);
    expect(flat).not.toContain(sameCreator.id);
  });
});
