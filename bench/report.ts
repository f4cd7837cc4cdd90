import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { median, type Sample } from './measure.js';
import type { BenchRoute } from './routes.js';

/** Medians of a set of samples for one target. */
export interface Summary {
  rps: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  samples: Sample[];
}

/** Everything measured for one route. */
export interface RouteResult {
  route: BenchRoute;
  baseline: Summary;
  server: Summary;
  /** server ÷ baseline, from the medians. */
  ratio: { rps: number; p99: number };
  meetsTarget: boolean | null;
}

/** Reduces alternating samples to medians (and error totals). */
export function summarize(samples: Sample[]): Summary {
  const sum = (key: 'non2xx' | 'errors') => samples.reduce((n, s) => n + s[key], 0);
  return {
    rps: median(samples.map((s) => s.rps)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    samples,
  };
}

/** Builds a route's result from its baseline and server samples. */
export function compare(route: BenchRoute, baseline: Sample[], server: Sample[]): RouteResult {
  const b = summarize(baseline);
  const s = summarize(server);
  const ratio = { rps: s.rps / b.rps, p99: s.p99Ms / b.p99Ms };
  const meetsTarget = route.target === undefined ? null : ratio.rps >= route.target;
  return { route, baseline: b, server: s, ratio, meetsTarget };
}

/** Prints one line of a bench's report on stdout. */
export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `n` with `digits` decimals, or n/a for what was not measured. */
export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** Writes a bench's results as indented JSON, making its folder first. */
export async function writeResults(file: string, data: object): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
}

/** Renders the results as a plain-text table with notes. */
export function formatTable(results: readonly RouteResult[]): string {
  const head = ['route', 'server', 'req/s', 'p99 ms', 'req/s ratio', 'p99 ratio'];
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const r of results) {
    rows.push([r.route.name, 'baseline', fmt(r.baseline.rps), fmt(r.baseline.p99Ms, 2), '1.00', '1.00']);
    rows.push([
      r.route.name,
      'corkboard',
      fmt(r.server.rps),
      fmt(r.server.p99Ms, 2),
      fmt(r.ratio.rps, 2),
      fmt(r.ratio.p99, 2),
    ]);
    notes.push(`${r.route.name}: ${r.route.note}`);
    if (r.route.target !== undefined) {
      const verdict = r.meetsTarget ? 'meets' : 'is BELOW';
      notes.push(
        `${r.route.name}: req/s ratio ${fmt(r.ratio.rps, 2)} ${verdict} the target of ${r.route.target}`,
      );
    }
    const bad = r.server.non2xx + r.server.errors + r.baseline.non2xx + r.baseline.errors;
    if (bad > 0) notes.push(`${r.route.name}: WARNING ${bad} non-2xx responses or connection errors`);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', ...notes].join('\n');
}

/** Writes the results and run metadata as JSON to file. */
export async function writeJson(file: string, meta: object, results: readonly RouteResult[]): Promise<void> {
  await writeResults(file, { ...meta, routes: results });
}
