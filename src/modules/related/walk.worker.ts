// A walk worker thread (see walk-pool.ts): holds one graph generation at a time, its overlay replayed
// from the changes each request carries, and walks it.
import { parentPort } from 'node:worker_threads';
import { PinBoardGraph } from './graph.js';
import { Walker } from './walk.js';
import type { WalkReply, WalkRequest } from './walk-pool.js';

let graph: PinBoardGraph | undefined;
let generation = 0;
const walker = new Walker();

parentPort!.on('message', (m: WalkRequest) => {
  let reply: WalkReply;
  try {
    if (m.load) {
      graph = new PinBoardGraph(m.load);
      generation = m.generation;
    }
    if (!graph || generation !== m.generation) throw new Error(`graph generation ${m.generation} not loaded`);
    graph.replay(m.ops);
    reply = { id: m.id, result: walker.run(graph, m.queries, m.limit, m.options) };
  } catch (err) {
    reply = { id: m.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
