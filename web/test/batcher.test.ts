import { describe, expect, it } from 'vitest';
import { type ClientEvent, EventBatcher, KEEPALIVE_MAX_EVENTS } from '../src/events/batcher.js';

/** A batcher with a hand-driven timer and a send that records its batches. */
function harness(opts: { ok?: () => boolean; maxBatch?: number } = {}) {
  const sent: { events: ClientEvent[]; keepalive: boolean }[] = [];
  let timer: (() => void) | undefined;
  let id = 0;
  const batcher = new EventBatcher({
    send: async (events, { keepalive }) => {
      sent.push({ events, keepalive });
      return opts.ok ? opts.ok() : true;
    },
    maxBatch: opts.maxBatch ?? 3,
    delayMs: 1000,
    now: () => new Date('2026-01-02T03:04:05.000Z'),
    newId: () => `e${++id}`,
    setTimer: (fn) => {
      timer = fn;
      return 1;
    },
    clearTimer: () => {
      timer = undefined;
    },
  });
  const fire = async () => {
    const t = timer;
    timer = undefined;
    t?.();
    await Promise.resolve();
  };
  return { batcher, sent, fire, hasTimer: () => timer !== undefined };
}

const item = (n: number) => ({
  pinId: `${n}`,
  impressionToken: `tok${n}`,
  surface: 'HOME_FEED' as const,
  position: n,
});

describe('event batching', () => {
  it('sends after the delay, with each item’s impression token, surface and position', async () => {
    const h = harness();
    h.batcher.impression(item(1));
    expect(h.sent).toHaveLength(0);
    expect(h.hasTimer()).toBe(true);
    await h.fire();
    expect(h.sent).toEqual([
      {
        keepalive: false,
        events: [
          {
            event_id: 'e1',
            kind: 'IMPRESSION',
            time: '2026-01-02T03:04:05.000Z',
            impression_token: 'tok1',
            pin_id: '1',
            surface: 'HOME_FEED',
            position: 1,
            app_type: 'WEB',
          },
        ],
      },
    ]);
  });

  it('sends at once when a batch is full', async () => {
    const h = harness();
    for (const n of [1, 2, 3]) h.batcher.impression(item(n));
    await Promise.resolve();
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]!.events.map((e) => e.pin_id)).toEqual(['1', '2', '3']);
  });

  it('reports an impression once per token, but every click', async () => {
    const h = harness({ maxBatch: 10 });
    h.batcher.impression(item(1));
    h.batcher.impression(item(1));
    h.batcher.click('PIN_CLICK', item(1));
    h.batcher.click('OUTBOUND_CLICK', item(1));
    h.batcher.click('OUTBOUND_CLICK', item(1));
    await h.batcher.flush(false);
    expect(h.sent[0]!.events.map((e) => e.kind)).toEqual([
      'IMPRESSION',
      'PIN_CLICK',
      'OUTBOUND_CLICK',
      'OUTBOUND_CLICK',
    ]);
  });

  it('keeps a failed batch, with the same event ids, for the next flush', async () => {
    let ok = false;
    const h = harness({ ok: () => ok, maxBatch: 10 });
    h.batcher.impression(item(1));
    h.batcher.impression(item(2));
    await h.batcher.flush(false);
    expect(h.batcher.pending).toBe(2);
    ok = true;
    h.batcher.impression(item(3));
    await h.batcher.flush(false);
    expect(h.batcher.pending).toBe(0);
    expect(h.sent.map((s) => s.events.map((e) => e.event_id))).toEqual([
      ['e1', 'e2'],
      ['e1', 'e2', 'e3'],
    ]);
  });

  it('on page hide, sends everything at once with keepalive, in pieces keepalive can carry', async () => {
    const h = harness({ maxBatch: 1000 });
    for (let n = 0; n < KEEPALIVE_MAX_EVENTS + 5; n++) h.batcher.impression(item(n));
    expect(h.hasTimer()).toBe(true);
    await h.batcher.flush(true);
    expect(h.hasTimer()).toBe(false);
    expect(h.batcher.pending).toBe(0);
    expect(h.sent.map((s) => [s.events.length, s.keepalive])).toEqual([
      [KEEPALIVE_MAX_EVENTS, true],
      [5, true],
    ]);
  });
});
