// Popularity signals: per-pin saves and engagements over sliding windows with exponential time decay.
// The arithmetic is pure; the counts live behind the SignalStore port (memory or Redis).

/** Saves and engagements (save + close-up + outbound click) of one pin in one clock hour. */
export interface PinHourCount {
  pinId: string;
  /** Hours since the Unix epoch of the hour's start (UTC). */
  hour: number;
  saves: number;
  engagements: number;
}

export type HourCount = Omit<PinHourCount, 'pinId'>;

/** What discovery reads per pin. */
export interface PopularitySignals {
  save_1d: number;
  save_7d: number;
  engagement_1d: number;
  engagement_7d: number;
}

export const HOUR_MS = 3_600_000;
/** The sliding windows, in hours. Counts older than the longest one are dropped. */
export const WINDOWS = { '1d': 24, '7d': 168 } as const;
export const LONGEST_WINDOW_HOURS = WINDOWS['7d'];

/** The epoch hour an instant falls in. */
export function hourOf(atMs: number): number {
  return Math.floor(atMs / HOUR_MS);
}

/**
 * An hour's weight in a window of `windowHours` at `nowMs`: exp(-age / (window / 2)) while the hour
 * started less than a window ago, 0 after. Age is measured from the hour's start; an hour that starts
 * in the future (clock skew) counts fully. So a count seen just now weighs 1, one half a window old
 * weighs e^-1 ≈ 0.37, one a whole window old is gone (it weighed e^-2 ≈ 0.14 just before).
 */
export function weight(hour: number, nowMs: number, windowHours: number): number {
  const age = Math.max(0, nowMs / HOUR_MS - hour);
  if (age >= windowHours) return 0;
  return Math.exp(-age / (windowHours / 2));
}

/** The decayed windowed sums of one pin's hourly counts. */
export function signalsOf(counts: readonly HourCount[], nowMs: number): PopularitySignals {
  const out: PopularitySignals = { save_1d: 0, save_7d: 0, engagement_1d: 0, engagement_7d: 0 };
  for (const c of counts) {
    const w1 = weight(c.hour, nowMs, WINDOWS['1d']);
    const w7 = weight(c.hour, nowMs, WINDOWS['7d']);
    out.save_1d += c.saves * w1;
    out.engagement_1d += c.engagements * w1;
    out.save_7d += c.saves * w7;
    out.engagement_7d += c.engagements * w7;
  }
  return out;
}

/**
 * Where the hourly counts live: in process memory (embedded) or Redis (services). Applying a batch is
 * idempotent by batch id, so a rollup delivery that runs again after its counts were applied (it failed
 * or its process died before its transaction committed) does not count twice.
 */
export interface SignalStore {
  /** Adds one batch's counts unless a batch with this id was applied since the last `replace`; true if applied. */
  apply(batchId: string, counts: readonly PinHourCount[]): Promise<boolean>;
  /** The hourly counts of these pins within the longest window (pins without any are left out). */
  read(pinIds: readonly string[]): Promise<Map<string, HourCount[]>>;
  /** Drops these pins' counts (their board became secret, or they were deleted). */
  forget(pinIds: readonly string[]): Promise<void>;
  /** Replaces every count with these and forgets which batches were applied (a rebuild). */
  replace(counts: readonly PinHourCount[]): Promise<void>;
  /** Whether a rebuild has filled this store since it was empty (Redis may lose its data). */
  isBuilt(): Promise<boolean>;
}
