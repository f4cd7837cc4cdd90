/**
 * The pin–board graph of related pins, Pixie-style: a bipartite graph in compressed sparse rows.
 *
 * - Pins are *canonical* pins: a save makes a new pin row whose `parent_pin_id` points at the saved one,
 *   and every row of a save chain is one node, keyed by the chain's root id (or, when the root row was
 *   deleted, by the missing id its children still name). So saves of one image connect boards.
 * - An edge is "a row of canonical pin P is on board B" (a set: two rows of P on B are one edge).
 * - Nodes are dense indexes in key order; keys are sorted `BigUint64Array`s (binary search), so there is
 *   no object per node. Edge arrays live on SharedArrayBuffers, so worker threads can walk the same graph.
 * - Pins on secret boards never enter the graph (nor do those boards). A board above `boardCap` pins keeps only its newest
 *   `boardCap` (Pixie prunes such catch-all boards: they connect everything to everything and their
 *   walks carry little signal). The cut is made on both sides, so the graph stays symmetric.
 * - Changes after the build go to a small overlay (new edges, boards made secret) until the next rebuild.
 */

import { type Csr, findKey } from './csr.js';

/** Board flags in the overlay. */
const BLOCKED = 1;
const EXTRA = 2;
/**
 * A base pin with extra boards in the overlay has the sign bit of its `pinOff` entry set, so the walk
 * learns it from the offset it reads anyway (a separate flag array cost a fifth of the walk's speed).
 * Every read of `pinOff` masks the bit off with OFFSET.
 */
export const OFFSET = 0x7fffffff;

/** An overlay change, as recorded for worker threads to replay (see walk-pool.ts). */
export type OverlayOp =
  | readonly [kind: 0, pinKey: bigint, boardKey: bigint, rep: bigint]
  | readonly [kind: 1, boardKey: bigint, blocked: boolean];

/** Numbers graphs, so a worker thread knows when the graph it holds has been replaced. */
let generations = 0;

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
  /** Unique per graph object in this thread: a worker reloads the base arrays when it changes. */
  readonly generation = ++generations;
  /**
   * The overlay's changes in the order they were applied: a worker thread replays them on its own copy
   * of the overlay (same order, so the same new pin and board indexes). Emptied by nothing: the graph
   * is replaced at the next rebuild.
   */
  readonly ops: OverlayOp[] = [];
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
    this.ops.push([0, pinKey, boardKey, rep]);
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
    // pinOff may be shared with worker threads replaying the same change: both only ever set this bit
    // of an offset that never changes otherwise, so the writes agree. A bit a worker sees before it has
    // replayed the change sends its walk through overlayBoard, which picks the same base board.
    if (p < this.nBasePins) this.pinOff[p]! |= ~OFFSET;
    if (b < this.nBaseBoards) this.boardFlag[b]! |= EXTRA;
    this.overlayEdges++;
    this.overlaid = true;
  }

  /** Marks a board secret (walks stop there) or public again. Unknown boards are remembered when blocked. */
  setBlocked(boardKey: bigint, blocked: boolean): void {
    this.ops.push([1, boardKey, blocked]);
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

  /** Replays recorded changes (a worker thread's copy of the overlay catching up with the main one). */
  replay(ops: readonly OverlayOp[]): void {
    for (const op of ops) {
      if (op[0] === 0) this.addEdge(op[1], op[2], op[3]);
      else this.setBlocked(op[1], op[2]);
    }
  }

  /**
   * The base arrays, to post to a worker thread: those on SharedArrayBuffers are shared, not copied.
   * The overlay is not among them (a worker builds its own from `ops`; `boardFlag` is per thread).
   */
  baseParts(): GraphParts {
    return {
      pinKeys: this.pinKeys,
      pinReps: this.pinReps,
      boardKeys: this.boardKeys,
      csr: { pinOff: this.pinOff, pinAdj: this.pinAdj, boardOff: this.boardOff, boardAdj: this.boardAdj },
      pruned: this.pruned,
    };
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
