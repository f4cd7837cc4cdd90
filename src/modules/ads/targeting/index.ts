import type { HttpServer } from '../../../http/types.js';

export {
  isTargetingValue,
  TARGETING_TYPES,
  type TargetingType,
  type TargetingValue,
  targetingValues,
} from './targeting.catalogue.js';
export {
  normalizeTargetingSpec,
  type ShoppingRetargeting,
  TARGETING_SPEC_KEYS,
  type TargetingSpec,
  type ValidTargetingSpec,
  validateTargetingSpec,
} from './targeting-spec.js';

/** The targeting resources (/v5/resources/...): the values each targeting type takes. */
export function targetingRoutes(_app: HttpServer): void {}
