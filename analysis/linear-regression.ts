// Ordinary least squares of y on x, used for the trend of fading grade over follow-up months.
import { linearRegression as leastSquares, linearRegressionLine, rSquared } from 'simple-statistics';

/** A fitted line y = intercept + slope · x. The figures are null when the fit is undefined. */
export interface LinearFit {
  n: number;
  /** Null when n < 2 or x does not vary. */
  slope: number | null;
  /** Null when n < 2 or x does not vary. */
  intercept: number | null;
  /** Coefficient of determination; null when the slope is, or when y does not vary (0 / 0). */
  r2: number | null;
}

/**
 * Fits y = intercept + slope · x by ordinary least squares and reports the coefficient of
 * determination r² = 1 − SS_residual / SS_total (R's `summary(lm(y ~ x))$r.squared`,
 * `scipy.stats.linregress(x, y).rvalue ** 2`). With fewer than two points or a constant x the
 * line is not identified and every figure is null; with a constant y the line is flat and r²
 * (0 / 0) is null.
 *
 * Reference: Draper N. R. & Smith H. (1998), Applied Regression Analysis, 3rd ed., chapter 1.
 *
 * Cost: O(n) time and space.
 *
 * @param x the predictor values
 * @param y the response values, paired with x by position
 * @returns `{ n, slope, intercept, r2 }`
 * @throws {Error} if x and y differ in length or hold a value that is not a finite number
 * @example
 * linearRegression([0, 1, 2, 3], [1, 3, 2, 5]); // => { n: 4, slope: 1.1, intercept: 1.1, r2: 0.6914285714285714 } (approximately)
 */
export function linearRegression(x: readonly number[], y: readonly number[]): LinearFit {
  if (x.length !== y.length) {
    throw new Error(`linearRegression requires x and y of equal length, got ${x.length} and ${y.length}`);
  }
  const n = x.length;
  const points: Array<[number, number]> = new Array(n);
  let xVaries = false;
  let yVaries = false;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    if (!Number.isFinite(xi) || !Number.isFinite(yi)) {
      throw new Error(`linearRegression requires finite numbers, got (${xi}, ${yi})`);
    }
    if (xi !== x[0]) xVaries = true;
    if (yi !== y[0]) yVaries = true;
    points[i] = [xi, yi];
  }
  if (n < 2 || !xVaries) return { n, slope: null, intercept: null, r2: null };
  const line = leastSquares(points);
  const r2 = yVaries ? rSquared(points, linearRegressionLine(line)) : null;
  return { n, slope: line.m, intercept: line.b, r2 };
}
