/**
 * The fewest people an audience, customer list or sizing estimate must hold before its size is told.
 * Below it an audience is TOO_SMALL, its size null, and a sizing estimate says only "fewer than this".
 */
export const MIN_AUDIENCE_SIZE = 100;

/**
 * Sizes at or above the minimum are told rounded down to a multiple of this step, so adding or removing
 * one person changes what an advertiser sees only when the count crosses a step.
 */
export const SIZE_STEP = 100;

/** The size an advertiser may see: null below the minimum, else rounded down to a step. */
export function shownSize(count: number): number | null {
  if (count < MIN_AUDIENCE_SIZE) return null;
  return Math.floor(count / SIZE_STEP) * SIZE_STEP;
}

/** Whether a set of people is large enough to be used and told about. */
export const bigEnough = (count: number): boolean => count >= MIN_AUDIENCE_SIZE;

/** A size as the bounds of an estimate: [0, minimum) below it, else the step it falls in. */
export function sizeBounds(count: number): { lower: number; upper: number } {
  const size = shownSize(count);
  if (size === null) return { lower: 0, upper: MIN_AUDIENCE_SIZE };
  return { lower: size, upper: size + SIZE_STEP };
}
