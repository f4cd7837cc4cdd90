/**
 * The timer and the single flight of a buffer that writes what it gathers in the background (the
 * exposure and feed timing buffers): one write at a time, another `flushMs` after it while anything
 * still waits, none after `stop`.
 */
export abstract class BackgroundWriter {
  protected closed = false;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(protected readonly flushMs: number) {}

  /** Whether anything waits to be written. */
  protected abstract hasWork(): boolean;

  /** Writes what waits; failures are the subclass's to log, count and keep: it never throws. */
  protected abstract drain(): Promise<void>;

  /** Arms the timer (once) so that what waits is written within `flushMs`. */
  protected schedule(): void {
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
  }

  /** Writes what waits; resolves when done. Never throws. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
      if (this.hasWork() && !this.closed) this.schedule();
    });
    return this.flushing;
  }

  /** Writes what waits (again, if a write in flight left some) and stops taking anything. */
  protected async stop(): Promise<void> {
    await this.flush();
    if (this.hasWork()) await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
