import type { Logger } from '../../platform/logger.js';
import type { ServerEvent } from '../events/index.js';

/** Most SEARCH events held before a flush, and the longest one waits. */
export const RECORD_BATCH = 200;
export const RECORD_DELAY_MS = 200;

/**
 * Records the SEARCH events of global searches off the request path: events are queued and written by
 * one transaction per RECORD_DELAY_MS (or per RECORD_BATCH events). A synchronous commit per search cost
 * more than the search itself (p99 over 100 ms when the disk is busy). What is queued is written when
 * the HTTP server closes (after its in-flight requests), so a graceful stop loses none; a crash loses at
 * most the last RECORD_DELAY_MS (and RECORD_BATCH) of them. A failed write is tried once more, then
 * logged and dropped (see docs/architecture.md for why a search may be lost and a save may not).
 */
export class SearchRecorder {
  private queue: ServerEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly write: (events: readonly ServerEvent[]) => Promise<void>,
    private readonly log: Logger,
    private readonly retryDelayMs = RECORD_DELAY_MS,
  ) {}

  add(event: ServerEvent): void {
    this.queue.push(event);
    if (this.closed || this.queue.length >= RECORD_BATCH) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), RECORD_DELAY_MS);
      this.timer.unref();
    }
  }

  /** Writes what is queued; resolves when it (and any flush before it) is done. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.queue;
    this.queue = [];
    if (events.length > 0) this.flushing = this.flushing.then(() => this.writeOrDrop(events));
    return this.flushing;
  }

  /** Flushes, and from now on writes each event as it comes (the server is stopping). */
  close(): Promise<void> {
    this.closed = true;
    return this.flush();
  }

  private async writeOrDrop(events: readonly ServerEvent[]): Promise<void> {
    try {
      await this.write(events);
    } catch (first) {
      this.log.warn({ err: first, events: events.length }, 'search events not written; trying again');
      await new Promise((r) => setTimeout(r, this.closed ? 0 : this.retryDelayMs));
      await this.write(events).catch((err) =>
        this.log.error({ err, events: events.length }, 'search events dropped'),
      );
    }
  }
}
