import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Redis } from 'ioredis';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { JobMetrics } from '../metrics.js';
import { type Delivery, deadLetter, runDelivery } from './deliver.js';
import { type Broker, backoffMs, type Consumer, LoopBackoff, type OutboxEvent } from './types.js';

export interface RedisBrokerOptions {
  prefix: string;
  maxAttempts: number;
  leaseMs: number;
  pollMs: number;
  backoffBaseMs: number;
  /** Approximate cap on each stream's length; the outbox, not Redis, is the durable copy. */
  maxLen?: number;
  batchSize?: number;
}

type StreamEntry = [id: string, fields: string[]];

/** Thrown out of a delivery loop when the database went away; the entries are handed back first. */
class DatabaseOutage extends Error {}

/** A consumer name idle this many leases, with nothing pending, belongs to a process that is gone. */
const FORGET_AFTER_LEASES = 20;

/**
 * Redis Streams as the broker (services mode): one stream per topic, one consumer group per consumer,
 * any number of worker processes per group. An entry stays in the group's pending list until its
 * delivery commits; entries idle longer than the lease (a dead or stuck worker) are claimed by another
 * worker. A failed delivery is made claimable again after its backoff by resetting its idle time.
 * Redis may lose streams (it keeps nothing on disk here): the relay's reconciler republishes from the
 * outbox any event some consumer has not finished.
 */
export class RedisStreamsBroker implements Broker {
  readonly kind = 'redis-streams' as const;
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly blocking: Redis[] = [];
  private readonly workerId = `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
  private started: readonly Consumer[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly newConnection: () => Redis,
    private readonly db: Db,
    private readonly log: Logger,
    private readonly metrics: JobMetrics,
    private readonly opts: RedisBrokerOptions,
    private readonly subscribers: readonly Consumer[],
  ) {}

  private stream(topic: string): string {
    return `${this.opts.prefix}s:${topic}`;
  }

  async publish(_trx: Db, events: OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const e of events) {
      pipeline.xadd(
        this.stream(e.topic),
        'MAXLEN',
        '~',
        this.opts.maxLen ?? 1_000_000,
        '*',
        'e',
        e.id,
        't',
        e.topic,
        'p',
        JSON.stringify(e.payload),
      );
    }
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async start(consumers: readonly Consumer[]): Promise<void> {
    await this.ensureGroups(this.subscribers);
    this.running = true;
    this.started = consumers;
    for (const consumer of consumers) {
      const conn = this.newConnection();
      this.blocking.push(conn);
      this.loops.push(this.run(consumer, conn));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
    // This process's name leaves each group it read from, unless it still holds entries (another worker
    // claims those after the lease, and the name is forgotten later, see forgetIdle).
    for (const consumer of this.started) {
      await this.forget(consumer, (c) => c.name === this.workerId && c.pending === 0).catch((err) =>
        this.log.warn({ err, consumer: consumer.name }, 'could not leave the consumer group'),
      );
    }
    this.started = [];
    await Promise.all(this.blocking.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  }

  async backlog() {
    const out: { consumer: string; pending: number; oldestSeconds: number }[] = [];
    for (const consumer of this.subscribers) {
      let pending = 0;
      let oldest = 0;
      for (const topic of consumer.topics) {
        const groups = (await this.redis.xinfo('GROUPS', this.stream(topic)).catch(() => [])) as unknown[][];
        for (const g of groups) {
          const info = toRecord(g);
          if (info.name !== consumer.name) continue;
          // Entries no worker has read yet: the first after the group's last delivered one is the oldest.
          // Redis cannot always tell the lag (nil after deletions): then at least that entry is counted.
          const lag = info.lag === null || info.lag === undefined ? undefined : Number(info.lag);
          const next =
            lag === 0
              ? []
              : ((await this.redis.xrange(
                  this.stream(topic),
                  `(${String(info['last-delivered-id'] ?? '0-0')}`,
                  '+',
                  'COUNT',
                  1,
                )) as StreamEntry[]);
          pending += Number(info.pending ?? 0) + (lag ?? next.length);
          if (next[0]) oldest = Math.max(oldest, ageSeconds(next[0][0]));
          const summary = (await this.redis.xpending(this.stream(topic), consumer.name)) as [
            number,
            string | null,
          ];
          if (summary[1]) oldest = Math.max(oldest, ageSeconds(summary[1]));
        }
      }
      out.push({ consumer: consumer.name, pending, oldestSeconds: Math.max(0, oldest) });
    }
    return out;
  }

  private async ensureGroups(consumers: readonly Consumer[]): Promise<void> {
    for (const consumer of consumers) {
      for (const topic of consumer.topics) {
        try {
          // From 0, not $: events published before the group existed are still delivered.
          await this.redis.xgroup('CREATE', this.stream(topic), consumer.name, '0', 'MKSTREAM');
        } catch (err) {
          if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
        }
      }
    }
  }

  private async run(consumer: Consumer, conn: Redis): Promise<void> {
    const streams = consumer.topics.map((t) => this.stream(t));
    let lastReclaim = 0;
    let lastForget = Date.now();
    const forgetAfterMs = FORGET_AFTER_LEASES * this.opts.leaseMs;
    const backoff = new LoopBackoff(Math.max(this.opts.pollMs, 100));
    while (this.running) {
      try {
        if (Date.now() - lastReclaim >= Math.min(this.opts.leaseMs / 2, 1000)) {
          lastReclaim = Date.now();
          await this.reclaim(consumer);
        }
        if (Date.now() - lastForget >= Math.min(forgetAfterMs / 4, 60_000)) {
          lastForget = Date.now();
          // Names of processes gone without leaving (a crash, a kill): nothing pending, idle for long.
          await this.forget(
            consumer,
            (c) => c.name !== this.workerId && c.pending === 0 && c.idle >= forgetAfterMs,
          );
        }
        const res = (await conn.xreadgroup(
          'GROUP',
          consumer.name,
          this.workerId,
          'COUNT',
          this.opts.batchSize ?? 20,
          'BLOCK',
          this.opts.pollMs,
          'STREAMS',
          ...streams,
          ...streams.map(() => '>'),
        )) as [string, StreamEntry[]][] | null;
        for (const [stream, entries] of res ?? []) {
          await this.deliverAll(consumer, stream, entries, () => 1);
        }
        backoff.succeeded();
      } catch (err) {
        if (String((err as Error).message).includes('NOGROUP')) {
          // The stream vanished (Redis restarted): recreate; the reconciler republishes what was lost.
          await this.ensureGroups([consumer]).catch(() => {});
        } else if (this.running) {
          // Redis or the database is away: wait longer each time, up to a cap.
          const waitMs = backoff.failed();
          this.log.error(
            { err, consumer: consumer.name, retryInMs: waitMs, failures: backoff.streak },
            err instanceof DatabaseOutage
              ? 'deliveries paused: the database is unavailable'
              : 'stream read failed',
          );
          await new Promise((r) => setTimeout(r, waitMs));
        }
      }
    }
  }

  /**
   * Deletes from the consumer's groups the consumer names `which` picks. Every process start reads under
   * a new name, so without this the groups would list every process that ever ran. Only names holding no
   * entries are deleted: Redis drops a deleted name's pending entries, which no one could claim then.
   */
  private async forget(
    consumer: Consumer,
    which: (c: { name: string; pending: number; idle: number }) => boolean,
  ): Promise<void> {
    for (const topic of consumer.topics) {
      const stream = this.stream(topic);
      const names = (await this.redis.xinfo('CONSUMERS', stream, consumer.name)) as unknown[][];
      for (const entry of names) {
        const info = toRecord(entry);
        const c = { name: String(info.name), pending: Number(info.pending), idle: Number(info.idle) };
        if (which(c)) await this.redis.xgroup('DELCONSUMER', stream, consumer.name, c.name);
      }
    }
  }

  /** Claims entries whose holder has not finished them within the lease, or whose backoff is over. */
  private async reclaim(consumer: Consumer): Promise<void> {
    for (const topic of consumer.topics) {
      const stream = this.stream(topic);
      const pending = (await this.redis.xpending(
        stream,
        consumer.name,
        'IDLE',
        this.opts.leaseMs,
        '-',
        '+',
        this.opts.batchSize ?? 20,
      )) as [string, string, number, number][];
      for (const [id] of pending) {
        if (!this.running) return;
        const claimed = (await this.redis.xclaim(
          stream,
          consumer.name,
          this.workerId,
          this.opts.leaseMs,
          id,
        )) as (StreamEntry | null)[];
        const entry = claimed[0];
        if (!entry) {
          // Trimmed from the stream while pending: nothing to run here; the outbox still has it.
          if (claimed.length === 0) continue;
          await this.redis.xack(stream, consumer.name, id);
          continue;
        }
        const info = (await this.redis.xpending(stream, consumer.name, id, id, 1)) as [
          string,
          string,
          number,
          number,
        ][];
        await this.deliverAll(consumer, stream, [entry], () => info[0]?.[3] ?? 1);
      }
    }
  }

  /**
   * Delivers entries in order, up to the consumer's `concurrency` at once. If the database goes away, the
   * entry that met it and those not started yet are handed back (claimable at once, their delivery count
   * as before; those in flight finish first) and DatabaseOutage is thrown, so the loop waits for the
   * database and an outage never counts towards the dead-letter limit.
   */
  private async deliverAll(
    consumer: Consumer,
    stream: string,
    entries: StreamEntry[],
    attemptOf: (entry: StreamEntry) => number,
  ): Promise<void> {
    let next = 0;
    const handBack: StreamEntry[] = [];
    const lane = async () => {
      while (handBack.length === 0 && next < entries.length) {
        const entry = entries[next++]!;
        if (!(await this.deliver(consumer, stream, entry, attemptOf(entry)))) handBack.push(entry);
      }
    };
    const width = Math.min(entries.length, Math.max(1, consumer.concurrency ?? 1));
    await Promise.all(Array.from({ length: width }, lane));
    if (handBack.length === 0) return;
    // Each of them was counted when this worker read or claimed it, and none has run to the end.
    for (const entry of [...handBack, ...entries.slice(next)]) {
      await this.redis.xclaim(
        stream,
        consumer.name,
        this.workerId,
        0,
        entry[0],
        'IDLE',
        this.opts.leaseMs,
        'RETRYCOUNT',
        Math.max(0, attemptOf(entry) - 1),
        'JUSTID',
      );
    }
    throw new DatabaseOutage('the database went away during a delivery');
  }

  /** Runs one entry; false if the database went away (the entry is left pending for the caller). */
  private async deliver(
    consumer: Consumer,
    stream: string,
    [id, fields]: StreamEntry,
    attempt: number,
  ): Promise<boolean> {
    const f = toRecord(fields) as Record<string, string>;
    const delivery: Delivery = {
      eventId: f.e ?? '0',
      topic: f.t ?? '',
      payload: JSON.parse(f.p ?? 'null'),
      attempt,
    };
    if (attempt > this.opts.maxAttempts) {
      await deadLetter(this.db, consumer.name, delivery, 'gave up: the job never finished', this.metrics);
      await this.redis.xack(stream, consumer.name, id);
      return true;
    }
    const result = await runDelivery(this.db, consumer, delivery, this.log, this.metrics);
    if (result.outcome !== 'failed') {
      await this.redis.xack(stream, consumer.name, id);
      return true;
    }
    if (result.unavailable) return false;
    if (attempt >= this.opts.maxAttempts) {
      await deadLetter(this.db, consumer.name, delivery, result.error, this.metrics);
      await this.redis.xack(stream, consumer.name, id);
      return true;
    }
    // Leave it pending, with an idle time that makes it claimable once the backoff has passed.
    const wait = backoffMs(attempt, this.opts.backoffBaseMs, this.opts.leaseMs);
    await this.redis.xclaim(
      stream,
      consumer.name,
      this.workerId,
      0,
      id,
      'IDLE',
      this.opts.leaseMs - wait,
      'JUSTID',
    );
    return true;
  }
}

/** Seconds since a stream entry was added, from its id (milliseconds-sequence). */
function ageSeconds(id: string): number {
  return (Date.now() - Number(id.split('-')[0])) / 1000;
}

function toRecord(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}
