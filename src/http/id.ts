import { Type } from 'typebox';

/**
 * A Corkboard id as a path, query or body field: decimal digits that fit a PostgreSQL bigint. Every id
 * Corkboard makes is below 2^62 (platform/ids.ts), so 19-digit values from 9·10^18 up (and 2^63 and
 * beyond, which would reach the database as an out-of-range bigint) cannot name anything and are refused
 * by the schema, like any other malformed id: 400, code 1.
 */
export const ID_PATTERN = '^(?:\\d{1,18}|[1-8]\\d{18})$';

/** The one schema for an id field; use it for every id a client sends. */
export const Id = Type.String({ pattern: ID_PATTERN, description: 'Decimal ID.' });
