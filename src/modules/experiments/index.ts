/**
 * Experiments: the definition API (layers, experiments, feature flags and their audit log under
 * /v5/experiments), the assignment engine, exposure logging, the metrics consumer, the results endpoint
 * and the statistics library.
 */
import type { EventsService } from '../events/index.js';
import type { AppModule, ModuleDeps } from '../module.js';
import { ExperimentOperators } from './definitions/definitions.policy.js';
import { definitionsRoutes } from './definitions/definitions.routes.js';
import { DefinitionsService } from './definitions/definitions.service.js';
import { ExposureBuffer, type ExposureBufferOptions } from './exposure/exposure-buffer.js';
import { Exposures } from './exposure/exposures.js';
import { TimingBuffer, type TimingBufferOptions } from './exposure/timing-buffer.js';
import { metricsConsumer } from './metrics/metrics.consumer.js';
import { metricsRepository } from './metrics/metrics.repository.js';
import { resultsRoutes } from './results/results.routes.js';
import { ResultsService } from './results/results.service.js';

export type { Actor, RunningDefinitions } from './definitions/definitions.service.js';
export { DefinitionsService } from './definitions/definitions.service.js';
export type { FlagsService } from './definitions/flags.service.js';
export type { ExposureBufferOptions } from './exposure/exposure-buffer.js';
export {
  ExperimentParams,
  Exposures,
  type ExposureUnit,
  type NumberRange,
} from './exposure/exposures.js';
export type { TimingBufferOptions } from './exposure/timing-buffer.js';
export { METRICS, type MetricDefinition } from './metrics/metric-catalog.js';
export { METRICS_CONSUMER } from './metrics/metrics.consumer.js';
export { resultsReport } from './results/results.report.js';
export { type ExperimentResults, ResultsService } from './results/results.service.js';

/** The experiments module: its definitions service, serving's exposures door and the results. */
export function experimentsModule(
  deps: ModuleDeps,
  events: EventsService,
  exposureOptions: ExposureBufferOptions = {},
  timingOptions: TimingBufferOptions = {},
): AppModule & {
  readonly service: DefinitionsService;
  readonly exposures: Exposures;
  readonly results: ResultsService;
} {
  const service = new DefinitionsService({ db: deps.db, bookmarks: deps.bookmarks });
  const operators = new ExperimentOperators(deps.db, deps.config.experimentAdmins);
  const buffer = new ExposureBuffer(
    (exposures) => events.recordExposures(exposures),
    deps.log,
    deps.metrics,
    Date.now,
    exposureOptions,
  );
  const timings = new TimingBuffer(
    (t) => events.recordTimings(t),
    deps.log,
    deps.metrics,
    Date.now,
    timingOptions,
  );
  const exposures = new Exposures(
    () => service.runningLayers(),
    buffer,
    deps.log,
    Date.now,
    deps.metrics,
    timings,
  );
  const results = new ResultsService(deps.db);
  return {
    name: 'experiments',
    service,
    exposures,
    results,
    routes: (app) => {
      definitionsRoutes(app, service, operators);
      resultsRoutes(app, results, operators);
    },
    consumers: () => [metricsConsumer()],
    // Applied-batch marks outlive the events they cover (their partitions) and any redelivery of them.
    periodic: () => [
      {
        name: 'experiments.metrics-maintenance',
        everyMs: 6 * 3_600_000,
        run: () =>
          metricsRepository.pruneBatches(
            deps.db,
            Math.max(deps.config.eventsRetentionDays, deps.config.jobRetentionDays) + 2,
          ),
      },
    ],
  };
}
