import type { Static } from 'typebox';
import { Invalid } from '../../../platform/errors.js';
import { OBJECTIVE_TYPES } from '../campaigns/campaigns.schemas.js';
import type { AudienceRuleBody } from './audiences.schemas.js';

type RuleBody = Static<typeof AudienceRuleBody>;

/** The audience types Corkboard builds (PERSONA needs Pinterest's own persona models). */
export type BuiltType = 'CUSTOMER_LIST' | 'VISITOR' | 'ENGAGEMENT' | 'ACTALIKE';

export interface CustomerListRule {
  customer_list_id: string;
}
export interface VisitorRule {
  retention_days: number;
  prefill: boolean;
  event?: string;
  event_source?: { '=': string[] };
  ingestion_source?: { '=': string[] };
  visitor_source_id?: string;
}
export interface EngagementRule {
  retention_days: number;
  engagement_type?: string;
  engagement_domain?: string[];
  pin_id?: string[];
  ad_id?: string[];
  campaign_id?: string[];
  objective_type?: string[];
}
export interface ActalikeRule {
  seed_id: string[];
  country: string;
  percentage: number;
}
export type AudienceRule = CustomerListRule | VisitorRule | EngagementRule | ActalikeRule;

/** The rule fields each type honours; any other field given is refused by name. */
const FIELDS: Record<BuiltType, readonly (keyof RuleBody)[]> = {
  CUSTOMER_LIST: ['customer_list_id'],
  VISITOR: ['retention_days', 'prefill', 'event', 'event_source', 'ingestion_source', 'visitor_source_id'],
  ENGAGEMENT: [
    'retention_days',
    'engagement_type',
    'engagement_domain',
    'pin_id',
    'ad_id',
    'campaign_id',
    'objective_type',
  ],
  ACTALIKE: ['seed_id', 'country', 'percentage'],
};
/** Why a field the spec lists is not honoured, where a reason helps more than "does not apply". */
const NOT_HONOURED: Partial<Record<keyof RuleBody, string>> = {
  event_data: 'conversion events keep no event data to filter on',
  url: 'conversion events keep no page URLs to filter on',
  engager_type: 'every person who engaged is in the audience; engager types are not offered',
};

/** ACTALIKE countries the spec allows. */
export const ACTALIKE_COUNTRIES = ['US', 'CA', 'GB'] as const;
/** VISITOR event sources, and the conversion action sources each covers. */
export const EVENT_SOURCES: Record<string, readonly string[]> = {
  web: ['web'],
  mobile: ['app_android', 'app_ios'],
  offline: ['offline'],
};
const INGESTION_SOURCES = ['tag', 'mmp', 'file_upload', 'conversions_api'] as const;
/** ENGAGEMENT types and the events that count as each. */
export const ENGAGEMENT_KINDS: Record<string, readonly string[]> = {
  save: ['SAVE'],
  closeup: ['PIN_CLICK'],
  click: ['OUTBOUND_CLICK'],
};
const DEFAULT_RETENTION_DAYS = 180;
const MAX_RETENTION_DAYS = 540;

const bad = (field: string, message: string) => new Invalid(`rule.${field}: ${message}`);

function whole(field: string, value: number | string | undefined, min: number, max: number) {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (!Number.isInteger(n) || n < min || n > max)
    throw bad(field, `must be a whole number from ${min} to ${max}.`);
  return n;
}

function oneOf(field: string, values: readonly string[], allowed: readonly string[]): string[] {
  const out = [...new Set(values)];
  for (const v of out) {
    if (!allowed.includes(v)) throw bad(field, `"${v}" is not one of ${allowed.join(', ')}.`);
  }
  if (out.length === 0) throw bad(field, 'must name at least one value.');
  return out;
}

const ids = (list: string[] | undefined) =>
  list ? [...new Set(list.map((id) => BigInt(id).toString()))] : undefined;

/**
 * Checks a rule for an audience type and answers it normalised (defaults filled in, ids canonical);
 * which customer list, audiences, pins, ads and tags it names are the account's is checked by the caller.
 */
export function checkRule(type: string, rule: RuleBody, accountId: string): AudienceRule {
  if (type === 'PERSONA')
    throw new Invalid('audience_type PERSONA is not offered: Corkboard has no persona models.');
  const builtType = type as BuiltType;
  for (const [field, value] of Object.entries(rule)) {
    if (value === undefined || field === 'ad_account_id') continue;
    if (!FIELDS[builtType].includes(field as keyof RuleBody)) {
      const why = NOT_HONOURED[field as keyof RuleBody] ?? `does not apply to ${type} audiences`;
      throw bad(field, `${why} (a ${type} rule takes ${FIELDS[builtType].join(', ')}).`);
    }
  }
  if (rule.ad_account_id !== undefined && rule.ad_account_id !== accountId)
    throw bad('ad_account_id', `${rule.ad_account_id} is not the ad account of the path (${accountId}).`);
  const retention = () =>
    whole('retention_days', rule.retention_days, 1, MAX_RETENTION_DAYS) ?? DEFAULT_RETENTION_DAYS;
  switch (builtType) {
    case 'CUSTOMER_LIST':
      if (!rule.customer_list_id)
        throw bad('customer_list_id', 'a CUSTOMER_LIST audience names its customer list.');
      return { customer_list_id: BigInt(rule.customer_list_id).toString() };
    case 'VISITOR': {
      const out: VisitorRule = { retention_days: retention(), prefill: rule.prefill ?? true };
      if (rule.event !== undefined) out.event = rule.event.trim();
      if (rule.event_source)
        out.event_source = { '=': oneOf('event_source', rule.event_source['='], Object.keys(EVENT_SOURCES)) };
      if (rule.ingestion_source)
        out.ingestion_source = {
          '=': oneOf('ingestion_source', rule.ingestion_source['='], INGESTION_SOURCES),
        };
      if (rule.visitor_source_id) out.visitor_source_id = BigInt(rule.visitor_source_id).toString();
      return out;
    }
    case 'ENGAGEMENT': {
      const out: EngagementRule = { retention_days: retention() };
      if (rule.engagement_type !== undefined) {
        if (!(rule.engagement_type in ENGAGEMENT_KINDS)) {
          throw bad(
            'engagement_type',
            `"${rule.engagement_type}" is not one of ${Object.keys(ENGAGEMENT_KINDS).join(', ')} (pins have no comments or likes).`,
          );
        }
        out.engagement_type = rule.engagement_type;
      }
      if (rule.engagement_domain) out.engagement_domain = [...new Set(rule.engagement_domain.map(domainOf))];
      if (rule.pin_id) out.pin_id = ids(rule.pin_id);
      if (rule.ad_id) out.ad_id = ids(rule.ad_id);
      if (rule.campaign_id) out.campaign_id = ids(rule.campaign_id);
      if (rule.objective_type)
        out.objective_type = oneOf('objective_type', rule.objective_type, OBJECTIVE_TYPES);
      return out;
    }
    case 'ACTALIKE': {
      const seeds = ids(rule.seed_id);
      if (!seeds?.length) throw bad('seed_id', 'an ACTALIKE audience names at least one seed audience.');
      if (!rule.country)
        throw bad('country', `an ACTALIKE audience names a country (${ACTALIKE_COUNTRIES.join(', ')}).`);
      oneOf('country', [rule.country], ACTALIKE_COUNTRIES);
      const percentage = whole('percentage', rule.percentage, 1, 10);
      if (percentage === undefined)
        throw bad('percentage', 'an ACTALIKE audience names a percentage from 1 to 10.');
      return { seed_id: seeds, country: rule.country, percentage };
    }
    default:
      throw new Invalid(`audience_type ${type} is not one of CUSTOMER_LIST, VISITOR, ENGAGEMENT, ACTALIKE.`);
  }
}

/** A domain as compared with pins' links: lower-case host, without a scheme, path or leading "www.". */
function domainOf(value: string): string {
  const raw = value.trim().toLowerCase();
  let host: string;
  try {
    host = new URL(raw.includes('://') ? raw : `https://${raw}`).hostname;
  } catch {
    throw bad('engagement_domain', `"${value}" is not a domain.`);
  }
  if (!host.includes('.')) throw bad('engagement_domain', `"${value}" is not a domain.`);
  return host.replace(/^www\./, '');
}
