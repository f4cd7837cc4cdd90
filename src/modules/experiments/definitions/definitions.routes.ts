import type { FastifyRequest } from 'fastify';
import { principalOf } from '../../../http/auth.js';
import { PageQuery } from '../../../http/pagination.js';
import type { HttpServer } from '../../../http/types.js';
import type { ExperimentOperators } from './definitions.policy.js';
import {
  AuditPage,
  Experiment,
  ExperimentCreate,
  ExperimentListQuery,
  ExperimentPage,
  ExperimentRestart,
  ExperimentUpdate,
  ExperimentWritten,
  Flag,
  FlagCreate,
  FlagPage,
  FlagUpdate,
  KeyParams,
  Layer,
  LayerCreate,
  LayerPage,
  LayerUpdate,
} from './definitions.schemas.js';
import type { DefinitionsService } from './definitions.service.js';

// An extension in the v5 style; Corkboard's own scopes. Reads and writes both need an operator.
const READ = { scopes: ['experiments:read'], rateLimit: 'default' };
const WRITE = { scopes: ['experiments:write'], rateLimit: 'default' };
const tags = ['experiments'];

export function definitionsRoutes(
  app: HttpServer,
  service: DefinitionsService,
  operators: ExperimentOperators,
) {
  const actor = (request: FastifyRequest) => operators.require(principalOf(request).userId);

  // ---- layers (static segments first in the docs; the router prefers them over :key anyway) ----
  app.get(
    '/v5/experiments/layers',
    {
      config: READ,
      schema: { tags, summary: 'List layers', querystring: PageQuery, response: { 200: LayerPage } },
    },
    async (request) => {
      await actor(request);
      return service.listLayers(request.query);
    },
  );
  app.post(
    '/v5/experiments/layers',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Create layer',
        description:
          'Experiments in one layer are mutually exclusive (they share its 10,000 buckets); the salt is generated.',
        body: LayerCreate,
        response: { 201: Layer },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createLayer(await actor(request), request.body)),
  );
  app.get(
    '/v5/experiments/layers/:key',
    { config: READ, schema: { tags, summary: 'Get layer', params: KeyParams, response: { 200: Layer } } },
    async (request) => {
      await actor(request);
      return service.getLayer(request.params.key);
    },
  );
  app.patch(
    '/v5/experiments/layers/:key',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Update layer',
        description: 'The holdout may not grow into buckets of a running experiment (409).',
        params: KeyParams,
        body: LayerUpdate,
        response: { 200: Layer },
      },
    },
    async (request) => service.updateLayer(await actor(request), request.params.key, request.body),
  );
  app.delete(
    '/v5/experiments/layers/:key',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Delete layer',
        description: 'Only a layer without experiments.',
        params: KeyParams,
      },
    },
    async (request, reply) => {
      await service.deleteLayer(await actor(request), request.params.key);
      return reply.status(204).send();
    },
  );
  app.get(
    '/v5/experiments/layers/:key/audit',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Layer audit log',
        params: KeyParams,
        querystring: PageQuery,
        response: { 200: AuditPage },
      },
    },
    async (request) => {
      await actor(request);
      return service.auditLog('layer', request.params.key, request.query);
    },
  );

  // ---- flags ----
  app.get(
    '/v5/experiments/flags',
    {
      config: READ,
      schema: { tags, summary: 'List feature flags', querystring: PageQuery, response: { 200: FlagPage } },
    },
    async (request) => {
      await actor(request);
      return service.flags.listFlags(request.query);
    },
  );
  app.post(
    '/v5/experiments/flags',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Create feature flag',
        description:
          'A draft: `value` for `rollout` basis points of eligible people once started, `default_value` for the rest.',
        body: FlagCreate,
        response: { 201: Flag },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.flags.createFlag(await actor(request), request.body)),
  );
  app.get(
    '/v5/experiments/flags/:key',
    {
      config: READ,
      schema: { tags, summary: 'Get feature flag', params: KeyParams, response: { 200: Flag } },
    },
    async (request) => {
      await actor(request);
      return service.flags.getFlag(request.params.key);
    },
  );
  app.patch(
    '/v5/experiments/flags/:key',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Update feature flag',
        params: KeyParams,
        body: FlagUpdate,
        response: { 200: Flag },
      },
    },
    async (request) => service.flags.updateFlag(await actor(request), request.params.key, request.body),
  );
  app.delete(
    '/v5/experiments/flags/:key',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Delete feature flag',
        description: 'Not while it runs.',
        params: KeyParams,
      },
    },
    async (request, reply) => {
      await service.flags.deleteFlag(await actor(request), request.params.key);
      return reply.status(204).send();
    },
  );
  for (const [verb, summary] of [
    ['start', 'Start feature flag'],
    ['stop', 'Stop feature flag'],
  ] as const) {
    app.post(
      `/v5/experiments/flags/:key/${verb}`,
      { config: WRITE, schema: { tags, summary, params: KeyParams, response: { 200: Flag } } },
      async (request) => {
        const who = await actor(request);
        const { key } = request.params as { key: string };
        return verb === 'start' ? service.flags.startFlag(who, key) : service.flags.stopFlag(who, key);
      },
    );
  }
  app.get(
    '/v5/experiments/flags/:key/audit',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Feature flag audit log',
        params: KeyParams,
        querystring: PageQuery,
        response: { 200: AuditPage },
      },
    },
    async (request) => {
      await actor(request);
      return service.auditLog('flag', request.params.key, request.query);
    },
  );

  // ---- experiments ----
  app.get(
    '/v5/experiments',
    {
      config: READ,
      schema: {
        tags,
        summary: 'List experiments',
        querystring: ExperimentListQuery,
        response: { 200: ExperimentPage },
      },
    },
    async (request) => {
      await actor(request);
      return service.listExperiments(request.query);
    },
  );
  app.post(
    '/v5/experiments',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Create experiment',
        description:
          'A draft in an existing layer; the salt is generated. Checked by the assignment engine (400 with its reasons).',
        body: ExperimentCreate,
        response: { 201: ExperimentWritten },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createExperiment(await actor(request), request.body)),
  );
  app.get(
    '/v5/experiments/:key',
    {
      config: READ,
      schema: { tags, summary: 'Get experiment', params: KeyParams, response: { 200: Experiment } },
    },
    async (request) => {
      await actor(request);
      return service.getExperiment(request.params.key);
    },
  );
  app.patch(
    '/v5/experiments/:key',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Update experiment',
        description:
          'Only the fields given change. Once it has run, variants, weights, layer and buckets are refused (409, saying why): restart it with a new salt to change them. Ramp, targeting and parameters may change.',
        params: KeyParams,
        body: ExperimentUpdate,
        response: { 200: ExperimentWritten },
      },
    },
    async (request) => service.updateExperiment(await actor(request), request.params.key, request.body),
  );
  app.delete(
    '/v5/experiments/:key',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Delete experiment',
        description: 'Only a draft.',
        params: KeyParams,
      },
    },
    async (request, reply) => {
      await service.deleteExperiment(await actor(request), request.params.key);
      return reply.status(204).send();
    },
  );
  for (const [verb, summary] of [
    ['start', 'Start experiment'],
    ['stop', 'Stop experiment'],
  ] as const) {
    app.post(
      `/v5/experiments/:key/${verb}`,
      { config: WRITE, schema: { tags, summary, params: KeyParams, response: { 200: ExperimentWritten } } },
      async (request) => {
        const who = await actor(request);
        const { key } = request.params as { key: string };
        return verb === 'start' ? service.startExperiment(who, key) : service.stopExperiment(who, key);
      },
    );
  }
  app.post(
    '/v5/experiments/:key/restart',
    {
      config: WRITE,
      // The body is optional: a restart with a new salt alone sends none.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
      schema: {
        tags,
        summary: 'Restart experiment with a new salt',
        description:
          'Everyone is drawn afresh and results start again; the body may carry the changes a running experiment refuses (variants, weights, buckets).',
        params: KeyParams,
        body: ExperimentRestart,
        response: { 200: ExperimentWritten },
      },
    },
    async (request) => service.restartExperiment(await actor(request), request.params.key, request.body),
  );
  app.get(
    '/v5/experiments/:key/audit',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Experiment audit log',
        params: KeyParams,
        querystring: PageQuery,
        response: { 200: AuditPage },
      },
    },
    async (request) => {
      await actor(request);
      return service.auditLog('experiment', request.params.key, request.query);
    },
  );
}
