import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface JobMetrics {
  observe(consumer: string, outcome: 'done' | 'duplicate' | 'failed' | 'dead', seconds: number): void;
}

/** Prometheus metrics of one app instance (its own registry, so several apps can share a process). */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly jobs: JobMetrics;
  /** A recorder of one HTTP request's outcome, with label sets cached per method, route and status. */
  httpObserver(): (method: string, route: string, status: number, seconds: number) => void;
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
  const httpRequests = new Counter({
    name: 'corkboard_http_requests_total',
    help: 'HTTP requests by route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'corkboard_http_request_duration_seconds',
    help: 'HTTP request latency by route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
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
    httpRequests,
    httpDuration,
    jobs: {
      observe(consumer, outcome, seconds) {
        jobsTotal.inc({ consumer, outcome });
        if (outcome !== 'dead') jobDuration.observe({ consumer }, seconds);
      },
    },
    httpObserver() {
      const children = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();
      return (method, route, status, seconds) => {
        const key = `${method} ${status} ${route}`;
        let child = children.get(key);
        if (!child) {
          const labels = { method, route, status: String(status) };
          child = { count: httpRequests.labels(labels), duration: httpDuration.labels(labels) };
          children.set(key, child);
        }
        child.count.inc();
        child.duration.observe(seconds);
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
