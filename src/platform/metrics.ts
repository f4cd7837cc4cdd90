import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { RequestMetrics } from './request-metrics.js';

export interface JobMetrics {
  observe(consumer: string, outcome: 'done' | 'duplicate' | 'failed' | 'dead', seconds: number): void;
}

/** Prometheus metrics of one app instance (its own registry, so several apps can share a process). */
export interface Metrics {
  readonly registry: Registry;
  readonly http: RequestMetrics;
  readonly jobs: JobMetrics;

  /**
   * Registers a counter; `inc(labels, n)` adds to it, and `labels(labels)` gives one series' own `inc`
   * (for a hot path: the labels are not looked up again on every call).
   */
  counter<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
  ): {
    inc(labels: Record<L, string>, n?: number): void;
    labels(labels: Record<L, string>): { inc(n?: number): void };
  };

  /** Registers a gauge whose value is read at scrape time. */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (set: (labels: Record<L, string>, value: number) => void) => Promise<void> | void,
  ): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'corkboard_process_' });
  const http = new RequestMetrics(registry);
  const jobsTotal = new Counter({
    name: 'corkboard_jobs_total',
    help: 'Job deliveries by consumer and outcome (done, duplicate, failed, dead).',
    labelNames: ['consumer', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'corkboard_job_duration_seconds',
    help: 'Time to run one job delivery.',
    labelNames: ['consumer'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
  return {
    registry,
    http,
    jobs: {
      observe(consumer, outcome, seconds) {
        jobsTotal.inc({ consumer, outcome });
        if (outcome !== 'dead') jobDuration.observe({ consumer }, seconds);
      },
    },
    counter(name, help, labelNames) {
      // A series taken by labels() counts in a number of its own, added to the counter at scrape time:
      // its inc is an addition, where the counter's own hashes and checks the labels on every call.
      const series: { labels: Record<string, string>; n: number }[] = [];
      const c = new Counter({
        name,
        help,
        labelNames: labelNames as unknown as string[],
        registers: [registry],
        collect() {
          for (const s of series)
            if (s.n > 0) {
              this.inc(s.labels, s.n);
              s.n = 0;
            }
        },
      });
      return {
        inc: (labels, n = 1) => c.inc(labels as Record<string, string>, n),
        labels: (labels) => {
          const s = { labels: { ...labels } as Record<string, string>, n: 0 };
          for (const key of Object.keys(s.labels))
            if (!(labelNames as readonly string[]).includes(key))
              throw new Error(`${name} has no label "${key}"`);
          series.push(s);
          return {
            inc: (n = 1) => {
              if (!(n >= 0 && Number.isFinite(n))) throw new RangeError(`${name}: a counter only grows`);
              s.n += n;
            },
          };
        },
      };
    },
    gauge(name, help, labelNames, collect) {
      new Gauge({
        name,
        help,
        labelNames: labelNames as unknown as string[],
        registers: [registry],
        async collect() {
          this.reset();
          await collect((labels, value) => this.set(labels as Record<string, string>, value));
        },
      });
    },
  };
}
