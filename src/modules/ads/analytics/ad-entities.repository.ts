import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { Level, StatsFilter } from './ad-stats.repository.js';

export type Attributes = Record<string, string | number | null>;

/** An entity a report row speaks of: its key (as in ad_hourly_stats) and the columns that describe it. */
export interface ReportEntity {
  key: string;
  attributes: Attributes;
}

interface Row {
  key: string;
  campaign_id: string | null;
  campaign_name: string | null;
  campaign_status: string | null;
  objective_type: string | null;
  ad_group_id: string | null;
  ad_group_name: string | null;
  ad_group_status: string | null;
  budget_type: string | null;
  ad_id: string | null;
  ad_name: string | null;
  pin_id: string | null;
}

const anyOf = (column: string, ids: readonly string[] | undefined) =>
  ids ? sql`and ${sql.ref(column)} = any(${[...ids]}::bigint[])` : sql``;

function attributesOf(accountId: string, r: Row): Attributes {
  const out: Attributes = { AD_ACCOUNT_ID: accountId, ADVERTISER_ID: accountId };
  if (r.campaign_id) {
    out.CAMPAIGN_ID = r.campaign_id;
    out.CAMPAIGN_NAME = r.campaign_name;
    out.CAMPAIGN_ENTITY_STATUS = r.campaign_status;
    out.CAMPAIGN_OBJECTIVE_TYPE = r.objective_type;
  }
  if (r.ad_group_id) {
    out.AD_GROUP_ID = r.ad_group_id;
    out.AD_GROUP_NAME = r.ad_group_name;
    out.AD_GROUP_ENTITY_STATUS = r.ad_group_status;
    out.AD_GROUP_BUDGET_TYPE = r.budget_type;
  }
  if (r.ad_id) {
    out.AD_ID = r.ad_id;
    out.PIN_PROMOTION_ID = r.ad_id;
    out.AD_NAME = r.ad_name;
    out.PIN_PROMOTION_NAME = r.ad_name;
  }
  if (r.pin_id) out.PIN_ID = r.pin_id;
  return out;
}

/** The entities of an account a report covers, in id order, with the columns that describe them. */
export async function reportEntities(db: Db, level: Level, filter: StatsFilter): Promise<ReportEntity[]> {
  const account = filter.accountId;
  const none = sql`null::text`;
  let query: ReturnType<typeof sql<Row>>;
  switch (level) {
    case 'ADVERTISER':
      return [{ key: account, attributes: { AD_ACCOUNT_ID: account, ADVERTISER_ID: account } }];
    case 'CAMPAIGN':
      query = sql<Row>`
        select c.id::text as key, c.id::text as campaign_id, c.name as campaign_name,
               c.status as campaign_status, c.objective_type, ${none} as ad_group_id, ${none} as ad_group_name,
               ${none} as ad_group_status, ${none} as budget_type, ${none} as ad_id, ${none} as ad_name,
               ${none} as pin_id
          from ad_campaigns c
         where c.ad_account_id = ${account} ${anyOf('c.id', filter.campaignIds)}
         order by c.id`;
      break;
    case 'AD_GROUP':
      query = sql<Row>`
        select g.id::text as key, c.id::text as campaign_id, c.name as campaign_name,
               c.status as campaign_status, c.objective_type, g.id::text as ad_group_id, g.name as ad_group_name,
               g.status as ad_group_status, g.budget_type, ${none} as ad_id, ${none} as ad_name, ${none} as pin_id
          from ad_groups g join ad_campaigns c on c.id = g.campaign_id
         where g.ad_account_id = ${account} ${anyOf('g.campaign_id', filter.campaignIds)}
               ${anyOf('g.id', filter.adGroupIds)}
         order by g.id`;
      break;
    case 'PIN_PROMOTION':
      query = sql<Row>`
        select a.id::text as key, c.id::text as campaign_id, c.name as campaign_name,
               c.status as campaign_status, c.objective_type, g.id::text as ad_group_id, g.name as ad_group_name,
               g.status as ad_group_status, g.budget_type, a.id::text as ad_id, a.name as ad_name,
               a.pin_id::text as pin_id
          from ads a join ad_groups g on g.id = a.ad_group_id join ad_campaigns c on c.id = a.campaign_id
         where a.ad_account_id = ${account} ${anyOf('a.campaign_id', filter.campaignIds)}
               ${anyOf('a.ad_group_id', filter.adGroupIds)} ${anyOf('a.id', filter.adIds)}
               ${anyOf('a.pin_id', filter.pinIds)}
         order by a.id`;
      break;
    case 'PIN':
      // A pin of a campaign: the pin promoted by one or more of the campaign's ads.
      query = sql<Row>`
        select distinct on (a.pin_id) a.pin_id::text as key, c.id::text as campaign_id, c.name as campaign_name,
               c.status as campaign_status, c.objective_type, ${none} as ad_group_id, ${none} as ad_group_name,
               ${none} as ad_group_status, ${none} as budget_type, ${none} as ad_id, ${none} as ad_name,
               a.pin_id::text as pin_id
          from ads a join ad_campaigns c on c.id = a.campaign_id
         where a.ad_account_id = ${account} ${anyOf('a.campaign_id', filter.campaignIds)}
               ${anyOf('a.pin_id', filter.pinIds)}
         order by a.pin_id`;
      break;
  }
  const { rows } = await query.execute(db);
  return rows.map((r) => ({ key: r.key, attributes: attributesOf(account, r) }));
}
