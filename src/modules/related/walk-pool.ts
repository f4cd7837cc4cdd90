import { Worker } from 'node:worker_threads';
import type { GraphParts, PinBoardGraph } from './graph.js';
import { Walker, type WalkOptions, type WalkQuery, type WalkResult } from './walk.js';

/** Walk options a worker thread can take (no `exclude` callback: functions do not cross threads). */
export type PooledWalkOptions = Omit<WalkOptions, 'exclude'>;

/** Runs walks: on the calling thread or on worker threads. */
export interface WalkRunner {
  run(
    graph: PinBoardGraph,
    queries: readonly WalkQuery[],
    limit: number,
    options: PooledWalkOptions,
  ): Promise<WalkResult>;
  /** Stops the threads; walks asked afterwards (or still queued) fail. */
  close(): Promise<void>;
}

/** Walks on the calling thread (RELATED_WALK_WORKERS=0): for embedded tests and one-core machines. */
export class InThreadWalks implements WalkRunner {
  private readonly walker = new Walker();

  async run(
    graph: PinBoardGraph,
    queries: readonly WalkQuery[],
    limit: number,
    options: PooledWalkOptions,
  ): Promise<WalkResult> {
    return this.walker.run(graph, queries, limit, options);
  }

  async close(): Promise<void> {}
}

/** What a worker thread is sent for one walk. */
export interface WalkRequest {
  id: number;
  generation: number;
  /** The graph's base arrays, when the worker holds another generation (or none). */
  load?: GraphParts;
  /** Overlay changes the worker has not replayed yet on this generation. */
  ops: PinBoardGraph['ops'];
  queries: readonly WalkQuery[];
  limit: number;
  options: PooledWalkOptions;
}

export type WalkReply = { id: number; result: WalkResult } | { id: number; error: string };

interface Task {
  graph: PinBoardGraph;
  queries: readonly WalkQuery[];
  limit: number;
  options: PooledWalkOptions;
  resolve: (r: WalkResult) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker | undefined;
  /** The generation the worker holds (after the messages sent so far), and how many of its ops. */
  generation: number;
  opsSent: number;
  busy: Task | undefined;
  id: number;
}

/**
 * Walks on a few worker threads, so a walk (15-30 ms, a feed ranking up to ~90) never holds the API's
 * event loop. The graph's base arrays are on SharedArrayBuffers: a worker is posted them once per graph
 * generation and reads the same memory. The overlay of recent changes is not shared: each walk carries
 * the changes its worker has not seen (`graph.ops` from where it left off), which the worker replays in
 * order on its own copy, so it walks exactly the graph the main thread holds when the walk is asked, and
 * answers what the in-thread walk would (same graph, queries and seed). One walk per worker at a time;
 * others queue here. A graph swap is safe: walks in flight keep their generation, the next walk on the
 * new graph posts its arrays; the old graph's memory goes when nothing holds it.
 */
export class WalkPool implements WalkRunner {
  private readonly slots: Slot[];
  private readonly queue: Task[] = [];
  private nextId = 0;
  private closed = false;

  constructor(size: number) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => ({
      worker: undefined,
      generation: 0,
      opsSent: 0,
      busy: undefined,
      id: -1,
    }));
  }

  /** Worker threads started so far (they start with the first walks). */
  get started(): number {
    return this.slots.filter((s) => s.worker).length;
  }

  run(
    graph: PinBoardGraph,
    queries: readonly WalkQuery[],
    limit: number,
    options: PooledWalkOptions,
  ): Promise<WalkResult> {
    if (this.closed) return Promise.reject(new Error('walk pool closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ graph, queries, limit, options, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error('walk pool closed'));
    await Promise.all(
      this.slots.map(async (s) => {
        const w = s.worker;
        s.worker = undefined;
        s.busy?.reject(new Error('walk pool closed'));
        s.busy = undefined;
        if (w) await w.terminate();
      }),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const task = this.queue[0]!;
      const idle = this.slots.filter((s) => !s.busy);
      if (idle.length === 0) return;
      // A worker already holding the graph saves posting (and re-reading) its arrays.
      const slot = idle.find((s) => s.worker && s.generation === task.graph.generation) ?? idle[0]!;
      this.queue.shift();
      this.send(slot, task);
    }
  }

  private send(slot: Slot, task: Task): void {
    const worker = slot.worker ?? this.spawn(slot);
    const { graph } = task;
    const fresh = slot.generation !== graph.generation;
    const from = fresh ? 0 : slot.opsSent;
    const request: WalkRequest = {
      id: this.nextId++,
      generation: graph.generation,
      ...(fresh ? { load: graph.baseParts() } : {}),
      ops: graph.ops.slice(from),
      queries: task.queries,
      limit: task.limit,
      options: task.options,
    };
    slot.generation = graph.generation;
    slot.opsSent = graph.ops.length;
    slot.busy = task;
    slot.id = request.id;
    worker.postMessage(request);
  }

  private spawn(slot: Slot): Worker {
    const worker = startWorker();
    // A pool left open must not keep the process alive.
    worker.unref();
    slot.worker = worker;
    slot.generation = 0;
    slot.opsSent = 0;
    worker.on('message', (m: WalkReply) => {
      const task = slot.busy;
      if (!task || m.id !== slot.id) return;
      slot.busy = undefined;
      if ('error' in m) {
        // Its copy of the overlay may be half replayed: the next walk posts the graph afresh.
        slot.generation = 0;
        task.reject(new Error(`walk failed in worker: ${m.error}`));
      } else task.resolve(m.result);
      this.dispatch();
    });
    const lost = (err: Error) => {
      if (slot.worker !== worker) return;
      // The next walk on this slot starts a new worker (which holds no graph yet).
      slot.worker = undefined;
      slot.generation = 0;
      const task = slot.busy;
      slot.busy = undefined;
      task?.reject(err);
      if (!this.closed) this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`walk worker exited with code ${code}`)));
    return worker;
  }
}

/**
 * The worker thread of walk.worker: the compiled file next to this one, or, when running from the
 * TypeScript sources (tsx, vitest), the .ts file through tsx, which a worker must register itself
 * (loader hooks given with --import do not reach worker threads on Node 20).
 */
function startWorker(): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './walk.worker.ts' : './walk.worker.js', import.meta.url);
  if (!fromSource) return new Worker(url);
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true });
}

/** Walks on `workers` threads, or on the calling thread when 0. */
export function walkRunner(workers: number): WalkRunner {
  return workers > 0 ? new WalkPool(workers) : new InThreadWalks();
}
