// Spearman's rank correlation with its t-approximation p-value, for monotone trends such as fading over time.
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { averageRanks } from './average-ranks.ts';

/** Spearman's rho of n pairs and its two-sided p-value. */
export interface SpearmanCorrelation {
  n: number;
  rho: number;
  p: number;
}

/**
 * Spearman's rank correlation: the Pearson correlation of the average ranks of x and of y (ties
 * share the mean of their ranks), with a two-sided p-value from Student's t with n − 2 degrees of
 * freedom, t = rho · √((n − 2) / (1 − rho²)), p = 2 · P(T ≥ |t|) (the approximation of
 * `scipy.stats.spearmanr` and of R's `cor.test(method = "spearman", exact = FALSE)` without
 * continuity correction). When |rho| = 1 the p-value is 0. Undefined, and so null, with fewer than
 * three pairs or when either variable is constant.
 *
 * Reference: Zar J. H. (2010), Biostatistical Analysis, 5th ed., section 19.9; Kendall M. G.
 * (1948), Rank Correlation Methods.
 *
 * Cost: O(n log n) time for ranking, O(n) space.
 *
 * @param x the first variable
 * @param y the second variable, paired with x by position
 * @returns `{ n, rho, p }`, or null when the correlation is undefined
 * @throws {Error} if x and y differ in length or hold a value that is not a finite number
 * @example
 * spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]); // => { n: 5, rho: 0.8, p: 0.10408803866182788 } (approximately)
 */
export function spearman(x: readonly number[], y: readonly number[]): SpearmanCorrelation | null {
  if (x.length !== y.length) {
    throw new Error(`spearman requires x and y of equal length, got ${x.length} and ${y.length}`);
  }
  const n = x.length;
  const xRanks = averageRanks(x);
  const yRanks = averageRanks(y);
  if (n < 3) return null;
  // Every rank vector of n values has mean (n + 1) / 2, ties or not.
  const meanRank = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xRanks[i]! - meanRank;
    const dy = yRanks[i]! - meanRank;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  const rho = Math.min(1, Math.max(-1, sxy / Math.sqrt(sxx * syy)));
  if (Math.abs(rho) === 1) return { n, rho, p: 0 };
  const degreesOfFreedom = n - 2;
  const t = rho * Math.sqrt(degreesOfFreedom / (1 - rho * rho));
  // 2 · P(T ≤ −|t|) equals 2 · (1 − P(T ≤ |t|)) without losing small p-values to cancellation.
  const p = 2 * tCdf(-Math.abs(t), degreesOfFreedom);
  return { n, rho, p };
}
