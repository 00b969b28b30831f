// Descriptive statistics of one sample, the shape every continuous figure of the summary takes.
import { mean, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import type { Describe } from './types.ts';

/**
 * Describes a sample: its size, mean, sample standard deviation, median, first and third
 * quartiles, minimum and maximum. Quartiles and the median interpolate linearly between order
 * statistics (R's `quantile(type = 7)`, numpy's default, PostgreSQL's `percentile_cont`). The
 * standard deviation divides by n − 1 and is null for a single value. An empty sample gives
 * only `{ n: 0 }`.
 *
 * Reference: Hyndman R. J. & Fan Y. (1996), "Sample quantiles in statistical packages",
 * The American Statistician 50(4):361–365, definition 7.
 *
 * Cost: O(n log n) time for the sort, O(n) extra space; the input is not modified.
 *
 * @param values the sample, in any order
 * @returns `{ n: 0 }` when empty, otherwise every figure
 * @throws {Error} if a value is not a finite number
 * @example
 * describe([1, 2, 3, 4]);
 * // => { n: 4, mean: 2.5, sd: 1.2909944487358056, median: 2.5, q1: 1.75, q3: 3.25, min: 1, max: 4 }
 */
export function describe(values: readonly number[]): Describe {
  const n = values.length;
  if (n === 0) return { n: 0 };
  // A typed-array sort is numeric and several times faster than Array#sort with a comparator;
  // whole numbers (counts, minutes) sort faster still as 32-bit integers.
  let whole = true;
  for (let i = 0; i < n; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) throw new Error(`describe requires finite numbers, got ${value}`);
    if ((value | 0) !== value || Object.is(value, -0)) whole = false;
  }
  const ascending = whole ? Int32Array.from(values).sort() : Float64Array.from(values).sort();
  const sorted = new Array<number>(n);
  for (let i = 0; i < n; i++) sorted[i] = ascending[i]!;
  return {
    n,
    mean: mean(sorted),
    sd: n < 2 ? null : sampleStandardDeviation(sorted),
    median: quantileSorted(sorted, 0.5),
    q1: quantileSorted(sorted, 0.25),
    q3: quantileSorted(sorted, 0.75),
    min: sorted[0]!,
    max: sorted[n - 1]!,
  };
}
