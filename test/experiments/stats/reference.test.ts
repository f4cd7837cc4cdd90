import { describe, expect, it } from 'vitest';
import {
  absoluteEffect,
  cupedFit,
  cupedMoments,
  cupedTest,
  holmAdjust,
  msprtLook,
  power,
  ratioMoments,
  ratioTest,
  ratioVariance,
  sampleSize,
  srmTest,
  welchTest,
} from '../../../src/modules/experiments/stats/index.js';
import { expectClose } from './close.js';

/*
 * Every expected number below was printed by this Python (NumPy 2.4, SciPy 1.17); the functions under
 * test get the aggregates of the same raw data (math.fsum sums, written with repr, so exactly those
 * doubles), and must agree to 1e-9 relative.
 *
 *   import math; import numpy as np; from scipy import stats
 *   def agg(v): return dict(n=len(v), sum=math.fsum(v), sumSquares=math.fsum(v * v))
 *   rng = np.random.default_rng(16)
 *   cases = {'normal': (rng.normal(10.0, 2.0, 40), rng.normal(10.8, 3.0, 55)),
 *            'skewed': (rng.lognormal(0.0, 1.0, 200), rng.lognormal(0.1, 1.0, 180)),
 *            'tiny': (np.array([1.0, 2.0]), np.array([2.0, 4.0, 9.0]))}
 *   for name, (c, t) in cases.items():
 *       r = stats.ttest_ind(t, c, equal_var=False)            # treatment − control
 *       ci, ci90 = r.confidence_interval(0.95), r.confidence_interval(0.90)
 *       mc, mt = c.mean(), t.mean(); vc, vt = c.var(ddof=1) / len(c), t.var(ddof=1) / len(t)
 *       rel = mt / mc - 1; rel_se = math.sqrt(vt / mc**2 + mt**2 * vc / mc**4)
 *       z = stats.norm.ppf(0.975)   # relative interval: rel ± z·rel_se
 */
const WELCH = {
  normal: {
    control: { n: 40, sum: 406.1327330988766, sumSquares: 4272.285083522351 },
    treatment: { n: 55, sum: 628.8712313890593, sumSquares: 7736.429364669197 },
    expected: {
      statistic: 2.4241178153542298,
      pValue: 0.017328613318921545,
      df: 90.74013915167902,
      lower: 0.2312255968197734,
      upper: 2.3301825260203755,
      lower90: 0.4027352835198531,
      upper90: 2.158672839320295,
      rel: 0.1261365023841381,
      relSe: 0.05436442456531533,
      relLower: 0.019584188195875457,
      relUpper: 0.23268881657240073,
    },
  },
  skewed: {
    control: { n: 200, sum: 300.20878960445117, sumSquares: 1030.8557979946174 },
    treatment: { n: 180, sum: 293.1171948117819, sumSquares: 1861.3860430381594 },
    expected: {
      statistic: 0.5310686119642465,
      pValue: 0.5957763707307383,
      df: 290.96951913255475,
      lower: -0.34470600405750335,
      upper: 0.5994758281439034,
      lower90: -0.26841851117841137,
      upper90: 0.5231883352648112,
      rel: 0.08486421214451423,
      relSe: 0.1633417099367789,
      relLower: -0.23527965650476068,
      relUpper: 0.40500808079378914,
    },
  },
  tiny: {
    control: { n: 2, sum: 3.0, sumSquares: 5.0 },
    treatment: { n: 3, sum: 15.0, sumSquares: 101.0 },
    expected: {
      statistic: 1.6348477827391983,
      pValue: 0.23120073225382642,
      df: 2.222630418809699,
      lower: -4.881363398373296,
      upper: 11.881363398373296,
      lower90: -2.344540919592437,
      upper90: 9.344540919592433,
      rel: 2.3333333333333335,
      relSe: 1.7777777777777777,
      relLower: -1.1510470836267626,
      relUpper: 5.8177137502934295,
    },
  },
};

describe("Welch's t-test from aggregates against scipy.stats.ttest_ind(equal_var=False)", () => {
  for (const [name, c] of Object.entries(WELCH)) {
    it(`${name} data`, () => {
      const e = c.expected;
      const r = welchTest(c.control, c.treatment);
      expect(r.test).toBe('welch-t');
      expectClose(r.statistic, e.statistic);
      expectClose(r.pValue, e.pValue);
      expectClose(r.df, e.df);
      expectClose(r.interval.lower, e.lower);
      expectClose(r.interval.upper, e.upper);
      expectClose(r.relative.estimate, e.rel);
      expectClose(r.relative.standardError, e.relSe);
      expectClose(r.relative.interval.lower, e.relLower);
      expectClose(r.relative.interval.upper, e.relUpper);
      const r90 = welchTest(c.control, c.treatment, 0.1);
      expectClose(r90.interval.lower, e.lower90);
      expectClose(r90.interval.upper, e.upper90);
    });
  }
});

/*
 * Ratio metric (clicks / impressions per user), delta method written out in NumPy:
 *   rng = np.random.default_rng(17)
 *   def ratio_data(n, ctr): y = rng.poisson(20, n) + 1.0; x = rng.binomial(y.astype(int), ctr).astype(float); return x, y
 *   xc, yc = ratio_data(3000, 0.05); xt, yt = ratio_data(2800, 0.055)
 *   def rvar(x, y): n = len(x); R = x.sum() / y.sum(); cov = np.cov(x, y, ddof=1)
 *       return (cov[0, 0] - 2 * R * cov[0, 1] + R * R * cov[1, 1]) / (n * y.mean() ** 2), R
 *   d = rt - rc; se = math.sqrt(vc + vt); z = d / se; p = 2 * stats.norm.sf(abs(z)); d ± stats.norm.ppf(0.975) * se
 */
describe('ratio metrics by the delta method', () => {
  const control = { n: 3000, sumX: 3145.0, sumY: 62833.0, sumXX: 6475.0, sumYY: 1375037.0, sumXY: 69079.0 };
  const treatment = { n: 2800, sumX: 3239.0, sumY: 58604.0, sumXX: 6919.0, sumYY: 1284150.0, sumXY: 70790.0 };
  it('ratio and its variance match the NumPy computation', () => {
    expectClose(ratioMoments(control).mean, 0.05005331593271052);
    expectClose(ratioMoments(treatment).mean, 0.05526926489659409);
    expectClose(ratioVariance(control), 7.613156420412415e-7);
    expectClose(ratioVariance(treatment), 8.7867231302693e-7);
  });
  it('z test on the difference of ratios', () => {
    const r = ratioTest(control, treatment);
    expect(r.test).toBe('z');
    expect(r.df).toBe(Number.POSITIVE_INFINITY);
    expectClose(r.statistic, 4.072986814536844);
    expectClose(r.pValue, 4.6414052935647415e-5);
    expectClose(r.interval.lower, 0.002705979602351689);
    expectClose(r.interval.upper, 0.007725918325415447);
  });
});

/*
 * CUPED: θ pooled within variants, then scipy's Welch test on the adjusted values:
 *   rng = np.random.default_rng(18)
 *   def cuped_data(n, effect): x = rng.normal(5.0, 2.0, n); y = 3.0 + 0.8 * x + rng.normal(0.0, 1.5, n) + effect; return x, y
 *   xc, yc = cuped_data(500, 0.0); xt, yt = cuped_data(450, 0.3)
 *   sxy = Σ_v Σ (x − x̄_v)(y − ȳ_v); sxx, syy likewise; theta = sxy / sxx; mux = mean of all x
 *   ac, at = yc - theta * (xc - mux), yt - theta * (xt - mux)
 *   r = stats.ttest_ind(at, ac, equal_var=False); ci = r.confidence_interval(0.95)
 */
describe('CUPED from aggregates', () => {
  const control = {
    n: 500,
    sum: 3462.2593560279784,
    sumSquares: 26515.477751408238,
    sumPre: 2484.5998865328793,
    sumPreSquares: 14522.793773345975,
    sumProducts: 18952.523809691687,
  };
  const treatment = {
    n: 450,
    sum: 3284.8594683653014,
    sumSquares: 26290.861380565748,
    sumPre: 2241.60329617695,
    sumPreSquares: 12891.605312510223,
    sumProducts: 17820.163219841146,
  };
  it('θ, ρ and the adjusted moments', () => {
    const fit = cupedFit([control, treatment]);
    expectClose(fit.theta, 0.8214354809794447);
    expectClose(fit.correlation, 0.7365103774248969);
    expectClose(fit.varianceFactor, 1 - 0.7365103774248969 ** 2);
    const c = cupedMoments(control, fit);
    const t = cupedMoments(treatment, fit);
    expectClose(c.mean, 6.929242742801403);
    expectClose(t.mean, 7.294438784427953);
    expectClose(c.variance, 2.2804942899363163);
    expectClose(t.variance, 2.4114110935066373);
  });
  it("Welch's test on the adjusted metric", () => {
    const r = cupedTest(control, treatment);
    expectClose(r.statistic, 3.666715653173978);
    expectClose(r.pValue, 0.00025959134304820127);
    expectClose(r.df, 931.4383495341168);
    expectClose(r.interval.lower, 0.1697343641589151);
    expectClose(r.interval.upper, 0.5606577190941855);
  });
});

/*
 * tot = sum(obs); r = stats.chisquare(obs, f_exp=[tot * w / sum(ws) for w in ws])
 */
describe('sample-ratio mismatch against scipy.stats.chisquare', () => {
  const cases: [number[], number[], number, number][] = [
    [[101000, 99000], [1, 1], 20.0, 7.744216431044088e-6],
    [[100000, 100000], [1, 1], 0.0, 1.0],
    [[5030, 2480, 2490], [2, 1, 1], 0.37999999999999995, 0.8269591339433624],
    [[1010, 4900, 4090], [0.1, 0.5, 0.4], 4.125, 0.1271357329320356],
  ];
  it.each(cases)('%j with weights %j', (observed, weights, statistic, pValue) => {
    const r = srmTest(observed, weights);
    expectClose(r.statistic, statistic);
    expectClose(r.pValue, pValue);
    expect(r.df).toBe(observed.length - 1);
  });
});

/*
 * z = stats.norm.ppf(0.975); se = math.sqrt(v1 / n1 + v2 / n2); lam = eff / se
 * power = stats.norm.cdf(lam - z) + stats.norm.cdf(-lam - z)
 * sample size: tot = (z + stats.norm.ppf(pw)) ** 2 * (v1 / wc + v2 / wt) / eff ** 2; ceil(tot * wc), ceil(tot * wt)
 */
describe('power and sample size', () => {
  it.each([
    [0.2, 4.0, 4.0, 1000, 1000, 0.6087794846454567],
    [0.05, 1.0, 1.2, 5000, 3000, 0.5324208639051089],
    [1.0, 25.0, 16.0, 300, 350, 0.7949609495250293],
  ])(
    'δ=%d σ²=%d/%d n=%d/%d',
    (effect, varianceControl, varianceTreatment, nControl, nTreatment, expected) => {
      expectClose(power({ effect, varianceControl, varianceTreatment, nControl, nTreatment }), expected);
      expectClose(
        power({ effect: -effect, varianceControl, varianceTreatment, nControl, nTreatment }),
        expected,
      );
    },
  );
  it('a relative minimum effect is taken against the control mean', () => {
    expect(absoluteEffect({ relative: 0.05 }, 3.2)).toBeCloseTo(0.16, 15);
    expect(absoluteEffect({ relative: 0.05 }, -3.2)).toBeCloseTo(0.16, 15);
    expect(absoluteEffect({ absolute: -0.4 }, 3.2)).toBe(0.4);
  });
  it('sample size for a target power, equal and unequal splits', () => {
    expect(sampleSize({ effect: 0.2, varianceControl: 4, varianceTreatment: 4, power: 0.8 })).toEqual({
      control: 1570,
      treatment: 1570,
      total: 3140,
    });
    expect(
      sampleSize({ effect: 0.05, varianceControl: 1, varianceTreatment: 1.2, power: 0.9, weights: [1, 3] }),
    ).toEqual({ control: 5885, treatment: 17653, total: 23538 });
  });
  it('the sample size reaches the target power, one fewer person per variant does not', () => {
    const input = { effect: 0.2, varianceControl: 4, varianceTreatment: 4, power: 0.8 };
    const n = sampleSize(input);
    const at = (nc: number, nt: number) => power({ ...input, nControl: nc, nTreatment: nt });
    expect(at(n.control, n.treatment)).toBeGreaterThanOrEqual(0.8);
    expect(at(n.control - 1, n.treatment - 1)).toBeLessThan(0.8);
  });
});

/*
 * L = math.sqrt(v / (v + tau2)) * math.exp(tau2 * d * d / (2 * v * (v + tau2)))
 * half = math.sqrt(2 * v * (v + tau2) / tau2 * (math.log(1 / 0.05) + 0.5 * math.log((v + tau2) / v)))
 * print(math.log(L), min(1, 1 / L), d - half, d + half)
 * Moments chosen so that V = s_c²/n_c + s_t²/n_t is v: n = 100 each, variance 100·v/2.
 */
describe('mSPRT at one look', () => {
  it.each([
    [0.1, 0.002, 0.01, 1.1874535987193058, 0.3049969206304482, -0.03667383670332258, 0.2366738367033226],
    [0.02, 0.0004, 0.0025, -0.5594662516746709, 1, -0.040821248190185955, 0.08082124819018596],
    [-0.3, 0.01, 0.04, 2.7952810437829494, 0.06109770079048311, -0.6082389993889092, 0.008238999388909318],
  ])('d=%d V=%d τ²=%d', (d, v, tau2, logLr, p, lower, upper) => {
    const control = { n: 100, mean: 1, variance: 50 * v };
    const treatment = { n: 100, mean: 1 + d, variance: 50 * v };
    const look = msprtLook(control, treatment, tau2);
    expectClose(look.logLikelihoodRatio, logLr);
    expectClose(look.pValue, p);
    expectClose(look.interval.lower, lower);
    expectClose(look.interval.upper, upper);
  });
});

/*
 * Holm step-down, written out (statsmodels' multipletests(method='holm') gives the same):
 *   order = np.argsort(p); run = 0
 *   for j, i in enumerate(order): run = max(run, min(1, (m - j) * p[i])); adj[i] = run
 */
describe('Holm–Bonferroni adjustment', () => {
  it('adjusts in the input order', () => {
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005, 0.2]);
    const expected = [0.04, 0.09, 0.09, 0.025, 0.2];
    for (const [i, p] of adjusted.entries()) expectClose(p, expected[i]!, 1e-12);
  });
  it('leaves undefined p-values out of m and NaN', () => {
    const adjusted = holmAdjust([0.01, Number.NaN, 0.04]);
    expectClose(adjusted[0]!, 0.02, 1e-12);
    expect(adjusted[1]).toBeNaN();
    expectClose(adjusted[2]!, 0.04, 1e-12);
    expect(holmAdjust([])).toEqual([]);
  });
});
