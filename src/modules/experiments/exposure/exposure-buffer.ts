import type { Logger } from '../../../platform/logger.js';
import type { Metrics } from '../../../platform/metrics.js';
import { type ExposureEvent, unitId } from '../../events/index.js';
import { BackgroundWriter } from './background-writer.js';

/** Limits and timing of the buffer; the defaults suit a serving node. */
export interface ExposureBufferOptions {
  /** Flush this often (ms) while anything waits. */
  readonly flushMs?: number;
  /** Flush at once when this many wait. */
  readonly batchSize?: number;
  /** Most exposures held waiting; past it new ones are dropped (and counted). */
  readonly maxPending?: number;
  /** Most (unit, run) keys remembered as logged today; past it the set starts afresh. */
  readonly maxSeen?: number;
  /** Writes of one exposure tried before it is dropped (and counted). */
  readonly maxAttempts?: number;
}

/** What stores a batch of exposures, returning how many were new: EventsService.recordExposures. */
export type ExposureWriter = (exposures: readonly ExposureEvent[]) => Promise<number>;

interface Pending {
  readonly event: ExposureEvent;
  readonly seenKey: string;
  attempts: number;
}

const DAY_MS = 86_400_000;

/**
 * Exposures on their way to the event stream, off the request path. `log` never waits and never throws:
 * it checks the in-process "seen today" set (a unit, run and UTC day is written once per process), and
 * queues the rest; a timer (or a full batch) writes them through the events module, whose primary key
 * stores one per unit, run and day whatever several processes or a restart send. A failed write is
 * logged, counted and retried with the next flush up to `maxAttempts`, then dropped; memory is bounded
 * by `maxPending` and `maxSeen`.
 */
export class ExposureBuffer extends BackgroundWriter {
  private readonly batchSize: number;
  private readonly maxPending: number;
  private readonly maxSeen: number;
  private readonly maxAttempts: number;
  private seenDay = -1;
  private seen = new Set<string>();
  private pending: Pending[] = [];
  private readonly counted;

  constructor(
    private readonly write: ExposureWriter,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly now: () => number = Date.now,
    options: ExposureBufferOptions = {},
  ) {
    super(options.flushMs ?? 1_000);
    this.batchSize = options.batchSize ?? 500;
    this.maxPending = options.maxPending ?? 50_000;
    this.maxSeen = options.maxSeen ?? 1_000_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.counted = metrics.counter(
      'corkboard_experiment_exposures_total',
      'Experiment exposures by outcome: stored (new), duplicate (stored already, by this or another process), ' +
        'skipped (seen today by this process), failed (a write failed; retried), dropped (buffer full or retries spent).',
      ['outcome'] as const,
    );
  }

  /** Queues an exposure unless this process logged the same unit and run today. Never throws. */
  log(event: ExposureEvent): void {
    const at = event.at.getTime();
    const day = Math.floor(at / DAY_MS);
    if (day !== this.seenDay) {
      this.seenDay = day;
      this.seen = new Set();
    }
    const seenKey = `${unitId(event.unit)}|${event.run}`;
    if (this.seen.has(seenKey)) {
      this.counted.inc({ outcome: 'skipped' });
      return;
    }
    if (this.closed || this.pending.length >= this.maxPending) {
      this.counted.inc({ outcome: 'dropped' });
      return;
    }
    // A bounded set: starting afresh only costs writes that the durable key then skips.
    if (this.seen.size >= this.maxSeen) this.seen = new Set();
    this.seen.add(seenKey);
    this.pending.push({ event, seenKey, attempts: 0 });
    if (this.pending.length >= this.batchSize) void this.flush();
    else this.schedule();
  }

  /** Exposures waiting to be written. */
  get waiting(): number {
    return this.pending.length;
  }

  protected hasWork(): boolean {
    return this.pending.length > 0;
  }

  /** Writes what waits, in batches. Failures are logged and counted, never thrown. */
  protected async drain(): Promise<void> {
    const retry: Pending[] = [];
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.batchSize);
      try {
        const stored = await this.write(batch.map((p) => p.event));
        this.counted.inc({ outcome: 'stored' }, stored);
        if (batch.length > stored) this.counted.inc({ outcome: 'duplicate' }, batch.length - stored);
      } catch (err) {
        this.counted.inc({ outcome: 'failed' }, batch.length);
        this.logger.warn({ err, exposures: batch.length }, 'experiment exposures not written; will retry');
        for (const p of batch) {
          p.attempts++;
          if (p.attempts < this.maxAttempts && !this.closed) retry.push(p);
          else {
            this.counted.inc({ outcome: 'dropped' });
            // Forgotten, so a later read of the parameter may log it again.
            this.seen.delete(p.seenKey);
          }
        }
        // The database is likely away: leave the rest for the next flush.
        break;
      }
    }
    const all = [...retry, ...this.pending];
    if (all.length > this.maxPending) {
      for (const p of all.slice(this.maxPending)) this.seen.delete(p.seenKey);
      this.counted.inc({ outcome: 'dropped' }, all.length - this.maxPending);
    }
    this.pending = all.slice(0, this.maxPending);
  }

  /** Writes what waits and stops taking exposures (shutdown). */
  async close(): Promise<void> {
    await this.stop();
    if (this.pending.length > 0) {
      this.counted.inc({ outcome: 'dropped' }, this.pending.length);
      this.logger.warn({ exposures: this.pending.length }, 'experiment exposures dropped at shutdown');
      this.pending = [];
    }
  }

  /** Forgets the in-process "seen today" set (tests: a restart). */
  forgetSeen(): void {
    this.seen = new Set();
  }
}
