import type { HttpServer } from '../../../http/types.js';

/** The targeting resources (/v5/resources/...): the values each targeting type takes. */
export function targetingRoutes(_app: HttpServer): void {}
