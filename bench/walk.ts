// Related pins: the random walk on a generated pin-board graph.
//
//   npx tsx bench/walk.ts
//
// Generates (in memory, seeded) a graph of BENCH_PINS pins, BENCH_BOARDS boards and BENCH_EDGES edges
// with heavy-tailed degrees and planted topics, then measures:
//   (a) steps/s of the walk (Walker.run: visit counting, early-stop checks, overlay checks, top-k)
//       against a bare typed-array random-walk loop (bareWalk) over the same arrays, alternating rounds;
//   (b) the graph's memory (bytes of its arrays);
//   (c) latency p50/p99 of related queries of BENCH_WALK_STEPS steps with BENCH_CONCURRENCY queries in
//       flight, served by BENCH_WALK_WORKERS worker threads sharing the graph (SharedArrayBuffers);
//   (d) precision@20: the share of a query's top 20 that are of the query pin's topic, against a
//       popular-pins baseline (the 20 most-saved pins overall).
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { csrFromEdges } from '../src/modules/related/csr.js';
import { PinBoardGraph } from '../src/modules/related/graph.js';
import { bareWalk, Walker } from '../src/modules/related/walk.js';
import { envNumber, percentile } from './settings.js';

interface Shared {
  pinOff: Int32Array;
  pinAdj: Int32Array;
  boardOff: Int32Array;
  boardAdj: Int32Array;
  pinKeys: BigUint64Array;
  boardKeys: BigUint64Array;
}

function graphOf(s: Shared): PinBoardGraph {
  return new PinBoardGraph({
    pinKeys: s.pinKeys,
    pinReps: s.pinKeys,
    boardKeys: s.boardKeys,
    csr: { pinOff: s.pinOff, pinAdj: s.pinAdj, boardOff: s.boardOff, boardAdj: s.boardAdj },
  });
}

/** 64 MiB, more than this machine's last-level cache. */
const EVICT = new Int32Array(16 * 1024 * 1024);
/** Reads and writes one word per cache line of EVICT, pushing the graph's lines out of every cache. */
function evictCaches(): number {
  let sum = 0;
  for (let i = 0; i < EVICT.length; i += 16) {
    sum += EVICT[i]!;
    EVICT[i] = sum & 1;
  }
  return sum;
}

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

/**
 * A worker thread running this file. Loader hooks given with --import do not reach worker threads on
 * Node 20, so the worker registers tsx itself before importing the TypeScript.
 */
function walkWorker(shared: Shared): Worker {
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  return new Worker(code, { eval: true, workerData: { shared } });
}

const sab64 = (n: number) => new BigUint64Array(new SharedArrayBuffer(n * 8));

/**
 * Planted topics: pin p and board b are of topic p % T and b % T. Each edge picks a board with a
 * heavy-tailed law (index ~ n * u^2: a few huge boards, many small ones), then a pin of the board's topic
 * with a heavy-tailed law (rank ~ u^3: a few very popular pins), or with probability `noise` any pin.
 */
function generate(
  nPins: number,
  nBoards: number,
  nEdges: number,
  topics: number,
  noise: number,
  seed: number,
) {
  const rand = rng(seed);
  const ePin = new Int32Array(nEdges);
  const eBoard = new Int32Array(nEdges);
  const perTopic = Math.floor(nPins / topics);
  for (let e = 0; e < nEdges; e++) {
    const u = rand();
    const b = Math.min(nBoards - 1, Math.floor(nBoards * u * u));
    let p: number;
    if (rand() < noise) p = Math.floor(rand() * nPins);
    else {
      const v = rand();
      p = (b % topics) + topics * Math.min(perTopic - 1, Math.floor(perTopic * v * v * v));
    }
    ePin[e] = p;
    eBoard[e] = b;
  }
  return { ePin, eBoard };
}

async function main() {
  const nPins = envNumber('BENCH_PINS', 1_000_000, 1000);
  const nBoards = envNumber('BENCH_BOARDS', 200_000, 100);
  const nEdges = envNumber('BENCH_EDGES', 10_000_000, 1000);
  const topics = envNumber('BENCH_TOPICS', 50, 2);
  const noise = envNumber('BENCH_NOISE', 0.1, 0);
  const boardCap = envNumber('BENCH_BOARD_CAP', 5000, 1);
  const steps = envNumber('BENCH_WALK_STEPS', 100_000, 100);
  const rounds = envNumber('BENCH_ROUNDS', 5, 1);
  const concurrency = envNumber('BENCH_CONCURRENCY', 8, 1);
  const workers = envNumber('BENCH_WALK_WORKERS', Math.min(2, availableParallelism()), 1);
  const latencyQueries = envNumber('BENCH_LATENCY_QUERIES', 400, 1);
  const precisionQueries = envNumber('BENCH_PRECISION_QUERIES', 200, 1);

  let t = performance.now();
  const { ePin, eBoard } = generate(nPins, nBoards, nEdges, topics, noise, 42);
  const genMs = performance.now() - t;
  t = performance.now();
  const csr = csrFromEdges(nPins, nBoards, ePin, eBoard, nEdges, boardCap);
  const csrMs = performance.now() - t;
  const pinKeys = sab64(nPins);
  for (let i = 0; i < nPins; i++) pinKeys[i] = BigInt(i + 1);
  const boardKeys = sab64(nBoards);
  for (let i = 0; i < nBoards; i++) boardKeys[i] = BigInt(i + 1);
  const shared: Shared = { ...csr, pinKeys, boardKeys };
  const graph = graphOf(shared);
  const topicOf = (p: number) => p % topics;
  let maxBoard = 0;
  for (let b = 0; b < nBoards; b++) maxBoard = Math.max(maxBoard, graph.boardDegree(b));
  let maxPin = 0;
  for (let p = 0; p < nPins; p++) maxPin = Math.max(maxPin, graph.pinDegree(p));
  console.log(
    `graph: ${nPins.toLocaleString()} pins, ${nBoards.toLocaleString()} boards, ${nEdges.toLocaleString()} edges generated -> ` +
      `${graph.edgeCount.toLocaleString()} kept (${csr.pruned.toLocaleString()} pruned above ${boardCap} pins a board, ` +
      `the rest duplicates); largest board ${maxBoard}, most-saved pin ${maxPin}; generated in ${genMs.toFixed(0)} ms, ` +
      `compressed in ${csrMs.toFixed(0)} ms`,
  );
  const mem = graph.memoryBytes();
  console.log(
    `(b) memory: ${(mem.arrays / 2 ** 20).toFixed(1)} MiB of arrays (${(mem.arrays / graph.edgeCount).toFixed(1)} bytes an edge); ` +
      `walk scratch per thread ${((nPins * 21) / 2 ** 20).toFixed(1)} MiB`,
  );

  // Query pins: random pins with at least one board.
  const pick = rng(7);
  const queries: number[] = [];
  while (queries.length < Math.max(precisionQueries, 20)) {
    const p = Math.floor(pick() * nPins);
    if (graph.pinDegree(p) > 0) queries.push(p);
  }

  // (a) steps/s: walk and bare loop over the same arrays, alternating, 20 queries each a round.
  const walker = new Walker();
  const stepQueries = queries.slice(0, 20);
  const walkRates: number[] = [];
  const bareRates: number[] = [];
  let sink = 0;
  // Warm both up.
  walker.run(graph, [{ pin: stepQueries[0]!, weight: 1 }], 100, { steps: 50_000, seed: 1, np: Infinity });
  sink += bareWalk(csr, stepQueries[0]!, 50_000, 1);
  // Each query is walked by both, back to back (order alternating), so load changes on this shared
  // machine hit both sides alike; the ratio reported is the median of these paired ratios. Both follow
  // the same path (same seed, generator and restart rule), so the second would find the first's cache
  // lines warm: the caches are flushed before each run, and both start cold, as a query on a new pin does.
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let bareMs = 0;
    let walkMs = 0;
    let taken = 0;
    for (const [i, q] of stepQueries.entries()) {
      const seed = round * 100 + i;
      const order = (round + i) % 2 === 0 ? ['bare', 'walk'] : ['walk', 'bare'];
      let b = 0;
      let w = 0;
      for (const side of order) {
        sink += evictCaches();
        const start = performance.now();
        if (side === 'bare') {
          sink += bareWalk(csr, q, steps, seed);
          b = performance.now() - start;
        } else {
          const r = walker.run(graph, [{ pin: q, weight: 1 }], 100, { steps, seed, np: Infinity });
          w = performance.now() - start;
          taken += r.steps;
        }
      }
      bareMs += b;
      walkMs += w;
      ratios.push(b / w);
    }
    bareRates.push((stepQueries.length * steps) / (bareMs / 1000));
    walkRates.push(taken / (walkMs / 1000));
  }
  const walkRate = percentile(walkRates, 50);
  const bareRate = percentile(bareRates, 50);
  console.log(
    `(a) steps/s, one core, ${rounds} rounds x ${stepQueries.length} walks of ${steps.toLocaleString()} steps, each walked ` +
      `by both back to back: walk ${(walkRate / 1e6).toFixed(2)} M, bare loop ${(bareRate / 1e6).toFixed(2)} M (medians of ` +
      `rounds); ratio walk/bare ${percentile(ratios, 50).toFixed(2)} (median of ${ratios.length} pairs; ` +
      `quartiles ${percentile(ratios, 25).toFixed(2)}-${percentile(ratios, 75).toFixed(2)})${sink === 0.5 ? '' : ''}`,
  );

  // (d) precision@20 against the most-saved pins.
  const byDegree = Array.from({ length: nPins }, (_, p) => p);
  byDegree.sort((a, b) => graph.pinDegree(b) - graph.pinDegree(a) || a - b);
  const popular = byDegree.slice(0, 21);
  let hits = 0;
  let base = 0;
  let shown = 0;
  let baseShown = 0;
  let earlyStops = 0;
  let stepsTaken = 0;
  for (const [i, q] of queries.slice(0, precisionQueries).entries()) {
    const r = walker.run(graph, [{ pin: q, weight: 1 }], 20, { steps, seed: 1000 + i });
    stepsTaken += r.steps;
    if (r.stoppedEarly) earlyStops++;
    for (const p of r.pins) if (topicOf(p) === topicOf(q)) hits++;
    shown += r.pins.length;
    const baseline = popular.filter((p) => p !== q).slice(0, 20);
    for (const p of baseline) if (topicOf(p) === topicOf(q)) base++;
    baseShown += baseline.length;
  }
  const precision = hits / shown;
  const basePrecision = base / baseShown;
  console.log(
    `(d) precision@20 over ${precisionQueries} query pins: walk ${precision.toFixed(3)}, most-saved baseline ` +
      `${basePrecision.toFixed(3)} (${(precision / Math.max(basePrecision, 1e-9)).toFixed(1)}x); ` +
      `${earlyStops} of ${precisionQueries} walks stopped early, mean ${(stepsTaken / precisionQueries).toFixed(0)} steps`,
  );

  // (c) latency: `concurrency` clients, each sending its next query when the last one is answered, to
  // `workers` threads walking the shared graph.
  const pool = Array.from({ length: workers }, () => walkWorker(shared));
  const pending = new Map<number, (m: { steps: number }) => void>();
  for (const wk of pool) wk.on('message', (m: { id: number; steps: number }) => pending.get(m.id)!(m));
  const idle: Worker[] = [...pool];
  const waiting: (() => void)[] = [];
  let nextId = 0;
  const ask = (pin: number, seed: number) =>
    new Promise<{ steps: number }>((resolve) => {
      const send = () => {
        const wk = idle.pop()!;
        const id = nextId++;
        pending.set(id, (m) => {
          pending.delete(id);
          idle.push(wk);
          waiting.shift()?.();
          resolve(m);
        });
        wk.postMessage({ id, pin, steps, seed });
      };
      if (idle.length > 0) send();
      else waiting.push(send);
    });
  // Warm the workers.
  await Promise.all(pool.map((_, i) => ask(queries[i]!, i)));
  const latencies: number[] = [];
  let issued = 0;
  let latencySteps = 0;
  t = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < latencyQueries) {
        const i = issued++;
        const start = performance.now();
        const r = await ask(queries[i % queries.length]!, 5000 + i);
        latencies.push(performance.now() - start);
        latencySteps += r.steps;
      }
    }),
  );
  const wall = (performance.now() - t) / 1000;
  for (const wk of pool) await wk.terminate();
  console.log(
    `(c) latency, ${concurrency} queries in flight on ${workers} worker threads, ${latencyQueries} queries of up to ` +
      `${steps.toLocaleString()} steps (early stop on, mean ${(latencySteps / latencyQueries).toFixed(0)} steps): ` +
      `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ` +
      `${(latencyQueries / wall).toFixed(0)} queries/s`,
  );
}

if (!isMainThread) {
  // A worker: walks the shared graph for each query it is sent.
  const graph = graphOf(workerData.shared as Shared);
  const walker = new Walker();
  parentPort!.on('message', (m: { id: number; pin: number; steps: number; seed: number }) => {
    const r = walker.run(graph, [{ pin: m.pin, weight: 1 }], 100, { steps: m.steps, seed: m.seed });
    parentPort!.postMessage({ id: m.id, steps: r.steps, top: r.pins.slice(0, 20) });
  });
} else {
  await main();
}
