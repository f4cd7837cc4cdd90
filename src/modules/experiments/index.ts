/**
 * Experiments: the definition API (layers, experiments, feature flags and their audit log under
 * /v5/experiments), the assignment engine and the statistics library.
 */
import type { AppModule, ModuleDeps } from '../module.js';
import { ExperimentOperators } from './definitions/definitions.policy.js';
import { definitionsRoutes } from './definitions/definitions.routes.js';
import { DefinitionsService } from './definitions/definitions.service.js';

export type { Actor, RunningDefinitions } from './definitions/definitions.service.js';
export { DefinitionsService } from './definitions/definitions.service.js';
export type { FlagsService } from './definitions/flags.service.js';

/** The experiments module and its service (the CLI and serving code use the service). */
export function experimentsModule(deps: ModuleDeps): AppModule & { readonly service: DefinitionsService } {
  const service = new DefinitionsService({ db: deps.db, bookmarks: deps.bookmarks });
  const operators = new ExperimentOperators(deps.db, deps.config.experimentAdmins);
  return { name: 'experiments', service, routes: (app) => definitionsRoutes(app, service, operators) };
}
