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
    const query = { canonicalId: '100', dhash: hash(base) };
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
