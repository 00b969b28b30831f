// The Clopper–Pearson "exact" interval of a binomial proportion, the other interval every Proportion carries.
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';

/**
 * The 95% Clopper–Pearson exact interval for a proportion of `successes` out of `trials`, from
 * beta quantiles: lower = B(0.025; x, n − x + 1), upper = B(0.975; x + 1, n − x), with the lower
 * bound 0 when x = 0 and the upper bound 1 when x = n (R's `binom.test(x, n)$conf.int`, scipy's
 * `binomtest(x, n).proportion_ci(method = 'exact')`).
 *
 * Reference: Clopper C. J. & Pearson E. S. (1934), "The use of confidence or fiducial limits
 * illustrated in the case of the binomial", Biometrika 26(4):404–413.
 *
 * Cost: O(1) calls of the inverse regularised incomplete beta function.
 *
 * @param successes number of successes, an integer from 0 to `trials`
 * @param trials number of trials, a positive integer
 * @returns `[lower, upper]`
 * @throws {Error} if the counts are not integers with 0 ≤ successes ≤ trials and trials ≥ 1
 * @example
 * clopperPearsonInterval(1, 22); // => [0.0011501475..., 0.2284443...]
 */
export function clopperPearsonInterval(successes: number, trials: number): [number, number] {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || trials < 1 || successes < 0 || successes > trials) {
    throw new Error(
      `clopperPearsonInterval requires integers 0 ≤ successes ≤ trials and trials ≥ 1, got ${successes} of ${trials}`,
    );
  }
  const lower = successes === 0 ? 0 : betaQuantile(0.025, successes, trials - successes + 1);
  const upper = successes === trials ? 1 : betaQuantile(0.975, successes + 1, trials - successes);
  return [lower, upper];
}
