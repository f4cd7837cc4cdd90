import { describe, expect, it } from 'vitest';
import {
  type AuctionInput,
  type Candidate,
  ecpmOf,
  fnv1a,
  toBillable,
} from '../../src/modules/ads/serving/auction.js';
import { CandidateColumns, runAuction } from '../../src/modules/ads/serving/candidate-columns.js';
import { prng } from '../helpers/prng.js';

const ad = (id: string, over: Partial<Candidate> = {}): Candidate => ({
  adId: id,
  adGroupId: `g${id}`,
  advertiserId: `adv${id}`,
  pinId: `p${id}`,
  billableEvent: 'CLICKTHROUGH',
  bidMicro: 1_000_000,
  floorMicro: 100_000,
  pctr: 0.01,
  relevance: 1,
  ...over,
});

const auction = (candidates: Candidate[], over: Partial<AuctionInput> = {}) =>
  runAuction(
    {
      candidates,
      slots: 1,
      reserveEcpmMicro: 1_000_000,
      minRelevance: 0.2,
      seed: 'req-1',
      ...over,
    },
    { log: true },
  );

/** Whether `a` at `price` would rank above `b` (the auction's order: eCPM, then tie key, then id). */
function ranksAbove(seed: string, a: Candidate, price: number, b: Candidate): boolean {
  const ea = ecpmOf({ ...a, bidMicro: price });
  const eb = ecpmOf(b);
  if (ea !== eb) return ea > eb;
  const ka = fnv1a(`${seed}:${a.adId}`);
  const kb = fnv1a(`${seed}:${b.adId}`);
  return ka !== kb ? ka < kb : a.adId < b.adId;
}

describe('the auction', () => {
  it('ranks by eCPM and charges the winner the least that keeps its rank', () => {
    const a = ad('a', { bidMicro: 1_000_000, pctr: 0.02 }); // eCPM 20,000,000
    const b = ad('b', { bidMicro: 500_000, pctr: 0.03 }); // eCPM 15,000,000
    const c = ad('c', { billableEvent: 'IMPRESSION', bidMicro: 12_000_000 }); // CPM bid: eCPM 12,000,000
    const { winners, scored } = auction([c, b, a], { slots: 2 });
    expect(scored.map((s) => s.candidate.adId)).toEqual(['a', 'b', 'c']);
    expect(winners.map((w) => [w.candidate.adId, w.slot])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    const [wa, wb] = winners;
    // a keeps its rank over b at its price and not one micro less.
    expect(ranksAbove('req-1', a, wa!.priceMicro, b)).toBe(true);
    expect(ranksAbove('req-1', a, wa!.priceMicro - 1, b)).toBe(false);
    expect([750_000, 750_001]).toContain(wa!.priceMicro);
    // b keeps its rank over c (a CPM bid converted to b's per-click unit).
    expect(ranksAbove('req-1', b, wb!.priceMicro, c)).toBe(true);
    expect(ranksAbove('req-1', b, wb!.priceMicro - 1, c)).toBe(false);
    expect([400_000, 400_001]).toContain(wb!.priceMicro);
  });

  it('continues an FNV-1a hash across pieces of text', () => {
    expect(fnv1a('g-123', fnv1a('pace:req-1:'))).toBe(fnv1a('pace:req-1:g-123'));
    expect(fnv1a('')).toBe(0x811c9dc5);
  });

  it('charges a lone bidder the reserve, or its floor when higher, never more than its bid', () => {
    const lone = ad('a', { pctr: 0.01 }); // 10 micro of eCPM per micro of bid
    expect(auction([lone], { reserveEcpmMicro: 5_000_000 }).winners[0]!.priceMicro).toBe(500_000);
    expect(
      auction([ad('a', { floorMicro: 600_000 })], { reserveEcpmMicro: 5_000_000 }).winners[0]!.priceMicro,
    ).toBe(600_000);
    const cpm = ad('m', { billableEvent: 'IMPRESSION', bidMicro: 3_000_000, floorMicro: 2_000_000 });
    expect(auction([cpm], { reserveEcpmMicro: 2_500_000 }).winners[0]!.priceMicro).toBe(2_500_000);
  });

  it('ranks bids in different currencies by their worth, and prices each in its own currency', () => {
    // 150 JPY a click at 0.0067 USD a yen is worth 1.005 USD: less than 1.50 USD, though its number is larger.
    const yen = ad('jpy', { bidMicro: 150_000_000, floorMicro: 10_000_000, rate: 0.0067 });
    const usd = ad('usd', { bidMicro: 1_500_000 });
    const { winners, scored } = auction([yen, usd], { slots: 2 });
    expect(scored.map((x) => x.candidate.adId)).toEqual(['usd', 'jpy']);
    expect(scored[1]!.ecpm).toBeCloseTo(150_000_000 * 0.0067 * 0.01 * 1000, 3);
    const [first, second] = winners;
    // usd keeps its rank over the yen bid's worth (1.005 USD), in USD micro.
    expect([1_005_000, 1_005_001]).toContain(first!.priceMicro);
    expect(ranksAbove('req-1', usd, first!.priceMicro, yen)).toBe(true);
    expect(ranksAbove('req-1', usd, first!.priceMicro - 1, yen)).toBe(false);
    // jpy, alone below, pays the reserve (1 USD CPM) converted to yen per click, or its floor if higher.
    expect(second!.priceMicro).toBe(Math.max(10_000_000, Math.ceil(1_000_000 / (0.0067 * 0.01 * 1000))));
    // A lone CPM bid in yen pays the reserve in yen: 2.5 USD CPM is 373.13... yen, rounded up to the micro.
    const cpm = ad('m', { billableEvent: 'IMPRESSION', bidMicro: 500_000_000, floorMicro: 0, rate: 0.0067 });
    const price = auction([cpm], { reserveEcpmMicro: 2_500_000 }).winners[0]!.priceMicro;
    expect(price).toBe(Math.ceil(2_500_000 / 0.0067));
    expect(ecpmOf({ ...cpm, bidMicro: price })).toBeGreaterThanOrEqual(2_500_000);
    expect(ecpmOf({ ...cpm, bidMicro: price - 1 })).toBeLessThan(2_500_000);
  });

  it('refuses the irrelevant, the under-floor and the under-reserve, and says why', () => {
    const { winners, scored } = auction([
      ad('low', { relevance: 0.1 }),
      ad('floor', { bidMicro: 90_000, floorMicro: 100_000 }),
      ad('cheap', { bidMicro: 99_999, floorMicro: 0 }), // eCPM 999,990 < 1,000,000
      ad('zero', { bidMicro: 0 }),
    ]);
    expect(winners).toEqual([]);
    expect(Object.fromEntries(scored.map((s) => [s.candidate.adId, s.refused]))).toEqual({
      low: 'relevance',
      floor: 'floor',
      cheap: 'reserve',
      zero: 'bid',
    });
  });

  it('lets one advertiser win one slot, and never prices a winner by its own other ads', () => {
    const a1 = ad('a1', { advertiserId: 'A', bidMicro: 3_000_000 });
    const a2 = ad('a2', { advertiserId: 'A', bidMicro: 2_900_000 });
    const b = ad('b', { advertiserId: 'B', bidMicro: 1_000_000 });
    const { winners } = auction([a1, a2, b], { slots: 2 });
    expect(winners.map((w) => w.candidate.adId)).toEqual(['a1', 'b']);
    // a1 pays for beating b (the ad that would rank here without A), not its own a2.
    expect([1_000_000, 1_000_001]).toContain(winners[0]!.priceMicro);
    expect(winners[1]!.priceMicro).toBe(100_000);
    const two = auction([a1, a2, b], { slots: 2, perAdvertiser: 2 });
    expect(two.winners.map((w) => w.candidate.adId)).toEqual(['a1', 'a2']);
  });

  it('looks past a head of one advertiser for the ads that set the prices', () => {
    // Thirty ads of one advertiser outrank everyone: the price of its winner is set by the best other ad.
    const crowd = Array.from({ length: 30 }, (_, i) =>
      ad(`a${String(i).padStart(2, '0')}`, { advertiserId: 'A', bidMicro: 5_000_000 - i }),
    );
    const others = [
      ad('b', { advertiserId: 'B', bidMicro: 2_000_000 }),
      ad('c', { advertiserId: 'C', bidMicro: 1_500_000 }),
    ];
    const { winners } = auction([...crowd, ...others], { slots: 2 });
    expect(winners.map((w) => w.candidate.adId)).toEqual(['a00', 'b']);
    expect([2_000_000, 2_000_001]).toContain(winners[0]!.priceMicro);
    expect([1_500_000, 1_500_001]).toContain(winners[1]!.priceMicro);
  });

  it('breaks ties the same way for the same auction, and not always for the same ad', () => {
    const tied = ['x', 'y', 'z'].map((id) => ad(id));
    const first = auction(tied, { seed: 'r' }).winners[0]!.candidate.adId;
    expect(auction([...tied].reverse(), { seed: 'r' }).winners[0]!.candidate.adId).toBe(first);
    const won = new Set(
      Array.from({ length: 60 }, (_, i) => auction(tied, { seed: `r${i}` }).winners[0]!.candidate.adId),
    );
    expect(won).toEqual(new Set(['x', 'y', 'z']));
    // A tie won is kept at equal eCPM: the winner pays its own bid, the same as the others'.
    expect(auction(tied, { seed: 'r' }).winners[0]!.priceMicro).toBe(1_000_000);
  });

  it('holds its properties over random auctions', () => {
    const rand = prng(7);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    for (let round = 0; round < 400; round++) {
      const n = int(1, 25);
      const candidates = Array.from({ length: n }, (_, i) =>
        ad(`ad${i}`, {
          advertiserId: `adv${int(0, Math.max(1, Math.floor(n / 2)))}`,
          billableEvent: rand() < 0.3 ? 'IMPRESSION' : 'CLICKTHROUGH',
          bidMicro: int(1, 40) * 100_000 + int(0, 99_999),
          floorMicro: int(0, 4) * 50_000,
          pctr: 0.001 + rand() * 0.05,
          relevance: rand(),
          // Some in other currencies: the properties hold in each ad's own.
          ...(rand() < 0.3 ? { rate: [0.0067, 1.08, 0.64][int(0, 2)]! } : {}),
        }),
      );
      const input = {
        slots: int(1, 5),
        reserveEcpmMicro: int(0, 8) * 500_000,
        minRelevance: 0.1,
        seed: `s${round}`,
      };
      const { winners } = runAuction({ candidates, ...input });
      // The log ranks the same way the winners were chosen, whether it is asked for or not.
      const logged = runAuction({ candidates, ...input }, { log: true });
      expect(logged.winners).toEqual(winners);
      const eligible = logged.scored.filter((s) => !s.refused);
      expect(winners.every((w) => eligible.some((s) => s.candidate === w.candidate))).toBe(true);
      for (const w of winners) {
        const c = w.candidate;
        expect(w.priceMicro).toBeLessThanOrEqual(c.bidMicro);
        expect(w.priceMicro).toBeGreaterThanOrEqual(c.floorMicro);
        expect(w.priceMicro).toBeGreaterThanOrEqual(toBillable(c, input.reserveEcpmMicro, false));
        expect(Number.isInteger(w.priceMicro)).toBe(true);
      }
      for (let i = 1; i < winners.length; i++)
        expect(winners[i - 1]!.ecpm).toBeGreaterThanOrEqual(winners[i]!.ecpm);
      // Raising any one bid never lowers that ad's rank, nor raises its price for the same slot.
      const target = candidates[int(0, n - 1)]!;
      const before = winners.find((w) => w.candidate.adId === target.adId);
      const raised = candidates.map((c) =>
        c === target ? { ...c, bidMicro: c.bidMicro + int(1, 2_000_000) } : c,
      );
      const after = runAuction({ candidates: raised, ...input }).winners.find(
        (w) => w.candidate.adId === target.adId,
      );
      if (before) {
        expect(after).toBeDefined();
        expect(after!.slot).toBeLessThanOrEqual(before.slot);
        if (after!.slot === before.slot) expect(after!.priceMicro).toBeLessThanOrEqual(before.priceMicro);
      }
    }
  });
});

describe('toBillable', () => {
  it('answers the least whole micro-amount reaching (or passing) an eCPM', () => {
    const c = ad('a', { pctr: 0.013 }); // 13 micro of eCPM per micro
    expect(toBillable(c, 1_300_000, false)).toBe(100_000);
    expect(toBillable(c, 1_300_000, true)).toBe(100_001);
    expect(toBillable(c, 1_300_001, false)).toBe(100_001);
    expect(toBillable(ad('m', { billableEvent: 'IMPRESSION' }), 2_000_000, true)).toBe(2_000_001);
    expect(toBillable(c, 0, false)).toBe(0);
  });
});

describe('candidate columns', () => {
  /** A random auction: candidates with many equal eCPMs (coarse bids and rates) and shared advertisers. */
  function randomAuction(rand: () => number, round: number) {
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    const n = int(0, round % 10 === 0 ? 120 : 30);
    const coarse = rand() < 0.5;
    const candidates = Array.from({ length: n }, (_, i) =>
      ad(`ad${i}`, {
        advertiserId: `adv${int(0, Math.max(1, Math.floor(n / 3)))}`,
        billableEvent: rand() < 0.3 ? 'IMPRESSION' : 'CLICKTHROUGH',
        bidMicro: coarse ? int(1, 5) * 100_000 : int(0, 40) * 100_000 + int(0, 99_999),
        floorMicro: int(0, 4) * 50_000,
        pctr: coarse ? [0.005, 0.01, 0.02][int(0, 2)]! : 0.001 + rand() * 0.05,
        relevance: rand(),
      }),
    );
    const rules = {
      slots: int(0, 5),
      reserveEcpmMicro: int(0, 8) * 500_000,
      minRelevance: 0.1,
      perAdvertiser: rand() < 0.5 ? undefined : int(1, 3),
      seed: `s${round}`,
    };
    return { candidates, rules };
  }

  it('give the results of candidate objects when filled field by field, and again once refilled', () => {
    const rand = prng(11);
    const columns = new CandidateColumns();
    for (let round = 0; round < 300; round++) {
      const { candidates, rules } = randomAuction(rand, round);
      const expected = runAuction({ candidates, ...rules }, { log: true });
      columns.clear();
      for (const c of candidates) columns.add(c, c.bidMicro, c.floorMicro, c.pctr, c.relevance);
      expect(columns.length).toBe(candidates.length);
      const got = columns.run(rules, { log: true });
      // The same winners, prices and log, with candidate objects made from the columns.
      expect(got).toEqual(expected);
      // A winner and its log entry are one object.
      expect(got.winners.every((w) => got.scored.some((s) => s.candidate === w.candidate))).toBe(true);
      expect(columns.run(rules).winners).toEqual(expected.winners);
    }
  });

  it('answer the same whatever order the candidates come in', () => {
    const rand = prng(13);
    for (let round = 0; round < 300; round++) {
      const { candidates, rules } = randomAuction(rand, round);
      const { winners } = runAuction({ candidates, ...rules });
      const shuffled = [...candidates];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const again = runAuction({ candidates: shuffled, ...rules }).winners;
      expect(again.map((w) => [w.candidate, w.slot, w.ecpm, w.priceMicro])).toEqual(
        winners.map((w) => [w.candidate, w.slot, w.ecpm, w.priceMicro]),
      );
    }
  });

  it('price a head of one advertiser by the best other ad, wherever it comes in the input', () => {
    // More ads of one advertiser than the head holds, then the ad that sets the price: first, last, amid.
    const crowd = Array.from({ length: 40 }, (_, i) =>
      ad(`a${String(i).padStart(2, '0')}`, { advertiserId: 'A', bidMicro: 5_000_000 - i }),
    );
    const b = ad('b', { advertiserId: 'B', bidMicro: 2_000_000 });
    for (const at of [0, 20, 40]) {
      const candidates = [...crowd.slice(0, at), b, ...crowd.slice(at)];
      const { winners } = runAuction({
        candidates,
        slots: 1,
        reserveEcpmMicro: 1_000_000,
        minRelevance: 0.2,
        seed: 'r',
      });
      expect(winners.map((w) => w.candidate.adId)).toEqual(['a00']);
      expect([2_000_000, 2_000_001]).toContain(winners[0]!.priceMicro);
    }
  });
});
