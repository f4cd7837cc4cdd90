import type { Metrics } from '../metrics.js';
import type { OutboxBacklog } from './outbox-backlog.js';
import type { Broker } from './types.js';

/**
 * Shares one reading between the gauges of a scrape: the registry collects every gauge at once, so calls
 * made while a reading is in flight get that reading; the next scrape reads afresh.
 */
function shared<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= read().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

/**
 * The job system's gauges, read at scrape time: what waits in the outbox per topic (there whatever runs,
 * even when no process relays it), and what the broker holds per consumer.
 */
export function registerJobGauges(metrics: Metrics, broker: Broker, outbox: OutboxBacklog): void {
  const deliveries = shared(() => broker.backlog());
  const waiting = shared(() => outbox.byTopic());
  metrics.gauge(
    'corkboard_outbox_unpublished',
    'Outbox rows no relay has published yet, per topic (counted up to 100000). Grows when no process runs jobs.',
    ['topic'] as const,
    async (set) => {
      for (const t of await waiting()) set({ topic: t.topic }, t.unpublished);
    },
  );
  metrics.gauge(
    'corkboard_outbox_oldest_unpublished_seconds',
    'Age of the oldest outbox row no relay has published yet, per topic (0 when none waits).',
    ['topic'] as const,
    async (set) => {
      for (const t of await waiting()) set({ topic: t.topic }, t.oldestSeconds);
    },
  );
  metrics.gauge(
    'corkboard_job_backlog',
    'Job deliveries published to the broker and not yet done, per consumer (outbox rows not yet published are in corkboard_outbox_unpublished).',
    ['consumer'] as const,
    async (set) => {
      for (const b of await deliveries()) set({ consumer: b.consumer }, b.pending);
    },
  );
  metrics.gauge(
    'corkboard_job_lag_seconds',
    'Age of the oldest job delivery not yet done, per consumer; outbox rows not yet relayed under "outbox".',
    ['consumer'] as const,
    async (set) => {
      for (const b of await deliveries()) set({ consumer: b.consumer }, b.oldestSeconds);
      const topics = await waiting();
      set({ consumer: 'outbox' }, Math.max(0, ...topics.map((t) => t.oldestSeconds)));
    },
  );
}
