import { describe, expect, it } from 'vitest';
import { checkAd } from '../src/pages/ads/ad-form.js';
import { type AdGroupDraft, checkAdGroup } from '../src/pages/ads/ad-group-form.js';
import { checkCampaign } from '../src/pages/ads/campaign-form.js';
import { utcDay } from '../src/pages/ads/common.js';

const group = (patch: Partial<AdGroupDraft> = {}): AdGroupDraft => ({
  campaignId: '123',
  name: 'Decor lovers',
  status: 'ACTIVE',
  budgetType: 'DAILY',
  budget: '25.00',
  pacing: 'STANDARD',
  strategy: 'MAX_BID',
  bid: '1.50',
  billable: 'CLICKTHROUGH',
  placement: 'ALL',
  start: '',
  end: '',
  interests: [],
  locales: [],
  countries: [],
  ages: [],
  genders: [],
  audiences: [],
  keywords: [],
  ...patch,
});

describe('the ad group form check', () => {
  it('makes the API body in exact micros with the targeting chosen', () => {
    const { errors, body } = checkAdGroup(
      group({
        interests: ['903000000002'],
        genders: ['unknown', 'female'],
        countries: ['US'],
        locales: ['en'],
      }),
      'USD',
    );
    expect(errors).toEqual({});
    expect(body).toMatchObject({
      budget_in_micro_currency: 25_000_000,
      bid_in_micro_currency: 1_500_000,
      targeting_spec: {
        INTEREST: ['903000000002'],
        GENDER: ['unknown', 'female'],
        LOCATION: ['US'],
        LOCALE: ['en'],
      },
    });
  });

  it('sends no bid for an automatic bid and no targeting type left empty', () => {
    const { body } = checkAdGroup(group({ strategy: 'AUTOMATIC_BID', bid: 'ignored' }), 'USD');
    expect(body).toMatchObject({ bid_in_micro_currency: null, targeting_spec: {} });
  });

  it('refuses what the client can tell is wrong', () => {
    expect(checkAdGroup(group({ name: ' ', budget: '25.001', bid: '' }), 'USD').errors).toEqual({
      name: 'Give the ad group a name.',
      budget: 'At most 2 decimals in USD.',
      bid: 'Enter an amount.',
    });
    expect(checkAdGroup(group({ bid: '30' }), 'USD').errors.bid).toMatch(/more than the daily budget/);
    expect(checkAdGroup(group({ budgetType: 'LIFETIME' }), 'USD').errors.end).toMatch(/needs an end/);
    expect(checkAdGroup(group({ end: utcDay(-1) }), 'USD').errors.end).toMatch(/past/);
    expect(checkAdGroup(group({ budget: '100.5', bid: '1' }), 'JPY').errors.budget).toMatch(/whole numbers/);
    const words = [
      { key: 1, value: 'lamp', match: 'BROAD' },
      { key: 2, value: 'Lamp', match: 'BROAD' },
    ];
    expect(checkAdGroup(group({ keywords: words }), 'USD').errors.keywords).toMatch(/listed twice/);
    expect(
      checkAdGroup(
        group({ placement: 'BROWSE', keywords: [{ key: 1, value: 'lamp', match: 'PHRASE' }] }),
        'USD',
      ).errors.keywords,
    ).toMatch(/placement/);
    expect(
      checkAdGroup(
        group({ placement: 'BROWSE', keywords: [{ key: 1, value: 'cheap', match: 'EXACT_NEGATIVE' }] }),
        'USD',
      ).errors,
    ).toEqual({});
  });
});

describe('the campaign and ad form checks', () => {
  it('a campaign: one cap in exact micros, the other null', () => {
    const { body } = checkCampaign(
      {
        name: 'Autumn',
        objective: 'AWARENESS',
        status: 'PAUSED',
        cap: 'lifetime',
        amount: '1,000.10',
        start: '',
        end: utcDay(30),
      },
      'EUR',
      true,
    );
    expect(body).toMatchObject({
      lifetime_spend_cap: 1_000_100_000,
      daily_spend_cap: null,
      objective_type: 'AWARENESS',
    });
    expect(
      checkCampaign(
        {
          name: '',
          objective: 'AWARENESS',
          status: 'ACTIVE',
          cap: 'daily',
          amount: '-5',
          start: '',
          end: '',
        },
        'EUR',
        true,
      ).errors,
    ).toEqual({ name: 'Give the campaign a name.', amount: 'The amount cannot be negative.' });
  });

  it('an ad: a pin id of digits and an http(s) destination', () => {
    const draft = {
      adGroupId: '5',
      pinId: ' 42 ',
      name: '',
      destination: 'https://lamps.example/a',
      status: 'ACTIVE',
    };
    expect(checkAd(draft).body).toMatchObject({
      pin_id: '42',
      name: null,
      destination_url: 'https://lamps.example/a',
    });
    expect(checkAd({ ...draft, pinId: 'abc', destination: 'javascript:alert(1)' }).errors).toEqual({
      pinId: expect.stringMatching(/Pin id/),
      destination: expect.stringMatching(/https/),
    });
  });
});

describe('the analytics days', () => {
  it('fills the days without a row with zeros and sums the rows of a day', async () => {
    const { fillDays } = await import('../src/pages/ads/analytics.js');
    const rows = [
      { DATE: '2026-12-02', SPEND_IN_MICRO_DOLLAR: 100_000, IMPRESSION_1: 4, CLICKTHROUGH_1: 1 },
      { DATE: '2026-12-02', SPEND_IN_MICRO_DOLLAR: 50_000, IMPRESSION_1: 1, CLICKTHROUGH_1: 0 },
    ];
    expect(fillDays(rows, '2026-12-01', '2026-12-03')).toEqual([
      { day: '2026-12-01', spend: 0, impressions: 0, clicks: 0 },
      { day: '2026-12-02', spend: 150_000, impressions: 5, clicks: 1 },
      { day: '2026-12-03', spend: 0, impressions: 0, clicks: 0 },
    ]);
  });
});
