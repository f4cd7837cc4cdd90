import { afterAll, describe, expect, it } from 'vitest';
import type { PinBoardGraph } from '../../src/modules/related/graph.js';
import { GraphBuilder } from '../../src/modules/related/graph-builder.js';
import type { WalkQuery } from '../../src/modules/related/walk.js';
import { Walker } from '../../src/modules/related/walk.js';
import { WalkPool } from '../../src/modules/related/walk-pool.js';

/** xorshift32 in [0, 1). */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** A random graph: `nPins` pins (ids 1..) saved to `nBoards` boards (ids 100001..), some saves chained. */
function randomGraph(seed: number, nPins: number, nBoards: number, nRows: number, cap = 40): PinBoardGraph {
  const rand = rng(seed);
  const b = new GraphBuilder(cap);
  let row = 1_000_000n;
  for (let p = 1; p <= nPins; p++)
    b.add(BigInt(p), null, BigInt(100_001 + Math.floor(rand() * nBoards)), false);
  for (let i = 0; i < nRows; i++) {
    const pin = BigInt(1 + Math.floor(rand() * rand() * nPins));
    const board = BigInt(100_001 + Math.floor(rand() * nBoards));
    b.add(++row, pin, board, rand() < 0.02);
  }
  return b.finish();
}

const pool = new WalkPool(2);
afterAll(() => pool.close());

/** Query sets on a graph: single pins and weighted groups (the home feed's multi-pin walks). */
function querySets(g: PinBoardGraph, seed: number): WalkQuery[][] {
  const rand = rng(seed);
  const pick = () => Math.floor(rand() * g.pinCount);
  const sets: WalkQuery[][] = [];
  for (let i = 0; i < 6; i++) sets.push([{ pin: pick(), weight: 1 }]);
  for (let i = 0; i < 3; i++) sets.push([1, 2, 3, 4].map((w) => ({ pin: pick(), weight: w })));
  return sets;
}

async function expectSame(g: PinBoardGraph, sets: WalkQuery[][], seed: number) {
  const inThread = new Walker();
  const options = (i: number) => ({ steps: 20_000, seed: seed + i });
  const pooled = await Promise.all(sets.map((q, i) => pool.run(g, q, 50, options(i))));
  sets.forEach((q, i) => {
    expect(pooled[i]).toEqual(inThread.run(g, q, 50, options(i)));
  });
  // Not a vacuous comparison: the walks found pins.
  expect(pooled.filter((r) => r.pins.length > 0).length).toBeGreaterThan(sets.length / 2);
}

describe('WalkPool', () => {
  const g1 = randomGraph(1, 400, 60, 3000);
  const g2 = randomGraph(2, 300, 50, 2000);

  it('answers exactly what the in-thread walk answers, for the same graph and seed', async () => {
    await expectSame(g1, querySets(g1, 11), 100);
    expect(pool.started).toBe(2);
  });

  it('walks the overlay of changes made after the workers loaded the graph', async () => {
    await expectSame(g1, querySets(g1, 12), 200);
    // New pins and boards, edges to old ones, a board made secret and one made public again.
    const rand = rng(5);
    for (let i = 0; i < 200; i++) {
      const pin = rand() < 0.3 ? BigInt(5000 + i) : BigInt(1 + Math.floor(rand() * 400));
      const board = rand() < 0.2 ? BigInt(900_000 + (i % 7)) : BigInt(100_001 + Math.floor(rand() * 60));
      g1.addEdge(pin, board, pin);
    }
    g1.setBlocked(100_003n, true);
    g1.setBlocked(100_004n, true);
    g1.setBlocked(100_004n, false);
    g1.setBlocked(900_001n, true);
    const sets = querySets(g1, 13);
    sets.push([{ pin: g1.pinIndex(5001n), weight: 1 }], [{ pin: g1.pinIndex(5010n), weight: 2 }]);
    await expectSame(g1, sets, 300);
  });

  it('loads a swapped-in graph, and an older one again for a walk that still holds it', async () => {
    await expectSame(g2, querySets(g2, 14), 400);
    await expectSame(g1, querySets(g1, 15), 500);
    // Both generations at once: each walk runs on its own graph.
    await Promise.all([expectSame(g2, querySets(g2, 16), 600), expectSame(g1, querySets(g1, 17), 700)]);
  });

  it('fails walks once closed', async () => {
    const closing = new WalkPool(1);
    await closing.run(g2, [{ pin: 0, weight: 1 }], 5, { steps: 100, seed: 1 });
    await closing.close();
    await expect(closing.run(g2, [{ pin: 0, weight: 1 }], 5, { steps: 100, seed: 1 })).rejects.toThrow(
      /closed/,
    );
  });
});
