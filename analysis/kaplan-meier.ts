// The Kaplan–Meier product-limit estimate, used for how long participants stay free of a touch-up need.
import type { KaplanMeier, KaplanMeierStep } from './types.ts';

/** One subject: the time of the event, or of censoring when `event` is false. */
export interface SurvivalObservation {
  time: number;
  event: boolean;
}

/**
 * The Kaplan–Meier estimate of the survival function S(t) = ∏ (1 − dᵢ / nᵢ) over event times
 * tᵢ ≤ t, where dᵢ is the number of events at tᵢ and nᵢ the number still at risk (time ≥ tᵢ).
 * There is one step per distinct event time. Times with only censorings make no step but leave
 * the risk set after them; a subject censored at an event time counts as at risk at it (events
 * before censorings at tied times, as in R's `survfit` and every textbook table). The median is
 * the first event time at which S(t) ≤ 0.5, or null if S never falls that far. (R's
 * `survfit` instead takes the midpoint to the next event time when S is exactly 0.5 on a
 * plateau; this function does not: `kaplanMeierMedian` does.) `lastMonths` is the longest time observed, event or
 * censoring: the curve is defined up to it, and a plot draws its last plateau that far.
 *
 * Reference: Kaplan E. L. & Meier P. (1958), "Nonparametric estimation from incomplete
 * observations", JASA 53(282):457–481; worked example: Freireich et al. (1963) 6-MP data in
 * Kleinbaum D. G. & Klein M. (2012), Survival Analysis: A Self-Learning Text, 3rd ed., chapter 2.
 *
 * Cost: O(n log n) time for the sort, O(n) space; the input is not modified.
 *
 * @param observations one entry per subject, in any order
 * @returns `{ n, events, median, steps, lastMonths }`
 * @throws {Error} if a time is not a finite number
 * @example
 * kaplanMeier([{ time: 1, event: true }, { time: 2, event: false }, { time: 3, event: true }]);
 * // => { n: 3, events: 2, median: 3, steps: [
 * //   { months: 1, atRisk: 3, events: 1, survival: 0.6666666666666667 },
 * //   { months: 3, atRisk: 1, events: 1, survival: 0 } ], lastMonths: 3 }
 */
export function kaplanMeier(observations: ReadonlyArray<SurvivalObservation>): KaplanMeier {
  const n = observations.length;
  let totalEvents = 0;
  for (const observation of observations) {
    if (!Number.isFinite(observation.time)) throw new Error(`kaplanMeier requires finite times, got ${observation.time}`);
    if (observation.event) totalEvents++;
  }
  // Every time and the event times, each sorted ascending (typed arrays sort numerically and fast).
  const times = new Float64Array(n);
  const eventTimes = new Float64Array(totalEvents);
  let eventIndex = 0;
  observations.forEach((observation, index) => {
    times[index] = observation.time;
    if (observation.event) eventTimes[eventIndex++] = observation.time;
  });
  times.sort();
  eventTimes.sort();

  const steps: KaplanMeierStep[] = [];
  let survival = 1;
  let median: number | null = null;
  let leftRiskSet = 0; // subjects whose time is before the current event time
  let start = 0;
  while (start < totalEvents) {
    const time = eventTimes[start]!;
    let end = start + 1;
    while (end < totalEvents && eventTimes[end] === time) end++;
    while (leftRiskSet < n && times[leftRiskSet]! < time) leftRiskSet++;
    const atRisk = n - leftRiskSet;
    const events = end - start;
    survival *= 1 - events / atRisk;
    steps.push({ months: time, atRisk, events, survival });
    if (median === null && survival <= 0.5) median = time;
    start = end;
  }
  return { n, events: totalEvents, median, steps, lastMonths: n === 0 ? null : times[n - 1]! };
}
