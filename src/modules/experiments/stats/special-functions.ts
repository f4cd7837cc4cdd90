/**
 * Special functions under the distributions: ln Γ, ln B, and the regularized incomplete beta and gamma
 * functions, by continued fractions and series as in Numerical Recipes (3rd ed., §6.2 and §6.4, modified
 * Lentz), with log-gamma by Lanczos below 10 and Stirling's series above.
 */

/** ln √(2π). */
export const LN_SQRT_2PI = 0.9189385332046728;
const LN_PI = 1.1447298858494002;
/** Smallest double the continued fractions let a denominator fall to (Lentz's "tiny"). */
const TINY = 1e-300;
/** Relative change at which a continued fraction or series has converged. */
const EPS = 1e-16;
/** Enough terms for the incomplete beta with parameters near 1e7 (terms grow like √max(a, b)). */
const MAX_ITERATIONS = 100_000;

const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
  12.507343278686905, -0.13857109526572012, 0.000009984369578019572, 1.5056327351493116e-7,
];

/**
 * Stirling's correction δ(x) = ln Γ(x) − [(x − ½) ln x − x + ln √(2π)], by its asymptotic series
 * 1/(12x) − 1/(360x³) + 1/(1260x⁵) − …; used for x ≥ 10, where seven terms are exact to double precision.
 */
function stirlingCorrection(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  return (
    r *
    (1 / 12 -
      r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 * (1 / 1188 - r2 * (691 / 360360 - r2 / 156))))))
  );
}

/** ln Γ(x) for x > 0: Lanczos (g = 7, 9 terms) below 10, Stirling's series with {@link stirlingCorrection} above. */
export function logGamma(x: number): number {
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingCorrection(x);
  if (x < 0.5) return LN_PI - Math.log(Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) s += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), arranged as R's lbeta when a or b is large so the big
 * log-gammas do not cancel (df of 10⁵ would otherwise lose five digits).
 */
export function logBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  const share = p / (p + q);
  if (p >= 10) {
    const corr = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q);
    return -0.5 * Math.log(q) + LN_SQRT_2PI + corr + (p - 0.5) * Math.log(share) + q * Math.log1p(-share);
  }
  if (q >= 10) {
    const corr = stirlingCorrection(q) - stirlingCorrection(p + q);
    return logGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-share);
  }
  return logGamma(p) + logGamma(q) - logGamma(p + q);
}

/** Continued fraction of the incomplete beta (Numerical Recipes `betacf`, modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number, y: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = (1 - b + qab * y) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) <= EPS) break;
  }
  return h;
}

/**
 * The regularized incomplete beta I_x(a, b), given x and y = 1 − x separately (so a caller that knows y
 * more precisely than 1 − x, as the t distribution does, keeps it):
 * I_x(a, b) = x^a y^b / (a B(a, b)) · CF(a, b, x) when x < (a + 1)/(a + b + 2), else 1 − I_y(b, a).
 */
export function betaIncRegularized(a: number, b: number, x: number, y = 1 - x): number {
  if (!(x > 0)) return 0;
  if (!(y > 0)) return 1;
  // ln x from y when x is near 1 (and the other way round): a·ln x with a = 10⁵ would otherwise multiply
  // x's rounding error by 10⁵.
  const logX = x > 0.5 ? Math.log1p(-y) : Math.log(x);
  const logY = y > 0.5 ? Math.log1p(-x) : Math.log(y);
  const logFront = a * logX + b * logY - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(a, b, x, y)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, y, x)) / b;
}

/** P(a, x) by its series Σ xⁿ/(a(a+1)…(a+n)), for x < a + 1. */
function gammaSeries(a: number, x: number): number {
  let ap = a;
  let term = 1 / a;
  let sum = term;
  for (let n = 0; n < MAX_ITERATIONS; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Q(a, x) by its continued fraction (Numerical Recipes `gcf`, modified Lentz), for x ≥ a + 1. */
function gammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) <= EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** The regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a), for a > 0, x ≥ 0. */
export function gammaIncUpperRegularized(a: number, x: number): number {
  if (!(x > 0)) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

/** The regularized lower incomplete gamma P(a, x) = 1 − Q(a, x), for a > 0, x ≥ 0. */
export function gammaIncLowerRegularized(a: number, x: number): number {
  if (!(x > 0)) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x);
}
