import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/cli/seed/random.js';
import type { ReserveResult, SpendStore } from '../../src/platform/spend/spend-store.js';
import { MAX_SPEND_MICRO, NOT_SETTLED } from '../../src/platform/spend/spend-store.js';
import { type SpendNodes, sleep, spendNodes, spendVariants } from './spend-nodes.js';

const HOUR = 3_600_000;

/** The id of a reservation that must have succeeded. */
function idOf(r: ReserveResult): string {
  if (!r.ok) throw new Error(`expected a reservation, got a refusal on ${r.fullKey}`);
  return r.reservationId;
}

describe.each(spendVariants)('spend store (%s)', (variant) => {
  let run: SpendNodes;
  let a: SpendStore;
  let b: SpendStore;
  beforeAll(() => {
    run = spendNodes(variant, 2);
    [a, b] = run.nodes as [SpendStore, SpendStore];
  });
  afterAll(async () => {
    await run.close();
  });

  const totals = (key: string) => a.spent(key);

  it('reserveMany reserves each as reserve would, in order, each all or nothing on its own keys', async () => {
    const group = (key: string, cap: number) => ({ key, cap });
    const results = await a.reserveMany([
      { caps: [group('rm-a', 1_000), group('rm-c', 1_500)], amount: 600, ttlMs: HOUR },
      // Sees the first one's hold on rm-c: refused there, and nothing is held on rm-b.
      { caps: [group('rm-b', 1_000), group('rm-c', 1_500)], amount: 901, ttlMs: HOUR },
      { caps: [group('rm-b', 1_000), group('rm-c', 1_500)], amount: 900, ttlMs: HOUR },
      { caps: [group('rm-a', 1_000)], amount: 401, ttlMs: HOUR },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true, false]);
    expect(results[1]).toEqual({ ok: false, fullKey: 'rm-c', room: 900 });
    expect(results[3]).toEqual({ ok: false, fullKey: 'rm-a', room: 400 });
    expect(await totals('rm-a')).toEqual({ settled: 0, reserved: 600, overdelivered: 0, cap: 1_000 });
    expect(await totals('rm-b')).toEqual({ settled: 0, reserved: 900, overdelivered: 0, cap: 1_000 });
    expect((await totals('rm-c')).reserved).toBe(1_500);
    // The reservations are ordinary ones: settle and release work on them from any node.
    const [first, , third] = results as [
      ReserveResult & { ok: true },
      ReserveResult,
      ReserveResult & { ok: true },
    ];
    expect(await b.settle(first.reservationId, 500)).toMatchObject({ state: 'charged', charged: 500 });
    expect(await b.release(third.reservationId)).toBe(true);
    expect(await totals('rm-c')).toMatchObject({ settled: 500, reserved: 0 });
    expect(await a.reserveMany([])).toEqual([]);
    await expect(a.reserveMany([{ caps: [group('rm-a', 1_000)], amount: 0, ttlMs: HOUR }])).rejects.toThrow(
      RangeError,
    );
  });

  it('settleMany settles each as settle would, in order, once, and refuses what cannot be settled', async () => {
    const caps = [{ key: 'many', cap: 1_000 }];
    const other = [
      { key: 'many', cap: 1_000 },
      { key: 'many-campaign', cap: 5_000 },
    ];
    const ids = [
      idOf(await a.reserve({ caps, amount: 300, ttlMs: HOUR })),
      idOf(await b.reserve({ caps: other, amount: 200, ttlMs: HOUR })),
      idOf(await a.reserve({ caps, amount: 100, ttlMs: HOUR })),
    ];
    await b.release(ids[2]!);
    const results = await a.settleMany([
      { reservationId: ids[0]!, actual: 300 },
      { reservationId: ids[1]!, actual: 150 },
      { reservationId: ids[2]!, actual: 100 },
      { reservationId: 'not-a-reservation', actual: 1 },
      { reservationId: ids[0]!, actual: 300 },
    ]);
    expect(results).toEqual([
      { settledNow: true, state: 'charged', charged: 300, overdelivered: 0 },
      { settledNow: true, state: 'charged', charged: 150, overdelivered: 0 },
      { settledNow: false, state: 'released', charged: 0, overdelivered: 0 },
      { settledNow: false, state: 'unknown', charged: 0, overdelivered: 0 },
      { settledNow: false, state: 'charged', charged: 300, overdelivered: 0 },
    ]);
    expect(await totals('many')).toEqual({ settled: 450, reserved: 0, overdelivered: 0, cap: 1_000 });
    expect((await totals('many-campaign')).settled).toBe(150);
    // Settled again (a redelivery): the same answers, nothing charged twice.
    expect((await b.settleMany([{ reservationId: ids[1]!, actual: 150 }]))[0]).toMatchObject({
      settledNow: false,
      state: 'charged',
      charged: 150,
    });
    // Above what a reservation holds: refused, nothing charged, the rest of the batch goes on.
    const big = idOf(await a.reserve({ caps, amount: 10, ttlMs: HOUR }));
    const small = idOf(await a.reserve({ caps, amount: 10, ttlMs: HOUR }));
    expect(
      await b.settleMany([
        { reservationId: big, actual: 11 },
        { reservationId: small, actual: 10 },
      ]),
    ).toEqual([
      { settledNow: false, state: 'unknown', charged: 0, overdelivered: 0 },
      { settledNow: true, state: 'charged', charged: 10, overdelivered: 0 },
    ]);
    await expect(a.settleMany([{ reservationId: small, actual: -1 }])).rejects.toThrow(RangeError);
    // Many at once: more than one script call's worth.
    const lots = [];
    for (let i = 0; i < 450; i++)
      lots.push(idOf(await a.reserve({ caps: [{ key: 'lots', cap: 10_000 }], amount: 2, ttlMs: HOUR })));
    const settled = await b.settleMany(lots.map((reservationId) => ({ reservationId, actual: 2 })));
    expect(settled.every((r) => r.state === 'charged' && r.settledNow)).toBe(true);
    expect((await totals('lots')).settled).toBe(900);
  });

  it('settleMany answers and leaves the totals that the same settles made one by one would', async () => {
    // Two separate worlds built alike: one settled call by call, the other in one settleMany.
    const worlds = [spendNodes(variant, 1), spendNodes(variant, 1)];
    try {
      const [one, many] = worlds.map((w) => w.nodes[0]!) as [SpendStore, SpendStore];
      const random = new Random(20261204);
      const keys = ['s-ag1', 's-ag2', 's-ag3', 's-c'];
      // Room for every reservation, so none is refused whenever the short ones expire; the caps lowered
      // below make some settles overdelivery.
      const cap: Record<string, number> = {
        's-ag1': 50_000,
        's-ag2': 50_000,
        's-ag3': 50_000,
        's-c': 50_000,
      };
      const plan: { keys: string[]; amount: number; ttlMs: number }[] = [];
      for (let i = 0; i < 120; i++) {
        const chosen = random.chance(0.8) ? [random.pick(keys.slice(0, 3)), 's-c'] : [random.pick(keys)];
        plan.push({ keys: chosen, amount: 1 + random.int(400), ttlMs: random.chance(0.15) ? 40 : HOUR });
      }
      const ids: (string | undefined)[][] = [[], []];
      for (const [w, store] of [one, many].entries()) {
        for (const p of plan) {
          const got = await store.reserve({
            caps: p.keys.map((k) => ({ key: k, cap: cap[k]! })),
            amount: p.amount,
            ttlMs: p.ttlMs,
          });
          ids[w]!.push(got.ok ? got.reservationId : undefined);
        }
      }
      expect(ids[0]!.map((id) => id !== undefined)).toEqual(ids[1]!.map((id) => id !== undefined));
      await sleep(80);
      // Lowered caps (recorded by a refused reserve) make some settles overdelivery.
      for (const store of [one, many]) {
        await store.reserve({ caps: [{ key: 's-ag2', cap: 1_500 }], amount: 1_000_000, ttlMs: HOUR });
        await store.reserve({ caps: [{ key: 's-c', cap: 14_000 }], amount: 1_000_000, ttlMs: HOUR });
      }
      const released = plan.map(() => random.chance(0.1));
      const order: { index: number; actual: number }[] = [];
      for (let i = 0; i < plan.length; i++) {
        if (ids[0]![i] === undefined) continue;
        const over = random.chance(0.05);
        order.push({ index: i, actual: over ? plan[i]!.amount + 1 : random.int(plan[i]!.amount + 1) });
        if (random.chance(0.1)) order.push({ index: i, actual: plan[i]!.amount });
      }
      for (let i = order.length - 1; i > 0; i--) {
        const j = random.int(i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const [w, store] of [one, many].entries())
        for (let i = 0; i < plan.length; i++) if (released[i] && ids[w]![i]) await store.release(ids[w]![i]!);
      const items = (w: number) => [
        ...order.map((o) => ({ reservationId: ids[w]![o.index]!, actual: o.actual })),
        { reservationId: 'not-a-reservation', actual: 1 },
      ];
      const sequential = [];
      // settle refuses more than was reserved by throwing; settleMany answers NOT_SETTLED for it.
      for (const item of items(0))
        sequential.push(await one.settle(item.reservationId, item.actual).catch(() => NOT_SETTLED));
      const batched = await many.settleMany(items(1));
      expect(batched).toEqual(sequential);
      expect(new Set(sequential.map((r) => r.state))).toEqual(
        new Set(['charged', 'overdelivered', 'released', 'unknown']),
      );
      for (const k of keys) expect(await many.spent(k)).toEqual(await one.spent(k));
    } finally {
      for (const w of worlds) await w.close();
    }
  });

  it('restore raises settled totals from the ledger, never lowers them, and the cap then counts them', async () => {
    const caps = [{ key: 'restored', cap: 1_000 }];
    expect(await a.restore('restored', 700)).toBe(700);
    // A lower figure (a ledger that lags) changes nothing.
    expect(await b.restore('restored', 300)).toBe(700);
    expect(await a.reserve({ caps, amount: 301, ttlMs: HOUR })).toMatchObject({ ok: false, room: 300 });
    const id = idOf(await b.reserve({ caps, amount: 300, ttlMs: HOUR }));
    expect(await a.settle(id, 300)).toMatchObject({ state: 'charged', charged: 300 });
    expect(await totals('restored')).toEqual({ settled: 1_000, reserved: 0, overdelivered: 0, cap: 1_000 });
    expect(await a.restore('restored', 900)).toBe(1_000);
    await expect(a.restore('restored', -1)).rejects.toThrow(RangeError);
    await expect(a.restore('', 1)).rejects.toThrow(RangeError);
    await expect(a.restore('restored', 1.5)).rejects.toThrow(RangeError);
  });

  it('a reservation landing exactly on the cap succeeds; one micro more is refused', async () => {
    const caps = [{ key: 'edge', cap: 1_000 }];
    idOf(await a.reserve({ caps, amount: 600, ttlMs: HOUR }));
    idOf(await b.reserve({ caps, amount: 400, ttlMs: HOUR }));
    expect(await a.reserve({ caps, amount: 1, ttlMs: HOUR })).toEqual({
      ok: false,
      fullKey: 'edge',
      room: 0,
    });
    expect(await totals('edge')).toEqual({ settled: 0, reserved: 1_000, overdelivered: 0, cap: 1_000 });

    const fresh = [{ key: 'edge-single', cap: 1_000 }];
    expect(await b.reserve({ caps: fresh, amount: 1_001, ttlMs: HOUR })).toEqual({
      ok: false,
      fullKey: 'edge-single',
      room: 1_000,
    });
    idOf(await b.reserve({ caps: fresh, amount: 1_000, ttlMs: HOUR }));
  });

  it('reserves on every key or on none, and names the first key without room', async () => {
    const caps = [
      { key: 'aon-ag', cap: 1_000 },
      { key: 'aon-c', cap: 500 },
    ];
    idOf(await a.reserve({ caps, amount: 400, ttlMs: HOUR }));
    expect(await b.reserve({ caps, amount: 200, ttlMs: HOUR })).toEqual({
      ok: false,
      fullKey: 'aon-c',
      room: 100,
    });
    // The refusal left the key that had room untouched.
    expect((await totals('aon-ag')).reserved).toBe(400);
    expect((await totals('aon-c')).reserved).toBe(400);
    const other = [
      { key: 'aon-ag2', cap: 50 },
      { key: 'aon-c', cap: 500 },
    ];
    expect(await a.reserve({ caps: other, amount: 60, ttlMs: HOUR })).toEqual({
      ok: false,
      fullKey: 'aon-ag2',
      room: 50,
    });
    // Nothing reserved on either key; the cap given is recorded all the same.
    expect(await totals('aon-ag2')).toEqual({ settled: 0, reserved: 0, overdelivered: 0, cap: 50 });
    expect((await totals('aon-c')).reserved).toBe(400);
    idOf(await b.reserve({ caps, amount: 100, ttlMs: HOUR }));
    expect((await totals('aon-ag')).reserved).toBe(500);
    expect((await totals('aon-c')).reserved).toBe(500);
  });

  it('settling less than reserved gives the rest back to every key', async () => {
    const caps = [
      { key: 'less-ag', cap: 1_000 },
      { key: 'less-c', cap: 800 },
    ];
    const id = idOf(await a.reserve({ caps, amount: 800, ttlMs: HOUR }));
    expect(await b.settle(id, 300)).toEqual({
      settledNow: true,
      state: 'charged',
      charged: 300,
      overdelivered: 0,
    });
    expect(await totals('less-ag')).toEqual({ settled: 300, reserved: 0, overdelivered: 0, cap: 1_000 });
    expect(await totals('less-c')).toEqual({ settled: 300, reserved: 0, overdelivered: 0, cap: 800 });
    idOf(await b.reserve({ caps, amount: 500, ttlMs: HOUR }));
    expect(await a.reserve({ caps, amount: 1, ttlMs: HOUR })).toMatchObject({ ok: false, fullKey: 'less-c' });
  });

  it('settle and release are idempotent, and a released reservation is never charged', async () => {
    const caps = [{ key: 'idem', cap: 10_000 }];
    const id = idOf(await a.reserve({ caps, amount: 1_000, ttlMs: HOUR }));
    const first = await a.settle(id, 700);
    expect(first).toEqual({ settledNow: true, state: 'charged', charged: 700, overdelivered: 0 });
    // A second settle, even of another amount and from another node, changes nothing.
    expect(await b.settle(id, 900)).toEqual({ ...first, settledNow: false });
    expect(await b.release(id)).toBe(false);
    expect(await totals('idem')).toEqual({ settled: 700, reserved: 0, overdelivered: 0, cap: 10_000 });

    const gone = idOf(await b.reserve({ caps, amount: 2_000, ttlMs: HOUR }));
    expect(await a.release(gone)).toBe(true);
    expect(await b.release(gone)).toBe(false);
    expect(await a.settle(gone, 2_000)).toEqual({
      settledNow: false,
      state: 'released',
      charged: 0,
      overdelivered: 0,
    });
    expect(await totals('idem')).toEqual({ settled: 700, reserved: 0, overdelivered: 0, cap: 10_000 });
  });

  it('refuses bad input: more than reserved, unknown ids, malformed requests', async () => {
    const caps = [{ key: 'bad', cap: 1_000 }];
    const id = idOf(await a.reserve({ caps, amount: 100, ttlMs: HOUR }));
    await expect(a.settle(id, 101)).rejects.toThrow(RangeError);
    await expect(a.settle(id, 1.5)).rejects.toThrow(RangeError);
    expect((await totals('bad')).reserved).toBe(100);
    const unknown = { settledNow: false, state: 'unknown', charged: 0, overdelivered: 0 };
    expect(await a.settle('nonsense', 1)).toEqual(unknown);
    // Well formed, but never issued: same keys, another nonce.
    const forged = `AAAAAAAAAAAAAAAA${id.slice(16)}`;
    expect(await b.settle(forged, 1)).toEqual(unknown);
    expect(await b.release(forged)).toBe(false);
    expect(await totals('bad')).toEqual({ settled: 0, reserved: 100, overdelivered: 0, cap: 1_000 });

    const bad = [
      { caps, amount: 0, ttlMs: HOUR },
      { caps, amount: 2.5, ttlMs: HOUR },
      { caps, amount: 10, ttlMs: 0 },
      { caps: [], amount: 10, ttlMs: HOUR },
      { caps: [caps[0]!, caps[0]!], amount: 10, ttlMs: HOUR },
      { caps: [{ key: 'x', cap: MAX_SPEND_MICRO + 1 }], amount: 10, ttlMs: HOUR },
      { caps: [{ key: 'x', cap: 100, retainMs: 10 }], amount: 10, ttlMs: HOUR },
      { caps: [{ key: '', cap: 100 }], amount: 10, ttlMs: HOUR },
    ];
    for (const request of bad) await expect(a.reserve(request)).rejects.toThrow(RangeError);
  });

  it('grants a reservation only if every key keeps its headroom, which is not held', async () => {
    const caps = [
      { key: 'hr-ag', cap: 1_000 },
      { key: 'hr-c', cap: 5_000 },
    ];
    idOf(await a.reserve({ caps, amount: 300, ttlMs: HOUR }));
    // 700 left: 100 with a headroom of 600 fits exactly; of 601, not (the room is told without it).
    expect(await b.reserve({ caps, amount: 100, ttlMs: HOUR, headroom: 601 })).toEqual({
      ok: false,
      fullKey: 'hr-ag',
      room: 700,
    });
    const [granted, refused] = await b.reserveMany([
      { caps, amount: 100, ttlMs: HOUR, headroom: 600 },
      { caps, amount: 1, ttlMs: HOUR, headroom: 600 },
    ]);
    expect(granted!.ok).toBe(true);
    expect(refused).toEqual({ ok: false, fullKey: 'hr-ag', room: 600 });
    expect(await totals('hr-ag')).toEqual({ settled: 0, reserved: 400, overdelivered: 0, cap: 1_000 });
    await expect(a.reserve({ caps, amount: 1, ttlMs: HOUR, headroom: -1 })).rejects.toThrow(RangeError);
  });

  it('a block is settled in parts, each once, and what was never handed out is given back', async () => {
    const caps = [
      { key: 'pb-ag', cap: 5_000 },
      { key: 'pb-c', cap: 1_500 },
    ];
    const block = idOf(await a.reserve({ caps, amount: 1_000, ttlMs: HOUR }));
    // Two parts and a repeat of the first, from another node, in one call.
    const parts = await b.settleMany([
      { reservationId: block, actual: 300, part: 'p1' },
      { reservationId: block, actual: 200, part: 'p2' },
      { reservationId: block, actual: 300, part: 'p1' },
    ]);
    expect(parts).toEqual([
      { settledNow: true, state: 'charged', charged: 300, overdelivered: 0 },
      { settledNow: true, state: 'charged', charged: 200, overdelivered: 0 },
      { settledNow: false, state: 'charged', charged: 300, overdelivered: 0 },
    ]);
    expect(await totals('pb-ag')).toEqual({ settled: 500, reserved: 500, overdelivered: 0, cap: 5_000 });
    expect(await totals('pb-c')).toEqual({ settled: 500, reserved: 500, overdelivered: 0, cap: 1_500 });
    // The rest is given back in steps, never more than is held.
    expect(await a.giveBack(block, 200)).toBe(200);
    expect((await totals('pb-c')).reserved).toBe(300);
    expect(await b.giveBack(block, 1_000)).toBe(300);
    expect(await a.giveBack(block, 1)).toBe(0);
    expect(await totals('pb-c')).toEqual({ settled: 500, reserved: 0, overdelivered: 0, cap: 1_500 });
    // A part the block no longer holds is late: charged while every key has room, else overdelivery.
    expect(await b.settleMany([{ reservationId: block, actual: 900, part: 'p3' }])).toEqual([
      { settledNow: true, state: 'charged', charged: 900, overdelivered: 0 },
    ]);
    expect(await a.settleMany([{ reservationId: block, actual: 200, part: 'p4' }])).toEqual([
      { settledNow: true, state: 'overdelivered', charged: 0, overdelivered: 200 },
    ]);
    expect(await totals('pb-c')).toEqual({ settled: 1_400, reserved: 0, overdelivered: 200, cap: 1_500 });
    expect(await totals('pb-ag')).toEqual({ settled: 1_400, reserved: 0, overdelivered: 200, cap: 5_000 });
    // Unknown reservations and bad part ids.
    expect(
      await a.settleMany([{ reservationId: 'AAAAAAAAAAAAAAAA.WyJ4Il0', actual: 1, part: 'p1' }]),
    ).toEqual([NOT_SETTLED]);
    expect(await a.giveBack('nope', 10)).toBe(0);
    await expect(a.settleMany([{ reservationId: block, actual: 1, part: '' }])).rejects.toThrow(RangeError);
    await expect(a.giveBack(block, -1)).rejects.toThrow(RangeError);
  });

  it('a part larger than what its block holds takes the hold, and the rest only if there is room', async () => {
    const caps = [{ key: 'pbig-ag', cap: 1_000 }];
    const block = idOf(await a.reserve({ caps, amount: 100, ttlMs: HOUR }));
    idOf(await a.reserve({ caps, amount: 500, ttlMs: HOUR }));
    // 100 off the hold, 150 more from the room (1,000 - 600 held = 400).
    expect(await b.settleMany([{ reservationId: block, actual: 250, part: 'click-1' }])).toEqual([
      { settledNow: true, state: 'charged', charged: 250, overdelivered: 0 },
    ]);
    expect(await totals('pbig-ag')).toEqual({ settled: 250, reserved: 500, overdelivered: 0, cap: 1_000 });
    // 250 left: a part of 300 does not fit (the block holds nothing more): served free.
    expect(await b.settleMany([{ reservationId: block, actual: 300, part: 'click-2' }])).toEqual([
      { settledNow: true, state: 'overdelivered', charged: 0, overdelivered: 300 },
    ]);
    expect(await totals('pbig-ag')).toEqual({ settled: 250, reserved: 500, overdelivered: 300, cap: 1_000 });
  });

  it("a part takes at most its own share of the block's hold, leaving the other parts theirs", async () => {
    const caps = [{ key: 'pshare-ag', cap: 1_000 }];
    // A block of ten parts of 20 (a click-billed ad's expected cost), then a click of 300 on one part.
    const block = idOf(await a.reserve({ caps, amount: 200, ttlMs: HOUR }));
    expect(
      await b.settleMany([{ reservationId: block, actual: 300, part: 'click', held: 20 }]),
    ).toMatchObject([{ state: 'charged', charged: 300 }]);
    expect(await totals('pshare-ag')).toEqual({ settled: 300, reserved: 180, overdelivered: 0, cap: 1_000 });
    // Room is 520: a click of 600 on another part (20 held) needs 580 more and is served free.
    expect(
      await a.settleMany([{ reservationId: block, actual: 600, part: 'click-2', held: 20 }]),
    ).toMatchObject([{ state: 'overdelivered', overdelivered: 600 }]);
    expect(await totals('pshare-ag')).toEqual({
      settled: 300,
      reserved: 160,
      overdelivered: 600,
      cap: 1_000,
    });
    await expect(a.settleMany([{ reservationId: block, actual: 1, part: 'x', held: -1 }])).rejects.toThrow(
      RangeError,
    );
  });

  it('a block holds its rest until it expires; parts after that are late', async () => {
    const caps = [{ key: 'pbx-ag', cap: 1_000 }];
    const block = idOf(await a.reserve({ caps, amount: 400, ttlMs: 150 }));
    expect(await b.settleMany([{ reservationId: block, actual: 100, part: 'p1' }])).toMatchObject([
      { state: 'charged', charged: 100 },
    ]);
    expect(await totals('pbx-ag')).toMatchObject({ settled: 100, reserved: 300 });
    // The cap counts the block's rest: 600 more is refused, 600 fits once it has expired.
    expect(await b.reserve({ caps, amount: 601, ttlMs: HOUR })).toMatchObject({ ok: false, room: 600 });
    await sleep(250);
    expect(await totals('pbx-ag')).toEqual({ settled: 100, reserved: 0, overdelivered: 0, cap: 1_000 });
    expect(await a.giveBack(block, 100)).toBe(0);
    expect(await b.settleMany([{ reservationId: block, actual: 100, part: 'p2' }])).toMatchObject([
      { settledNow: true, state: 'charged', charged: 100 },
    ]);
    expect(await totals('pbx-ag')).toMatchObject({ settled: 200, reserved: 0 });
  });

  it('a reservation not settled within its ttl gives its amount back by itself', async () => {
    const caps = [
      { key: 'exp-ag', cap: 1_000 },
      { key: 'exp-c', cap: 5_000 },
    ];
    const held = await a.reserve({ caps, amount: 1_000, ttlMs: 120 });
    expect(held.ok && held.expiresAt).toBeGreaterThan(Date.now() - 1_000);
    expect(await b.reserve({ caps, amount: 1, ttlMs: HOUR })).toMatchObject({ ok: false, fullKey: 'exp-ag' });
    await sleep(200);
    expect(await totals('exp-ag')).toEqual({ settled: 0, reserved: 0, overdelivered: 0, cap: 1_000 });
    expect((await totals('exp-c')).reserved).toBe(0);
    idOf(await b.reserve({ caps, amount: 1_000, ttlMs: HOUR }));
  });

  it('a settle after expiry is charged only if every key has room; else it is counted as overdelivery', async () => {
    const caps = [
      { key: 'late-ag', cap: 1_000 },
      { key: 'late-c', cap: 3_000 },
    ];
    const late = idOf(await a.reserve({ caps, amount: 600, ttlMs: 100 }));
    const lateWithRoom = idOf(await a.reserve({ caps, amount: 300, ttlMs: 100 }));
    await sleep(180);
    // The budget was taken by others meanwhile: 500 left on the ad group, too little for 600.
    const other = idOf(await b.reserve({ caps, amount: 500, ttlMs: HOUR }));
    expect(await b.settle(late, 600)).toEqual({
      settledNow: true,
      state: 'overdelivered',
      charged: 0,
      overdelivered: 600,
    });
    // All or nothing: 500 of room does not make a 600 charge partly billed.
    expect(await totals('late-ag')).toEqual({ settled: 0, reserved: 500, overdelivered: 600, cap: 1_000 });
    expect(await totals('late-c')).toEqual({ settled: 0, reserved: 500, overdelivered: 600, cap: 3_000 });
    expect(await a.settle(late, 600)).toMatchObject({
      settledNow: false,
      state: 'overdelivered',
      overdelivered: 600,
    });
    // 300 still fits beside the 500 reserved: charged, even though it expired.
    expect(await a.settle(lateWithRoom, 300)).toMatchObject({
      settledNow: true,
      state: 'charged',
      charged: 300,
    });
    expect(await b.settle(other, 500)).toMatchObject({ state: 'charged', charged: 500 });
    expect(await totals('late-ag')).toEqual({ settled: 800, reserved: 0, overdelivered: 600, cap: 1_000 });
    expect(await a.release(late)).toBe(false);
  });

  it('a settle after expiry is refused when any one of its keys is full', async () => {
    const caps = [
      { key: 'late2-ag', cap: 10_000 },
      { key: 'late2-c', cap: 1_000 },
    ];
    const late = idOf(await a.reserve({ caps, amount: 400, ttlMs: 100 }));
    await sleep(180);
    const fill = idOf(await b.reserve({ caps: [caps[1]!], amount: 1_000, ttlMs: HOUR }));
    expect(await b.settle(fill, 1_000)).toMatchObject({ state: 'charged' });
    expect(await a.settle(late, 400)).toMatchObject({ state: 'overdelivered', overdelivered: 400 });
    expect(await totals('late2-ag')).toEqual({ settled: 0, reserved: 0, overdelivered: 400, cap: 10_000 });
    expect(await totals('late2-c')).toEqual({ settled: 1_000, reserved: 0, overdelivered: 400, cap: 1_000 });
  });

  it('a lowered cap binds the settles of reservations made under the old one', async () => {
    const caps = [{ key: 'lower', cap: 1_000 }];
    const first = idOf(await a.reserve({ caps, amount: 300, ttlMs: HOUR }));
    const second = idOf(await a.reserve({ caps, amount: 300, ttlMs: HOUR }));
    // The budget drops to 500: the request is refused, and the new cap is recorded.
    const lowered = [{ key: 'lower', cap: 500 }];
    expect(await b.reserve({ caps: lowered, amount: 1, ttlMs: HOUR })).toEqual({
      ok: false,
      fullKey: 'lower',
      room: 0,
    });
    expect(await b.settle(first, 300)).toMatchObject({ state: 'overdelivered', overdelivered: 300 });
    expect(await b.settle(second, 300)).toMatchObject({ state: 'charged', charged: 300 });
    expect(await totals('lower')).toEqual({ settled: 300, reserved: 0, overdelivered: 300, cap: 500 });
  });

  it('a release after expiry closes the reservation: a later settle is not charged', async () => {
    const caps = [{ key: 'late-rel', cap: 1_000 }];
    const id = idOf(await a.reserve({ caps, amount: 100, ttlMs: 80 }));
    await sleep(150);
    expect(await b.release(id)).toBe(true);
    expect(await a.settle(id, 100)).toMatchObject({ settledNow: false, state: 'released' });
    expect(await totals('late-rel')).toEqual({ settled: 0, reserved: 0, overdelivered: 0, cap: 1_000 });
  });

  it('matches a reference model over a seeded random sequence of operations', async () => {
    const random = new Random(20261203);
    const keys = ['m-ag1', 'm-ag2', 'm-ag3', 'm-c'];
    const caps: Record<string, number> = { 'm-ag1': 40_000, 'm-ag2': 25_000, 'm-ag3': 60_000, 'm-c': 90_000 };
    const model = new Map(keys.map((k) => [k, { settled: 0, reserved: 0 }]));
    const open = new Map<string, { keys: string[]; amount: number; charged?: number }>();
    for (let step = 0; step < 400; step++) {
      const node = random.chance(0.5) ? a : b;
      const ids = [...open.keys()];
      const op = random.next();
      if (op < 0.5 || ids.length === 0) {
        const chosen = random.chance(0.7) ? [random.pick(keys.slice(0, 3)), 'm-c'] : [random.pick(keys)];
        const amount = 1 + random.int(random.chance(0.2) ? 40_000 : 5_000);
        const got = await node.reserve({
          caps: chosen.map((k) => ({ key: k, cap: caps[k]! })),
          amount,
          ttlMs: HOUR,
        });
        const full = chosen.find((k) => model.get(k)!.settled + model.get(k)!.reserved + amount > caps[k]!);
        if (full) {
          const m = model.get(full)!;
          expect(got).toEqual({
            ok: false,
            fullKey: full,
            room: Math.max(0, caps[full]! - m.settled - m.reserved),
          });
        } else {
          for (const k of chosen) model.get(k)!.reserved += amount;
          open.set(idOf(got), { keys: chosen, amount });
        }
      } else {
        const id = random.pick(ids);
        const r = open.get(id)!;
        if (op < 0.85) {
          const actual = random.chance(0.5) ? r.amount : random.int(r.amount + 1);
          const got = await node.settle(id, actual);
          if (r.charged === undefined) {
            expect(got).toEqual({ settledNow: true, state: 'charged', charged: actual, overdelivered: 0 });
            for (const k of r.keys) {
              model.get(k)!.reserved -= r.amount;
              model.get(k)!.settled += actual;
            }
            r.charged = actual;
          } else {
            expect(got).toEqual({
              settledNow: false,
              state: 'charged',
              charged: r.charged,
              overdelivered: 0,
            });
          }
        } else {
          expect(await node.release(id)).toBe(r.charged === undefined);
          if (r.charged === undefined) for (const k of r.keys) model.get(k)!.reserved -= r.amount;
          open.delete(id);
        }
      }
    }
    for (const k of keys) {
      const m = model.get(k)!;
      const got = await totals(k);
      expect({ settled: got.settled, reserved: got.reserved }).toEqual(m);
      expect(got.settled).toBeLessThanOrEqual(caps[k]!);
    }
  });
});
