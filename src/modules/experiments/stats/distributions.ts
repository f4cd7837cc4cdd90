/**
 * The distribution functions the experiment statistics need: normal CDF and quantile, Student's t CDF and
 * quantile for any positive (non-integer) degrees of freedom, and the chi-square survival function.
 *
 * Written here rather than taken from a package: the candidates were jStat (one large file, its t quantile
 * is a few Newton steps on an incomplete-beta inverse good to about 1e-8) and @stdlib (accurate, but each
 * function is a tree of dozens of one-function packages). What is needed is small: the incomplete beta
 * and gamma functions (special-functions.ts), Wichura's AS 241 for the normal quantile, Gauss–Legendre
 * quadrature for the t tail at large df, and Newton's method for the t quantile. Tails are computed
 * directly, never as 1 − (something near 1), so small p-values keep their relative accuracy. Checked
 * against SciPy to 1e-12 relative in test/experiments/stats/distributions.test.ts.
 */

import { betaIncRegularized, gammaIncUpperRegularized, LN_SQRT_2PI, logBeta } from './special-functions.js';

/** Standard normal density φ(z) = exp(−z²/2)/√(2π). */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LN_SQRT_2PI);
}

/**
 * Standard normal CDF Φ(z). Through erfc: Φ(z) = ½ Q(½, z²/2) for z < 0 and 1 − ½ Q(½, z²/2) for z ≥ 0,
 * so the lower tail is exact to the last digits however far out.
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const tail = 0.5 * gammaIncUpperRegularized(0.5, 0.5 * z * z);
  return z < 0 ? tail : 1 - tail;
}

/** Standard normal survival function 1 − Φ(z) = Φ(−z), computed without cancellation. */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

// AS 241's published coefficients, each written as the double it rounds to.
const AS241_A = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
];
const AS241_B = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
  28729.085735721943, 5226.495278852854,
];
const AS241_C = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
];
const AS241_D = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457,
  0.0005475938084995345, 1.0507500716444169e-9,
];
const AS241_E = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124,
  0.0012426609473880784, 0.000027115555687434876, 2.0103343992922881e-7,
];
const AS241_F = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  0.000018463183175100548, 1.421511758316446e-7, 2.0442631033899397e-15,
];

function horner(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) value = value * x + coefficients[i]!;
  return value;
}

/**
 * Standard normal quantile Φ⁻¹(p), Wichura's AS 241 (PPND16, Applied Statistics 37, 1988): rational
 * approximations in three ranges, relative error about 1e-16. p outside (0, 1) gives ±∞ at the ends and
 * NaN beyond.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * horner(AS241_A, r)) / horner(AS241_B, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = horner(AS241_C, r) / horner(AS241_D, r);
  } else {
    r -= 5;
    value = horner(AS241_E, r) / horner(AS241_F, r);
  }
  return q < 0 ? -value : value;
}

/**
 * Upper tail of Student's t beyond |t|: P(T > |t|) = ½ I_x(ν/2, ½) with x = ν/(ν + t²). x and 1 − x are
 * formed separately so neither end loses digits. ν = ∞ is the normal.
 */
function tTail(t: number, df: number): number {
  const s = Math.abs(t);
  if (df === Number.POSITIVE_INFINITY) return normalSf(s);
  if (s === Number.POSITIVE_INFINITY) return 0;
  if (df > LARGE_DF) return tTailByQuadrature(s, df);
  if (s > 1e150) {
    // x = ν/(ν + t²) would underflow: the series' first term x^a/(a·B(a, ½)), a = ν/2, in logs, is exact
    // here (the next term is x times smaller).
    const a = df / 2;
    return 0.5 * Math.exp(a * (Math.log(df) - 2 * Math.log(s)) - logBeta(a, 0.5) - Math.log(a));
  }
  const t2 = s * s;
  return 0.5 * betaIncRegularized(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
}

/**
 * Above this many degrees of freedom the incomplete beta's continued fraction, evaluated at x = ν/(ν + t²)
 * next to 1 with a = ν/2, loses digits in proportion to ν (1e-11 at ν = 2·10⁵); the tail is integrated
 * instead.
 */
const LARGE_DF = 1000;

/** Nodes and weights of 20-point Gauss–Legendre quadrature on [−1, 1], by Newton's method on P₂₀. */
const GAUSS_LEGENDRE = (() => {
  const n = 20;
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let i = 1; i <= n; i++) {
    let x = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / derivative;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    nodes.push(x);
    weights.push(2 / ((1 - x * x) * derivative * derivative));
  }
  return { nodes, weights };
})();

/**
 * P(T > s) for large ν as ∫ₛ^∞ f(u) du, f(u) = (1 + u²/ν)^−(ν+1)/2 / (√ν B(ν/2, ½)): 20-point
 * Gauss–Legendre on intervals of u − s doubling from h = ½·min(1, 1/s) until they hold nothing
 * (f < 10⁻³⁰⁰ f(s)). The density is near-Gaussian there, so each interval is integrated to rounding.
 */
function tTailByQuadrature(s: number, df: number): number {
  const logNorm = -0.5 * Math.log(df) - logBeta(df / 2, 0.5);
  const half = (df + 1) / 2;
  const logDensity = (u: number) => logNorm - half * Math.log1p((u * u) / df);
  const logAtS = logDensity(s);
  const h = 0.5 * Math.min(1, 1 / s);
  let sum = 0;
  let lo = 0;
  let width = h;
  for (let k = 0; k < 200; k++) {
    const hi = lo + width;
    const mid = s + (lo + hi) / 2;
    const radius = width / 2;
    let part = 0;
    for (let i = 0; i < GAUSS_LEGENDRE.nodes.length; i++) {
      part += GAUSS_LEGENDRE.weights[i]! * Math.exp(logDensity(mid + radius * GAUSS_LEGENDRE.nodes[i]!));
    }
    sum += part * radius;
    if (logDensity(s + hi) - logAtS < -690) break;
    lo = hi;
    width *= 2;
  }
  return sum;
}

/** Student's t CDF with ν = df > 0 degrees of freedom (any real ν; ∞ gives the normal). */
export function tCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  const tail = tTail(t, df);
  return t < 0 ? tail : 1 - tail;
}

/** Two-sided p-value of a t statistic: P(|T| ≥ |t|) = I_x(ν/2, ½), x = ν/(ν + t²), with no cancellation. */
export function tTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  return Math.min(1, 2 * tTail(t, df));
}

/** ln of Student's t density with ν degrees of freedom (finite where the density underflows). */
function logTPdf(t: number, df: number): number {
  if (df === Number.POSITIVE_INFINITY) return -0.5 * t * t - LN_SQRT_2PI;
  const r = Math.abs(t) / Math.sqrt(df);
  // ln(1 + r²), without r² overflowing far out in a heavy tail.
  const log1pR2 = r < 1e150 ? Math.log1p(r * r) : 2 * Math.log(r);
  return -logBeta(df / 2, 0.5) - 0.5 * Math.log(df) - ((df + 1) / 2) * log1pR2;
}

/** Student's t density with ν degrees of freedom. */
export function tPdf(t: number, df: number): number {
  return Math.exp(logTPdf(t, df));
}

/**
 * Student's t quantile: the t with P(T ≤ t) = p. Solves tail(s) = min(p, 1 − p) for s > 0 by Newton's
 * method on ln tail as a function of ln s (near-linear in heavy tails, so even p = 1e-200 at ν = 1 takes
 * a few steps), kept inside a bracket that is bisected, geometrically, whenever a step would leave it;
 * starts from the Cornish–Fisher expansion around the normal quantile. ±∞ when the answer overflows.
 * Relative accuracy is about 1e-15 in the tails where tests use it; within 1e-6 of p = ½ the answer is
 * exact to about 1e-16 absolute, not relative (the tail, ½ − O(t), is known only to its last bit).
 */
export function tQuantile(p: number, df: number): number {
  if (!(p >= 0 && p <= 1) || !(df > 0)) return Number.NaN;
  if (df === Number.POSITIVE_INFINITY) return normalQuantile(p);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  const target = Math.min(p, 1 - p);
  const logTarget = Math.log(target);
  const z = -normalQuantile(target);
  let s = z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
  if (!(s > 0) || !Number.isFinite(s)) s = 1;
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 200; i++) {
    const tail = tTail(s, df);
    if (tail > target) lo = s;
    else hi = s;
    // d ln tail / d ln s = −s·pdf(s)/tail(s).
    const logTail = Math.log(tail);
    const step = (logTail - logTarget) * Math.exp(logTail - Math.log(s) - logTPdf(s, df));
    const next = s * Math.exp(step);
    // The step is the relative change of s.
    if (Math.abs(step) <= 1e-15) {
      s = next;
      break;
    }
    if (next > lo && next < hi) {
      s = next;
      continue;
    }
    if (hi === Number.POSITIVE_INFINITY) {
      // The step overflowed: is the answer past the largest double?
      if (tTail(Number.MAX_VALUE, df) > target)
        return p < 0.5 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      hi = Number.MAX_VALUE;
    }
    if (lo > 0 && hi / lo - 1 <= 1e-15) break;
    s = lo > 0 ? Math.sqrt(lo) * Math.sqrt(hi) : hi / 16;
  }
  return p < 0.5 ? -s : s;
}

/** Chi-square survival function P(X ≥ x) with k degrees of freedom: Q(k/2, x/2). */
export function chiSquareSf(x: number, k: number): number {
  if (Number.isNaN(x) || !(k > 0)) return Number.NaN;
  return gammaIncUpperRegularized(k / 2, x / 2);
}
