/**
 * The pin–board graph of related pins, Pixie-style: a bipartite graph in compressed sparse rows.
 *
 * - Pins are *canonical* pins: a save makes a new pin row whose `parent_pin_id` points at the saved one,
 *   and every row of a save chain is one node, keyed by the chain's root id (or, when the root row was
 *   deleted, by the missing id its children still name). So saves of one image connect boards.
 * - An edge is "a row of canonical pin P is on board B" (a set: two rows of P on B are one edge).
 * - Nodes are dense indexes in key order; keys are sorted `BigUint64Array`s (binary search), so there is
 *   no object per node. Edge arrays live on SharedArrayBuffers, so worker threads can walk the same graph.
 * - Boards on secret boards never enter the graph. A board above `boardCap` pins keeps only its newest
 *   `boardCap` (Pixie prunes such catch-all boards: they connect everything to everything and their
 *   walks carry little signal). The cut is made on both sides, so the graph stays symmetric.
 * - Changes after the build go to a small overlay (new edges, boards made secret) until the next rebuild.
 */

/** Compressed rows of both sides of the graph. */
export interface Csr {
  readonly pinOff: Int32Array;
  readonly pinAdj: Int32Array;
  readonly boardOff: Int32Array;
  readonly boardAdj: Int32Array;
}

function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
}

/** Work between two yields of a step-wise build (about 10 ms of loop). */
const SLICE = 1 << 20;

/** Runs a step-wise build to its end in one go. */
function drain<T>(steps: Generator<void, T>): T {
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

/** Board flags in the overlay. */
const BLOCKED = 1;
const EXTRA = 2;
/**
 * A base pin with extra boards in the overlay has the sign bit of its `pinOff` entry set, so the walk
 * learns it from the offset it reads anyway (a separate flag array cost a fifth of the walk's speed).
 * Every read of `pinOff` masks the bit off with OFFSET.
 */
export const OFFSET = 0x7fffffff;

export interface GraphParts {
  /** Canonical pin keys, ascending; a pin's index is its position. */
  readonly pinKeys: BigUint64Array;
  /** Per pin: the pin row served for it (the root when public, else its oldest public row). */
  readonly pinReps: BigUint64Array;
  /** Board ids, ascending; a board's index is its position. */
  readonly boardKeys: BigUint64Array;
  readonly csr: Csr;
  /** Edges cut from boards above the cap. */
  readonly pruned?: number;
}

/** The graph a walk runs on: the compressed base plus the overlay of changes since it was built. */
export class PinBoardGraph {
  readonly nBasePins: number;
  readonly nBaseBoards: number;
  readonly pinOff: Int32Array;
  readonly pinAdj: Int32Array;
  readonly boardOff: Int32Array;
  readonly boardAdj: Int32Array;
  readonly pinKeys: BigUint64Array;
  readonly pinReps: BigUint64Array;
  readonly boardKeys: BigUint64Array;
  readonly pruned: number;
  /** Per base board: BLOCKED (secret now) | EXTRA (overlay holds extra pins). */
  readonly boardFlag: Uint8Array;
  /** Whether anything has gone into the overlay since the build. */
  overlaid = false;
  private readonly newPins = new Map<bigint, number>();
  private readonly newPinKeys: bigint[] = [];
  private readonly newPinReps: bigint[] = [];
  private readonly newBoards = new Map<bigint, number>();
  private readonly newBoardKeys: bigint[] = [];
  private readonly newBoardBlocked = new Set<number>();
  private readonly extraOfPin = new Map<number, number[]>();
  private readonly extraOfBoard = new Map<number, number[]>();
  private overlayEdges = 0;

  constructor(parts: GraphParts) {
    this.pinKeys = parts.pinKeys;
    this.pinReps = parts.pinReps;
    this.boardKeys = parts.boardKeys;
    this.nBasePins = parts.pinKeys.length;
    this.nBaseBoards = parts.boardKeys.length;
    ({
      pinOff: this.pinOff,
      pinAdj: this.pinAdj,
      boardOff: this.boardOff,
      boardAdj: this.boardAdj,
    } = parts.csr);
    this.pruned = parts.pruned ?? 0;
    this.boardFlag = new Uint8Array(this.nBaseBoards);
  }

  /** Pins in the graph, the overlay's included (walk scratch must be this large). */
  get pinCount(): number {
    return this.nBasePins + this.newPinKeys.length;
  }

  get edgeCount(): number {
    // Not pinAdj.length: an empty graph's arrays hold one unused slot.
    return (this.pinOff[this.nBasePins]! & OFFSET) + this.overlayEdges;
  }

  /** The index of a canonical pin id, or -1. */
  pinIndex(key: bigint): number {
    const i = findKey(this.pinKeys, key);
    return i >= 0 ? i : (this.newPins.get(key) ?? -1);
  }

  boardIndex(key: bigint): number {
    const i = findKey(this.boardKeys, key);
    return i >= 0 ? i : (this.newBoards.get(key) ?? -1);
  }

  /** The canonical id of a pin index. */
  pinKey(p: number): bigint {
    return p < this.nBasePins ? this.pinKeys[p]! : this.newPinKeys[p - this.nBasePins]!;
  }

  /** The pin row served for a pin index. */
  pinRep(p: number): bigint {
    return p < this.nBasePins ? this.pinReps[p]! : this.newPinReps[p - this.nBasePins]!;
  }

  /** Number of boards of a pin, overlay included. */
  pinDegree(p: number): number {
    const base = p < this.nBasePins ? (this.pinOff[p + 1]! & OFFSET) - (this.pinOff[p]! & OFFSET) : 0;
    return base + (this.extraOfPin.get(p)?.length ?? 0);
  }

  boardDegree(b: number): number {
    const base = b < this.nBaseBoards ? this.boardOff[b + 1]! - this.boardOff[b]! : 0;
    return base + (this.extraOfBoard.get(b)?.length ?? 0);
  }

  isBlocked(b: number): boolean {
    return b < this.nBaseBoards ? (this.boardFlag[b]! & BLOCKED) !== 0 : this.newBoardBlocked.has(b);
  }

  /** The `i`-th board of pin `p` (base first, then overlay); i < pinDegree(p). */
  boardAt(p: number, i: number): number {
    const start = p < this.nBasePins ? this.pinOff[p]! & OFFSET : 0;
    const base = p < this.nBasePins ? (this.pinOff[p + 1]! & OFFSET) - start : 0;
    return i < base ? this.pinAdj[start + i]! : this.extraOfPin.get(p)![i - base]!;
  }

  /** The `i`-th pin of board `b` (base first, then overlay); i < boardDegree(b). */
  pinAt(b: number, i: number): number {
    const base = b < this.nBaseBoards ? this.boardOff[b + 1]! - this.boardOff[b]! : 0;
    return i < base ? this.boardAdj[this.boardOff[b]! + i]! : this.extraOfBoard.get(b)![i - base]!;
  }

  /**
   * Adds "a row of canonical pin `pinKey` is on board `boardKey`" (idempotent). `rep` is the row to serve
   * for the pin if the pin is new to the graph.
   */
  addEdge(pinKey: bigint, boardKey: bigint, rep: bigint): void {
    let p = this.pinIndex(pinKey);
    if (p < 0) {
      p = this.pinCount;
      this.newPins.set(pinKey, p);
      this.newPinKeys.push(pinKey);
      this.newPinReps.push(rep);
    }
    let b = this.boardIndex(boardKey);
    if (b < 0) {
      b = this.nBaseBoards + this.newBoardKeys.length;
      this.newBoards.set(boardKey, b);
      this.newBoardKeys.push(boardKey);
    }
    const degree = this.pinDegree(p);
    for (let i = 0; i < degree; i++) if (this.boardAt(p, i) === b) return;
    this.push(this.extraOfPin, p, b);
    this.push(this.extraOfBoard, b, p);
    if (p < this.nBasePins) this.pinOff[p]! |= ~OFFSET;
    if (b < this.nBaseBoards) this.boardFlag[b]! |= EXTRA;
    this.overlayEdges++;
    this.overlaid = true;
  }

  /** Marks a board secret (walks stop there) or public again. Unknown boards are remembered when blocked. */
  setBlocked(boardKey: bigint, blocked: boolean): void {
    let b = this.boardIndex(boardKey);
    if (b < 0) {
      if (!blocked) return;
      b = this.nBaseBoards + this.newBoardKeys.length;
      this.newBoards.set(boardKey, b);
      this.newBoardKeys.push(boardKey);
    }
    if (b < this.nBaseBoards) {
      this.boardFlag[b] = blocked ? this.boardFlag[b]! | BLOCKED : this.boardFlag[b]! & ~BLOCKED;
    } else if (blocked) this.newBoardBlocked.add(b);
    else this.newBoardBlocked.delete(b);
    this.overlaid = true;
  }

  /** Bytes held by the graph's arrays (the base, the flags, and an estimate for the overlay). */
  memoryBytes(): { arrays: number; overlay: number; total: number } {
    const arrays = [
      this.pinOff,
      this.pinAdj,
      this.boardOff,
      this.boardAdj,
      this.pinKeys,
      this.pinReps,
      this.boardKeys,
      this.boardFlag,
    ].reduce((sum, a) => sum + a.byteLength, 0);
    // Map entries and small arrays: a rough 64 bytes per new node and 16 per overlay edge end.
    const overlay = (this.newPinKeys.length + this.newBoardKeys.length) * 64 + this.overlayEdges * 32;
    return { arrays, overlay, total: arrays + overlay };
  }

  private push(map: Map<number, number[]>, key: number, value: number): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }
}

/** A growable typed array of 64-bit keys. */
class BigList {
  data = new BigUint64Array(1024);
  length = 0;
  push(v: bigint): void {
    if (this.length === this.data.length) {
      const next = new BigUint64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Builds a graph from pin rows streamed in ascending id order (a save's row always comes after the row it
 * was saved from, since ids grow with time). Rows on secret boards are given too: they carry no edge, but
 * a chain may pass through them. Memory while building: about 12 bytes per row plus the edges.
 */
export class GraphBuilder {
  private readonly rowIds = new BigList();
  private readonly rowCanon = new IntList();
  private readonly canonKeys = new BigList();
  private readonly canonReps = new BigList();
  private readonly missing = new Map<bigint, number>();
  private readonly boards = new Map<bigint, number>();
  private readonly boardKeyList = new BigList();
  private readonly ePin = new IntList();
  private readonly eBoard = new IntList();
  private lastId = -1n;

  constructor(private readonly boardCap: number) {}

  /** One pin row; ids must ascend. */
  add(id: bigint, parentId: bigint | null, boardId: bigint, secret: boolean): void {
    if (id <= this.lastId) throw new Error('GraphBuilder.add: pin rows must come in ascending id order');
    this.lastId = id;
    let c: number;
    if (parentId === null) c = this.newCanon(id);
    else {
      const at = findKey(this.rowIds.data.subarray(0, this.rowIds.length), parentId);
      if (at >= 0) c = this.rowCanon.data[at]!;
      else {
        // The parent row is gone (deleted): its id still names the chain.
        const known = this.missing.get(parentId);
        c = known ?? this.newCanon(parentId);
        if (known === undefined) this.missing.set(parentId, c);
      }
    }
    this.rowIds.push(id);
    this.rowCanon.push(c);
    if (secret) return;
    if (this.canonReps.data[c] === 0n) this.canonReps.data[c] = id;
    let b = this.boards.get(boardId);
    if (b === undefined) {
      b = this.boardKeyList.length;
      this.boards.set(boardId, b);
      this.boardKeyList.push(boardId);
    }
    this.ePin.push(c);
    this.eBoard.push(b);
  }

  /** The graph: only pins and boards with at least one public edge, renumbered in key order. */
  finish(): PinBoardGraph {
    return drain(this.finishSteps());
  }

  /** `finish` in slices, yielding to the event loop between them (a rebuild beside live queries). */
  finishAsync(): Promise<PinBoardGraph> {
    return drainAsync(this.finishSteps());
  }

  private *finishSteps(): Generator<void, PinBoardGraph> {
    const nCanon = this.canonKeys.length;
    // Pins with an edge, in key order.
    const hasEdge = new Uint8Array(nCanon);
    for (let e = 0; e < this.ePin.length; e++) hasEdge[this.ePin.data[e]!] = 1;
    let nPins = 0;
    for (let c = 0; c < nCanon; c++) nPins += hasEdge[c]!;
    const pinKeys = new BigUint64Array(nPins);
    for (let c = 0, i = 0; c < nCanon; c++) if (hasEdge[c]) pinKeys[i++] = this.canonKeys.data[c]!;
    yield;
    pinKeys.sort();
    yield;
    const pinOf = new Int32Array(nCanon).fill(-1);
    const pinReps = new BigUint64Array(nPins);
    for (let c = 0; c < nCanon; c++) {
      if (!hasEdge[c]) continue;
      const p = findKey(pinKeys, this.canonKeys.data[c]!);
      pinOf[c] = p;
      pinReps[p] = this.canonReps.data[c]!;
      if ((c & (SLICE / 8 - 1)) === 0) yield;
    }
    const nBoards = this.boardKeyList.length;
    const boardKeys = this.boardKeyList.data.slice(0, nBoards).sort();
    const boardOf = new Int32Array(nBoards);
    for (let b = 0; b < nBoards; b++) boardOf[b] = findKey(boardKeys, this.boardKeyList.data[b]!);
    yield;
    const nEdges = this.ePin.length;
    const ePin = new Int32Array(nEdges);
    const eBoard = new Int32Array(nEdges);
    for (let e = 0; e < nEdges; e++) {
      ePin[e] = pinOf[this.ePin.data[e]!]!;
      eBoard[e] = boardOf[this.eBoard.data[e]!]!;
    }
    yield;
    const csr = yield* csrSteps(nPins, nBoards, ePin, eBoard, nEdges, this.boardCap);
    return new PinBoardGraph({ pinKeys, pinReps, boardKeys, csr, pruned: csr.pruned });
  }

  private newCanon(key: bigint): number {
    this.canonKeys.push(key);
    this.canonReps.push(0n);
    return this.canonKeys.length - 1;
  }
}
