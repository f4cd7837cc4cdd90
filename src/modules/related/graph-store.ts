import type { Db } from '../../platform/db/database.js';
import type { Logger } from '../../platform/logger.js';
import type { PinBoardGraph } from './graph.js';
import { GraphBuilder } from './graph-builder.js';
import type { SnapshotStore } from './graph-snapshot.js';
import { type LogEntry, relatedRepository as repo } from './related.repository.js';

export interface GraphStoreOptions {
  /** Pins a board keeps (its newest); edges beyond are pruned. */
  boardCap: number;
  /** How often the change log is read. */
  pollMs: number;
  /** How often the graph is rebuilt from the tables (0: never, after the first build). */
  rebuildMs: number;
  /** Rows read per page while building. */
  pageSize?: number;
  /** A hole in the log's sequence is waited for this long before it is taken for a rolled-back insert. */
  gapMs?: number;
  /** Pins written behind the log's back (see `checkDrift`) this old start a rebuild. */
  driftGraceMs?: number;
  /** Graphs shared between nodes (services mode); without it each node builds from the tables. */
  snapshots?: SnapshotStore;
  /** How long a node waits for another's snapshot before building itself. */
  snapshotWaitMs?: number;
}

/** How long one node may hold the right to build the shared graph. */
const SNAPSHOT_LOCK_MS = 10 * 60_000;
/** How long a node waits for the builder's snapshot before building itself. */
const SNAPSHOT_WAIT_MS = 2 * 60_000;

/** A graph ready to swap in, and the log position to replay from. */
interface Built {
  graph: PinBoardGraph;
  from: number;
  rows: number;
  /** The newest pin row it holds. */
  newest: bigint;
  source: 'tables' | 'snapshot';
}

/** Every this many polls, look for pins written behind the log's back. */
const DRIFT_EVERY_POLLS = 10;

/**
 * Where the log has been read to: every entry with seq ≤ `low` is applied (or was a hole given up on),
 * and `seen` holds the applied entries above it. Entries can commit out of seq order (sequence values are
 * taken before commit), so a hole is waited for `gapMs` before `low` moves past it.
 */
export class LogCursor {
  low = 0;
  private readonly seen = new Set<number>();
  private holeSince: number | undefined;

  constructor(private readonly gapMs: number) {}

  reset(low: number): void {
    this.low = low;
    this.seen.clear();
    this.holeSince = undefined;
  }

  /** Whether the entry is new (and marks it seen). */
  take(seq: number): boolean {
    if (seq <= this.low || this.seen.has(seq)) return false;
    this.seen.add(seq);
    return true;
  }

  advance(now: number): void {
    while (this.seen.delete(this.low + 1)) this.low++;
    if (this.seen.size === 0) {
      this.holeSince = undefined;
      return;
    }
    this.holeSince ??= now;
    if (now - this.holeSince < this.gapMs) return;
    // Give up on the hole: skip to the next seen entry and on.
    this.low = Math.min(...this.seen) - 1;
    this.holeSince = undefined;
    while (this.seen.delete(this.low + 1)) this.low++;
  }
}

/** Applies one log entry to a graph; entries are idempotent, so replaying one is harmless. */
export function applyEntry(graph: PinBoardGraph, e: LogEntry): void {
  const board = BigInt(e.board_id);
  if (e.kind === 'edge' && e.pin_id && e.canonical_id) {
    graph.addEdge(BigInt(e.canonical_id), board, BigInt(e.pin_id));
  } else if (e.kind === 'block') graph.setBlocked(board, true);
  else if (e.kind === 'unblock') graph.setBlocked(board, false);
}

/**
 * The graph of one API node: built from the tables in pages at start, kept current by polling the change
 * log, rebuilt in the background now and then (a new graph is built, caught up with the log, then swapped
 * in; walks in flight keep the graph they started on).
 */
export class GraphStore {
  private graph: PinBoardGraph | undefined;
  private first: Promise<PinBoardGraph> | undefined;
  private readonly cursor: LogCursor;
  private pollTimer: NodeJS.Timeout | undefined;
  private rebuildTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private rebuilding: Promise<PinBoardGraph> | undefined;
  private stopped = false;
  /** When the current graph was built, how long it took and from what (for logs and tests). */
  lastBuild: { at: number; ms: number; rows: number; source: 'tables' | 'snapshot' | 'none' } = {
    at: 0,
    ms: 0,
    rows: 0,
    source: 'none',
  };
  /** The newest pin row the graph has heard of (from its build or the log). */
  private knownMax = 0n;
  private polls = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly options: GraphStoreOptions,
  ) {
    this.cursor = new LogCursor(options.gapMs ?? 30_000);
  }

  /** Starts the first build and the log polling (idempotent). */
  start(): Promise<PinBoardGraph> {
    if (!this.first) {
      this.first = this.rebuild();
      this.first.then(
        () => this.schedule(),
        (err) => this.log.error({ err }, 'related graph: first build failed'),
      );
    }
    return this.first;
  }

  /** The current graph if one is built (for metrics: starts nothing, waits for nothing). */
  peek(): PinBoardGraph | undefined {
    return this.graph;
  }

  /** The current graph, waiting for the first build. */
  async current(): Promise<PinBoardGraph> {
    return this.graph ?? this.start();
  }

  /** Stops polling and rebuilding, after what is in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    clearTimeout(this.rebuildTimer);
    await Promise.allSettled([this.first, this.polling, this.rebuilding]);
  }

  /** Reads the change log once and applies what is new (tests call it to skip the timer). */
  async poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** Builds a new graph from the tables and swaps it in (one rebuild at a time). */
  rebuild(): Promise<PinBoardGraph> {
    this.rebuilding ??= this.buildAndSwap().finally(() => {
      this.rebuilding = undefined;
    });
    return this.rebuilding;
  }

  private async pollOnce(): Promise<void> {
    const graph = this.graph;
    if (!graph) return;
    for (;;) {
      const entries = await repo.logAfter(this.db, this.cursor.low, 5000);
      // A rebuild may have swapped graphs while we read: apply to the one in use now.
      const target = this.graph ?? graph;
      for (const e of entries) if (this.cursor.take(Number(e.seq))) this.apply(target, e);
      this.cursor.advance(Date.now());
      if (entries.length < 5000) break;
    }
    if (++this.polls % DRIFT_EVERY_POLLS === 0) await this.checkDrift();
  }

  private apply(graph: PinBoardGraph, e: LogEntry): void {
    applyEntry(graph, e);
    if (e.pin_id !== null && BigInt(e.pin_id) > this.knownMax) this.knownMax = BigInt(e.pin_id);
  }

  /**
   * Pins can reach the tables without passing the outbox (`corkboard seed`, restores, hand-written SQL):
   * pins newer than any the graph has heard of, on public boards, older than the grace (so
   * not merely waiting for the log consumer), mean the graph is missing rows, and it is rebuilt.
   */
  private async checkDrift(): Promise<void> {
    if (this.rebuilding) return;
    const unseen = await repo.unseenPins(
      this.db,
      this.knownMax.toString(),
      this.options.driftGraceMs ?? 10_000,
    );
    if (unseen > 0) {
      this.log.info({ unseen }, 'related graph: pins written outside the change log; rebuilding');
      void this.rebuild().catch((err) => this.log.warn({ err }, 'related graph: rebuild failed'));
    }
  }

  private async buildAndSwap(): Promise<PinBoardGraph> {
    const started = Date.now();
    const built = (await this.shared()) ?? (await this.fromTables());
    const { graph, from } = built;
    for (let seq = from; ; ) {
      const entries = await repo.logAfter(this.db, seq, 5000);
      for (const e of entries) this.apply(graph, e);
      if (entries.length < 5000) break;
      seq = Number(entries[entries.length - 1]!.seq);
    }
    if (!this.graph) this.cursor.reset(from);
    if (built.newest > this.knownMax) this.knownMax = built.newest;
    this.graph = graph;
    this.lastBuild = { at: Date.now(), ms: Date.now() - started, rows: built.rows, source: built.source };
    this.log.info(
      {
        source: built.source,
        pins: graph.nBasePins,
        boards: graph.nBaseBoards,
        edges: graph.edgeCount,
        pruned: graph.pruned,
        bytes: graph.memoryBytes().total,
        ms: this.lastBuild.ms,
      },
      'related graph built',
    );
    return graph;
  }

  /**
   * With a snapshot store (services mode): a snapshot newer than this node's graph and younger than the
   * rebuild interval is loaded; else the node that takes the build lock builds from the tables and
   * writes a snapshot for the others, who wait for it (and build themselves if it does not come).
   */
  private async shared(): Promise<Built | undefined> {
    const store = this.options.snapshots;
    if (!store) return undefined;
    const fresh = await this.freshSnapshot(store);
    if (fresh) return fresh;
    if (await store.lock(SNAPSHOT_LOCK_MS)) {
      try {
        const built = await this.fromTables();
        await store.write(built.graph, built.from, built.newest.toString());
        return built;
      } finally {
        await store.unlock();
      }
    }
    const deadline = Date.now() + (this.options.snapshotWaitMs ?? SNAPSHOT_WAIT_MS);
    while (Date.now() < deadline && !this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const waited = await this.freshSnapshot(store);
      if (waited) return waited;
    }
    return undefined;
  }

  private async freshSnapshot(store: SnapshotStore): Promise<Built | undefined> {
    const meta = await store.latest();
    if (!meta || meta.builtAt <= this.lastBuild.at) return undefined;
    if (this.options.rebuildMs > 0 && Date.now() - meta.builtAt > this.options.rebuildMs) return undefined;
    const graph = await store.load(meta);
    if (!graph) return undefined;
    return { graph, from: meta.logSeq, rows: 0, newest: BigInt(meta.newest), source: 'snapshot' };
  }

  /** Builds from the pin rows, in pages. */
  private async fromTables(): Promise<Built> {
    // Everything committed before the pages are read is in them; the log after this point is replayed.
    const from = this.graph ? this.cursor.low : await repo.logHead(this.db);
    const builder = new GraphBuilder(this.options.boardCap);
    const pageSize = this.options.pageSize ?? 20_000;
    let after = '0';
    let rows = 0;
    let newest = 0n;
    for (;;) {
      const page = await repo.graphRows(this.db, after, pageSize);
      for (const r of page) {
        builder.add(
          BigInt(r.id),
          r.parent_pin_id === null ? null : BigInt(r.parent_pin_id),
          BigInt(r.board_id),
          r.secret,
        );
      }
      rows += page.length;
      if (page.length > 0) newest = BigInt(page[page.length - 1]!.id);
      if (page.length < pageSize) break;
      after = page[page.length - 1]!.id;
    }
    return { graph: await builder.finishAsync(), from, rows, newest, source: 'tables' };
  }

  private schedule(): void {
    if (this.stopped) return;
    const tick = () => {
      if (this.stopped) return;
      this.poll()
        .catch((err) => this.log.warn({ err }, 'related graph: log poll failed'))
        .finally(() => {
          if (!this.stopped) this.pollTimer = setTimeout(tick, this.options.pollMs).unref();
        });
    };
    this.pollTimer = setTimeout(tick, this.options.pollMs).unref();
    if (this.options.rebuildMs > 0) {
      const again = () => {
        if (this.stopped) return;
        this.rebuild()
          .catch((err) => this.log.warn({ err }, 'related graph: rebuild failed'))
          .finally(() => {
            if (!this.stopped) this.rebuildTimer = setTimeout(again, this.options.rebuildMs).unref();
          });
      };
      this.rebuildTimer = setTimeout(again, this.options.rebuildMs).unref();
    }
  }
}
