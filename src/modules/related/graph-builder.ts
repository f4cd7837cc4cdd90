import { csrSteps, drain, drainAsync, findKey, SLICE, sharedBig64 } from './csr.js';
import { PinBoardGraph } from './graph.js';

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
    const pinKeys = sharedBig64(nPins);
    for (let c = 0, i = 0; c < nCanon; c++) if (hasEdge[c]) pinKeys[i++] = this.canonKeys.data[c]!;
    yield;
    pinKeys.sort();
    yield;
    const pinOf = new Int32Array(nCanon).fill(-1);
    const pinReps = sharedBig64(nPins);
    for (let c = 0; c < nCanon; c++) {
      if (!hasEdge[c]) continue;
      const p = findKey(pinKeys, this.canonKeys.data[c]!);
      pinOf[c] = p;
      pinReps[p] = this.canonReps.data[c]!;
      if ((c & (SLICE / 8 - 1)) === 0) yield;
    }
    const nBoards = this.boardKeyList.length;
    const boardKeys = sharedBig64(nBoards);
    boardKeys.set(this.boardKeyList.data.subarray(0, nBoards));
    boardKeys.sort();
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
