import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import type { Logger } from '../logger.js';
import type { JobMetrics } from '../metrics.js';
import { deadLetter, runDelivery } from './deliver.js';
import { type Broker, backoffMs, type Consumer, LoopBackoff, type OutboxEvent } from './types.js';

export interface DbBrokerOptions {
  maxAttempts: number;
  leaseMs: number;
  pollMs: number;
  backoffBaseMs: number;
  batchSize?: number;
}

interface Claimed {
  event_id: string;
  consumer: string;
  topic: string;
  payload: unknown;
  attempts: number;
}

/**
 * The database as the broker (embedded mode, or Postgres without Redis). Each (event, consumer) pair is a
 * `job_queue` row, claimed with a lease: a worker that dies mid-job leaves the lease to run out, and any
 * worker then claims the row again. Claiming counts an attempt, so a job that kills its worker every
 * time still reaches the dead-letter table.
 */
export class DbBroker implements Broker {
  readonly kind = 'database' as const;
  private consumers: readonly Consumer[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly backoff: LoopBackoff;
  /** Set when a delivery failed because the database went away: its claims are handed back later. */
  private outage = false;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly metrics: JobMetrics,
    private readonly opts: DbBrokerOptions,
    /** Every consumer the app has, so publish fans out even where this process consumes none. */
    private readonly subscribers: readonly Consumer[],
  ) {
    this.backoff = new LoopBackoff(Math.max(opts.pollMs, 100));
  }

  async publish(trx: Db, events: OutboxEvent[]): Promise<void> {
    const rows = events.flatMap((e) =>
      this.subscribers
        .filter((c) => c.topics.includes(e.topic))
        .map((c) => ({
          event_id: e.id,
          consumer: c.name,
          topic: e.topic,
          payload: JSON.stringify(e.payload),
        })),
    );
    if (rows.length === 0) return;
    await trx
      .insertInto('job_queue')
      .values(rows)
      .onConflict((oc) => oc.columns(['event_id', 'consumer']).doNothing())
      .execute();
    this.wake?.();
  }

  async start(consumers: readonly Consumer[]): Promise<void> {
    this.consumers = consumers;
    if (consumers.length === 0) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  async backlog() {
    const rows = await this.db
      .selectFrom('job_queue')
      .select([
        'consumer',
        sql<string>`count(*)::text`.as('pending'),
        sql<string>`coalesce(extract(epoch from now() - min(run_at)), 0)::text`.as('oldest'),
      ])
      .groupBy('consumer')
      .execute();
    return rows.map((r) => ({
      consumer: r.consumer,
      pending: Number(r.pending),
      oldestSeconds: Number(r.oldest),
    }));
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed: Claimed[] = [];
      try {
        if (this.outage) await this.handBack();
        claimed = await this.claim();
        for (const job of claimed) {
          if (!(await this.deliver(job))) break;
        }
        if (this.outage) throw new Error('the database went away during a delivery');
        this.backoff.succeeded();
      } catch (err) {
        if (isDatabaseUnavailable(err)) this.outage = true;
        const waitMs = this.backoff.failed();
        this.log.error({ err, retryInMs: waitMs, failures: this.backoff.streak }, 'job queue poll failed');
        if (this.running) await this.sleep(waitMs);
        continue;
      }
      if (claimed.length === 0 && this.running) await this.sleep(this.opts.pollMs);
    }
  }

  /**
   * After an outage: the jobs this worker claimed and did not finish (the one that met the outage and
   * the rest of its batch) are released at once, and their claims do not count as attempts, so an
   * outage never pushes a job towards the dead-letter table. Throws while the database is still away.
   */
  private async handBack(): Promise<void> {
    await this.db
      .updateTable('job_queue')
      .set({
        attempts: sql`greatest(attempts - 1, 0)`,
        locked_until: null,
        locked_by: null,
      })
      .where('locked_by', '=', this.workerId)
      .execute();
    this.outage = false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async claim(): Promise<Claimed[]> {
    const names = this.consumers.map((c) => c.name);
    const { rows } = await sql<Claimed>`
      update job_queue q
         set locked_until = now() + ${`${this.opts.leaseMs} milliseconds`}::interval,
             locked_by = ${this.workerId},
             attempts = q.attempts + 1
        from (select event_id, consumer from job_queue
               where consumer = any(${names}::text[])
                 and run_at <= now()
                 and (locked_until is null or locked_until < now())
               order by run_at
               limit ${this.opts.batchSize ?? 20}
               for update skip locked) c
       where q.event_id = c.event_id and q.consumer = c.consumer
      returning q.event_id, q.consumer, q.topic, q.payload, q.attempts
    `.execute(this.db);
    return rows;
  }

  /** Runs one claimed job; false if the database went away meanwhile (the batch stops there). */
  private async deliver(job: Claimed): Promise<boolean> {
    const consumer = this.consumers.find((c) => c.name === job.consumer)!;
    const delivery = { eventId: job.event_id, topic: job.topic, payload: job.payload, attempt: job.attempts };
    const key = (trx: Db) =>
      trx.deleteFrom('job_queue').where('event_id', '=', job.event_id).where('consumer', '=', job.consumer);
    if (job.attempts > this.opts.maxAttempts) {
      // Claimed more often than allowed without finishing: its runs crashed the worker.
      await this.db.transaction().execute(async (trx) => {
        await deadLetter(trx, job.consumer, delivery, 'gave up: the job never finished', this.metrics);
        await key(trx).execute();
      });
      return true;
    }
    const result = await runDelivery(this.db, consumer, delivery, this.log, this.metrics, (trx) =>
      key(trx)
        .execute()
        .then(() => undefined),
    );
    if (result.outcome !== 'failed') return true;
    if (result.unavailable) {
      this.outage = true;
      return false;
    }
    if (job.attempts >= this.opts.maxAttempts) {
      await this.db.transaction().execute(async (trx) => {
        await deadLetter(trx, job.consumer, delivery, result.error, this.metrics);
        await key(trx).execute();
      });
      return true;
    }
    await this.db
      .updateTable('job_queue')
      .set({
        run_at: sql`now() + ${`${backoffMs(job.attempts, this.opts.backoffBaseMs, 5 * 60_000)} milliseconds`}::interval`,
        locked_until: null,
        locked_by: null,
        last_error: result.error.slice(0, 2000),
      })
      .where('event_id', '=', job.event_id)
      .where('consumer', '=', job.consumer)
      .execute();
    return true;
  }
}
