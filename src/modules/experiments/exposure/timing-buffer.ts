import { randomBytes } from 'node:crypto';
import type { Logger } from '../../../platform/logger.js';
import type { Metrics } from '../../../platform/metrics.js';
import { type TimingEvent, unitId } from '../../events/index.js';
import { BackgroundWriter } from './background-writer.js';

/** Timing and limits of the buffer; the defaults suit a serving node. */
export interface TimingBufferOptions {
  /** Write what is gathered this often (ms). */
  readonly flushMs?: number;
  /** Most aggregates (unit and day) held; past it new units' timings are dropped (and counted). */
  readonly maxUnits?: number;
  /** Rows a write carries at most. */
  readonly batchSize?: number;
  /** Writes of one aggregate tried before it is dropped (and counted). */
  readonly maxAttempts?: number;
}

/** What stores a batch of timing aggregates: EventsService.recordTimings. */
export type TimingWriter = (timings: readonly TimingEvent[]) => Promise<number>;

interface Aggregate {
  unit: { userId: string } | { deviceId: string };
  /** unitId(unit): the aggregate's key and its events' id prefix. */
  who: string;
  requests: number;
  ms: number;
  at: number;
}

interface Sealed {
  readonly event: TimingEvent;
  attempts: number;
}

const DAY_MS = 86_400_000;

/**
 * Server timings of units in experiments, on their way to the event stream as FEED_TIMING events. A
 * request adds its time to its unit's aggregate for the UTC day (a map update: nothing waits, nothing
 * throws); every `flushMs` the aggregates are sealed into events (a count of requests and their summed
 * milliseconds, rounded once per event) and written in batches through the events module, off the
 * request path. A sealed event keeps its id through retries, so a write that committed but seemed to
 * fail is not counted twice. A crash loses what was gathered since the last write (one `flushMs`).
 */
export class TimingBuffer extends BackgroundWriter {
  private readonly maxUnits: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  /** Ids are `<unit>:t:<process nonce>:<n>`: unique across processes and restarts. */
  private readonly nonce = randomBytes(6).toString('hex');
  private serial = 0;
  private gathering = new Map<string, Aggregate>();
  private sealed: Sealed[] = [];
  private readonly counted;

  constructor(
    private readonly write: TimingWriter,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly now: () => number = Date.now,
    options: TimingBufferOptions = {},
  ) {
    super(options.flushMs ?? 10_000);
    this.maxUnits = options.maxUnits ?? 100_000;
    this.batchSize = options.batchSize ?? 500;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.counted = metrics.counter(
      'corkboard_experiment_timings_total',
      'Home feed requests of units in experiments whose server time was: stored (written as FEED_TIMING), failed (a write failed; retried), dropped (buffer full or retries spent).',
      ['outcome'] as const,
    );
  }

  /** Adds one request's server time (ms) to its unit's aggregate. Never waits, never throws. */
  record(unit: { userId: string } | { deviceId: string }, ms: number): void {
    if (this.closed || !Number.isFinite(ms) || ms < 0) return;
    const at = this.now();
    const who = unitId(unit);
    const key = `${who}|${Math.floor(at / DAY_MS)}`;
    const cur = this.gathering.get(key);
    if (cur) {
      cur.requests++;
      cur.ms += ms;
      cur.at = at;
    } else {
      if (this.gathering.size >= this.maxUnits) {
        this.counted.inc({ outcome: 'dropped' });
        return;
      }
      this.gathering.set(key, { unit, who, requests: 1, ms, at });
    }
    this.schedule();
  }

  /** Requests gathered or sealed, not yet written. */
  get waiting(): number {
    let n = 0;
    for (const a of this.gathering.values()) n += a.requests;
    for (const s of this.sealed) n += s.event.requests;
    return n;
  }

  protected hasWork(): boolean {
    return this.sealed.length > 0 || this.gathering.size > 0;
  }

  private seal(): void {
    for (const a of this.gathering.values()) {
      this.sealed.push({
        event: {
          id: `${a.who}:t:${this.nonce}:${this.serial++}`,
          unit: a.unit,
          requests: a.requests,
          ms: Math.round(a.ms),
          at: new Date(a.at),
        },
        attempts: 0,
      });
    }
    this.gathering = new Map();
  }

  /** Seals what is gathered and writes it. Failures are logged and counted, never thrown. */
  protected async drain(): Promise<void> {
    this.seal();
    const retry: Sealed[] = [];
    while (this.sealed.length > 0) {
      const batch = this.sealed.splice(0, this.batchSize);
      const requests = batch.reduce((n, s) => n + s.event.requests, 0);
      try {
        await this.write(batch.map((s) => s.event));
        this.counted.inc({ outcome: 'stored' }, requests);
      } catch (err) {
        this.counted.inc({ outcome: 'failed' }, requests);
        this.logger.warn({ err, timings: batch.length }, 'experiment feed timings not written; will retry');
        for (const s of batch) {
          s.attempts++;
          if (s.attempts < this.maxAttempts && !this.closed) retry.push(s);
          else this.counted.inc({ outcome: 'dropped' }, s.event.requests);
        }
        break;
      }
    }
    const all = [...retry, ...this.sealed];
    for (const s of all.slice(this.maxUnits)) this.counted.inc({ outcome: 'dropped' }, s.event.requests);
    this.sealed = all.slice(0, this.maxUnits);
  }

  /** Writes what is gathered and stops taking timings (shutdown). */
  async close(): Promise<void> {
    await this.stop();
    const left = this.waiting;
    if (left > 0) {
      this.counted.inc({ outcome: 'dropped' }, left);
      this.logger.warn({ requests: left }, 'experiment feed timings dropped at shutdown');
      this.sealed = [];
      this.gathering = new Map();
    }
  }
}
