// Compressed sparse rows of the pin-board graph, built from an edge list. See graph.ts.

/** Compressed rows of both sides of the graph. */
export interface Csr {
  readonly pinOff: Int32Array;
  readonly pinAdj: Int32Array;
  readonly boardOff: Int32Array;
  readonly boardAdj: Int32Array;
}

/** An Int32Array on a SharedArrayBuffer (worker threads can read it without a copy). */
export function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
}

/** A BigUint64Array of exactly `n` elements on a SharedArrayBuffer. */
export function sharedBig64(n: number): BigUint64Array {
  return new BigUint64Array(new SharedArrayBuffer(Math.max(1, n) * 8), 0, n);
}

/** Work between two yields of a step-wise build (about 10 ms of loop). */
export const SLICE = 1 << 20;

/** Runs a step-wise build to its end in one go. */
export function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs a step-wise build, letting the event loop run between slices, so queries go on meanwhile. */
export async function drainAsync<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Builds both sides from an edge list (pin index, board index; later edges are newer). Duplicate edges
 * are dropped; a board keeps its newest `boardCap` distinct pins, and the pin side keeps the same edges.
 */
export function csrFromEdges(
  nPins: number,
  nBoards: number,
  ePin: Int32Array,
  eBoard: Int32Array,
  nEdges: number,
  boardCap: number,
): Csr & { pruned: number } {
  return drain(csrSteps(nPins, nBoards, ePin, eBoard, nEdges, boardCap));
}

/** csrFromEdges in slices (yields every SLICE edges or so). */
export function* csrSteps(
  nPins: number,
  nBoards: number,
  ePin: Int32Array,
  eBoard: Int32Array,
  nEdges: number,
  boardCap: number,
): Generator<void, Csr & { pruned: number }> {
  // Edges grouped by board, in their original (age) order: a counting sort.
  const start = new Int32Array(nBoards + 1);
  for (let e = 0; e < nEdges; e++) start[eBoard[e]! + 1]!++;
  yield;
  for (let b = 0; b < nBoards; b++) start[b + 1]! += start[b]!;
  const fill = start.slice(0, nBoards);
  const byBoard = new Int32Array(nEdges);
  for (let e = 0; e < nEdges; e++) byBoard[fill[eBoard[e]!]!++] = ePin[e]!;
  yield;

  // Per board, newest first: skip duplicates, keep up to boardCap.
  const lastBoard = new Int32Array(nPins).fill(-1);
  const keep = new Int32Array(nEdges);
  const boardOff = sharedInt32(nBoards + 1);
  const pinDeg = new Int32Array(nPins + 1);
  let kept = 0;
  let pruned = 0;
  let work = 0;
  for (let b = 0; b < nBoards; b++) {
    boardOff[b] = kept;
    let n = 0;
    for (let i = start[b + 1]! - 1; i >= start[b]!; i--) {
      const p = byBoard[i]!;
      if (lastBoard[p] === b) continue;
      lastBoard[p] = b;
      if (n >= boardCap) {
        pruned++;
        continue;
      }
      keep[kept++] = p;
      pinDeg[p + 1]!++;
      n++;
    }
    work += start[b + 1]! - start[b]! + 1;
    if (work > SLICE) {
      work = 0;
      yield;
    }
  }
  boardOff[nBoards] = kept;
  const boardAdj = sharedInt32(kept);
  boardAdj.set(keep.subarray(0, kept));

  const pinOff = sharedInt32(nPins + 1);
  for (let p = 0; p < nPins; p++) pinOff[p + 1] = pinOff[p]! + pinDeg[p + 1]!;
  const pos = pinOff.slice(0, nPins);
  const pinAdj = sharedInt32(kept);
  yield;
  for (let b = 0; b < nBoards; b++) {
    for (let i = boardOff[b]!; i < boardOff[b + 1]!; i++) pinAdj[pos[boardAdj[i]!]!++] = b;
    work += boardOff[b + 1]! - boardOff[b]! + 1;
    if (work > SLICE) {
      work = 0;
      yield;
    }
  }
  return { pinOff, pinAdj, boardOff, boardAdj, pruned };
}

/** Index of `key` in a sorted array, or -1. */
export function findKey(keys: BigUint64Array, key: bigint): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid]!;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
