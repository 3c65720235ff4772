// Upper-tail probabilities of count distributions for burst detection, via the regularised incomplete gamma and
// beta functions (Numerical Recipes §6.2, §6.4), so large counts cost the same as small ones.

const LANCZOS = [
  76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2,
  -0.5395239384953e-5,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, relative error < 2e-10). */
export function lnGamma(x: number): number {
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const c of LANCZOS) ser += c / ++y;
  return -tmp + Math.log((2.5066282746310005 * ser) / x);
}

const EPS = 1e-14;
const TINY = 1e-300;
const MAX_ITER = 10_000;

/** Regularised lower incomplete gamma P(a, x). */
function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lnPrefix = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let ap = a;
    let sum = 1 / a;
    let del = sum;
    for (let n = 0; n < MAX_ITER; n++) {
      del *= x / ++ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) break;
    }
    return Math.min(1, sum * Math.exp(lnPrefix));
  }
  // Continued fraction for Q = 1 − P (modified Lentz).
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.max(0, 1 - Math.exp(lnPrefix) * h);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITER; m++) {
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
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
function betaI(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(lnFront);
  if (x < (a + 1) / (a + b + 2)) return Math.min(1, (front * betaContinuedFraction(a, b, x)) / a);
  return Math.max(0, 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b);
}

/**
 * P(X ≥ k) for a Poisson count with mean `mean`.
 * @example poissonUpperTail(6, 2) // ≈ 0.0166
 */
export function poissonUpperTail(k: number, mean: number): number {
  if (k <= 0) return 1;
  if (!(mean > 0)) return 0;
  // P(X ≥ k) = P(k, λ): the regularised lower incomplete gamma.
  return gammaP(k, mean);
}

/** P(X ≥ k) for a negative binomial count with the given mean and variance (variance > mean). */
export function negativeBinomialUpperTail(k: number, mean: number, variance: number): number {
  if (k <= 0) return 1;
  if (!(mean > 0)) return 0;
  if (!(variance > mean)) return poissonUpperTail(k, mean);
  const p = mean / variance;
  const r = (mean * mean) / (variance - mean);
  // P(X ≥ k) = I_{1−p}(k, r).
  return betaI(k, r, 1 - p);
}

/**
 * Upper tail of a count against a baseline: Poisson unless the baseline's history is overdispersed (variance
 * clearly above the mean), then negative binomial, so keys that are bursty by nature need a bigger jump.
 */
export function upperTail(k: number, mean: number, variance: number): number {
  return variance > mean * 1.1 ? negativeBinomialUpperTail(k, mean, variance) : poissonUpperTail(k, mean);
}
