import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { Invalid } from '../../../platform/errors.js';
import { discoverableBoard } from '../../boards/index.js';
import { type InterestProfiles, interestProfiles } from '../../interests/index.js';
import type {
  ActalikeRule,
  AudienceRule,
  BuiltType,
  CustomerListRule,
  EngagementRule,
  VisitorRule,
} from './audience-rules.js';
import { ENGAGEMENT_KINDS, EVENT_SOURCES } from './audience-rules.js';
import { audiencesRepository as repo } from './audiences.repository.js';

const DAY_MS = 24 * 3600 * 1000;

/** The ad account an audience belongs to, as membership needs it. */
export interface AudienceAccount {
  id: string;
  owner_id: string;
}

/**
 * Who is in an audience of `type` under `rule` now (user ids, in id order). Throws Invalid when the rule
 * names a customer list, audience, pin, ad, campaign or tag that is not the account's.
 */
export async function audienceMembers(
  db: Db,
  account: AudienceAccount,
  type: BuiltType,
  rule: AudienceRule,
  now: number,
  self?: string,
): Promise<string[]> {
  switch (type) {
    case 'CUSTOMER_LIST':
      return customerListMembers(db, account, rule as CustomerListRule);
    case 'VISITOR':
      return visitors(db, account, rule as VisitorRule, now);
    case 'ENGAGEMENT':
      return engagers(db, account, rule as EngagementRule, now);
    case 'ACTALIKE':
      return actalikes(db, account, rule as ActalikeRule, self);
  }
}

async function customerListMembers(db: Db, account: AudienceAccount, rule: CustomerListRule) {
  const list = await db
    .selectFrom('ad_customer_lists')
    .select('id')
    .where('ad_account_id', '=', account.id)
    .where('id', '=', rule.customer_list_id)
    .executeTakeFirst();
  if (!list)
    throw new Invalid(
      `rule.customer_list_id: ${rule.customer_list_id} is not a customer list of this account.`,
    );
  const rows = await db
    .selectFrom('ad_customer_list_users')
    .select('user_id')
    .where('customer_list_id', '=', rule.customer_list_id)
    .orderBy('user_id')
    .execute();
  return rows.map((r) => String(r.user_id));
}

/** People matched in the account's conversion events within the retention window (test events never count). */
async function visitors(db: Db, account: AudienceAccount, rule: VisitorRule, now: number) {
  if (rule.visitor_source_id !== undefined) {
    const tag = await db
      .selectFrom('ad_conversion_tags')
      .select('id')
      .where('ad_account_id', '=', account.id)
      .where('id', '=', rule.visitor_source_id)
      .executeTakeFirst();
    if (!tag)
      throw new Invalid(
        `rule.visitor_source_id: ${rule.visitor_source_id} is not a conversion tag of this account.`,
      );
  }
  // Every event Corkboard holds came through the conversions API; without prefill the audience starts empty.
  if (!rule.prefill) return [];
  if (rule.ingestion_source && !rule.ingestion_source['='].includes('conversions_api')) return [];
  let q = db
    .selectFrom('ad_conversions')
    .select('user_id')
    .distinct()
    .where('ad_account_id', '=', account.id)
    .where('user_id', 'is not', null)
    .where('is_test', '=', false)
    .where('event_time', '>=', new Date(now - rule.retention_days * DAY_MS));
  if (rule.event !== undefined) q = q.where('event_name', '=', rule.event);
  if (rule.event_source) {
    q = q.where(
      'action_source',
      'in',
      rule.event_source['='].flatMap((s) => EVENT_SOURCES[s] ?? []),
    );
  }
  const rows = await q.orderBy('user_id').execute();
  return rows.map((r) => String(r.user_id));
}

/**
 * People who saved, closed up on or clicked through the advertiser's public pins (the account owner's
 * pins and the pins of the account's ads, narrowed by the rule) within the retention window. Pins on
 * boards that are not PUBLIC never count, as no advertiser may learn who engaged with them.
 */
async function engagers(db: Db, account: AudienceAccount, rule: EngagementRule, now: number) {
  await checkOwned(db, 'ads', account.id, rule.ad_id, 'ad_id', 'an ad');
  await checkOwned(db, 'ad_campaigns', account.id, rule.campaign_id, 'campaign_id', 'a campaign');
  const byAds =
    rule.ad_id !== undefined || rule.campaign_id !== undefined || rule.objective_type !== undefined;
  const adPins = sql`select a.pin_id from ads a join ad_campaigns c on c.id = a.campaign_id
     where a.ad_account_id = ${account.id}
     ${rule.ad_id ? sql`and a.id in (${sql.join(rule.ad_id)})` : sql``}
     ${rule.campaign_id ? sql`and a.campaign_id in (${sql.join(rule.campaign_id)})` : sql``}
     ${rule.objective_type ? sql`and c.objective_type in (${sql.join(rule.objective_type)})` : sql``}`;
  const ownPins = byAds ? sql`` : sql`or p.owner_id = ${account.owner_id}`;
  const domains = rule.engagement_domain
    ? sql`and lower(regexp_replace(substring(p.link from '^[a-zA-Z]+://([^/:?#]+)'), '^www\\.', '')) in (${sql.join(rule.engagement_domain)})`
    : sql``;
  const { rows: pinRows } = await sql<{ id: string }>`
    select p.id::text as id from pins p join boards b on b.id = p.board_id
     where ${discoverableBoard('b')} and (p.id in (${adPins}) ${ownPins}) ${domains}`.execute(db);
  let pins = pinRows.map((r) => r.id);
  if (rule.pin_id) {
    const mine = new Set(pins);
    const stranger = rule.pin_id.find((id) => !mine.has(id));
    if (stranger !== undefined) {
      throw new Invalid(
        `rule.pin_id: ${stranger} is not a public pin of this account's owner or ads (within the rule's filters).`,
      );
    }
    pins = rule.pin_id;
  }
  if (pins.length === 0) return [];
  const since = new Date(now - rule.retention_days * DAY_MS);
  const kinds = rule.engagement_type
    ? ENGAGEMENT_KINDS[rule.engagement_type]!
    : Object.values(ENGAGEMENT_KINDS).flat();
  const rows = await db
    .selectFrom('events')
    .select('user_id')
    .distinct()
    .where('day', '>=', since.toISOString().slice(0, 10))
    .where('occurred_at', '>=', since)
    .where('kind', 'in', [...kinds])
    .where('pin_id', 'in', pins)
    .where('user_id', 'is not', null)
    .orderBy('user_id')
    .execute();
  return rows.map((r) => String(r.user_id));
}

async function checkOwned(
  db: Db,
  table: 'ads' | 'ad_campaigns',
  accountId: string,
  ids: string[] | undefined,
  field: string,
  what: string,
): Promise<void> {
  if (!ids?.length) return;
  const rows = await db
    .selectFrom(table)
    .select('id')
    .where('ad_account_id', '=', accountId)
    .where('id', 'in', ids)
    .execute();
  const known = new Set(rows.map((r) => String(r.id)));
  const stranger = ids.find((id) => !known.has(id));
  if (stranger !== undefined) throw new Invalid(`rule.${field}: ${stranger} is not ${what} of this account.`);
}

/**
 * The people outside the seed whose interests are nearest the seed's: each person's interests (from
 * their public content) as a unit vector, the seed's as the sum of its members', ranked by cosine
 * similarity; the audience holds `percentage` percent of Corkboard's people, or fewer when fewer share
 * any interest with the seed. People's countries are not known, so `country` does not narrow it.
 */
async function actalikes(db: Db, account: AudienceAccount, rule: ActalikeRule, self?: string) {
  if (self !== undefined && rule.seed_id.includes(self))
    throw new Invalid('rule.seed_id: an audience cannot seed itself.');
  const statuses = await repo.statusesOf(db, account.id, rule.seed_id);
  for (const id of rule.seed_id) {
    const status = statuses.get(id);
    if (status === undefined) throw new Invalid(`rule.seed_id: ${id} is not an audience of this account.`);
    if (status === 'ARCHIVED') throw new Invalid(`rule.seed_id: audience ${id} is archived.`);
  }
  const seed = new Set(await repo.membersOf(db, rule.seed_id));
  const profiles = await interestProfiles(db);
  const centre = centroid([...seed].map((id) => profiles.get(id)));
  if (centre.size === 0) return [];
  const { n } = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const wanted = Math.round((Number(n) * rule.percentage) / 100);
  return nearest(profiles, centre, seed, wanted);
}

/** The sum of the people's interests, each scaled to unit length so nobody outweighs the rest. */
export function centroid(
  profiles: readonly (ReadonlyMap<string, number> | undefined)[],
): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of profiles) {
    if (!p) continue;
    const norm = Math.hypot(...p.values());
    for (const [interest, score] of p) out.set(interest, (out.get(interest) ?? 0) + score / norm);
  }
  return out;
}

/** Up to `wanted` people outside `exclude` with the highest cosine similarity above zero to `centre`, in id order. */
export function nearest(
  profiles: InterestProfiles,
  centre: ReadonlyMap<string, number>,
  exclude: ReadonlySet<string>,
  wanted: number,
): string[] {
  const centreNorm = Math.hypot(...centre.values());
  const scored: { id: string; sim: number }[] = [];
  for (const [id, p] of profiles) {
    if (exclude.has(id)) continue;
    let dot = 0;
    for (const [interest, score] of p) dot += score * (centre.get(interest) ?? 0);
    if (dot > 0) scored.push({ id, sim: dot / (Math.hypot(...p.values()) * centreNorm) });
  }
  scored.sort((a, b) => b.sim - a.sim || byId(a.id, b.id));
  return scored
    .slice(0, wanted)
    .map((s) => s.id)
    .sort(byId);
}

const byId = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
