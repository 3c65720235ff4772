import { describe, expect, it } from "vitest";
import { lnGamma, negativeBinomialUpperTail, poissonUpperTail, upperTail } from "./tail.js";

function poissonTailBySum(k: number, mean: number): number {
  let pmf = Math.exp(-mean);
  let cdf = 0;
  for (let i = 0; i < k; i++) {
    cdf += pmf;
    pmf *= mean / (i + 1);
  }
  return 1 - cdf;
}

function nbTailBySum(k: number, mean: number, variance: number): number {
  const p = mean / variance;
  const r = (mean * mean) / (variance - mean);
  let pmf = p ** r;
  let cdf = 0;
  for (let i = 0; i < k; i++) {
    cdf += pmf;
    pmf *= ((i + r) / (i + 1)) * (1 - p);
  }
  return 1 - cdf;
}

describe("lnGamma", () => {
  it("matches factorials", () => {
    expect(lnGamma(1)).toBeCloseTo(0, 9);
    expect(lnGamma(6)).toBeCloseTo(Math.log(120), 9);
    expect(lnGamma(21)).toBeCloseTo(Math.log(2432902008176640000), 6);
  });
});

describe("poissonUpperTail", () => {
  it("matches direct summation", () => {
    expect(poissonUpperTail(6, 2)).toBeCloseTo(0.016564, 5);
    for (const [k, mean] of [[1, 0.5], [5, 1], [9, 3], [30, 10], [130, 100]] as const) {
      expect(poissonUpperTail(k, mean)).toBeCloseTo(poissonTailBySum(k, mean), 8);
    }
  });

  it("handles edges and large counts without underflow", () => {
    expect(poissonUpperTail(0, 5)).toBe(1);
    expect(poissonUpperTail(3, 0)).toBe(0);
    const big = poissonUpperTail(1100, 1000);
    expect(big).toBeGreaterThan(0.0005);
    expect(big).toBeLessThan(0.0012);
    expect(poissonUpperTail(100_000, 1000)).toBe(0);
    expect(poissonUpperTail(900, 1000)).toBeGreaterThan(0.99);
  });
});

describe("negativeBinomialUpperTail", () => {
  it("matches direct summation and is heavier than Poisson with the same mean", () => {
    for (const [k, mean, variance] of [[20, 5, 15], [10, 2, 6], [40, 10, 30]] as const) {
      const nb = negativeBinomialUpperTail(k, mean, variance);
      expect(nb).toBeCloseTo(nbTailBySum(k, mean, variance), 8);
      expect(nb).toBeGreaterThan(poissonUpperTail(k, mean));
    }
  });

  it("falls back to Poisson when the variance is not above the mean", () => {
    expect(negativeBinomialUpperTail(9, 3, 2)).toBe(poissonUpperTail(9, 3));
    expect(upperTail(9, 3, 3)).toBe(poissonUpperTail(9, 3));
    expect(upperTail(9, 3, 12)).toBe(negativeBinomialUpperTail(9, 3, 12));
  });
});
