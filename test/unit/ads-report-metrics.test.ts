import { describe, expect, it } from 'vitest';
import {
  columnValue,
  MEASURED_COLUMNS,
  microRatio,
  NO_COUNTS,
  unknownMeasuredColumns,
} from '../../src/modules/ads/analytics/ad-metrics.js';
import {
  checkRange,
  parseColumns,
  REPORT_LIMITS,
} from '../../src/modules/ads/analytics/ads-analytics.params.js';
import { renderReport } from '../../src/modules/ads/analytics/report-file.js';
import { ASYNC_COLUMNS, SYNC_COLUMNS } from '../../src/modules/ads/analytics/reporting-columns.js';

const NOW = Date.parse('2026-06-15T10:00:00Z');

describe('ads report metrics', () => {
  it('holds the spec lists, and every measured column is a spec column', () => {
    expect(SYNC_COLUMNS.length).toBe(175);
    expect(ASYNC_COLUMNS.length).toBe(613);
    expect(unknownMeasuredColumns()).toEqual([]);
  });

  it('rounds micro ratios half up in integers, 0 when dividing by zero', () => {
    expect(microRatio(1_734_567, 6)).toBe(289_095);
    expect(microRatio(1_734_567, 27, 1000)).toBe(64_243_222);
    // Past 2^53 in the intermediate product (spend × 1000 × 2), still exact.
    expect(microRatio(9_000_000_000_001, 7, 1000)).toBe(1_285_714_285_714_429);
    expect(microRatio(5, 0)).toBe(0);
  });

  it('answers measured columns, 0 for unmeasured ones, null for attributes a row does not know', () => {
    const c = {
      ...NO_COUNTS,
      impressions: 4,
      pinClicks: 1,
      outboundClicks: 1,
      saves: 2,
      spendMicro: 3_000_001,
    };
    expect(columnValue('CLICKTHROUGH_1', c, {})).toBe(2);
    expect(columnValue('ENGAGEMENT_1', c, {})).toBe(4);
    expect(columnValue('CTR', c, {})).toBe(0.5);
    expect(columnValue('SPEND_IN_DOLLAR', c, {})).toBe(3.000001);
    expect(columnValue('ECPC_IN_MICRO_DOLLAR', c, {})).toBe(1_500_001);
    expect(columnValue('VIDEO_MRC_VIEWS_1', c, {})).toBe(0);
    expect(columnValue('TOTAL_CONVERSIONS', c, {})).toBe(0);
    expect(columnValue('CAMPAIGN_NAME', c, {})).toBeNull();
    expect(columnValue('CAMPAIGN_NAME', c, { CAMPAIGN_NAME: 'Spring' })).toBe('Spring');
  });

  it('answers conversion columns from the credited conversions: per name, touch and source, values in micro', () => {
    const c = {
      ...NO_COUNTS,
      conversions: [
        {
          touch: 'CLICK',
          eventName: 'checkout',
          actionSource: 'web',
          count: 2,
          valueMicro: 4_500_000_000_000_001n,
        },
        {
          touch: 'VIEW',
          eventName: 'checkout',
          actionSource: 'app_android',
          count: 1,
          valueMicro: 4_500_000_000_000_000n,
        },
        { touch: 'VIEW', eventName: 'checkout', actionSource: 'app_ios', count: 1, valueMicro: 1n },
        { touch: 'CLICK', eventName: 'add_to_wishlist', actionSource: 'offline', count: 3, valueMicro: 0n },
        { touch: 'CLICK', eventName: 'view_content', actionSource: 'web', count: 5, valueMicro: 7n },
      ] as const,
    };
    const value = (column: string) => columnValue(column, c, {});
    expect(value('TOTAL_CONVERSIONS')).toBe(12);
    // Integer micro, exact (summed in BigInt).
    expect(value('TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR')).toBe(9_000_000_000_000_009);
    expect(value('TOTAL_CHECKOUT')).toBe(4);
    expect(value('TOTAL_CLICK_CHECKOUT')).toBe(2);
    expect(value('TOTAL_VIEW_CHECKOUT')).toBe(2);
    expect(value('TOTAL_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR')).toBe(4_500_000_000_000_001);
    expect(value('TOTAL_INAPP_VIEW_CHECKOUT')).toBe(2);
    expect(value('TOTAL_WEB_CHECKOUT')).toBe(2);
    expect(value('TOTAL_WEB_VIEW_CHECKOUT')).toBe(0);
    expect(value('TOTAL_OFFLINE_CHECKOUT')).toBe(0);
    expect(value('TOTAL_ADD_TO_WISHLIST')).toBe(3);
    // Not measured: engagement-credited, quantities, rates, ROAS.
    for (const column of [
      'TOTAL_ENGAGEMENT_CHECKOUT',
      'TOTAL_CHECKOUT_QUANTITY',
      'CHECKOUT_ROAS',
      'TOTAL_CHECKOUT_CONVERSION_RATE',
    ])
      expect(value(column), column).toBe(0);
    expect(MEASURED_COLUMNS).toContain('TOTAL_WEB_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR');
    expect(MEASURED_COLUMNS).not.toContain('TOTAL_CLICK_ADD_TO_WISHLIST');
  });

  it('checks dates against the limits of the operation and of HOUR', () => {
    expect(checkRange('2025-12-30', '2026-06-15', 'DAY', REPORT_LIMITS, NOW)).toEqual({
      start: '2025-12-30',
      end: '2026-06-15',
    });
    expect(() => checkRange('2025-12-01', '2026-06-15', 'DAY', REPORT_LIMITS, NOW)).toThrow(/186 days/);
    expect(() => checkRange('2026-06-12', '2026-06-15', 'HOUR', REPORT_LIMITS, NOW)).not.toThrow();
    expect(() => checkRange('2026-06-11', '2026-06-15', 'HOUR', REPORT_LIMITS, NOW)).toThrow(/3 days/);
    expect(() => parseColumns(['IMPRESSION_1,NOPE,ALSO_NOPE'], new Set(SYNC_COLUMNS))).toThrow(
      /"NOPE", "ALSO_NOPE" are not reporting columns/,
    );
  });

  it('writes CSV cells safely: quotes, line breaks and spreadsheet formulas', () => {
    const file = renderReport(
      'CSV',
      [
        {
          key: '1',
          row: { CAMPAIGN_ID: '1', CAMPAIGN_NAME: '=HYPERLINK("x"), "quoted"', CTR: 0.25, AD_NAME: null },
        },
      ],
      ['CAMPAIGN_NAME', 'CTR', 'AD_NAME'],
    );
    expect(file.bytes.toString()).toBe(
      'CAMPAIGN_ID,CAMPAIGN_NAME,CTR,AD_NAME\r\n1,"\'=HYPERLINK(""x""), ""quoted""",0.25,\r\n',
    );
    const json = renderReport(
      'JSON',
      [
        { key: '7', row: { AD_ID: '7' } },
        { key: '7', row: { AD_ID: '7', DATE: 'd' } },
      ],
      [],
    );
    expect(JSON.parse(json.bytes.toString())).toEqual({ '7': [{ AD_ID: '7' }, { AD_ID: '7', DATE: 'd' }] });
  });
});
