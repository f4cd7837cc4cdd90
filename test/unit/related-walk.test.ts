import { describe, expect, it } from 'vitest';
import type { PinBoardGraph } from '../../src/modules/related/graph.js';
import { GraphBuilder } from '../../src/modules/related/graph-builder.js';
import { bareWalk, stepBudgets, Walker } from '../../src/modules/related/walk.js';

/** A graph from board -> pin lists (pin and board ids small integers; rows in id order). */
function graphOf(boards: Record<number, number[]>, cap = 1000): PinBoardGraph {
  const rows: [bigint, bigint][] = [];
  let row = 1000n;
  for (const [board, pins] of Object.entries(boards)) {
    for (const pin of pins) rows.push([BigInt(pin), BigInt(board)]);
  }
  // Each pin's first row is its root; later rows are saves of it.
  const seen = new Set<bigint>();
  const b = new GraphBuilder(cap);
  const ordered = rows.map(([pin, board]) => {
    const first = !seen.has(pin);
    seen.add(pin);
    return { id: first ? pin : ++row, parent: first ? null : pin, board };
  });
  ordered.sort((x, y) => (x.id < y.id ? -1 : 1));
  for (const r of ordered) b.add(r.id, r.parent, r.board, false);
  return b.finish();
}

const key = (g: PinBoardGraph, pins: number[]) => pins.map((p) => Number(g.pinKey(p)));

describe('Walker', () => {
  const g = graphOf({
    1: [1, 2, 3, 4, 5],
    2: [1, 6, 7, 8],
    3: [6, 9, 10],
    4: [11, 12, 13, 14, 15, 16],
    5: [16, 17, 18],
  });

  it('is deterministic under a seed, and another seed walks differently', () => {
    const w = new Walker();
    const q = [{ pin: g.pinIndex(1n), weight: 1 }];
    const a = w.run(g, q, 10, { steps: 5000, seed: 42, np: 1e9 });
    const b = new Walker().run(g, q, 10, { steps: 5000, seed: 42, np: 1e9 });
    const c = w.run(g, q, 10, { steps: 5000, seed: 43, np: 1e9 });
    expect(a).toEqual(b);
    expect(c.scores).not.toEqual(a.scores);
    // Never the query pin; only pins connected to it.
    expect(key(g, a.pins)).not.toContain(1);
    expect(new Set(key(g, a.pins))).toEqual(new Set([2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(a.steps).toBe(5000);
    // Counters are reset: the same walk again gives the same scores.
    expect(w.run(g, q, 10, { steps: 5000, seed: 42, np: 1e9 })).toEqual(a);
  });

  it('ranks close pins above far ones', () => {
    const r = new Walker().run(g, [{ pin: g.pinIndex(9n), weight: 1 }], 20, { steps: 20_000, seed: 1 });
    const ranked = key(g, r.pins);
    // 10 shares board 3 with 9; 2..5 are two boards away.
    expect(ranked.indexOf(10)).toBeLessThan(ranked.indexOf(2));
    expect(ranked[0]).toBe(6);
  });

  it('stops early once np pins have nv visits, before the step budget', () => {
    const w = new Walker();
    const q = [{ pin: g.pinIndex(1n), weight: 1 }];
    const early = w.run(g, q, 10, { steps: 1_000_000, seed: 7, np: 3, nv: 5 });
    expect(early.stoppedEarly).toBe(true);
    expect(early.steps).toBeLessThan(1000);
    expect(early.pins.length).toBeGreaterThanOrEqual(3);
    const full = w.run(g, q, 10, { steps: 2000, seed: 7, np: 1e9 });
    expect(full.stoppedEarly).toBe(false);
    expect(full.steps).toBe(2000);
    // Two chains step together: an odd budget's last step is not taken, and the budget is never passed.
    expect(w.run(g, q, 10, { steps: 2001, seed: 7, np: 1e9 }).steps).toBe(2000);
  });

  it('boosts a pin reachable from every query pin above pins near only one (multi-hit)', () => {
    // q1 = 1 and q2 = 20 each sit on a board with three other pins; only pin 99 is on both boards.
    const h = graphOf({ 1: [1, 2, 3, 4, 99], 2: [20, 21, 22, 23, 99] });
    const w = new Walker();
    const queries = [
      { pin: h.pinIndex(1n), weight: 1 },
      { pin: h.pinIndex(20n), weight: 1 },
    ];
    const both = w.run(h, queries, 10, { steps: 40_000, seed: 3, np: 1e9 });
    expect(Number(h.pinKey(both.pins[0]!))).toBe(99);
    // (sqrt(v1) + sqrt(v2))^2 is about twice the sum for the shared pin and 1x for the others.
    const second = both.scores[1]!;
    expect(both.scores[0]!).toBeGreaterThan(1.6 * second);
    // From one query pin alone, 99 is just one of the board's pins, a little ahead for its second board:
    // over 200 seeds the ratio of the first score to the fourth averages 1.20 (5th-95th percentile
    // 1.16-1.26), far from the multi-hit boost above.
    const one = w.run(h, [queries[0]!], 10, { steps: 20_000, seed: 3, np: 1e9 });
    expect(one.scores[0]! / one.scores[3]!).toBeLessThan(1.3);
  });

  it('splits the budget by weight and degree (Pixie), never giving steps to a zero weight', () => {
    const budgets = stepBudgets(
      g,
      [
        { pin: g.pinIndex(1n), weight: 1 },
        { pin: g.pinIndex(2n), weight: 1 },
        { pin: g.pinIndex(3n), weight: 0 },
      ],
      10_000,
    );
    // Pin 1 is on two boards, pin 2 on one: 2 * (C - ln 2) vs 1 * C with C = ln 2 + 1.
    expect(budgets[0]! / budgets[1]!).toBeCloseTo(2 / (Math.log(2) + 1), 2);
    expect(budgets[2]).toBe(0);
  });

  it('follows the overlay: new edges are walked, blocked boards are dead ends', () => {
    const h = graphOf({ 1: [1, 2], 2: [2, 3] });
    const w = new Walker();
    const q = [{ pin: h.pinIndex(1n), weight: 1 }];
    h.addEdge(50n, 1n, 50n); // a new pin saved to board 1
    let r = w.run(h, q, 10, { steps: 5000, seed: 1, np: 1e9 });
    expect(key(h, r.pins)).toContain(50);
    expect(key(h, r.pins)).toContain(3);
    h.setBlocked(2n, true); // board 2 made secret: pin 3 is only there
    r = w.run(h, q, 10, { steps: 5000, seed: 1, np: 1e9 });
    expect(key(h, r.pins)).not.toContain(3);
    // A query pin that is new to the graph walks from its overlay edges.
    h.addEdge(60n, 1n, 60n);
    r = w.run(h, [{ pin: h.pinIndex(60n), weight: 1 }], 10, { steps: 5000, seed: 1, np: 1e9 });
    expect(key(h, r.pins)).toEqual(expect.arrayContaining([1, 2, 50]));
  });

  it('a query pin with no board returns nothing', () => {
    const h = graphOf({ 1: [1, 2, 3] }, 2);
    const lonely = h.pinIndex(1n);
    expect(h.pinDegree(lonely)).toBe(0);
    const r = new Walker().run(h, [{ pin: lonely, weight: 1 }], 10, { steps: 1000, seed: 1 });
    expect(r.pins).toEqual([]);
    expect(r.steps).toBe(0);
  });

  it('counts visits past a byte exactly (the hot pins)', () => {
    const h = graphOf({ 1: [1, 2] });
    const w = new Walker();
    const r = w.run(h, [{ pin: h.pinIndex(1n), weight: 1 }], 10, { steps: 200_000, seed: 1, np: 1e9 });
    expect(key(h, r.pins)).toEqual([2]);
    // Every step lands on pin 1 or 2, half and half: about 100,000 visits of 2.
    expect(r.scores[0]).toBeGreaterThan(90_000);
    expect(r.scores[0]).toBeLessThan(110_000);
    // Counters are reset, the hot ones included.
    expect(w.run(h, [{ pin: h.pinIndex(1n), weight: 1 }], 10, { steps: 200_000, seed: 1, np: 1e9 })).toEqual(
      r,
    );
    const small = w.run(h, [{ pin: h.pinIndex(1n), weight: 1 }], 10, { steps: 100, seed: 1, np: 1e9 });
    expect(small.scores[0]).toBeLessThan(100);
  });

  it('the bare loop walks the same arrays', () => {
    expect(bareWalk(g, g.pinIndex(1n), 1000, 5)).toBe(bareWalk(g, g.pinIndex(1n), 1000, 5));
  });
});
