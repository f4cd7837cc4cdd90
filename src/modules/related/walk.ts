import { OFFSET, type PinBoardGraph } from './graph.js';

/**
 * Pixie's random walks with restart (Eksombatchai et al., WWW 2018) over a PinBoardGraph.
 *
 * One step goes pin -> random board of the pin -> random pin of the board, and counts a visit to that
 * pin. After each step the walk restarts at its query pin with probability `restart`. Each query pin gets
 * its share of the step budget (its weight times Pixie's degree scaling), and its walks stop early once
 * `np` pins have been visited `nv` times. The visits of several query pins are combined as
 * (sum over query pins of sqrt(visits))^2, which boosts pins reached from several of them.
 *
 * Randomness is an xorshift32 generator inlined in the loop, seeded per call: same graph, same queries,
 * same seed -> the same answer. A walk is synchronous and keeps its counters in the Walker's scratch
 * arrays (reset through the list of touched pins, never cleared whole), so one Walker serves any number
 * of queries one after another on one thread.
 */

export interface WalkQuery {
  /** Pin index in the graph. */
  pin: number;
  weight: number;
}

export interface WalkOptions {
  /** Step budget over all query pins. */
  steps: number;
  seed: number;
  /** Probability of going back to the query pin after a step (mean walk length 1 / restart). */
  restart?: number;
  /** Early stop: this many pins visited at least `nv` times (per query pin). */
  np?: number;
  nv?: number;
  /** Pins (indexes) never returned, besides the query pins. */
  exclude?: (pin: number) => boolean;
}

export interface WalkResult {
  /** Pin indexes, best first. */
  pins: number[];
  scores: number[];
  /** Steps taken (at most the budget). */
  steps: number;
  /** Whether every query pin stopped on the np/nv rule before its budget. */
  stoppedEarly: boolean;
}

export const WALK_DEFAULTS = { restart: 0.3, np: 500, nv: 4 } as const;

/** 2^-32 */
const INV32 = 2.3283064365386963e-10;

/** Derives a non-zero 32-bit xorshift state from any number. */
export function seedState(seed: number): number {
  let x = (seed ^ 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  x = (x ^ (x >>> 16)) | 0;
  return x === 0 ? 0x6d2b79f5 : x;
}

/** A random walker with scratch space for graphs of up to `capacity` pins (grows when needed). */
export class Walker {
  /** Visit counts up to 255; a pin visited more counts on in `hot` (few pins, so few cache lines). */
  private visits = new Uint8Array(0);
  private hot = new Int32Array(0);
  private touched = new Int32Array(0);
  private combined = new Float64Array(0);
  private combinedTouched = new Int32Array(0);

  private ensure(n: number): void {
    if (this.visits.length >= n) return;
    const cap = Math.max(n, Math.ceil(this.visits.length * 1.25));
    this.visits = new Uint8Array(cap);
    this.hot = new Int32Array(cap);
    this.touched = new Int32Array(cap);
    this.combined = new Float64Array(cap);
    this.combinedTouched = new Int32Array(cap);
  }

  /** Walks from the query pins and returns the `limit` best other pins. */
  run(graph: PinBoardGraph, queries: readonly WalkQuery[], limit: number, options: WalkOptions): WalkResult {
    this.ensure(graph.pinCount);
    const restart = options.restart ?? WALK_DEFAULTS.restart;
    const np = options.np ?? WALK_DEFAULTS.np;
    const nv = options.nv ?? WALK_DEFAULTS.nv;
    const budgets = stepBudgets(graph, queries, options.steps);
    let state = seedState(options.seed);
    let steps = 0;
    let early = queries.length > 0;
    const visits = this.visits;
    const top = new TopK(limit);
    const exclude = options.exclude;
    if (queries.length === 1) {
      // One query pin: its visit counts are the scores, read once from the touched list.
      const q = queries[0]!.pin;
      const out = this.walkOne(graph, q, budgets[0]!, state, restart, np, nv);
      const touched = this.touched;
      const hot = this.hot;
      for (let t = 0; t < out.touched; t++) {
        const p = touched[t]!;
        const c = visits[p]!;
        visits[p] = 0;
        let v = c;
        // Only hot pins read (and clear) `hot`: touching it for every pin would pull it all into cache.
        if (c === 255) {
          v += hot[p]!;
          hot[p] = 0;
        }
        // Most touched pins were seen once or twice: rejected here without a call once the heap is full.
        if (v >= top.floor && p !== q && !exclude?.(p)) top.offer(p, v);
      }
      const { pins, scores } = top.sorted();
      return { pins, scores, steps: out.steps, stoppedEarly: out.early };
    }
    let nCombined = 0;
    const combined = this.combined;
    const combinedTouched = this.combinedTouched;
    queries.forEach((q, i) => {
      const out = this.walkOne(graph, q.pin, budgets[i]!, state, restart, np, nv);
      state = out.state;
      steps += out.steps;
      if (!out.early) early = false;
      const touched = this.touched;
      const hot = this.hot;
      for (let t = 0; t < out.touched; t++) {
        const p = touched[t]!;
        if (combined[p] === 0) combinedTouched[nCombined++] = p;
        const c = visits[p]!;
        visits[p] = 0;
        let v = c;
        if (c === 255) {
          v += hot[p]!;
          hot[p] = 0;
        }
        combined[p]! += Math.sqrt(v);
      }
    });
    const queried = new Set(queries.map((q) => q.pin));
    for (let t = 0; t < nCombined; t++) {
      const p = combinedTouched[t]!;
      const s = combined[p]!;
      combined[p] = 0;
      if (s * s < top.floor || queried.has(p) || exclude?.(p)) continue;
      top.offer(p, s * s);
    }
    const { pins, scores } = top.sorted();
    return { pins, scores, steps, stoppedEarly: early };
  }

  /**
   * The walks of one query pin: the hot loop. Two chains walk at once, each restarting at the query pin
   * on its own, from two random streams of the seed: a step waits on two dependent reads far apart in
   * memory (pin -> board -> pin), and with two independent chains the CPU waits for both at once (the
   * bare single-chain loop can only wait for one). Both count into the same visits; `budget` bounds
   * their steps together.
   */
  private walkOne(
    graph: PinBoardGraph,
    q: number,
    budget: number,
    seed: number,
    restart: number,
    np: number,
    nv: number,
  ): { steps: number; touched: number; state: number; early: boolean } {
    const { pinOff, pinAdj, boardOff, boardAdj, boardFlag, nBasePins, nBaseBoards } = graph;
    const visits = this.visits;
    const hot = this.hot;
    const touched = this.touched;
    const restartBelow = Math.round(restart * 256);
    let ra = seed;
    let rb = seedState(seed);
    let pa = q;
    let pb = q;
    let nTouched = 0;
    let high = 0;
    let step = 0;
    let early = false;
    // A query pin with no board (all on secret boards now) has nowhere to go.
    if (graph.pinDegree(q) === 0) return { steps: 0, touched: 0, state: ra, early: false };
    // The two chains' steps are written out in full (one after the other, the same code): a step moves two
    // locals of its chain (its pin and its random state) and may end the walk, which a function could
    // only hand back in an object made per step.
    while (step + 1 < budget) {
      step += 2;

      // Chain A. pin -> board; a base pin's offset is negative when the overlay holds boards for it.
      ra ^= ra << 13;
      ra ^= ra >>> 17;
      ra ^= ra << 5;
      const sa = pa < nBasePins ? pinOff[pa]! : -1;
      const ba =
        sa >= 0
          ? pinAdj[sa + (((ra >>> 0) * INV32 * ((pinOff[pa + 1]! & OFFSET) - sa)) | 0)]!
          : overlayBoard(graph, pa, ra);
      const againA = (ra & 255) < restartBelow;
      // board -> pin; -1 (no board, a board made secret) restarts the chain.
      ra ^= ra << 13;
      ra ^= ra >>> 17;
      ra ^= ra << 5;
      if (ba < 0) pa = q;
      else {
        if (ba < nBaseBoards && boardFlag[ba] === 0) {
          const s = boardOff[ba]!;
          pa = boardAdj[s + (((ra >>> 0) * INV32 * (boardOff[ba + 1]! - s)) | 0)]!;
        } else pa = overlayPin(graph, ba, ra);
        if (pa < 0) pa = q;
        else {
          // A byte per pin keeps the counters in cache; the few pins past 255 visits count on in `hot`.
          const c = visits[pa]!;
          let v: number;
          if (c !== 255) {
            v = c + 1;
            visits[pa] = v;
          } else v = 255 + ++hot[pa]!;
          // Branch-free: whether a pin is new is a coin toss the CPU would mispredict half the time.
          touched[nTouched] = pa;
          nTouched += (v - 2) >>> 31;
          if (v === nv && ++high >= np) {
            early = true;
            break;
          }
          if (againA) pa = q;
        }
      }

      // Chain B: the same step.
      rb ^= rb << 13;
      rb ^= rb >>> 17;
      rb ^= rb << 5;
      const sb = pb < nBasePins ? pinOff[pb]! : -1;
      const bb =
        sb >= 0
          ? pinAdj[sb + (((rb >>> 0) * INV32 * ((pinOff[pb + 1]! & OFFSET) - sb)) | 0)]!
          : overlayBoard(graph, pb, rb);
      const againB = (rb & 255) < restartBelow;
      rb ^= rb << 13;
      rb ^= rb >>> 17;
      rb ^= rb << 5;
      if (bb < 0) pb = q;
      else {
        if (bb < nBaseBoards && boardFlag[bb] === 0) {
          const s = boardOff[bb]!;
          pb = boardAdj[s + (((rb >>> 0) * INV32 * (boardOff[bb + 1]! - s)) | 0)]!;
        } else pb = overlayPin(graph, bb, rb);
        if (pb < 0) pb = q;
        else {
          const c = visits[pb]!;
          let v: number;
          if (c !== 255) {
            v = c + 1;
            visits[pb] = v;
          } else v = 255 + ++hot[pb]!;
          touched[nTouched] = pb;
          nTouched += (v - 2) >>> 31;
          if (v === nv && ++high >= np) {
            early = true;
            break;
          }
          if (againB) pb = q;
        }
      }
    }
    return { steps: step, touched: nTouched, state: ra, early };
  }
}

// The overlay's steps, out of the hot loop (kept small, it optimises better): -1 when there is nowhere
// to go (no board; a board made secret), which restarts the walk.

/** A random board of pin `p` from the base and the overlay, or -1. */
function overlayBoard(graph: PinBoardGraph, p: number, r: number): number {
  const d = graph.pinDegree(p);
  return d === 0 ? -1 : graph.boardAt(p, ((r >>> 0) * INV32 * d) | 0);
}

/** A random pin of board `b` from the base and the overlay, or -1 when it has none or is blocked. */
function overlayPin(graph: PinBoardGraph, b: number, r: number): number {
  const d = graph.isBlocked(b) ? 0 : graph.boardDegree(b);
  return d === 0 ? -1 : graph.pinAt(b, ((r >>> 0) * INV32 * d) | 0);
}

/**
 * Pixie's split of the step budget over query pins: weight times deg * (C - log deg), C the largest log
 * degree among the query pins plus one, so a pin on many boards gets more steps, sub-linearly.
 */
export function stepBudgets(graph: PinBoardGraph, queries: readonly WalkQuery[], total: number): number[] {
  const degs = queries.map((q) => Math.max(1, graph.pinDegree(q.pin)));
  const c = Math.max(0, ...degs.map((d) => Math.log(d))) + 1;
  const shares = queries.map((q, i) => Math.max(0, q.weight) * degs[i]! * (c - Math.log(degs[i]!)));
  const sum = shares.reduce((a, b) => a + b, 0);
  if (sum <= 0) return queries.map(() => 0);
  return shares.map((s) => Math.floor((total * s) / sum));
}

/**
 * The bare loop the walk is measured against: the same arrays, generator and restart rule, no visit
 * counting, no overlay (so only for a graph whose overlay is empty), no early stop. Returns a checksum so
 * the work cannot be optimised away.
 */
export function bareWalk(
  csr: { pinOff: Int32Array; pinAdj: Int32Array; boardOff: Int32Array; boardAdj: Int32Array },
  q: number,
  steps: number,
  seed: number,
  restart = WALK_DEFAULTS.restart,
): number {
  const { pinOff, pinAdj, boardOff, boardAdj } = csr;
  const restartBelow = Math.round(restart * 256);
  let r = seedState(seed);
  let p = q;
  let sum = 0;
  for (let step = 0; step < steps; step++) {
    r ^= r << 13;
    r ^= r >>> 17;
    r ^= r << 5;
    let s = pinOff[p]!;
    const b = pinAdj[s + (((r >>> 0) * INV32 * (pinOff[p + 1]! - s)) | 0)]!;
    const again = (r & 255) < restartBelow;
    r ^= r << 13;
    r ^= r >>> 17;
    r ^= r << 5;
    s = boardOff[b]!;
    p = boardAdj[s + (((r >>> 0) * INV32 * (boardOff[b + 1]! - s)) | 0)]!;
    sum += p;
    if (again) p = q;
  }
  return sum;
}

/** The k best (pin, score) pairs; ties go to the lower pin index, so results are deterministic. */
class TopK {
  private readonly pins: number[] = [];
  private readonly scores: number[] = [];
  /** The lowest score that can still enter (the heap's minimum once full). */
  floor = Number.NEGATIVE_INFINITY;
  constructor(private readonly k: number) {
    if (k <= 0) this.floor = Number.POSITIVE_INFINITY;
  }

  /** Whether (p, s) ranks below (q, t). */
  private static worse(s: number, p: number, t: number, q: number): boolean {
    return s < t || (s === t && p > q);
  }

  offer(pin: number, score: number): void {
    const { pins, scores } = this;
    if (this.k <= 0) return;
    if (pins.length < this.k) {
      pins.push(pin);
      scores.push(score);
      this.up(pins.length - 1);
      if (pins.length === this.k) this.floor = scores[0]!;
    } else if (TopK.worse(scores[0]!, pins[0]!, score, pin)) {
      pins[0] = pin;
      scores[0] = score;
      this.down(0);
      this.floor = scores[0]!;
    }
  }

  sorted(): { pins: number[]; scores: number[] } {
    const order = this.pins.map((_, i) => i);
    order.sort((a, b) => this.scores[b]! - this.scores[a]! || this.pins[a]! - this.pins[b]!);
    return { pins: order.map((i) => this.pins[i]!), scores: order.map((i) => this.scores[i]!) };
  }

  // A min-heap on (score, then higher pin index is worse).
  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.pins.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private less(a: number, b: number): boolean {
    return TopK.worse(this.scores[a]!, this.pins[a]!, this.scores[b]!, this.pins[b]!);
  }

  private swap(a: number, b: number): void {
    [this.pins[a], this.pins[b]] = [this.pins[b]!, this.pins[a]!];
    [this.scores[a], this.scores[b]] = [this.scores[b]!, this.scores[a]!];
  }
}
