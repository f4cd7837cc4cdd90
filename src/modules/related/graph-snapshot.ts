import type { Redis } from 'ioredis';
import { PinBoardGraph } from './graph.js';

/** What a snapshot says about itself. */
export interface SnapshotMeta {
  id: string;
  /** The change log position the snapshot's build started from: replay the log after it. */
  logSeq: number;
  builtAt: number;
  /** The newest pin row the build read (decimal id). */
  newest: string;
  bytes: number;
  chunks: number;
}

/**
 * A graph built by one node, shared with the others (services mode): the base arrays as one binary blob,
 * so the other nodes copy it into memory instead of reading every pin row. Snapshots are derived data:
 * lost or expired, a node builds from the tables as before.
 */
export interface SnapshotStore {
  latest(): Promise<SnapshotMeta | undefined>;
  load(meta: SnapshotMeta): Promise<PinBoardGraph | undefined>;
  /** Writes a freshly built graph (its overlay must be empty: only the base is kept). */
  write(graph: PinBoardGraph, logSeq: number, newest: string): Promise<SnapshotMeta>;
  /** Takes the right to build for `ms` (one builder at a time); false when another node holds it. */
  lock(ms: number): Promise<boolean>;
  unlock(): Promise<void>;
}

const PARTS = ['pinKeys', 'pinReps', 'boardKeys', 'pinOff', 'pinAdj', 'boardOff', 'boardAdj'] as const;
type Part = (typeof PARTS)[number];

/** The base arrays as one buffer: a JSON header line (lengths, pruned count), then each array's bytes. */
export function encodeGraph(graph: PinBoardGraph): Buffer {
  if (graph.overlaid) throw new Error('encodeGraph: only a graph with an empty overlay can be saved');
  const lengths = Object.fromEntries(PARTS.map((p) => [p, graph[p].length]));
  const header = Buffer.from(`${JSON.stringify({ v: 1, lengths, pruned: graph.pruned })}\n`);
  // Arrays start at multiples of 8 bytes after the header, so they can be viewed in place when decoded.
  const pad = (8 - (header.length % 8)) % 8;
  const parts = PARTS.map((p) => Buffer.from(graph[p].buffer, graph[p].byteOffset, graph[p].byteLength));
  return Buffer.concat([header, Buffer.alloc(pad, 0x20), ...parts]);
}

/** The graph of an encoded buffer, its arrays copied onto SharedArrayBuffers. */
export function decodeGraph(bytes: Buffer): PinBoardGraph {
  const newline = bytes.indexOf(0x0a);
  const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as {
    v: number;
    lengths: Record<Part, number>;
    pruned: number;
  };
  if (header.v !== 1) throw new Error(`decodeGraph: unknown version ${header.v}`);
  let at = newline + 1;
  at += (8 - (at % 8)) % 8;
  const out = {} as Record<Part, BigUint64Array | Int32Array>;
  for (const p of PARTS) {
    const wide = p === 'pinKeys' || p === 'pinReps' || p === 'boardKeys';
    const size = header.lengths[p] * (wide ? 8 : 4);
    const shared = new SharedArrayBuffer(Math.max(size, wide ? 8 : 4));
    new Uint8Array(shared).set(bytes.subarray(at, at + size));
    out[p] = wide
      ? new BigUint64Array(shared, 0, header.lengths[p])
      : new Int32Array(shared, 0, header.lengths[p]);
    at += size;
  }
  return new PinBoardGraph({
    pinKeys: out.pinKeys as BigUint64Array,
    pinReps: out.pinReps as BigUint64Array,
    boardKeys: out.boardKeys as BigUint64Array,
    csr: {
      pinOff: out.pinOff as Int32Array,
      pinAdj: out.pinAdj as Int32Array,
      boardOff: out.boardOff as Int32Array,
      boardAdj: out.boardAdj as Int32Array,
    },
    pruned: header.pruned,
  });
}

const CHUNK = 8 * 1024 * 1024;

/**
 * Snapshots in Redis: chunks of at most 8 MiB under a per-snapshot id, then the meta key pointing at
 * them (written last, so a reader never sees a half-written snapshot). Chunks expire after `ttlMs`.
 */
export class RedisSnapshotStore implements SnapshotStore {
  private readonly node = `${process.pid}-${Math.random().toString(36).slice(2)}`;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  private key(name: string): string {
    return `${this.prefix}related:snapshot:${name}`;
  }

  async latest(): Promise<SnapshotMeta | undefined> {
    const raw = await this.redis.get(this.key('meta'));
    return raw ? (JSON.parse(raw) as SnapshotMeta) : undefined;
  }

  async load(meta: SnapshotMeta): Promise<PinBoardGraph | undefined> {
    const chunks: Buffer[] = [];
    for (let i = 0; i < meta.chunks; i++) {
      const chunk = await this.redis.getBuffer(this.key(`${meta.id}:${i}`));
      if (!chunk) return undefined; // expired under us: build instead
      chunks.push(chunk);
    }
    const bytes = Buffer.concat(chunks);
    return bytes.length === meta.bytes ? decodeGraph(bytes) : undefined;
  }

  async write(graph: PinBoardGraph, logSeq: number, newest: string): Promise<SnapshotMeta> {
    const bytes = encodeGraph(graph);
    const id = `${Date.now()}-${this.node}`;
    const chunks = Math.max(1, Math.ceil(bytes.length / CHUNK));
    for (let i = 0; i < chunks; i++) {
      await this.redis.set(
        this.key(`${id}:${i}`),
        bytes.subarray(i * CHUNK, (i + 1) * CHUNK),
        'PX',
        this.ttlMs,
      );
    }
    const meta: SnapshotMeta = { id, logSeq, builtAt: Date.now(), newest, bytes: bytes.length, chunks };
    await this.redis.set(this.key('meta'), JSON.stringify(meta), 'PX', this.ttlMs);
    return meta;
  }

  async lock(ms: number): Promise<boolean> {
    return (await this.redis.set(this.key('lock'), this.node, 'PX', ms, 'NX')) === 'OK';
  }

  async unlock(): Promise<void> {
    // Only our own lock: after its time ran out, another node may hold it.
    await this.redis.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
      1,
      this.key('lock'),
      this.node,
    );
  }
}
