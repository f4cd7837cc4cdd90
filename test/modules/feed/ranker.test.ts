import { describe, expect, it } from 'vitest';
import { decodeSession, encodeSession } from '../../../src/modules/feed/feed-store.js';
import { distinctive, topicMatch } from '../../../src/modules/feed/interests.js';
import { type Candidate, keepsSpread, rank, type SourceName } from '../../../src/modules/feed/ranker.js';

const c = (pinId: string, boardId: string, ownerId: string, extra: Partial<Candidate> = {}): Candidate => ({
  pinId,
  boardId,
  ownerId,
  canonical: pinId,
  reason: 'FOLLOWING',
  ...extra,
});

const none: Record<SourceName, Candidate[]> = { following: [], related: [], popular: [] };
const opts = {
  shares: { following: 50, related: 30, popular: 20 },
  diversity: { max: 2, window: 10 },
  exclude: new Set<string>(),
  limit: 100,
};

describe('rank', () => {
  it('blends the sources by their shares', () => {
    const following = Array.from({ length: 100 }, (_, i) => c(`f${i}`, `fb${i}`, `fo${i}`));
    const related = Array.from({ length: 100 }, (_, i) =>
      c(`r${i}`, `rb${i}`, `ro${i}`, { reason: 'RELATED_TO_SAVE' }),
    );
    const popular = Array.from({ length: 100 }, (_, i) =>
      c(`p${i}`, `pb${i}`, `po${i}`, { reason: 'POPULAR' }),
    );
    const out = rank({ following, related, popular }, { ...opts, limit: 20 });
    const count = (r: string) => out.filter((x) => x.reason === r).length;
    expect([count('FOLLOWING'), count('RELATED_TO_SAVE'), count('POPULAR')]).toEqual([10, 6, 4]);
    // Each source keeps its own order.
    expect(out.filter((x) => x.reason === 'FOLLOWING').map((x) => x.pinId)).toEqual(
      following.slice(0, 10).map((x) => x.pinId),
    );
    // A share of 0 only fills in once the others run dry.
    const noPopular = rank(
      { following: following.slice(0, 3), related: [], popular },
      { ...opts, shares: { following: 1, related: 1, popular: 0 }, limit: 5 },
    );
    expect(noPopular.map((x) => x.pinId)).toEqual(['f0', 'f1', 'f2', 'p0', 'p1']);
  });

  it('keeps at most k of one board and of one creator in any w items while others are left', () => {
    const sameBoard = Array.from({ length: 10 }, (_, i) => c(`a${i}`, 'board-a', 'owner-a'));
    const sameOwner = Array.from({ length: 10 }, (_, i) => c(`b${i}`, `board-b${i}`, 'owner-b'));
    const varied = Array.from({ length: 30 }, (_, i) =>
      c(`v${i}`, `vb${i}`, `vo${i}`, { reason: 'POPULAR' }),
    );
    const out = rank(
      { ...none, following: [...sameBoard, ...sameOwner], popular: varied },
      { ...opts, limit: 40 },
    );
    expect(out).toHaveLength(40);
    expect(keepsSpread(out, opts.diversity)).toBe(true);
    // The first items still lead with what the following source ranks first.
    expect(out[0]!.pinId).toBe('a0');
    expect(out.slice(0, 10).filter((x) => x.boardId === 'board-a')).toHaveLength(2);
    // With nothing else left, the rule gives way rather than cutting the list short.
    const alone = rank({ ...none, following: sameBoard }, { ...opts, limit: 10 });
    expect(alone.map((x) => x.pinId)).toEqual(sameBoard.map((x) => x.pinId));
    expect(keepsSpread(alone, opts.diversity)).toBe(false);
  });

  it('keeps the spread on random worlds with enough variety, for several k and w', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (const diversity of [
      { max: 1, window: 4 },
      { max: 2, window: 10 },
      { max: 3, window: 7 },
    ]) {
      const make = (prefix: string, n: number, boards: number, owners: number) =>
        Array.from({ length: n }, (_, i) => c(`${prefix}${i}`, `b${rand(boards)}`, `o${rand(owners)}`));
      const sources = {
        following: make('f', 60, 4, 3),
        related: make('r', 60, 40, 30),
        popular: make('p', 200, 200, 150),
      };
      const out = rank(sources, { ...opts, diversity, limit: 120 });
      expect(out).toHaveLength(120);
      expect(keepsSpread(out, diversity)).toBe(true);
    }
  });

  it('drops excluded pins and shows each canonical pin once', () => {
    const following = [
      c('1', 'b1', 'o1'),
      c('2', 'b2', 'o2', { canonical: '1' }), // a save of pin 1
      c('3', 'b3', 'o3', { canonical: '9' }), // a save of an excluded pin
      c('4', 'b4', 'o4'),
    ];
    const popular = [c('1', 'b1', 'o1', { reason: 'POPULAR' }), c('5', 'b5', 'o5', { reason: 'POPULAR' })];
    const out = rank({ ...none, following, popular }, { ...opts, exclude: new Set(['9', '4']) });
    expect(out.map((x) => x.pinId)).toEqual(['1', '5']);
  });

  it('stops when every source is used up', () => {
    expect(rank(none, opts)).toEqual([]);
    expect(rank({ ...none, popular: [c('1', 'b', 'o')] }, opts)).toHaveLength(1);
  });
});

describe('sessions', () => {
  it('round-trip through their compact text, and anything else reads as no session', () => {
    const s = {
      viewer: '42',
      at: 1_700_000_000_000,
      ids: ['1', '2', '3', '4'],
      reasons: ['FOLLOWING', 'RELATED_TO_SAVE', 'POPULAR_IN_TOPIC', 'POPULAR'] as const,
      done: true,
    };
    const text = encodeSession({ ...s, reasons: [...s.reasons] });
    expect(text.length).toBeLessThan(80);
    expect(decodeSession(text)).toEqual({ ...s, reasons: [...s.reasons] });
    expect(decodeSession('{')).toBeUndefined();
    expect(decodeSession('{"v":1}')).toBeUndefined();
    // With the experiment variants its ranking came from (absent when none).
    const ranked = { ...s, reasons: [...s.reasons], variants: 'feed-blend:abc:popular' };
    expect(decodeSession(encodeSession(ranked))).toEqual(ranked);
    expect(decodeSession(text)).not.toHaveProperty('variants');
  });
});

describe('interest words for following candidates', () => {
  it('drops words most candidates share (from 20 candidates on), keeping the ones that tell topics apart', () => {
    const interests = new Map([
      ['board', 3],
      ['sourdough', 2],
      ['loaf', 1],
    ]);
    const docs = Array.from({ length: 20 }, (_, i) =>
      i < 3 ? ['board', 'sourdough'] : ['board', 'lighthous'],
    );
    const kept = distinctive(interests, docs);
    expect([...kept.keys()].sort()).toEqual(['loaf', 'sourdough']);
    expect(topicMatch(['board', 'lighthous'], kept)).toBe(0);
    expect(topicMatch(['board', 'sourdough'], kept)).toBeGreaterThan(0);
    // Too few candidates to judge: nothing dropped.
    expect(distinctive(interests, docs.slice(0, 19)).size).toBe(3);
  });
});
