import type { Logger } from '../../platform/logger.js';
import type { ServerEvent } from '../events/index.js';

/** Most SEARCH events held before a flush, and the longest one waits. */
export const RECORD_BATCH = 200;
export const RECORD_DELAY_MS = 200;

/**
 * Records the SEARCH events of global searches off the request path: events are queued and written by
 * one transaction per RECORD_DELAY_MS (or per RECORD_BATCH events). A synchronous commit per search cost
 * more than the search itself (p99 over 100 ms when the disk is busy); a search is not a write the caller
 * asked for, so a crash may lose the last RECORD_DELAY_MS of them. A failed flush is logged and dropped.
 */
export class SearchRecorder {
  private queue: ServerEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (events: readonly ServerEvent[]) => Promise<void>,
    private readonly log: Logger,
  ) {}

  add(event: ServerEvent): void {
    this.queue.push(event);
    if (this.queue.length >= RECORD_BATCH) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), RECORD_DELAY_MS);
      this.timer.unref();
    }
  }

  /** Writes what is queued; resolves when it (and any flush before it) is done. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.queue;
    this.queue = [];
    if (events.length > 0) {
      this.flushing = this.flushing.then(() =>
        this.write(events).catch((err) =>
          this.log.warn({ err, events: events.length }, 'search events dropped'),
        ),
      );
    }
    return this.flushing;
  }
}
