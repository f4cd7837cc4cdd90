import type { HttpServer } from '../../../http/types.js';
import { resourcesRoutes } from './targeting.routes.js';
import { TargetingService } from './targeting.service.js';

export { AD_ACCOUNT_COUNTRIES } from './ad-account-countries.js';
export { DELIVERY_METRICS, type DeliveryMetric } from './delivery-metrics.js';
export {
  isTargetingValue,
  TARGETING_TYPES,
  type TargetingType,
  type TargetingValue,
  targetingValues,
} from './targeting.catalogue.js';
export { TargetingSpecBody } from './targeting.schemas.js';
export {
  normalizeTargetingSpec,
  type ShoppingRetargeting,
  TARGETING_SPEC_KEYS,
  type TargetingSpec,
  type ValidTargetingSpec,
  validateTargetingSpec,
} from './targeting-spec.js';

/** The targeting resources (/v5/resources/...): the values each targeting type takes. */
export function targetingRoutes(app: HttpServer): void {
  // The only side effect is reading the clock; the system clock is the one the rest of the app uses.
  resourcesRoutes(app, new TargetingService({ now: () => new Date() }));
}
