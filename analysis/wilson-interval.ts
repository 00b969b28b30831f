// The Wilson score interval of a binomial proportion, one of the two intervals every Proportion carries.
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** The standard normal 97.5% quantile, qnorm(0.975) ≈ 1.959964, for a two-sided 95% interval. */
const Z_975 = normalQuantile(0.975, 0, 1);

/**
 * The 95% Wilson score interval for a proportion of `successes` out of `trials`, without
 * continuity correction (R's `prop.test(correct = FALSE)$conf.int`, statsmodels'
 * `proportion_confint(method = 'wilson')`, scipy's `binomtest(...).proportion_ci('wilson')`).
 * The bounds are clamped to [0, 1] against rounding, and are exactly 0 when there are no
 * successes and exactly 1 when every trial succeeds.
 *
 * Reference: Wilson E. B. (1927), "Probable inference, the law of succession, and statistical
 * inference", JASA 22(158):209–212; Newcombe R. G. (1998), Statistics in Medicine 17:857–872, method 3.
 *
 * Cost: O(1).
 *
 * @param successes number of successes, an integer from 0 to `trials`
 * @param trials number of trials, a positive integer
 * @returns `[lower, upper]`
 * @throws {Error} if the counts are not integers with 0 ≤ successes ≤ trials and trials ≥ 1
 * @example
 * wilsonInterval(1, 22); // => [0.00806942762126385, 0.21798045838657332] (approximately)
 */
export function wilsonInterval(successes: number, trials: number): [number, number] {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || trials < 1 || successes < 0 || successes > trials) {
    throw new Error(`wilsonInterval requires integers 0 ≤ successes ≤ trials and trials ≥ 1, got ${successes} of ${trials}`);
  }
  const estimate = successes / trials;
  const zSquared = Z_975 * Z_975;
  const denominator = 1 + zSquared / trials;
  const centre = (estimate + zSquared / (2 * trials)) / denominator;
  const halfWidth =
    (Z_975 / denominator) * Math.sqrt((estimate * (1 - estimate)) / trials + zSquared / (4 * trials * trials));
  const lower = successes === 0 ? 0 : Math.max(0, centre - halfWidth);
  const upper = successes === trials ? 1 : Math.min(1, centre + halfWidth);
  return [lower, upper];
}
