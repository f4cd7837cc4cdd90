import { principalOf } from '../../../http/auth.js';
import type { HttpServer } from '../../../http/types.js';
import type { ExperimentOperators } from '../definitions/definitions.policy.js';
import { KeyParams } from '../definitions/definitions.schemas.js';
import { resultsReport } from './results.report.js';
import { Results, ResultsQuery } from './results.schemas.js';
import type { ResultsService } from './results.service.js';

/** GET /v5/experiments/{key}/results: the same scope and operator rule as the definitions' reads. */
export function resultsRoutes(app: HttpServer, results: ResultsService, operators: ExperimentOperators) {
  app.get(
    '/v5/experiments/:key/results',
    {
      config: { scopes: ['experiments:read'], rateLimit: 'default' },
      schema: {
        tags: ['experiments'],
        summary: 'Experiment results',
        description:
          "Per metric and variant against the control (the first variant) for the experiment's current run: means, the absolute and relative difference with intervals and p-value (Welch's t-test; delta-method z for ratio metrics), Holm-corrected p-values over variants × metrics, power at the metric's minimum effect, CUPED-adjusted numbers, the mSPRT always-valid p-value and confidence sequence, the sample-ratio-mismatch check and guardrail flags. Each block names its test.",
        params: KeyParams,
        querystring: ResultsQuery,
        response: { 200: Results },
      },
    },
    async (request, reply) => {
      await operators.require(principalOf(request).userId);
      const r = await results.results(request.params.key, request.query.alpha ?? 0.05);
      // Text goes out as it is (Fastify serialises objects only); the schema documents the JSON answer.
      if (request.query.format === 'text')
        return reply.type('text/plain; charset=utf-8').send(resultsReport(r) as never);
      return r;
    },
  );
}
