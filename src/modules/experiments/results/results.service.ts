import type { Db } from '../../../platform/db/database.js';
import { NotFound } from '../../../platform/errors.js';
import type { Variant } from '../assignment/index.js';
import { definitionsRepository } from '../definitions/definitions.repository.js';
import { METRICS, type MetricDefinition } from '../metrics/metric-catalog.js';
import { analysedMetrics, effectToApi, type MetricChoice } from '../metrics/metric-config.js';
import { metricsRepository as repo, type SumsRow } from '../metrics/metrics.repository.js';
import {
  absoluteEffect,
  alwaysValid,
  type Comparison,
  type CupedAggregate,
  cupedFit,
  cupedTest,
  holmAdjust,
  type Interval,
  type Moments,
  mixingVariance,
  momentsOf,
  power,
  type RatioAggregate,
  ratioMoments,
  ratioTest,
  SRM_ALARM_P,
  srmTest,
  welchTest,
} from '../stats/index.js';

/** JSON has no NaN or ∞: an undefined number is null. */
const num = (x: number): number | null => (Number.isFinite(x) ? x : null);
const interval = (i: Interval) => ({ lower: num(i.lower), upper: num(i.upper) });

/** A variant's sums for one metric, as numbers (the statistics work in doubles). */
interface Sums {
  readonly n: number;
  readonly a: number;
  readonly aa: number;
  readonly b: number;
  readonly bb: number;
  readonly ab: number;
}
const ZERO: Sums = { n: 0, a: 0, aa: 0, b: 0, bb: 0, ab: 0 };
const sumsOf = (r: SumsRow | undefined): Sums =>
  r
    ? {
        n: Number(r.n),
        a: Number(r.s_a),
        aa: Number(r.s_aa),
        b: Number(r.s_b),
        bb: Number(r.s_bb),
        ab: Number(r.s_ab),
      }
    : ZERO;
const cupedAgg = (s: Sums): CupedAggregate => ({
  n: s.n,
  sum: s.a,
  sumSquares: s.aa,
  sumPre: s.b,
  sumPreSquares: s.bb,
  sumProducts: s.ab,
});
const ratioAgg = (s: Sums): RatioAggregate => ({
  n: s.n,
  sumX: s.a,
  sumY: s.b,
  sumXX: s.aa,
  sumYY: s.bb,
  sumXY: s.ab,
});
const momentsFor = (m: MetricDefinition, s: Sums): Moments =>
  m.type === 'ratio' ? ratioMoments(ratioAgg(s)) : momentsOf({ n: s.n, sum: s.a, sumSquares: s.aa });

/** Where each number of the results comes from, as the report names it. */
export const TESTS = {
  fixed: "Welch's t-test (two-sided), fixed horizon",
  ratio: 'z test on the delta-method variance of the ratio (two-sided), fixed horizon',
  relative: 'relative difference with its delta-method interval',
  holm: 'Holm–Bonferroni over every variant × metric the experiment is analysed on',
  power: 'normal approximation to the fixed-horizon test at the minimum effect',
  cuped: "Welch's t-test on CUPED-adjusted means (θ pooled within variants, 14-day pre-period)",
  sequential:
    'mSPRT, normal mixture (τ² = minimum effect²): always-valid p-value and confidence sequence over the daily looks',
  srm: "Pearson's χ² of exposed units against the configured weights (alarm at p < 0.001)",
} as const;

/**
 * The analysis of an experiment's current run (its salt): per metric and variant against the control
 * (the first variant), every number from the statistics library (stats/) over the sums the metrics
 * consumer keeps. docs/experiments-metrics.md gives the formulas.
 */
export class ResultsService {
  constructor(private readonly db: Db) {}

  async results(key: string, alpha = 0.05) {
    const row = await definitionsRepository.experiment(this.db, key);
    if (!row) throw new NotFound(`Experiment ${key} not found.`);
    const variants = row.variants as Variant[];
    const run = row.salt;
    // The experiment's own metrics (or the catalog's): only these are tested and corrected together.
    const configured = (row.metrics as MetricChoice[] | null) ?? null;
    const analysed = analysedMetrics(configured);
    const [current, lookRows] = await Promise.all([repo.sums(this.db, run), repo.looks(this.db, run)]);
    const find = (rows: readonly SumsRow[], variant: string, metric: string) =>
      sumsOf(rows.find((r) => r.variant === variant && r.metric === metric));
    const days = [...new Set(lookRows.map((r) => r.day))];
    const looksOn = days.map((d) => lookRows.filter((r) => r.day === d));

    // Every metric row of a variant carries its n (the consumer keeps every catalog metric, whatever an
    // experiment names); the catalog's first metric's is the variant's exposed units.
    const exposed = variants.map((v) => find(current, v.key, METRICS[0]!.key).n);
    const srm = srmTest(
      exposed,
      variants.map((v) => v.weight),
    );
    const control = variants[0]!;
    const treatments = variants.slice(1);

    const metrics = analysed.map((m) => {
      const all = variants.map((v) => find(current, v.key, m.key));
      const fit = m.type === 'mean' ? cupedFit(all.map(cupedAgg)) : null;
      const c = all[0]!;
      const comparisons = treatments.map((v, i) => {
        const t = all[i + 1]!;
        const fixed: Comparison =
          m.type === 'ratio'
            ? ratioTest(ratioAgg(c), ratioAgg(t), alpha)
            : welchTest(
                { n: c.n, sum: c.a, sumSquares: c.aa },
                { n: t.n, sum: t.a, sumSquares: t.aa },
                alpha,
              );
        const effect = absoluteEffect(m.minimumEffect, fixed.control.mean);
        const pow = power({
          effect,
          varianceControl: fixed.control.variance,
          varianceTreatment: fixed.treatment.variance,
          nControl: fixed.control.n,
          nTreatment: fixed.treatment.n,
          alpha,
        });
        const cuped = fit ? cupedTest(cupedAgg(c), cupedAgg(t), alpha, fit) : null;
        const tau2 = mixingVariance(effect);
        const seq = alwaysValid(
          looksOn.map((rows) => ({
            control: momentsFor(m, find(rows, control.key, m.key)),
            treatment: momentsFor(m, find(rows, v.key, m.key)),
          })),
          tau2,
          alpha,
        );
        return { variant: v.key, fixed, effect, pow, cuped, fit, tau2, seq };
      });
      return { m, all, comparisons };
    });

    const holm = holmAdjust(metrics.flatMap((x) => x.comparisons.map((c) => c.fixed.pValue)));
    let h = 0;
    return {
      experiment: row.key,
      run,
      status: row.status,
      started_at: row.started_at ? new Date(row.started_at).toISOString() : null,
      control: control.key,
      alpha,
      looks: days.length,
      primary_metric: analysed[0]!.key,
      metrics_configured: configured !== null,
      exposures: {
        variants: variants.map((v, i) => ({ variant: v.key, weight: v.weight, units: exposed[i]! })),
        srm: {
          test: TESTS.srm,
          statistic: num(srm.statistic),
          df: srm.df,
          p_value: num(srm.pValue),
          alarm: srm.alarm,
          threshold: SRM_ALARM_P,
        },
      },
      metrics: metrics.map(({ m, all, comparisons }, i) => ({
        metric: m.key,
        type: m.type,
        description: m.description,
        primary: i === 0,
        guardrail: m.guardrail,
        higher_is_better: m.higherIsBetter,
        minimum_effect: effectToApi(m.minimumEffect),
        variants: variants.map((v, i) => {
          const mo = momentsFor(m, all[i]!);
          return { variant: v.key, units: all[i]!.n, mean: num(mo.mean), variance: num(mo.variance) };
        }),
        comparisons: comparisons.map((c) => {
          const holmP = holm[h++]!;
          const f = c.fixed;
          const significant = holmP < alpha;
          const worse = m.higherIsBetter ? f.difference < 0 : f.difference > 0;
          return {
            variant: c.variant,
            against: control.key,
            fixed_horizon: {
              test: m.type === 'ratio' ? TESTS.ratio : TESTS.fixed,
              difference: num(f.difference),
              standard_error: num(f.standardError),
              interval: interval(f.interval),
              relative: {
                test: TESTS.relative,
                estimate: num(f.relative.estimate),
                interval: interval(f.relative.interval),
              },
              statistic: num(f.statistic),
              df: num(f.df),
              p_value: num(f.pValue),
              holm_p_value: num(holmP),
              holm_test: TESTS.holm,
              significant,
            },
            power: { test: TESTS.power, minimum_effect: num(c.effect), power: num(c.pow) },
            cuped:
              c.cuped && c.fit
                ? {
                    test: TESTS.cuped,
                    theta: num(c.fit.theta),
                    correlation: num(c.fit.correlation),
                    variance_factor: num(c.fit.varianceFactor),
                    control_mean: num(c.cuped.control.mean),
                    treatment_mean: num(c.cuped.treatment.mean),
                    difference: num(c.cuped.difference),
                    interval: interval(c.cuped.interval),
                    p_value: num(c.cuped.pValue),
                  }
                : null,
            sequential: {
              test: TESTS.sequential,
              tau2: num(c.tau2),
              looks: c.seq.looks,
              p_value: num(c.seq.pValue),
              confidence_sequence: interval(c.seq.interval),
              significant: c.seq.pValue < alpha,
            },
            guardrail_alarm: m.guardrail && significant && worse,
          };
        }),
      })),
    };
  }
}

export type ExperimentResults = Awaited<ReturnType<ResultsService['results']>>;
