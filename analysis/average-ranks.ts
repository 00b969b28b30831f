// Ranks with ties shared, the first step of Spearman's correlation.
/**
 * Ranks values from 1 (smallest) to n, giving tied values the mean of the ranks they span
 * (R's `rank(ties.method = "average")`, `scipy.stats.rankdata(method = 'average')`).
 *
 * Reference: Kendall M. G. (1948), Rank Correlation Methods, chapter 3 (mid-ranks for ties).
 *
 * Cost: O(n log n) time (a sort, then one binary search per value), O(n) space.
 *
 * @param values the values to rank, in any order
 * @returns the rank of each value, by position
 * @throws {Error} if a value is not a finite number
 * @example
 * averageRanks([10, 20, 10, 30]); // => [1.5, 3, 1.5, 4]
 */
export function averageRanks(values: readonly number[]): number[] {
  const n = values.length;
  const sorted = new Float64Array(n);
  let ascending = true;
  for (let i = 0; i < n; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) throw new Error(`averageRanks requires finite numbers, got ${value}`);
    if (i > 0 && value < values[i - 1]!) ascending = false;
    sorted[i] = value;
  }
  // Values already in ascending order (a trend's months) are their own sorted order: each run of
  // equal values gets its mean rank, with no sort and no search.
  if (ascending) {
    const ranks = new Array<number>(n);
    let start = 0;
    while (start < n) {
      let end = start + 1;
      while (end < n && sorted[end] === sorted[start]) end++;
      const rank = (start + 1 + end) / 2;
      for (let i = start; i < end; i++) ranks[i] = rank;
      start = end;
    }
    return ranks;
  }
  sorted.sort();
  // A run of equal values at sorted positions start..end-1 holds ranks start+1..end, whose mean
  // (start + 1 + end) / 2 is stored at the run's first position.
  const runRank = new Float64Array(n);
  let start = 0;
  while (start < n) {
    const value = sorted[start]!;
    let end = start + 1;
    while (end < n && sorted[end] === value) end++;
    runRank[start] = (start + 1 + end) / 2;
    start = end;
  }
  const ranks = new Array<number>(n);
  for (let i = 0; i < n; i++) ranks[i] = runRank[firstPositionOf(sorted, values[i]!)]!;
  return ranks;
}

/** The first position of `value` in ascending `sorted`, by binary search (value is present). */
function firstPositionOf(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
