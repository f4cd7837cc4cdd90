import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../../src/app.js';
import { eventually, startTestApp } from '../../helpers/app.js';
import { makeBoard, makeUser, type TestUser } from '../../helpers/factories.js';
import { testMode } from '../../helpers/mode.js';
import { ids, relatedOf, world } from './helpers.js';

// Several API nodes on one database: one builds the graph and shares it as a snapshot in Redis, the
// others load it; each keeps its copy current from the change log the job-running process writes.
describe.runIf(testMode() === 'services')('related pins on several nodes', () => {
  let worker: App;
  let api: App;
  let alice: TestUser;
  let bob: TestUser;
  let first: string;
  let second: string;

  beforeAll(async () => {
    worker = await startTestApp({ env: { RELATED_POLL_MS: '50', RELATED_REBUILD_MINUTES: '0' } });
    alice = await makeUser(worker);
    bob = await makeUser(worker);
    const w = world(worker);
    const board = await makeBoard(worker, alice, { name: 'Lamps' });
    first = await w.pin(alice, board.id, { title: 'Desk lamp' });
    second = await w.pin(alice, board.id, { title: 'Floor lamp' });
    await relatedOf(worker).graph.rebuild();
    api = await createApp(worker.config, { runJobs: false });
    afterAll(() => api.close());
  }, 60_000);

  it('a second node loads the graph the first one built instead of reading the pins', async () => {
    expect(relatedOf(worker).graph.lastBuild.source).toBe('tables');
    const graph = await relatedOf(api).graph.current();
    expect(relatedOf(api).graph.lastBuild).toMatchObject({ source: 'snapshot', rows: 0 });
    const built = await relatedOf(worker).graph.current();
    expect(graph.nBasePins).toBe(built.nBasePins);
    expect(graph.pinIndex(BigInt(first))).toBeGreaterThanOrEqual(0);
    expect(Array.from(graph.boardAdj)).toEqual(Array.from(built.boardAdj));
  });

  it('a pin saved through one node is related on another within seconds', async () => {
    const w = world(worker);
    const other = world(api);
    await eventually(async () => ids(await other.related(bob, first)).includes(second), 10_000, 50);

    // A save to bob's board links a pin of his to alice's through the other node's graph.
    const bobs = await makeBoard(worker, bob, { name: 'Lighting' });
    const own = await w.pin(bob, bobs.id, { title: 'Pendant' });
    await w.save(bob, first, bobs.id);
    await eventually(async () => ids(await other.related(alice, second)).includes(own), 10_000, 50);
    // The API node did not rebuild: the change log carried both.
    const graph = await relatedOf(api).graph.current();
    expect(graph.overlaid).toBe(true);
  });
});
