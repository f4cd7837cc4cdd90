import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';

/** What a handler gets besides the payload; `K` is the topics of its consumer. */
export interface JobContext<K extends string = string> {
  /** The transaction the delivery is recorded in: write through it so the effect and the record commit together. */
  readonly trx: Db;
  readonly eventId: string;
  readonly topic: K;
  /** 1 on the first delivery. */
  readonly attempt: number;
  readonly log: Logger;
  /**
   * Runs `effect` once the delivery's transaction has committed (not at all if it rolls back), for
   * effects outside the database that must not be seen before the writes, such as cache invalidation.
   */
  afterCommit(effect: () => Promise<void>): void;
}

/**
 * A named reader of one or more outbox topics. Each consumer sees every event of its topics at least
 * once; a delivery whose transaction committed is never run again, so database effects happen once.
 * Effects outside the database (Redis, files) must be idempotent on their own.
 */
export interface Consumer<
  M extends object = Record<string, unknown>,
  K extends keyof M & string = keyof M & string,
> {
  readonly name: string;
  readonly topics: readonly K[];
  /**
   * How many of its deliveries one process runs at once (default 1). For consumers whose deliveries
   * commute and spend their time waiting on the database or Redis; honoured by the Redis Streams broker
   * (services mode); the database queue (embedded, one database session) runs one at a time.
   */
  readonly concurrency?: number;
  /**
   * Gets the union of the payload types of its topics, per the topic map `M` (the product's is
   * src/modules/topics.ts); without one, `unknown`. Declared as a method so that any typed consumer
   * fits where the machinery takes the untyped `Consumer`.
   */
  handle(payload: M[K], ctx: JobContext<K>): Promise<void>;
}

/**
 * Upkeep a module needs now and then (making and dropping partitions, pruning): run by the JobSystem of
 * every process that runs jobs, first at start and then every `everyMs`. Several processes may run the
 * same task at once, so a task must be safe to run concurrently (e.g. under an advisory lock).
 */
export interface PeriodicTask {
  readonly name: string;
  readonly everyMs: number;
  run(): Promise<unknown>;
}

/** An outbox row on its way to the broker. */
export interface OutboxEvent {
  id: string;
  topic: string;
  payload: unknown;
}

/** Moves published events to consumers. Both adapters use the same delivery rules (deliver.ts). */
export interface Broker {
  readonly kind: 'database' | 'redis-streams';
  /** Hands events to the broker; called by the relay inside the transaction that marks them published. */
  publish(trx: Db, events: OutboxEvent[]): Promise<void>;
  /** Starts consuming for the given consumers. */
  start(consumers: readonly Consumer[]): Promise<void>;
  /** Stops fetching and waits for deliveries in flight. */
  stop(): Promise<void>;
  /** Deliveries not yet done per consumer, and the age of the oldest, for metrics. */
  backlog(): Promise<{ consumer: string; pending: number; oldestSeconds: number }[]>;
}

/** Retry delay after `attempt` failed deliveries: exponential from `baseMs`, capped at `capMs`. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * The wait of a polling loop (relay, consumers) after consecutive failures: exponential from `baseMs`,
 * capped, with jitter so that the nodes of a deployment do not all knock on a database that is coming
 * back at the same instant. Reset by a success.
 */
export class LoopBackoff {
  private failures = 0;
  constructor(
    private readonly baseMs: number,
    private readonly capMs = 10_000,
  ) {}

  /** Records a failure; returns how long to wait before the next try. */
  failed(): number {
    this.failures++;
    const ms = backoffMs(this.failures, this.baseMs, this.capMs);
    return Math.round(ms / 2 + (Math.random() * ms) / 2);
  }

  succeeded(): void {
    this.failures = 0;
  }

  /** Failures since the last success. */
  get streak(): number {
    return this.failures;
  }
}
