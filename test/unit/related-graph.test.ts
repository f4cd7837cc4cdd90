import { describe, expect, it } from 'vitest';
import { csrFromEdges } from '../../src/modules/related/csr.js';
import type { PinBoardGraph } from '../../src/modules/related/graph.js';
import { GraphBuilder } from '../../src/modules/related/graph-builder.js';
import { decodeGraph, encodeGraph } from '../../src/modules/related/graph-snapshot.js';

const ascending = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/** Canonical ids of a pin's boards, by board id. */
function boardsOf(g: PinBoardGraph, pinKey: bigint): bigint[] {
  const p = g.pinIndex(pinKey);
  if (p < 0) return [];
  return Array.from({ length: g.pinDegree(p) }, (_, i) => g.boardKeys[g.boardAt(p, i)]!).sort(ascending);
}

function pinsOf(g: PinBoardGraph, boardKey: bigint): bigint[] {
  const b = g.boardIndex(boardKey);
  return Array.from({ length: g.boardDegree(b) }, (_, i) => g.pinKey(g.pinAt(b, i))).sort(ascending);
}

describe('GraphBuilder', () => {
  it('walks on canonical pins: saves of one pin join its boards, through secret rows and deleted roots', () => {
    const b = new GraphBuilder(1000);
    b.add(10n, null, 1n, false); // an original on board 1
    b.add(11n, 10n, 2n, false); // saved to board 2
    b.add(12n, 11n, 3n, true); // saved again to a secret board: no edge, but the chain goes through
    b.add(13n, 12n, 4n, false); // and from there to board 4
    b.add(14n, 10n, 2n, false); // a second save to board 2: one edge
    b.add(20n, 5n, 5n, false); // a save whose original (5) was deleted: the chain is keyed 5
    b.add(21n, 5n, 6n, false);
    b.add(30n, null, 7n, true); // only on a secret board: not in the graph
    const g = b.finish();
    expect(boardsOf(g, 10n)).toEqual([1n, 2n, 4n]);
    expect(g.pinIndex(11n)).toBe(-1);
    expect(boardsOf(g, 5n)).toEqual([5n, 6n]);
    expect(g.pinIndex(30n)).toBe(-1);
    expect(g.boardIndex(3n)).toBe(-1);
    expect(g.boardIndex(7n)).toBe(-1);
    // The pin served for a chain: its root when public, else its oldest public row.
    expect(g.pinRep(g.pinIndex(10n))).toBe(10n);
    expect(g.pinRep(g.pinIndex(5n))).toBe(20n);
    expect(g.nBasePins).toBe(2);
    expect(g.edgeCount).toBe(5);
    expect(() => b.add(1n, null, 1n, false)).toThrow(/ascending/);
  });

  it('keys are sorted typed arrays: a pin whose root is secret is served by its first public save', () => {
    const b = new GraphBuilder(1000);
    b.add(100n, null, 9n, true);
    b.add(101n, 100n, 8n, false);
    b.add(102n, 100n, 7n, false);
    const g = b.finish();
    expect(g.pinKeys).toBeInstanceOf(BigUint64Array);
    expect(g.pinRep(g.pinIndex(100n))).toBe(101n);
    expect(boardsOf(g, 100n)).toEqual([7n, 8n]);
  });

  it('prunes a board above the cap to its newest pins, on both sides of the graph', () => {
    const b = new GraphBuilder(3);
    for (let i = 1n; i <= 10n; i++) b.add(i, null, 1n, false); // a catch-all board of 10 pins
    b.add(11n, null, 2n, false);
    b.add(12n, 1n, 2n, false); // pin 1 is also on board 2
    const g = b.finish();
    expect(pinsOf(g, 1n)).toEqual([8n, 9n, 10n]);
    expect(g.pruned).toBe(7);
    expect(boardsOf(g, 1n)).toEqual([2n]);
    expect(boardsOf(g, 2n)).toEqual([]);
    expect(g.pinDegree(g.pinIndex(2n))).toBe(0);
    // Symmetric: every kept board->pin edge has its pin->board twin.
    let pinSide = 0;
    for (let p = 0; p < g.nBasePins; p++) pinSide += g.pinDegree(p);
    let boardSide = 0;
    for (let x = 0; x < g.nBaseBoards; x++) boardSide += g.boardDegree(x);
    expect(pinSide).toBe(boardSide);
    expect(boardSide).toBe(5);
  });

  it('reports the bytes of its arrays', () => {
    const csr = csrFromEdges(3, 2, Int32Array.of(0, 1, 2, 0), Int32Array.of(0, 0, 1, 1), 4, 10);
    expect(Array.from(csr.pinOff)).toEqual([0, 2, 3, 4]);
    expect(Array.from(csr.boardOff)).toEqual([0, 2, 4]);
    expect(csr.pinAdj.buffer).toBeInstanceOf(SharedArrayBuffer);
    const b = new GraphBuilder(10);
    b.add(1n, null, 1n, false);
    b.add(2n, null, 1n, false);
    const g = b.finish();
    const m = g.memoryBytes();
    // Offsets (3 + 2) * 4, adjacency 2 * 2 * 4, keys and reps 2 * 8 * 2 + 8, board flags 1.
    expect(m.arrays).toBe(20 + 16 + 40 + 1);
    expect(m.overlay).toBe(0);
    expect(new GraphBuilder(10).finish().edgeCount).toBe(0);
  });
});

describe('GraphBuilder.finishAsync', () => {
  it('builds the same graph as finish, letting the event loop run in between', async () => {
    const make = () => {
      const b = new GraphBuilder(50);
      let x = 7;
      for (let id = 1n; id <= 5000n; id++) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        const parent = id > 10n && x % 3 === 0 ? BigInt(1 + (x % Number(id - 1n))) : null;
        b.add(id, parent, BigInt(1 + (x % 97)), x % 41 === 0);
      }
      return b;
    };
    const sync = make().finish();
    let ticked = false;
    setImmediate(() => {
      ticked = true;
    });
    const async = await make().finishAsync();
    expect(ticked).toBe(true);
    for (const k of [
      'pinKeys',
      'pinReps',
      'boardKeys',
      'pinOff',
      'pinAdj',
      'boardOff',
      'boardAdj',
    ] as const) {
      expect(Array.from(async[k] as ArrayLike<unknown>)).toEqual(Array.from(sync[k] as ArrayLike<unknown>));
    }
    expect(async.pruned).toBe(sync.pruned);
    expect(sync.pruned).toBeGreaterThan(0);
  });
});

describe('graph snapshots', () => {
  it('encode and decode the base arrays exactly, onto shared memory; a graph with an overlay is refused', () => {
    const b = new GraphBuilder(2);
    b.add(5n, null, 1n, false);
    b.add(6n, 5n, 2n, false);
    b.add(7n, null, 1n, false);
    b.add(8n, null, 1n, false);
    b.add(9n, 3n, 4n, false);
    const g = b.finish();
    const back = decodeGraph(encodeGraph(g));
    for (const k of [
      'pinKeys',
      'pinReps',
      'boardKeys',
      'pinOff',
      'pinAdj',
      'boardOff',
      'boardAdj',
    ] as const) {
      expect(Array.from(back[k] as ArrayLike<unknown>)).toEqual(Array.from(g[k] as ArrayLike<unknown>));
      expect(back[k].buffer).toBeInstanceOf(SharedArrayBuffer);
    }
    expect(back.pruned).toBe(1);
    expect(back.pinRep(back.pinIndex(3n))).toBe(9n);
    const empty = decodeGraph(encodeGraph(new GraphBuilder(2).finish()));
    expect(empty.nBasePins).toBe(0);
    expect(empty.edgeCount).toBe(0);
    g.addEdge(50n, 1n, 50n);
    expect(() => encodeGraph(g)).toThrow(/overlay/);
  });
});

describe('PinBoardGraph overlay', () => {
  it('adds edges idempotently (new pins and boards included) and blocks boards', () => {
    const b = new GraphBuilder(100);
    b.add(1n, null, 1n, false);
    b.add(2n, null, 1n, false);
    const g = b.finish();
    g.addEdge(3n, 1n, 3n);
    g.addEdge(3n, 1n, 3n);
    g.addEdge(1n, 9n, 1n);
    expect(pinsOf(g, 1n)).toEqual([1n, 2n, 3n]);
    expect(boardsOf(g, 1n).length).toBe(2);
    expect(g.pinCount).toBe(3);
    expect(g.pinRep(g.pinIndex(3n))).toBe(3n);
    g.addEdge(2n, 1n, 2n); // already in the base
    expect(g.edgeCount).toBe(4);
    expect(g.overlaid).toBe(true);
    g.setBlocked(1n, true);
    expect(g.isBlocked(g.boardIndex(1n))).toBe(true);
    g.setBlocked(1n, false);
    expect(g.isBlocked(g.boardIndex(1n))).toBe(false);
    g.setBlocked(77n, true);
    expect(g.isBlocked(g.boardIndex(77n))).toBe(true);
    expect(g.memoryBytes().overlay).toBeGreaterThan(0);
  });
});
