import { describe, expect, it } from 'vitest';
import { LogCursor } from '../../src/modules/related/graph-store.js';

describe('LogCursor', () => {
  it('moves past applied entries, waits for a hole, and gives up on it after the gap time', () => {
    const c = new LogCursor(1000);
    c.reset(10);
    expect(c.take(10)).toBe(false); // at or below the start: already in the graph
    expect(c.take(11)).toBe(true);
    expect(c.take(12)).toBe(true);
    expect(c.take(14)).toBe(true); // 13 not committed yet
    expect(c.take(12)).toBe(false); // seen
    c.advance(0);
    expect(c.low).toBe(12);
    c.advance(999);
    expect(c.low).toBe(12);
    // 13 commits late, within the wait: taken, and the cursor closes up.
    expect(c.take(13)).toBe(true);
    c.advance(1000);
    expect(c.low).toBe(14);
    // A hole that never fills (a rolled-back insert) is given up after the gap time.
    expect(c.take(16)).toBe(true);
    c.advance(2000);
    expect(c.low).toBe(14);
    c.advance(2999);
    expect(c.low).toBe(14);
    c.advance(3000);
    expect(c.low).toBe(16);
    expect(c.take(15)).toBe(false); // too late: below the cursor
  });
});
