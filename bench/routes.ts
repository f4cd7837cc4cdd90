/** One route to benchmark against the raw node:http baseline. */
export interface BenchRoute {
  /** Label printed in the report, e.g. "GET /healthz". */
  name: string;
  /** Path requested on the Corkboard server. */
  path: string;
  /** What the comparison means, printed under the table. */
  note: string;
  /** True when the baseline serves byte-for-byte the same body and content-type as this route. */
  sameBodyAsBaseline: boolean;
  /** Minimum acceptable req/s ratio to the baseline, if there is a target. */
  target?: number;
}

/** The body and content-type the baseline server answers every request with (Corkboard's /healthz). */
export const BASELINE_BODY = '{"status":"ok"}';
export const BASELINE_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Routes measured by `npm run bench`; add entries here to benchmark more routes. */
export const routes: readonly BenchRoute[] = [
  {
    name: 'GET /healthz',
    path: '/healthz',
    note: 'trivial JSON route: ratio = framework overhead',
    sameBodyAsBaseline: true,
    target: 0.85,
  },
  {
    name: 'GET /readyz',
    path: '/readyz',
    note: 'touches the database; compared with the same /healthz baseline',
    sameBodyAsBaseline: false,
  },
];
