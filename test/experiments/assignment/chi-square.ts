import { chiSquareSf } from '../../../src/modules/experiments/stats/index.js';

/** Pearson's chi-square test of independence on a table of counts: statistic, df and p. */
export function contingency(table: readonly (readonly number[])[]): {
  statistic: number;
  df: number;
  p: number;
} {
  const rows = table.map((r) => r.reduce((s, x) => s + x, 0));
  const cols = table[0]!.map((_, j) => table.reduce((s, r) => s + r[j]!, 0));
  const total = rows.reduce((s, x) => s + x, 0);
  let statistic = 0;
  for (let i = 0; i < table.length; i++)
    for (let j = 0; j < cols.length; j++) {
      const e = (rows[i]! * cols[j]!) / total;
      statistic += (table[i]![j]! - e) ** 2 / e;
    }
  const df = (table.length - 1) * (cols.length - 1);
  return { statistic, df, p: chiSquareSf(statistic, df) };
}

/** An r × c table of zeros. */
export const zeros = (r: number, c: number) => Array.from({ length: r }, () => new Array<number>(c).fill(0));

/** Prints a measured figure when ASSIGNMENT_FIGURES=1 (for the docs and the bench notes); silent otherwise. */
export function figure(label: string, value: unknown): void {
  if (process.env.ASSIGNMENT_FIGURES === '1')
    process.stderr.write(`[figure] ${label}: ${JSON.stringify(value)}\n`);
}
