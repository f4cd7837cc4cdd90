import type { Db } from '../../../platform/db/database.js';
import { type Attributes, reportEntities } from './ad-entities.repository.js';
import { type AdCounts, columnValue, NO_COUNTS } from './ad-metrics.js';
import { adStatsRepository, type Level, type StatsFilter, type StatsQuery } from './ad-stats.repository.js';
import type { DateRange, Granularity } from './ads-analytics.params.js';
import type { AttributedConversions } from './conversion-metrics.js';

/** The column naming each level's entity in a row. */
export const KEY_COLUMN: Record<Level, string> = {
  ADVERTISER: 'AD_ACCOUNT_ID',
  CAMPAIGN: 'CAMPAIGN_ID',
  AD_GROUP: 'AD_GROUP_ID',
  PIN_PROMOTION: 'AD_ID',
  PIN: 'PIN_ID',
};

export type ReportRow = Record<string, string | number | null>;

/** What a report (synchronous or not) asks for. */
export interface RowsRequest {
  level: Level;
  filter: StatsFilter;
  range: DateRange;
  granularity: Granularity;
  columns: readonly string[];
  /** One row per period for all the entities together, without their key column. */
  aggregate?: boolean;
  /** Rows per app type as well (targeting analytics). */
  byAppType?: boolean;
}

/** A row with the entity it speaks of and, when asked per app type, its app type. */
export interface KeyedRow {
  key: string | null;
  appType: string | null;
  row: ReportRow;
}

/**
 * The period columns of a row: DATE, the first day of the period inside the range (a week starts on
 * Monday, a month on its first, but never before start_date); with HOUR granularity DATE is the day
 * and HOUR the hour of the day (0–23, UTC), since the spec's DATE is a date.
 */
function periodColumns(period: string | null, granularity: Granularity, range: DateRange): ReportRow {
  if (period === null || granularity === 'TOTAL') return {};
  if (granularity === 'HOUR') return { DATE: period.slice(0, 10), HOUR: Number(period.slice(11, 13)) };
  if (granularity === 'DAY') return { DATE: period };
  return { DATE: period < range.start ? range.start : period };
}

function rowOf(req: RowsRequest, attributes: Attributes, period: string | null, counts: AdCounts): ReportRow {
  const row: ReportRow = {};
  if (!req.aggregate) {
    const keyColumn = KEY_COLUMN[req.level];
    row[keyColumn] = attributes[keyColumn] ?? null;
  }
  Object.assign(row, periodColumns(period, req.granularity, req.range));
  const known = req.aggregate ? {} : attributes;
  for (const column of req.columns) {
    if (!(column in row)) row[column] = columnValue(column, counts, known);
  }
  return row;
}

interface Tally {
  key: string | null;
  period: string | null;
  appType: string | null;
  counts: AdCounts & { conversions: AttributedConversions[] };
}

/**
 * One tally per entity, period and app type that has delivery or attributed conversions: a conversion
 * often counts in an hour its ad had no delivery (it counts in the hour of the conversion).
 */
async function tallies(db: Db, query: StatsQuery): Promise<Tally[]> {
  const stats = await adStatsRepository.read(db, query);
  const conversions = await adStatsRepository.readConversions(db, query);
  const byCell = new Map<string, Tally>();
  const cell = (r: { key: string | null; period: string | null; appType: string | null }) => {
    const id = JSON.stringify([r.key, r.period, r.appType]);
    let t = byCell.get(id);
    if (!t) {
      t = { key: r.key, period: r.period, appType: r.appType, counts: { ...NO_COUNTS, conversions: [] } };
      byCell.set(id, t);
    }
    return t;
  };
  for (const r of stats) {
    const { key: _k, period: _p, appType: _a, ...counts } = r;
    Object.assign(cell(r).counts, counts);
  }
  for (const r of conversions) {
    cell(r).counts.conversions.push({
      touch: r.touch,
      eventName: r.eventName,
      actionSource: r.actionSource,
      count: r.count,
      valueMicro: BigInt(r.valueMicro),
    });
  }
  return [...byCell.values()];
}

/**
 * The rows of a report, from ad_hourly_stats and ad_attributions: per entity (in id order) and period,
 * only periods with activity, except that TOTAL has a row for every entity asked about (zeros when it had
 * none). Entities are the account's only; ids of other accounts' entities name nothing and get no row.
 */
export async function reportRows(db: Db, req: RowsRequest): Promise<KeyedRow[]> {
  const entities = await reportEntities(db, req.level, req.filter);
  if (entities.length === 0) return [];
  const order = new Map(entities.map((e, i) => [e.key, i]));
  const stats = await tallies(db, {
    level: req.level,
    filter: req.filter,
    range: req.range,
    granularity: req.granularity,
    aggregate: req.aggregate,
    byAppType: req.byAppType,
  });
  const rows = stats.filter((s) => s.key === null || order.has(s.key));
  if (req.granularity === 'TOTAL' && !req.byAppType) {
    const have = new Set(rows.map((r) => r.key));
    const keys = req.aggregate ? [null] : entities.map((e) => e.key);
    for (const key of keys) {
      if (!have.has(key))
        rows.push({ key, period: null, appType: null, counts: { ...NO_COUNTS, conversions: [] } });
    }
  }
  rows.sort(
    (a, b) =>
      (order.get(a.key ?? '') ?? 0) - (order.get(b.key ?? '') ?? 0) ||
      (a.period ?? '').localeCompare(b.period ?? '') ||
      (a.appType ?? '').localeCompare(b.appType ?? ''),
  );
  const byKey = new Map(entities.map((e) => [e.key, e.attributes]));
  return rows.map((r) => ({
    key: r.key,
    appType: r.appType,
    row: rowOf(req, (r.key !== null && byKey.get(r.key)) || {}, r.period, r.counts),
  }));
}
