import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { assignAll, compileLayers } from '../../../src/modules/experiments/assignment/index.js';
import { figure } from './chi-square.js';
import { describeAssignments, world, worldUnits } from './world.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./assign-child.ts', import.meta.url));

function inProcess(count: number): string[] {
  const plan = compileLayers(world());
  return worldUnits(count).map((u) => describeAssignments(u.id, assignAll(u, plan)));
}

describe('assignment across processes and restarts', () => {
  it('assigns 1,000 units in a fresh node process exactly as in this one', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, '1000'], { timeout: 20_000 });
    const theirs = stdout.trimEnd().split('\n');
    const ours = inProcess(1000);
    const assigned = ours.filter((l) => l.includes(':')).length;
    figure('process', { lines: theirs.length, withAnAssignment: assigned });
    expect(theirs).toHaveLength(1000);
    expect(theirs).toEqual(ours);
    // Not a vacuous match: most units are in some experiment.
    expect(assigned).toBeGreaterThan(900);
  });

  it('gives the fixed assignments written here (a change of hash or bucketing shows up)', () => {
    expect(inProcess(12).slice(0, 6)).toEqual(GOLDEN_ASSIGNMENTS);
  });
});

/** The world's first six units, as the engine assigned them when this test was written. */
const GOLDEN_ASSIGNMENTS = [
  '70437463654401 feed:feed-0:v1',
  '70437463654402 feed:feed-1:v0,ads:ads-reserve:v0',
  '70437463654403 feed:feed-2:v0',
  '70437463654404 feed:feed-0:v2',
  '70437463654405 feed:feed-0:v2',
  '70437463654406 feed:feed-1:v2,search:search-typeahead:v0',
];
