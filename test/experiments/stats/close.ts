import { expect } from 'vitest';

/** Asserts |actual − expected| ≤ rel·|expected| (or ≤ rel when expected is 0). */
export function expectClose(actual: number, expected: number, rel = 1e-9): void {
  const scale = expected === 0 ? 1 : Math.abs(expected);
  const error = Math.abs(actual - expected) / scale;
  if (!(error <= rel))
    expect.fail(`${actual} differs from ${expected} by ${error.toExponential(2)} (relative), over ${rel}`);
}
