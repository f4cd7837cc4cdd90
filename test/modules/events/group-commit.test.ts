import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../src/modules/events/group-commit.js';

/** A writer whose writes finish only when the test says so. */
function gatedWriter() {
  const writes: string[][] = [];
  const gates: { open: () => void; fail: (err: Error) => void }[] = [];
  const write = (items: readonly string[]) =>
    new Promise<void>((resolve, reject) => {
      writes.push([...items]);
      gates.push({ open: resolve, fail: reject });
    });
  return { writes, gates, write };
}

const settled = async (p: Promise<unknown>) => {
  let state = 'pending';
  p.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  await new Promise((r) => setImmediate(r));
  return state;
};

describe('GroupCommit', () => {
  it('writes a lone caller at once, and answers it only once written', async () => {
    const w = gatedWriter();
    const group = new GroupCommit(w.write);
    const a = group.add(['a']);
    expect(w.writes).toEqual([['a']]);
    expect(await settled(a)).toBe('pending');
    w.gates[0]!.open();
    expect(await settled(a)).toBe('resolved');
  });

  it('sends what arrives during a write together in the next one', async () => {
    const w = gatedWriter();
    const group = new GroupCommit(w.write);
    const a = group.add(['a']);
    const b = group.add(['b1', 'b2']);
    const c = group.add(['c']);
    expect(w.writes).toEqual([['a']]);
    w.gates[0]!.open();
    expect(await settled(a)).toBe('resolved');
    expect(w.writes).toEqual([['a'], ['b1', 'b2', 'c']]);
    expect(await settled(b)).toBe('pending');
    w.gates[1]!.open();
    expect(await settled(b)).toBe('resolved');
    expect(await settled(c)).toBe('resolved');
    // Idle again: the next caller is written at once.
    const d = group.add(['d']);
    expect(w.writes).toHaveLength(3);
    w.gates[2]!.open();
    await d;
  });

  it('fails every caller of a failed write, and goes on with the next', async () => {
    const w = gatedWriter();
    const group = new GroupCommit(w.write);
    const a = group.add(['a']);
    const b = group.add(['b']);
    const c = group.add(['c']);
    w.gates[0]!.open();
    await a;
    w.gates[1]!.fail(new Error('database down'));
    await expect(b).rejects.toThrow('database down');
    await expect(c).rejects.toThrow('database down');
    const d = group.add(['d']);
    expect(w.writes.at(-1)).toEqual(['d']);
    w.gates[2]!.open();
    await d;
  });

  it('caps a write at `max` items, a larger caller alone', async () => {
    const w = gatedWriter();
    const group = new GroupCommit(w.write, 3);
    const first = group.add(['x']);
    const rest = [group.add(['a', 'b']), group.add(['c', 'd']), group.add(['e', 'f', 'g', 'h'])];
    w.gates[0]!.open();
    await first;
    expect(w.writes[1]).toEqual(['a', 'b']);
    w.gates[1]!.open();
    await rest[0];
    expect(w.writes[2]).toEqual(['c', 'd']);
    w.gates[2]!.open();
    await rest[1];
    expect(w.writes[3]).toEqual(['e', 'f', 'g', 'h']);
    w.gates[3]!.open();
    await rest[2];
  });

  it('writes nothing for no items', async () => {
    const w = gatedWriter();
    await new GroupCommit(w.write).add([]);
    expect(w.writes).toEqual([]);
  });
});
