import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { resultsReport } from '../../../src/modules/experiments/index.js';
import { holmAdjust } from '../../../src/modules/experiments/stats/index.js';
import { startTestApp } from '../../helpers/app.js';
import { FULL, makeUser, type TestUser } from '../../helpers/factories.js';
import { prng } from '../../helpers/prng.js';
import { DAY, metricsCaughtUp, storeBatch, type WorkEvent } from './workload.js';

const OPERATOR = 'results_operator';
let app: App;
let operator: TestUser;
let stranger: TestUser;

/** A running experiment with pinned salts (the A/A outcome below is then the same every run). */
async function pinnedExperiment(key: string, param: string) {
  const svc = app.product.experiments;
  await svc.createLayer('cli:test', { key: `l-${key}`, holdout: 0 });
  await sql`update experiment_layers set salt = ${`layer-salt-${key}`} where key = ${`l-${key}`}`.execute(
    app.deps.db,
  );
  await svc.createExperiment('cli:test', {
    key,
    layer: `l-${key}`,
    buckets: [{ start: 0, end: 10_000 }],
    ramp: 10_000,
    variants: [
      { key: 'control', weight: 1, parameters: [{ name: param, type: 'number', value: 0 }] },
      { key: 'treatment', weight: 1, parameters: [{ name: param, type: 'number', value: 1 }] },
    ],
  });
  await sql`update experiments set salt = ${`exp-salt-${key}`} where key = ${key}`.execute(app.deps.db);
  await svc.startExperiment('cli:test', key);
}

function poisson(rand: () => number, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  let p = rand();
  while (p > l) {
    k++;
    p *= rand();
  }
  return k;
}

const UNITS = 2000;

beforeAll(async () => {
  app = await startTestApp({ env: { EXPERIMENT_ADMINS: OPERATOR } });
  operator = await makeUser(app, OPERATOR);
  stranger = await makeUser(app);
  await pinnedExperiment('planted', 'planted_param');
  await pinnedExperiment('aa-test', 'aa_param');

  // Every unit reads both parameters (exposed to both); saves depend on the unit's own propensity (so the
  // pre-period predicts the post-period: CUPED has something to use) and, by +25%, on `planted`'s
  // treatment, which also shows 10% fewer impressions.
  const rand = prng(16);
  const start = Date.now();
  const treated = new Map<string, boolean>();
  for (let i = 0; i < UNITS; i++) {
    const userId = String(810_000 + i);
    const p = await app.product.exposures.forUnit({ userId });
    treated.set(userId, p.number('planted_param', 0) === 1);
    p.number('aa_param', 0);
  }
  await app.product.exposures.flush();
  const events: WorkEvent[] = [];
  let serial = 0;
  for (const [userId, isTreated] of treated) {
    const propensity = 0.2 + 7.8 * rand(); // corr(pre, post) = Var λ / (Var λ + E λ) ≈ 0.55
    const unit = `u${userId}`;
    const add = (kind: string, at: number) =>
      events.push({ id: `${unit}:t:${serial++}`, unit, kind, at, adId: null, chargeMicro: 0 });
    for (let k = poisson(rand, propensity); k > 0; k--)
      add('SAVE', start - DAY - Math.floor(rand() * 10 * DAY));
    for (let k = poisson(rand, propensity * (isTreated ? 1.25 : 1)); k > 0; k--) add('SAVE', Date.now() + k);
    // The treatment also costs impressions (−10%): a guardrail that must fire.
    for (let k = poisson(rand, isTreated ? 4.5 : 5); k > 0; k--) add('IMPRESSION', Date.now() + k);
  }
  for (let i = 0; i < events.length; i += 2000) await storeBatch(app, events.slice(i, i + 2000));
  await metricsCaughtUp(app, 120_000);
}, 180_000);

async function get(user: TestUser | null, url: string, scopes = FULL) {
  const headers = user ? await user.auth(scopes) : {};
  return app.http.inject({ method: 'GET', url, headers });
}

type Metric = {
  metric: string;
  variants: { variant: string; units: number; mean: number | null }[];
  comparisons: {
    fixed_horizon: {
      test: string;
      difference: number;
      interval: { lower: number; upper: number };
      relative: { estimate: number };
      p_value: number;
      holm_p_value: number;
      significant: boolean;
    };
    power: { power: number; test: string };
    cuped: {
      variance_factor: number;
      interval: { lower: number; upper: number };
      p_value: number;
      test: string;
    } | null;
    sequential: { p_value: number; significant: boolean; looks: number; test: string };
    guardrail_alarm: boolean;
  }[];
};

describe('GET /v5/experiments/{key}/results', () => {
  it('detects the planted effect on saves, with every test named', async () => {
    const res = await get(operator, '/v5/experiments/planted/results');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      experiment: 'planted',
      run: 'exp-salt-planted',
      control: 'control',
      alpha: 0.05,
    });
    const units = body.exposures.variants.map((v: { units: number }) => v.units);
    expect(units[0] + units[1]).toBe(UNITS);
    expect(body.exposures.srm.alarm).toBe(false);
    expect(body.exposures.srm.test).toMatch(/χ²/);
    expect(body.looks).toBeGreaterThanOrEqual(1);

    const saves: Metric = body.metrics.find((m: Metric) => m.metric === 'saves_per_user');
    const c = saves.comparisons[0]!;
    expect(c.fixed_horizon.test).toMatch(/Welch/);
    expect(c.fixed_horizon.significant).toBe(true);
    expect(c.fixed_horizon.holm_p_value).toBeLessThan(0.001);
    expect(c.fixed_horizon.difference).toBeGreaterThan(0);
    expect(c.fixed_horizon.relative.estimate).toBeGreaterThan(0.1);
    expect(c.fixed_horizon.relative.estimate).toBeLessThan(0.4);
    expect(c.power.power).toBeGreaterThan(0);
    expect(c.sequential.significant).toBe(true);
    expect(c.sequential.test).toMatch(/mSPRT/);
    // CUPED: the pre-period explains much of the variance (1 − ρ² ≈ 0.7 by construction), so its interval
    // is narrower.
    expect(c.cuped!.variance_factor).toBeLessThan(0.8);
    expect(c.cuped!.interval.upper - c.cuped!.interval.lower).toBeLessThan(
      c.fixed_horizon.interval.upper - c.fixed_horizon.interval.lower,
    );
    expect(c.cuped!.p_value).toBeLessThan(0.001);
    // Impressions, a guardrail, fell significantly: flagged; nothing else is.
    for (const m of body.metrics as Metric[])
      for (const x of m.comparisons)
        expect(x.guardrail_alarm, m.metric).toBe(m.metric === 'impressions_per_user');
    const impressions: Metric = body.metrics.find((m: Metric) => m.metric === 'impressions_per_user');
    expect(impressions.comparisons[0]!.fixed_horizon.difference).toBeLessThan(0);
    const ratio: Metric = body.metrics.find((m: Metric) => m.metric === 'outbound_click_rate');
    expect(ratio.comparisons[0]!.fixed_horizon.test).toMatch(/delta-method/);
    expect(ratio.comparisons[0]!.cuped).toBeNull();

    const text = resultsReport(body);
    expect(text).toMatch(/saves_per_user/);
    expect(text).toMatch(/SRM: χ²/);
    expect(text).toMatch(/GUARDRAIL: significantly worse/);
    const asText = await get(operator, '/v5/experiments/planted/results?format=text');
    expect(asText.statusCode).toBe(200);
    expect(asText.headers['content-type']).toMatch(/^text\/plain/);
    expect(asText.body).toBe(text);
  });

  it('finds nothing in an A/A experiment on the same people', async () => {
    const res = await get(operator, '/v5/experiments/aa-test/results');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.exposures.srm.alarm).toBe(false);
    for (const m of body.metrics as Metric[])
      for (const x of m.comparisons) {
        expect(x.fixed_horizon.significant, m.metric).toBe(false);
        expect(x.sequential.significant, m.metric).toBe(false);
        expect(x.guardrail_alarm).toBe(false);
      }
    const saves: Metric = body.metrics.find((m: Metric) => m.metric === 'saves_per_user');
    expect(saves.comparisons[0]!.fixed_horizon.p_value).toBeGreaterThan(0.05);
  });

  it("analyses only the experiment's own metrics, in its order, with its guardrails and minimum effects", async () => {
    const all = (await get(operator, '/v5/experiments/planted/results')).json();
    expect(all.metrics_configured).toBe(false);
    expect(all.primary_metric).toBe('saves_per_user');
    await app.product.experiments.updateExperiment('cli:test', 'planted', {
      metrics: [
        { key: 'impressions_per_user', guardrail: false, minimum_effect: { absolute: 0.5 } },
        { key: 'saves_per_user', minimum_effect: { relative: 0.2 } },
        { key: 'outbound_click_rate', guardrail: true },
      ],
    });
    try {
      const res = await get(operator, '/v5/experiments/planted/results');
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.metrics_configured).toBe(true);
      expect(body.primary_metric).toBe('impressions_per_user');
      type M = Metric & {
        primary: boolean;
        guardrail: boolean;
        minimum_effect: object;
        comparisons: { sequential: { tau2: number }; power: { minimum_effect: number } }[];
      };
      const ms = body.metrics as M[];
      expect(ms.map((m) => [m.metric, m.primary, m.guardrail])).toEqual([
        ['impressions_per_user', true, false],
        ['saves_per_user', false, false],
        ['outbound_click_rate', false, true],
      ]);
      // The sums are the same as with the catalog: only the analysis changed.
      const catalogSaves = (all.metrics as Metric[]).find((m) => m.metric === 'saves_per_user')!;
      expect(ms[1]!.variants).toEqual(catalogSaves.variants);
      expect(ms[1]!.comparisons[0]!.fixed_horizon.p_value).toBe(
        catalogSaves.comparisons[0]!.fixed_horizon.p_value,
      );
      // Holm over these three comparisons only.
      const holm = holmAdjust(ms.map((m) => m.comparisons[0]!.fixed_horizon.p_value));
      for (const [i, m] of ms.entries())
        expect(m.comparisons[0]!.fixed_horizon.holm_p_value).toBeCloseTo(holm[i]!, 12);
      // The absolute minimum effect sets power and τ² as it is; the relative one scales the control mean.
      const imp = ms[0]!.comparisons[0]!;
      expect(ms[0]!.minimum_effect).toEqual({ absolute: 0.5 });
      expect(imp.power.minimum_effect).toBe(0.5);
      expect(imp.sequential.tau2).toBeCloseTo(0.25, 12);
      const savesControl = ms[1]!.variants[0]!.mean!;
      expect(ms[1]!.comparisons[0]!.power.minimum_effect).toBeCloseTo(0.2 * savesControl, 9);
      // Impressions fell significantly, but the experiment does not treat them as a guardrail.
      expect(imp.fixed_horizon.significant).toBe(true);
      for (const m of ms) expect(m.comparisons[0]!.guardrail_alarm, m.metric).toBe(false);
      const text = resultsReport(body);
      expect(text).toMatch(/Metrics: the experiment's own; primary impressions_per_user/);
      expect(text).toMatch(/impressions_per_user \[primary\] \(mean, minimum effect 0\.5 absolute\)/);
      expect(text).not.toMatch(/ad_ctr/);
    } finally {
      await app.product.experiments.updateExperiment('cli:test', 'planted', { metrics: null });
    }
  });

  it('answers 401 without a token, 403 without the scope or for a non-operator, 404 for an unknown key, 400 for a bad alpha', async () => {
    expect((await get(null, '/v5/experiments/planted/results')).statusCode).toBe(401);
    const noScope = await get(
      operator,
      '/v5/experiments/planted/results',
      FULL.filter((s) => s !== 'experiments:read'),
    );
    expect(noScope.statusCode).toBe(403);
    expect(noScope.json()).toMatchObject({
      code: expect.anything(),
      message: expect.stringMatching(/experiments:read/),
    });
    const notOperator = await get(stranger, '/v5/experiments/planted/results');
    expect(notOperator.statusCode).toBe(403);
    expect(notOperator.json().message).toMatch(/EXPERIMENT_ADMINS/);
    const unknown = await get(operator, '/v5/experiments/nope/results');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: expect.anything(), message: expect.any(String) });
    for (const bad of ['alpha=2', 'alpha=abc', 'alpha=0', 'format=xml']) {
      const r = await get(operator, `/v5/experiments/planted/results?${bad}`);
      expect(r.statusCode, bad).toBe(400);
      expect(r.json()).toMatchObject({ code: expect.anything(), message: expect.any(String) });
    }
    const badKey = await get(operator, '/v5/experiments/BAD%20KEY/results');
    expect(badKey.statusCode).toBe(400);
  });

  it('answers a draft experiment with empty results, not an error', async () => {
    await app.product.experiments.createLayer('cli:test', { key: 'l-draft', holdout: 0 });
    await app.product.experiments.createExperiment('cli:test', {
      key: 'draft-one',
      layer: 'l-draft',
      buckets: [{ start: 0, end: 10_000 }],
      variants: [
        { key: 'control', weight: 1, parameters: [] },
        { key: 'b', weight: 1, parameters: [] },
      ],
    });
    const res = await get(operator, '/v5/experiments/draft-one/results');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().exposures.variants.map((v: { units: number }) => v.units)).toEqual([0, 0]);
    expect(res.json().metrics[0].comparisons[0].fixed_horizon.p_value).toBeNull();
  });
});
