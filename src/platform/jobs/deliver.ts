import type { Db } from '../db/database.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import type { Logger } from '../logger.js';
import type { JobMetrics } from '../metrics.js';
import type { Consumer } from './types.js';

export interface Delivery {
  eventId: string;
  topic: string;
  payload: unknown;
  /** 1 on the first delivery. */
  attempt: number;
}

export type Outcome = 'done' | 'duplicate' | 'failed' | 'dead';

/**
 * Runs one delivery in a transaction that first records it in `job_done`. A redelivery of a committed
 * delivery finds the record and does nothing; two concurrent runs of the same delivery serialise on the
 * record's primary key, and the second sees the first's commit. A failure rolls back the handler's
 * writes with the record.
 */
export async function runDelivery(
  db: Db,
  consumer: Consumer,
  delivery: Delivery,
  log: Logger,
  metrics: JobMetrics,
  onDone?: (trx: Db) => Promise<void>,
): Promise<{ outcome: 'done' | 'duplicate' } | { outcome: 'failed'; error: string; unavailable: boolean }> {
  const started = performance.now();
  const jobLog = log.child({ consumer: consumer.name, eventId: delivery.eventId, attempt: delivery.attempt });
  const committed: (() => Promise<void>)[] = [];
  try {
    const outcome = await db.transaction().execute(async (trx) => {
      const fresh = await trx
        .insertInto('job_done')
        .values({ event_id: delivery.eventId, consumer: consumer.name })
        .onConflict((oc) => oc.columns(['event_id', 'consumer']).doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (fresh) {
        await consumer.handle(delivery.payload, {
          trx,
          eventId: delivery.eventId,
          topic: delivery.topic,
          attempt: delivery.attempt,
          log: jobLog,
          afterCommit: (effect) => {
            committed.push(effect);
          },
        });
      }
      await onDone?.(trx);
      return fresh ? ('done' as const) : ('duplicate' as const);
    });
    metrics.observe(consumer.name, outcome, (performance.now() - started) / 1000);
    for (const effect of committed) {
      // The delivery is done whatever happens here: such effects are best-effort (cache invalidation).
      await effect().catch((err: unknown) => jobLog.warn({ err }, 'effect after commit failed'));
    }
    return { outcome };
  } catch (err) {
    metrics.observe(consumer.name, 'failed', (performance.now() - started) / 1000);
    // A database that went away is no fault of the job: brokers do not count such a failure towards
    // the dead-letter limit, and wait for the database instead of retrying at once.
    const unavailable = isDatabaseUnavailable(err);
    jobLog.warn({ err, unavailable }, 'job failed');
    return { outcome: 'failed', error: err instanceof Error ? err.message : String(err), unavailable };
  }
}

/** Records a delivery that will not be tried again. */
export async function deadLetter(
  db: Db,
  consumer: string,
  delivery: Delivery,
  error: string | null,
  metrics: JobMetrics,
): Promise<void> {
  await db
    .insertInto('dead_letters')
    .values({
      event_id: delivery.eventId,
      consumer,
      topic: delivery.topic,
      payload: JSON.stringify(delivery.payload),
      attempts: delivery.attempt,
      last_error: error,
    })
    .onConflict((oc) => oc.columns(['event_id', 'consumer']).doNothing())
    .execute();
  metrics.observe(consumer, 'dead', 0);
}
