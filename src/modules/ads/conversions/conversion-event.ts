import { createHash } from 'node:crypto';
import { unitsToMicro } from '../money.js';

/** The event names Pinterest's conversions API takes. */
export const CONVERSION_EVENT_NAMES = new Set([
  'add_payment_info',
  'add_to_cart',
  'add_to_wishlist',
  'app_install',
  'checkout',
  'custom',
  'initiate_checkout',
  'lead',
  'page_visit',
  'search',
  'signup',
  'subscribe',
  'view_category',
  'view_content',
  'watch_video',
]);

export const ACTION_SOURCES = new Set(['app_android', 'app_ios', 'web', 'offline']);

/** How old an event may be when it arrives (Pinterest's window for the conversions API). */
export const MAX_EVENT_AGE_S = 7 * 24 * 3600;
/** How far ahead of the server's clock an event's time may be (clock skew). */
export const MAX_EVENT_SKEW_S = 3600;

/** The user_data fields that must be SHA-256 hashes (64 lower-case hex digits), each a list. */
const HASHED_LISTS = [
  'em',
  'ph',
  'ge',
  'db',
  'ln',
  'fn',
  'ct',
  'st',
  'zp',
  'country',
  'external_id',
  'hashed_maids',
];
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** One conversion event as the body sends it (fields the spec's schema already typed). */
export interface ConversionEventInput {
  event_name: string;
  action_source: string;
  event_time: number;
  event_id: string;
  user_data: Record<string, unknown>;
  custom_data?: Record<string, unknown>;
  opt_out?: boolean;
}

/** What is kept of an accepted event: hashed user data only, money in micro-units. */
export interface ConversionRecord {
  event_id: string;
  event_name: string;
  action_source: string;
  event_time: Date;
  click_id: string | null;
  value_micro: number | null;
  currency: string | null;
  order_id: string | null;
  num_items: number | null;
  /** SHA-256 lists as sent; the IP address and user agent, if sent, only as their own SHA-256. */
  user_hashes: Record<string, string[]>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Checks one event of a batch and makes the record kept of it, or says why it fails: each event of a
 * batch stands alone (the spec's per-event `status` and `error_message`).
 */
export function checkConversionEvent(
  event: ConversionEventInput,
  nowS: number,
): { record: ConversionRecord } | { error: string } {
  if (!CONVERSION_EVENT_NAMES.has(event.event_name))
    return {
      error: `event_name "${event.event_name}" is not one of ${[...CONVERSION_EVENT_NAMES].join(', ')}.`,
    };
  if (!ACTION_SOURCES.has(event.action_source))
    return {
      error: `action_source "${event.action_source}" is not one of ${[...ACTION_SOURCES].join(', ')}.`,
    };
  if (!event.event_id || event.event_id.length > 256)
    return { error: 'event_id must be 1 to 256 characters.' };
  if (!Number.isSafeInteger(event.event_time) || event.event_time < nowS - MAX_EVENT_AGE_S)
    return { error: 'event_time is more than 7 days ago (or not a Unix time in seconds).' };
  if (event.event_time > nowS + MAX_EVENT_SKEW_S) return { error: 'event_time is in the future.' };

  const user = event.user_data ?? {};
  const hashes: Record<string, string[]> = {};
  for (const field of HASHED_LISTS) {
    const list = user[field];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length > 100)
      return { error: `user_data.${field} must be a list of hashes.` };
    for (const value of list) {
      if (typeof value !== 'string' || !SHA256_HEX.test(value.toLowerCase()))
        return { error: `user_data.${field} must hold SHA-256 hashes (64 hex digits), never plain values.` };
    }
    if (list.length > 0) hashes[field] = list.map((v: string) => v.toLowerCase());
  }
  const ip = typeof user.client_ip_address === 'string' ? user.client_ip_address : undefined;
  const agent = typeof user.client_user_agent === 'string' ? user.client_user_agent : undefined;
  if (!hashes.em && !hashes.hashed_maids && !(ip && agent))
    return { error: 'user_data needs em, hashed_maids, or both client_ip_address and client_user_agent.' };
  if (ip) hashes.client_ip_address = [sha256(ip)];
  if (agent) hashes.client_user_agent = [sha256(agent)];

  const custom = event.custom_data ?? {};
  let valueMicro: number | null = null;
  if (typeof custom.value === 'string' && custom.value.trim() !== '') {
    const micro = unitsToMicro(custom.value);
    if (micro === undefined || micro < 0)
      return { error: `custom_data.value "${custom.value}" is not an amount (e.g. "12.50").` };
    valueMicro = micro;
  }
  const currency = typeof custom.currency === 'string' ? custom.currency.toUpperCase() : null;
  if (currency !== null && !/^[A-Z]{3}$/.test(currency))
    return { error: 'custom_data.currency must be an ISO 4217 code (e.g. USD).' };
  const numItems =
    typeof custom.num_items === 'number' && Number.isSafeInteger(custom.num_items) ? custom.num_items : null;
  return {
    record: {
      event_id: event.event_id,
      event_name: event.event_name,
      action_source: event.action_source,
      event_time: new Date(event.event_time * 1000),
      click_id: typeof user.click_id === 'string' ? user.click_id.slice(0, 256) : null,
      value_micro: valueMicro,
      currency,
      order_id: typeof custom.order_id === 'string' ? custom.order_id.slice(0, 256) : null,
      num_items: numItems,
      user_hashes: hashes,
    },
  };
}
