// The median of a Kaplan–Meier curve with its 95% log-log interval, as R's survival package prints it.
import type { SurvivalObservation } from './kaplan-meier.ts';
import type { KaplanMeierMedian } from './types.ts';

/** Fewer participants at risk than this at the median make it unstable: one event moves it far. */
export const UNSTABLE_MEDIAN_AT_RISK = 5;

/** qnorm(0.975), as R gives it. */
const Z_975 = 1.959963984540054;
/** survival:::quantile.survfit's default tolerance, sqrt(.Machine$double.eps). */
const TOLERANCE = Math.sqrt(Number.EPSILON);

/**
 * The median time of a Kaplan–Meier estimate and its 95% confidence interval, computed as
 * `quantile(survfit(Surv(time, event) ~ 1, conf.type = "log-log"), 0.5)` in R's survival package:
 * - pointwise limits from Greenwood's variance on the log-log scale,
 *   S^exp(±1.96·σ/log S) with σ² = Σ dᵢ / (nᵢ(nᵢ − dᵢ)), undefined where S is 0 or 1;
 * - the median is where 1 − S first reaches 0.5; when the curve rests at exactly 0.5 over a
 *   stretch, the midpoint of that stretch (to the last time observed when the curve ends there);
 * - the lower limit is where the lower pointwise curve reaches 0.5, the upper where the upper does;
 *   null when that curve never falls to 0.5 ("not reached").
 * `atRisk` is the number of subjects at risk when the curve first falls to 50% (the step the
 * median rests on), and the median is `unstable` when fewer than 5 are. (R's `print` shows the
 * time the curve reaches 0.5 when it ends there; `quantile`, followed here, the midpoint to the
 * last time observed.)
 *
 * Reference: Brookmeyer R. & Crowley J. (1982), "A confidence interval for the median survival
 * time", Biometrics 38(1):29–41; Therneau T. M., survival package (R), `quantile.survfit` and
 * `survfit_confint`.
 *
 * Cost: O(n log n) time for the sort, O(n) space.
 *
 * @param observations one entry per subject, in any order
 * @returns `{ months, lower, upper, atRisk, unstable }`
 * @throws {Error} if a time is not a finite number
 * @example
 * kaplanMeierMedian([1, 2, 3, 4, 5, 6].map((time, i) => ({ time, event: i !== 1 && i !== 4 })));
 * // => { months: 4, lower: 1, upper: null, atRisk: 3, unstable: true }
 */
export function kaplanMeierMedian(observations: ReadonlyArray<SurvivalObservation>): KaplanMeierMedian {
  for (const observation of observations) {
    if (!Number.isFinite(observation.time)) throw new Error(`kaplanMeierMedian requires finite times, got ${observation.time}`);
  }
  // Every time and the event times, each sorted ascending (typed arrays sort numerically and fast):
  // within a time only the number of events counts.
  const n = observations.length;
  let eventCount = 0;
  for (const observation of observations) if (observation.event) eventCount++;
  const sortedTimes = new Float64Array(n);
  const eventTimes = new Float64Array(eventCount);
  let eventIndex = 0;
  for (let i = 0; i < n; i++) {
    const observation = observations[i]!;
    sortedTimes[i] = observation.time;
    if (observation.event) eventTimes[eventIndex++] = observation.time;
  }
  sortedTimes.sort();
  eventTimes.sort();
  // survfit's table: one row per distinct time, censored times included.
  const times: number[] = [];
  /** The position in sortedTimes of each distinct time's first subject: n minus it are at risk. */
  const firstAt: number[] = [];
  const estimate: number[] = [];
  const lowerCurve: Array<number | null> = [];
  const upperCurve: Array<number | null> = [];
  let survival = 1;
  let greenwood = 0;
  let index = 0;
  eventIndex = 0;
  while (index < n) {
    const time = sortedTimes[index]!;
    const atRisk = n - index;
    firstAt.push(index);
    while (index < n && sortedTimes[index] === time) index++;
    let events = 0;
    while (eventIndex < eventCount && eventTimes[eventIndex] === time) {
      events++;
      eventIndex++;
    }
    survival *= 1 - events / atRisk;
    greenwood += events === atRisk ? Infinity : events / (atRisk * (atRisk - events));
    times.push(time);
    estimate.push(survival);
    if (survival === 0 || survival === 1) {
      lowerCurve.push(null);
      upperCurve.push(null);
    } else {
      const logS = Math.log(survival);
      const spread = (Z_975 * Math.sqrt(greenwood)) / logS;
      lowerCurve.push(Math.exp(-Math.exp(Math.log(-logS) - spread)));
      upperCurve.push(Math.exp(-Math.exp(Math.log(-logS) + spread)));
    }
  }
  const months = crossing(times, estimate);
  // At risk when the curve first falls to 50%: the participants the median rests on.
  const halfway = estimate.findIndex((value) => value <= 0.5 + TOLERANCE);
  const atRisk = months === null || halfway < 0 ? null : n - firstAt[halfway]!;
  return {
    months,
    lower: crossing(times, lowerCurve),
    upper: crossing(times, upperCurve),
    atRisk,
    unstable: atRisk !== null && atRisk < UNSTABLE_MEDIAN_AT_RISK,
  };
}

/**
 * Where a curve first reaches 0.5, by survival:::findq: x = (0, times), y = (0, 1 − curve), the
 * repeated y values dropped (keeping the first), and undefined points skipped.
 */
function crossing(times: readonly number[], curve: ReadonlyArray<number | null>): number | null {
  const p = 0.5;
  const x = [0, ...times];
  const y: Array<number | null> = [0, ...curve.map((value) => (value === null ? null : 1 - value))];
  const defined = y.filter((value): value is number => value !== null);
  if (Math.max(...defined) < p) return null;
  const lastTime = x[x.length - 1]!;
  const keptX: number[] = [];
  const keptY: Array<number | null> = [];
  const seen = new Set<number | null>();
  y.forEach((value, i) => {
    if (seen.has(value)) return;
    seen.add(value);
    keptX.push(x[i]!);
    keptY.push(value);
  });
  const firstAtLeast = (shift: number): number | null => {
    const last = lastDefined(keptY);
    if (last === null || p > last + shift) return null;
    for (let i = 0; i < keptY.length; i++) {
      const value = keptY[i];
      if (value !== null && value !== undefined && value + shift >= p) return i;
    }
    return null;
  };
  const reached = firstAtLeast(TOLERANCE);
  const passed = firstAtLeast(-TOLERANCE);
  const lastY = keptY[keptY.length - 1];
  if (lastY !== null && lastY !== undefined && Math.abs(p - lastY) < TOLERANCE) {
    return reached === null ? null : (keptX[reached]! + lastTime) / 2;
  }
  if (reached === null || passed === null) return null;
  return (keptX[reached]! + keptX[passed]!) / 2;
}

/** The largest defined value of a non-decreasing curve (R's approx range after dropping NAs). */
function lastDefined(values: ReadonlyArray<number | null>): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i]!;
  return null;
}
