import autocannon from 'autocannon';

/** Load settings shared by every measurement. */
export interface LoadOptions {
  durationS: number;
  warmupS: number;
  connections: number;
  /** Request headers sent with every request (e.g. authorization). */
  headers?: Record<string, string>;
  /** Varies the requests: the n-th request's path and headers (terms or tokens taken in turn). */
  vary?: (n: number) => { path?: string; headers?: Record<string, string> };
}

/** One autocannon run against one URL. */
export interface Sample {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

function run(url: string, load: LoadOptions, duration: number): Promise<autocannon.Result> {
  const { connections, headers, vary } = load;
  let n = 0;
  return autocannon({
    url,
    connections,
    duration,
    pipelining: 1,
    ...(headers ? { headers } : {}),
    ...(vary
      ? {
          requests: [
            {
              setupRequest: (req) => {
                const v = vary(n++);
                return {
                  ...req,
                  ...(v.path ? { path: v.path } : {}),
                  headers: { ...req.headers, ...v.headers },
                };
              },
            },
          ],
        }
      : {}),
  });
}

/** Warms up, then measures url for durationS seconds; returns req/s (mean) and p99 latency. */
export async function measure(url: string, load: LoadOptions): Promise<Sample> {
  if (load.warmupS > 0) await run(url, load, load.warmupS);
  const r = await run(url, load, load.durationS);
  return {
    rps: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

/** Median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
