import { Type } from 'typebox';
import { Page, PageQuery } from '../../http/pagination.js';
import { literals } from './ads.schemas.js';

/** The statuses a campaign, ad group or ad may have (the spec's EntityStatus). */
export const ENTITY_STATUSES = ['ACTIVE', 'PAUSED', 'ARCHIVED', 'DRAFT', 'DELETED_DRAFT'] as const;
export type EntityStatus = (typeof ENTITY_STATUSES)[number];
export const EntityStatusSchema = literals([...ENTITY_STATUSES]);

/** Repeated or comma-separated ids in a list query. */
export const IdsQuery = (what: string) =>
  Type.Optional(
    Type.Array(Type.String({ pattern: '^\\d{1,19}(,\\d{1,19})*$' }), {
      minItems: 1,
      maxItems: 250,
      description: `Only these ${what} (at most 250).`,
    }),
  );

/** The query every ads entity list takes besides its id filters. */
export const EntityListQuery = {
  ...PageQuery.properties,
  entity_statuses: Type.Optional(
    Type.Array(EntityStatusSchema, { default: ['ACTIVE', 'PAUSED'], description: 'Statuses to include.' }),
  ),
  order: Type.Optional(
    literals(['ASCENDING', 'DESCENDING'], { description: 'By id; ascending by default.' }),
  ),
};

export { Page };
