// Run as a separate process by process.test.ts: assigns the world's first N units and prints one line
// each, so the test can compare with what its own process computes.
import { assignAll, compileLayers } from '../../../src/modules/experiments/assignment/index.js';
import { describeAssignments, world, worldUnits } from './world.js';

const count = Number(process.argv[2] ?? 1000);
const plan = compileLayers(world());
const lines = worldUnits(count).map((u) => describeAssignments(u.id, assignAll(u, plan)));
process.stdout.write(`${lines.join('\n')}\n`);
