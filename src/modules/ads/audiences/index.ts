import type { HttpServer } from '../../../http/types.js';
import type { Bookmarks } from '../../../platform/bookmarks.js';
import type { Db } from '../../../platform/db/database.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { AdAccess } from '../ad-access.js';
import { customerListsRoutes } from '../customer-lists/customer-lists.routes.js';
import { CustomerListsService } from '../customer-lists/customer-lists.service.js';
import { targetingTemplatesRoutes } from '../targeting-templates/targeting-templates.routes.js';
import { TargetingTemplatesService } from '../targeting-templates/targeting-templates.service.js';
import { AudienceSizingService } from './audience-sizing.js';
import { audienceSizingRoutes } from './audience-sizing.routes.js';
import { audiencesRoutes } from './audiences.routes.js';
import { AudiencesService } from './audiences.service.js';

export { MIN_AUDIENCE_SIZE } from './audience-privacy.js';

/**
 * Audiences, customer lists (whose changes refresh the audiences built on them), targeting templates and
 * audience sizing, built once: their routes, and the audiences service (whose stale members are refreshed
 * periodically).
 */
export function audienceServices(
  deps: { readonly db: Db; readonly ids: IdGenerator; readonly bookmarks: Bookmarks },
  access: AdAccess,
): { routes: (app: HttpServer) => void; audiences: AudiencesService } {
  const entities = { db: deps.db, ids: deps.ids, bookmarks: deps.bookmarks, access };
  const audiences = new AudiencesService(entities);
  const customerLists = new CustomerListsService({ ...entities, dependents: audiences });
  const templates = new TargetingTemplatesService(entities);
  const sizing = new AudienceSizingService({ db: deps.db, access });
  return {
    audiences,
    routes: (app) => {
      audiencesRoutes(app, audiences);
      customerListsRoutes(app, customerLists);
      targetingTemplatesRoutes(app, templates);
      audienceSizingRoutes(app, sizing);
    },
  };
}
