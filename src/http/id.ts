import { Type } from 'typebox';
import { Invalid, NotFound } from '../platform/errors.js';
import { MAX_BIGINT } from '../platform/ids.js';

/** A Corkboard id as a client sends it: 1 to 19 decimal digits (anything else is a 400). */
export const ID_PATTERN = '^\\d{1,19}$';

/** The one schema for an id field; use it for every id a client sends. */
export const Id = Type.String({ pattern: ID_PATTERN, description: 'Decimal ID.' });

/**
 * The 404 an unknown id of each kind gets from its module, so an id past any bigint answers the same.
 * Keyed by path parameter name, which is the resource's name in every route (as in Pinterest's spec).
 */
const NOT_FOUND: Record<string, [message: string, code: number]> = {
  pin_id: ['Pin not found.', 50],
  board_id: ['Board not found.', 40],
  section_id: ['Board section not found.', 4104],
  media_id: ['Media upload not found.', 404],
  ad_account_id: ['Ad account not found.', 2602],
  campaign_id: ['Campaign not found.', 2603],
  ad_group_id: ['Ad group not found.', 2604],
  ad_id: ['Ad not found.', 2605],
};

/** Whether a field name holds an id (`id`, `pin_id`, `board_section_id`, ...). */
const isIdField = (name: string) => name === 'id' || name.endsWith('_id');

/** Digits that fit the id schema's shape but not a bigint: the database would refuse them (22003). */
const pastBigint = (v: unknown): v is string =>
  typeof v === 'string' && v.length >= 19 && /^\d+$/.test(v) && BigInt(v) > MAX_BIGINT;

/**
 * An id that no Corkboard object can have: in the path it names nothing (404, as an unknown id); in a
 * query or body it is invalid (400). Checked here, once, so such a value never reaches a query.
 */
export function idOutOfRange(params: unknown, query: unknown, body: unknown): NotFound | Invalid | undefined {
  for (const [name, value] of entries(params)) {
    if (!isIdField(name) || !pastBigint(value)) continue;
    // 19 digits is an id's shape (the schema's); longer is malformed, as the schema would say.
    if (value.length > 19) return new Invalid(`Invalid request: params/${name} is not an id.`);
    const [message, code] = NOT_FOUND[name] ?? ['Not found.', 404];
    return new NotFound(message, code);
  }
  for (const [part, values] of [
    ['querystring', query],
    ['body', body],
  ] as const) {
    for (const [name, value] of entries(values)) {
      if (isIdField(name) && pastBigint(value))
        return new Invalid(`Invalid request: ${part}/${name} is not an id (ids are below 2^63).`);
    }
  }
  return undefined;
}

function entries(v: unknown): [string, unknown][] {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.entries(v) : [];
}
