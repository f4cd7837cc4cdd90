/** One metric of ads reporting, as GET /v5/resources/delivery_metrics describes it. */
export interface DeliveryMetric {
  readonly name: string;
  readonly display_name: string;
  readonly definition: string;
  readonly category: 'ADS' | 'ORGANIC';
}

const ads = (name: string, display_name: string, definition: string): DeliveryMetric => ({
  name,
  display_name,
  definition,
  category: 'ADS',
});

/**
 * The delivery metrics Corkboard's ads analytics report, the same in synchronous and asynchronous
 * reports. Money is in micro-units of the ad account's currency; the `_1` metrics count paid events
 * (Pinterest's `_2` earned metrics are not reported).
 */
export const DELIVERY_METRICS: readonly DeliveryMetric[] = [
  ads('IMPRESSION_1', 'Paid impressions', 'The number of times your promoted Pins were shown on screen.'),
  ads(
    'CLICKTHROUGH_1',
    'Paid Pin clicks',
    'The number of clicks on your promoted Pins that open the Pin or lead to its destination.',
  ),
  ads(
    'OUTBOUND_CLICK_1',
    'Paid outbound clicks',
    "The number of clicks on your promoted Pins that lead to the Pin's destination URL.",
  ),
  ads('REPIN_1', 'Paid saves', 'The number of times people saved your promoted Pins to a board.'),
  ads('SPEND_IN_MICRO_DOLLAR', 'Spend', 'The amount spent on your ads, in micro-currency.'),
  ads('CTR', 'CTR', 'Paid Pin clicks divided by paid impressions.'),
  ads(
    'ECPM_IN_MICRO_DOLLAR',
    'eCPM',
    'Effective cost per thousand paid impressions: spend divided by paid impressions, times 1000, in micro-currency.',
  ),
  ads(
    'ECPC_IN_MICRO_DOLLAR',
    'eCPC',
    'Effective cost per paid Pin click: spend divided by paid Pin clicks, in micro-currency.',
  ),
  ads(
    'TOTAL_CONVERSIONS',
    'Conversions',
    'The number of conversion events (from the conversion tag and the conversions API) attributed to your ads.',
  ),
  ads(
    'TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR',
    'Conversion value',
    'The total value of the conversion events attributed to your ads, in micro-currency.',
  ),
];
