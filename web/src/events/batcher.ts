/** Kinds of event the app reports through POST /v5/events. */
export type ClientEventKind = 'IMPRESSION' | 'PIN_CLICK' | 'OUTBOUND_CLICK';
export type Surface = 'HOME_FEED' | 'SEARCH' | 'RELATED' | 'BOARD' | 'PROFILE' | 'CLOSEUP';

/** One event as POST /v5/events takes it. */
export interface ClientEvent {
  event_id: string;
  kind: ClientEventKind;
  time: string;
  impression_token: string;
  pin_id: string;
  surface?: Surface;
  position?: number;
  app_type: 'WEB';
}

/** What an item was served with: enough to report an event about it. */
export interface Served {
  pinId: string;
  impressionToken: string;
  surface?: Surface;
  position?: number;
}

/**
 * Sends a batch. `keepalive` is set when the page is being hidden or closed: the request must outlive
 * the page (fetch's keepalive). Resolves true when the server took the batch (even with some events
 * rejected: those are not worth retrying), false to keep the events for another try.
 */
export type SendBatch = (events: ClientEvent[], options: { keepalive: boolean }) => Promise<boolean>;

export interface BatcherOptions {
  send: SendBatch;
  /** Send as soon as this many events wait. */
  maxBatch?: number;
  /** Otherwise send this long after the first waiting event. */
  delayMs?: number;
  /** Most events kept while sends fail (the oldest are dropped past it). */
  maxQueued?: number;
  now?: () => Date;
  newId?: () => string;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** keepalive requests may carry at most 64 KiB in all; a batch sent on hide stays well under it. */
export const KEEPALIVE_MAX_EVENTS = 100;

/**
 * Collects events and sends them in batches: when `maxBatch` wait, `delayMs` after the first, or at
 * once with keepalive when the page is hidden (`flush(true)`). An item's impression is reported once
 * per impression token, however often it scrolls into view. A failed send keeps its events for the
 * next one; each event keeps its id, so a batch that reached the server before failing counts once.
 */
export class EventBatcher {
  private queue: ClientEvent[] = [];
  private readonly seenImpressions = new Set<string>();
  private timer: unknown;
  private sending: Promise<void> | undefined;
  private readonly o: Required<BatcherOptions>;

  constructor(options: BatcherOptions) {
    this.o = {
      maxBatch: 50,
      delayMs: 2000,
      maxQueued: 1000,
      now: () => new Date(),
      newId: () => crypto.randomUUID(),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  /** Events waiting to be sent. */
  get pending(): number {
    return this.queue.length;
  }

  /** Reports that an item was seen; a second report for the same token is ignored. */
  impression(item: Served): void {
    if (this.seenImpressions.has(item.impressionToken)) return;
    this.seenImpressions.add(item.impressionToken);
    this.add('IMPRESSION', item);
  }

  /** Reports a close-up (PIN_CLICK) or an outbound click. */
  click(kind: 'PIN_CLICK' | 'OUTBOUND_CLICK', item: Served): void {
    this.add(kind, item);
  }

  private add(kind: ClientEventKind, item: Served): void {
    const event: ClientEvent = {
      event_id: this.o.newId(),
      kind,
      time: this.o.now().toISOString(),
      impression_token: item.impressionToken,
      pin_id: item.pinId,
      app_type: 'WEB',
    };
    if (item.surface) event.surface = item.surface;
    if (item.position !== undefined) event.position = item.position;
    this.queue.push(event);
    if (this.queue.length > this.o.maxQueued) this.queue.splice(0, this.queue.length - this.o.maxQueued);
    if (this.queue.length >= this.o.maxBatch) void this.flush(false);
    else if (this.timer === undefined) {
      this.timer = this.o.setTimer(() => {
        this.timer = undefined;
        void this.flush(false);
      }, this.o.delayMs);
    }
  }

  /**
   * Sends what waits. With `keepalive` (the page is being hidden) everything goes at once, in pieces
   * small enough for keepalive, without waiting for a send in flight.
   */
  async flush(keepalive: boolean): Promise<void> {
    if (this.timer !== undefined) {
      this.o.clearTimer(this.timer);
      this.timer = undefined;
    }
    if (keepalive) {
      while (this.queue.length) {
        const batch = this.queue.splice(0, KEEPALIVE_MAX_EVENTS);
        void this.o.send(batch, { keepalive: true }).catch(() => false);
      }
      return;
    }
    if (this.sending) return this.sending;
    this.sending = this.sendAll().finally(() => {
      this.sending = undefined;
    });
    return this.sending;
  }

  private async sendAll(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.o.maxBatch);
      const ok = await this.o.send(batch, { keepalive: false }).catch(() => false);
      if (!ok) {
        // Back to the front, for the next flush; the ids make a retry count once.
        this.queue.unshift(...batch);
        if (this.queue.length > this.o.maxQueued) this.queue.length = this.o.maxQueued;
        return;
      }
    }
  }
}
