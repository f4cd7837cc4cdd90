import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/cli/seed/random.js';
import { BudgetBlocks } from '../../src/modules/ads/serving/budget-blocks.js';
import { MemorySpendStore } from '../../src/platform/spend/memory-spend-store.js';
import type { ReserveRequest, ReserveResult, SpendStore } from '../../src/platform/spend/spend-store.js';
import { type SpendNodes, spendNodes, spendVariants } from '../platform/spend-nodes.js';

const T0 = Date.UTC(2026, 11, 3, 12);
const WINDOW = 1_000;
const settings = { windowMs: WINDOW, firstParts: 4, maxParts: 16 };

/** A spend store that counts the calls that reach it. */
function counted(store: SpendStore) {
  const calls = { reserveMany: 0, giveBack: 0 };
  const wrapped: SpendStore = Object.assign(Object.create(store) as SpendStore, {
    reserveMany: (rs: readonly ReserveRequest[]) => {
      calls.reserveMany++;
      return store.reserveMany(rs);
    },
    giveBack: (id: string, amount: number, now?: number) => {
      calls.giveBack++;
      return store.giveBack(id, amount, now);
    },
  });
  return { store: wrapped, calls };
}

const hold = (key: string, cap: number, amount: number, now: number, ttlMs = 60_000): ReserveRequest => ({
  caps: [{ key, cap }],
  amount,
  ttlMs,
  now,
});

function idOf(r: ReserveResult): string {
  if (!r.ok) throw new Error(`refused on ${r.fullKey}`);
  return r.reservationId;
}

describe('budget blocks', () => {
  it('hands parts out of one block without asking the store, and opens the next ahead when a quarter is left', async () => {
    const memory = new MemorySpendStore();
    const { store, calls } = counted(memory);
    const blocks = new BudgetBlocks(store, settings);
    const take = async (key: string, amount: number, at: number) =>
      idOf((await blocks.reserveMany([hold(key, 1_000_000, amount, at)], at))[0]!);
    const first = await take('k', 100, T0);
    expect(await take('k', 100, T0)).toBe(first);
    expect(calls.reserveMany).toBe(1);
    expect(await memory.spent('k', T0)).toMatchObject({ reserved: 400 });
    // The third leaves a quarter: the next block, twice the size, is opened in the background and
    // replaces this one, whose rest goes back.
    expect(await take('k', 100, T0)).toBe(first);
    await new Promise((r) => setImmediate(r));
    expect(calls.reserveMany).toBe(2);
    expect(calls.giveBack).toBe(1);
    expect(await memory.spent('k', T0)).toMatchObject({ reserved: 300 + 800 });
    const second = await take('k', 100, T0 + 1);
    expect(second).not.toBe(first);
    expect(calls.reserveMany).toBe(2);
    // A page's several winners on one key come out of the same block in one call.
    const page = await blocks.reserveMany(
      [
        hold('k', 1_000_000, 100, T0 + 2),
        hold('k', 1_000_000, 250, T0 + 2),
        hold('j', 1_000_000, 50, T0 + 2),
      ],
      T0 + 2,
    );
    expect(page.map((r) => r.ok)).toEqual([true, true, true]);
    expect(idOf(page[0]!)).toBe(second);
    expect(idOf(page[1]!)).toBe(second);
    expect(calls.reserveMany).toBe(3);
  });

  it('takeNow holds out of open blocks without the store, all of a page or none of it', async () => {
    const memory = new MemorySpendStore();
    const { store, calls } = counted(memory);
    const blocks = new BudgetBlocks(store, settings);
    // No open block: nothing to take now.
    expect(blocks.takeNow([hold('k', 1_000_000, 100, T0)], T0)).toBeUndefined();
    expect(calls.reserveMany).toBe(0);
    const first = idOf((await blocks.reserveMany([hold('k', 1_000_000, 100, T0)], T0))[0]!);
    expect(calls.reserveMany).toBe(1);
    // One of the page's keys has no open block: none of its holds is taken, the others stay in theirs.
    expect(blocks.takeNow([hold('k', 1_000_000, 100, T0), hold('j', 1_000_000, 50, T0)], T0)).toBeUndefined();
    expect(
      blocks.takeNow([hold('k', 1_000_000, 250, T0), hold('k', 1_000_000, 100, T0)], T0),
    ).toBeUndefined();
    // All 300 left in the block (400, 100 handed out) are still there to take, in one page.
    const page = blocks.takeNow([hold('k', 1_000_000, 200, T0), hold('k', 1_000_000, 100, T0)], T0);
    expect(page?.map(idOf)).toEqual([first, first]);
    expect(page?.[0]).toMatchObject({ ok: true, expiresAt: T0 + 60_000 });
    // That page left a quarter: the one store call is the next block (twice the size) opened ahead, in
    // the background; it takes over once open.
    expect(calls.reserveMany).toBe(2);
    await new Promise((r) => setImmediate(r));
    const next = blocks.takeNow([hold('k', 1_000_000, 1, T0)], T0);
    expect(next).toBeDefined();
    expect(idOf(next![0]!)).not.toBe(first);
    expect(calls.reserveMany).toBe(2);
    // Its size: the page that did not fit found the block run out, and the low quarter doubled it again
    // (4 parts, then 8, then 16 of the largest request, 100).
    expect(await memory.spent('k', T0)).toMatchObject({ reserved: 400 + 1_600 });
  });

  it('a block that ran out makes the next twice the size', async () => {
    const memory = new MemorySpendStore();
    const blocks = new BudgetBlocks(memory, settings);
    const at = (amount: number) => blocks.reserveMany([hold('g', 1_000_000, amount, T0)], T0);
    await at(100);
    await at(100);
    // 200 left, 300 asked: the block ran out; the next holds 8 parts of 300, and the rest of this goes back.
    const [third] = await at(300);
    expect(third!.ok).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(await memory.spent('g', T0)).toMatchObject({ reserved: 200 + 2_400 });
  });

  it('gives back what a block never handed out when its window ends, and a released part', async () => {
    const memory = new MemorySpendStore();
    const { store, calls } = counted(memory);
    // Blocks of 8 parts: five parts of one leave more than a quarter (nothing is opened ahead).
    const blocks = new BudgetBlocks(store, { ...settings, firstParts: 8 });
    const first = idOf((await blocks.reserveMany([hold('w', 1_000_000, 100, T0)], T0))[0]!);
    // Released while the block is open: back into the block, and the next part takes it (no store call).
    await blocks.release(first, 100, T0 + 1);
    expect(calls.giveBack).toBe(0);
    for (let i = 0; i < 4; i++)
      idOf((await blocks.reserveMany([hold('w', 1_000_000, 100, T0 + 2)], T0 + 2))[0]!);
    expect(calls.reserveMany).toBe(1);
    expect(await memory.spent('w', T0 + 2)).toMatchObject({ reserved: 800 });
    // Past the window: the block closes; one part is handed back to the store directly.
    await blocks.release(first, 100, T0 + WINDOW + 1);
    expect(calls.giveBack).toBe(1);
    expect(await memory.spent('w', T0 + WINDOW + 1)).toMatchObject({ reserved: 700 });
    // A new block, used for one part, gives back the rest when the next call finds its window over.
    const next = idOf(
      (await blocks.reserveMany([hold('v', 1_000_000, 100, T0 + WINDOW + 2)], T0 + WINDOW + 2))[0]!,
    );
    expect(await memory.spent('v', T0 + WINDOW + 2)).toMatchObject({ reserved: 800 });
    await new Promise((r) => setImmediate(r));
    // The first block's rest (4 parts) went back when that call found its window over.
    expect(await memory.spent('w', T0 + WINDOW + 2)).toMatchObject({ reserved: 300 });
    await blocks.reserveMany([hold('u', 1_000_000, 1, T0 + 3 * WINDOW)], T0 + 3 * WINDOW);
    await new Promise((r) => setImmediate(r));
    expect(await memory.spent('v', T0 + 3 * WINDOW)).toMatchObject({ reserved: 100 });
    // The part handed out is still held, and billing settles it against the block.
    expect(
      await memory.settleMany([{ reservationId: next, actual: 100, part: 'imp-1' }], T0 + 3 * WINDOW),
    ).toMatchObject([{ state: 'charged', charged: 100 }]);
    expect(await memory.spent('v', T0 + 3 * WINDOW)).toMatchObject({ settled: 100, reserved: 0 });
    // close() gives back every open block's rest.
    await blocks.close(T0 + 3 * WINDOW);
    expect(await memory.spent('u', T0 + 3 * WINDOW)).toMatchObject({ reserved: 1 });
  });

  it('takes what room a cap has left when a block does not fit, and refuses past it', async () => {
    const memory = new MemorySpendStore();
    const blocks = new BudgetBlocks(memory, settings);
    // Room for 250: a block of 400 is refused, one of 250 taken; two parts of 100 fit, the third does not.
    const got = await blocks.reserveMany(
      [hold('c', 250, 100, T0), hold('c', 250, 100, T0), hold('c', 250, 100, T0)],
      T0,
    );
    expect(got.map((r) => r.ok)).toEqual([true, true, false]);
    expect(got[2]).toMatchObject({ ok: false, fullKey: 'c' });
    expect(await memory.spent('c', T0)).toMatchObject({ reserved: 250 });
    // A smaller part still fits in the rest of the block.
    expect((await blocks.reserveMany([hold('c', 250, 50, T0 + 1)], T0 + 1))[0]!.ok).toBe(true);
    expect((await blocks.reserveMany([hold('c', 250, 1, T0 + 2)], T0 + 2))[0]!.ok).toBe(false);
  });

  it('holds at most a 64th of the tightest cap in a block, unless the requests need more', async () => {
    const memory = new MemorySpendStore();
    const blocks = new BudgetBlocks(memory, settings);
    // 4 parts of 100 would be 400; a 64th of 12,800 is 200.
    idOf((await blocks.reserveMany([hold('s', 12_800, 100, T0)], T0))[0]!);
    expect(await memory.spent('s', T0)).toMatchObject({ reserved: 200 });
    // A part larger than the share gets a block of its own size.
    idOf((await blocks.reserveMany([hold('t', 12_800, 1_000, T0)], T0))[0]!);
    expect(await memory.spent('t', T0)).toMatchObject({ reserved: 1_000 });
  });

  it('requests in flight together open one block per key', async () => {
    const memory = new MemorySpendStore();
    const { store, calls } = counted(memory);
    const blocks = new BudgetBlocks(store, { ...settings, firstParts: 8 });
    const results = await Promise.all(
      Array.from({ length: 3 }, () => blocks.reserveMany([hold('f', 1_000_000, 100, T0)], T0)),
    );
    expect(results.every(([r]) => r!.ok)).toBe(true);
    expect(calls.reserveMany).toBe(1);
    expect(await memory.spent('f', T0)).toMatchObject({ reserved: 800 });
  });
});

describe.each(spendVariants)('budget blocks on several nodes (%s store)', (variant) => {
  let run: SpendNodes;
  beforeAll(() => {
    run = spendNodes(variant, 3);
  });
  afterAll(async () => {
    await run.close();
  });

  it('never hand out or bill past a cap, in a seeded random run of three nodes', async () => {
    const random = new Random(20261203);
    const key = `cap-${variant}`;
    const cap = 64_007;
    const nodes = run.nodes.map((s) => new BudgetBlocks(s, { windowMs: 50, firstParts: 2, maxParts: 8 }));
    // Real time (the Redis store reads its own clock): a run of a few hundred ms, crossing windows.
    const parts: { id: string; amount: number; part: string }[] = [];
    let handed = 0;
    let released = 0;
    for (let step = 0; step < 2_000; step++) {
      const n = random.int(nodes.length);
      const amount = 1 + random.int(100);
      const now = Date.now();
      // As the ad server holds: out of an open block without an await when it has room, else opening one.
      const request = hold(key, cap, amount, now, 10_000);
      const [r] = nodes[n]!.takeNow([request], now) ?? (await nodes[n]!.reserveMany([request], now));
      if (r!.ok) {
        if (random.next() < 0.2) {
          await nodes[n]!.release(r!.reservationId, amount, Date.now());
          released += amount;
        } else parts.push({ id: r!.reservationId, amount, part: `p${step}` });
        handed += amount;
      }
      // What is handed out and not given back never passes the cap.
      expect(handed - released).toBeLessThanOrEqual(cap);
      if (step % 97 === 0) await new Promise((res) => setTimeout(res, 20));
    }
    expect(handed - released).toBeGreaterThan(cap * 0.9);
    // Blocks were handed out in parts: far fewer blocks than parts.
    expect(new Set(parts.map((p) => p.id)).size).toBeLessThan(parts.length / 4);
    // Billing every part from any node charges each in full, and the cap holds.
    const store = run.nodes[0]!;
    const results = await store.settleMany(
      parts.map((p) => ({ reservationId: p.id, actual: p.amount, part: p.part })),
    );
    expect(results.every((r) => r.state === 'charged')).toBe(true);
    const billed = parts.reduce((a, p) => a + p.amount, 0);
    for (const b of nodes) await b.close(Date.now());
    const totals = await store.spent(key);
    expect(totals.settled).toBe(billed);
    expect(totals.settled).toBeLessThanOrEqual(cap);
    // Nothing is held once every block is closed and every part billed.
    expect(totals.reserved).toBe(0);
  });
});
