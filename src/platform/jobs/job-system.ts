import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { type Broker, type Consumer, LoopBackoff, type OutboxEvent, type PeriodicTask } from './types.js';

export interface JobSystemOptions {
  pollMs: number;
  /** Republish events that some consumer has not finished this long after publishing (Redis loss). */
  reconcileAfterMs: number;
  /** Finished outbox rows and delivery records older than this are deleted. */
  retentionMs: number;
  batchSize?: number;
  /** Modules' periodic upkeep, run by the relay loop between batches. */
  tasks?: readonly PeriodicTask[];
}

/**
 * Runs the outbox relay (outbox -> broker) and the consumers of this process. Several processes may run
 * one each: relays claim outbox rows with SKIP LOCKED, consumers share work through the broker.
 */
export class JobSystem {
  private running = false;
  private relayLoop: Promise<void> | undefined;
  private readonly backoff: LoopBackoff;
  private wake: (() => void) | undefined;
  private lastReconcile = 0;
  private lastPrune = 0;
  private readonly lastTask = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly broker: Broker,
    private readonly consumers: readonly Consumer[],
    private readonly log: Logger,
    private readonly opts: JobSystemOptions,
  ) {
    this.backoff = new LoopBackoff(Math.max(opts.pollMs, 100));
  }

  /** Whether this process relays the outbox and runs its consumers now. */
  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.broker.start(this.consumers);
    this.relayLoop = this.relay();
    this.log.info(
      { broker: this.broker.kind, consumers: this.consumers.map((c) => c.name) },
      'job system started',
    );
  }

  /** Stops taking new work and waits for what is in flight. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.relayLoop;
    await this.broker.stop();
  }

  /** Asks the relay to look at the outbox now rather than at its next poll. */
  poke(): void {
    this.wake?.();
  }

  /** Moves one batch of unpublished outbox rows to the broker; returns how many. */
  async relayOnce(): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('outbox')
        .select(['id', 'topic', 'payload'])
        .where('published_at', 'is', null)
        .orderBy('id')
        .limit(this.opts.batchSize ?? 500)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return 0;
      const events: OutboxEvent[] = rows.map((r) => ({ id: r.id, topic: r.topic, payload: r.payload }));
      await this.broker.publish(trx, events);
      await trx
        .updateTable('outbox')
        .set({ published_at: sql`now()` })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      return rows.length;
    });
  }

  /**
   * Marks for republishing the events published long ago that a consumer has neither finished nor
   * dead-lettered. Only the Redis broker can lose deliveries; the database broker keeps its own rows.
   */
  async reconcile(): Promise<number> {
    if (this.broker.kind === 'database') return 0;
    const byTopic = new Map<string, string[]>();
    for (const c of this.consumers) {
      for (const t of c.topics) byTopic.set(t, [...(byTopic.get(t) ?? []), c.name]);
    }
    let total = 0;
    for (const [topic, names] of byTopic) {
      const result = await sql`
        update outbox o set published_at = null
         where o.topic = ${topic}
           and o.published_at < now() - ${`${this.opts.reconcileAfterMs} milliseconds`}::interval
           and (select count(*) from job_done d where d.event_id = o.id and d.consumer = any(${names}::text[]))
             + (select count(*) from dead_letters l where l.event_id = o.id and l.consumer = any(${names}::text[]))
             < ${names.length}
      `.execute(this.db);
      total += Number(result.numAffectedRows ?? 0);
    }
    if (total > 0) this.log.warn({ events: total }, 'republishing events the broker lost');
    return total;
  }

  /**
   * Deletes what is past retention: published outbox rows (their deliveries live in the broker, and
   * the reconciler has had its chance), and delivery records, which only guard against redelivery.
   */
  async prune(): Promise<{ outbox: number; done: number }> {
    const cutoff = new Date(Date.now() - this.opts.retentionMs);
    const outbox = await this.db.deleteFrom('outbox').where('published_at', '<', cutoff).executeTakeFirst();
    const done = await this.db.deleteFrom('job_done').where('done_at', '<', cutoff).executeTakeFirst();
    return { outbox: Number(outbox.numDeletedRows), done: Number(done.numDeletedRows) };
  }

  /** Runs each periodic task whose interval has passed (all of them on the first call). */
  private async runDueTasks(): Promise<void> {
    for (const task of this.opts.tasks ?? []) {
      if (!this.running) return;
      const last = this.lastTask.get(task.name);
      if (last !== undefined && Date.now() - last < task.everyMs) continue;
      this.lastTask.set(task.name, Date.now());
      try {
        await task.run();
      } catch (err) {
        this.log.error({ err, task: task.name }, 'periodic task failed');
      }
    }
  }

  private async relay(): Promise<void> {
    while (this.running) {
      let moved = 0;
      let waitMs = this.opts.pollMs;
      try {
        moved = await this.relayOnce();
        if (Date.now() - this.lastReconcile > this.opts.reconcileAfterMs / 4) {
          this.lastReconcile = Date.now();
          await this.reconcile();
        }
        if (Date.now() - this.lastPrune > Math.min(this.opts.retentionMs / 4, 3_600_000)) {
          this.lastPrune = Date.now();
          await this.prune();
        }
        if (this.backoff.streak > 0) this.log.info('outbox relay recovered');
        this.backoff.succeeded();
      } catch (err) {
        // The database (or the broker) is away: wait longer each time, so a restart of PostgreSQL is
        // not met by every node polling it flat out; unpublished rows stay in the outbox meanwhile.
        waitMs = this.backoff.failed();
        this.log.error({ err, retryInMs: waitMs, failures: this.backoff.streak }, 'outbox relay failed');
      }
      if (this.backoff.streak === 0) await this.runDueTasks();
      if ((moved === 0 || this.backoff.streak > 0) && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, waitMs);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          this.wake = done;
        });
      }
    }
  }
}
