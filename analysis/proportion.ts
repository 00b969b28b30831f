// A count out of a denominator with both of its 95% intervals: the shape of every rate in the summary.
import { clopperPearsonInterval } from './clopper-pearson-interval.ts';
import type { Proportion } from './types.ts';
import { wilsonInterval } from './wilson-interval.ts';

/**
 * The proportion `n / N` with its 95% Wilson score interval (no continuity correction) and its
 * 95% Clopper–Pearson exact interval. With an empty denominator (N = 0) the proportion and both
 * intervals are null, so a subgroup without, say, any respondent still reports `0 of 0`.
 *
 * Reference: Newcombe R. G. (1998), "Two-sided confidence intervals for the single proportion:
 * comparison of seven methods", Statistics in Medicine 17:857–872 (methods 3 and 5).
 *
 * Cost: O(1).
 *
 * @param n the count, an integer from 0 to N
 * @param N the denominator, a non-negative integer
 * @returns `{ n, N, proportion, wilson, exact }`
 * @throws {Error} if n or N is not an integer, n < 0, or n > N
 * @example
 * proportion(1, 22);
 * // => { n: 1, N: 22, proportion: 0.0454..., wilson: [0.0080694..., 0.2179805...], exact: [0.0011501..., 0.2284443...] }
 */
export function proportion(n: number, N: number): Proportion {
  if (!Number.isInteger(n) || !Number.isInteger(N)) {
    throw new Error(`proportion requires integer counts, got ${n} of ${N}`);
  }
  if (n < 0) throw new Error(`proportion requires a non-negative count, got ${n}`);
  if (n > N) throw new Error(`proportion requires the count (${n}) not to exceed the denominator (${N})`);
  if (N === 0) return { n, N, proportion: null, wilson: null, exact: null };
  return { n, N, proportion: n / N, wilson: wilsonInterval(n, N), exact: clopperPearsonInterval(n, N) };
}
