// The summary's fading figures: latest grades, density scores, the grade trend and touch-up-free time.
import { describe } from './describe.ts';
import { kaplanMeier, type SurvivalObservation } from './kaplan-meier.ts';
import { kaplanMeierMedian } from './kaplan-meier-median.ts';
import { linearRegression } from './linear-regression.ts';
import { monthsSince } from './months-since.ts';
import type { ParticipantOutcome } from './participant-outcome.ts';
import { proportion } from './proportion.ts';
import { spearman } from './spearman.ts';
import type { CohortFigures, GradeKey } from './types.ts';

/**
 * Fading figures, all from follow-up assessments (on or after the final session):
 * - `latestGrade`: participants by the grade of their latest follow-up assessment (latest day;
 *   on a tied day the first in array order, i.e. the clinician's), every grade 0–4 present;
 * - `minimalOrNone`: latest grade ≤ 1, over participants with follow-up;
 * - `densityScore`: each participant's first and latest non-null density score described, and
 *   the change latest − first over participants whose first and latest fall on different days;
 * - `gradeTrend`: least squares of grade on months and Spearman's rho over every follow-up
 *   assessment (all assessors), computed over the points in (months, grade) order so that the
 *   figures do not depend on the order of the participants;
 * - `touchUpFree`: Kaplan–Meier of time to the first follow-up assessment needing a touch-up,
 *   censored at the latest follow-up assessment; participants without follow-up left out;
 * - `touchUpFreeMedian`: its median with the 95% log-log interval, as R's survfit prints them.
 *
 * Cost: O(p + a) time for p participants and a follow-up assessments, plus O(a log a) sorts.
 *
 * @param outcomes the participants' derived outcomes
 * @returns the `fading` block of the summary
 * @throws {Error} if a grade is not an integer from 0 to 4
 * @example
 * fadingFigures(outcomes).latestGrade; // => { '0': 1, '1': 2, '2': 0, '3': 1, '4': 0 }
 */
export function fadingFigures(outcomes: readonly ParticipantOutcome[]): Omit<CohortFigures['fading'], 'minimalOrNoneInWindow'> {
  const latestGrade: Record<GradeKey, number> = { '0': 0, '1': 0, '2': 0, '3': 0, '4': 0 };
  let followedUp = 0;
  let minimalOrNone = 0;
  const firstDensity: number[] = [];
  const latestDensity: number[] = [];
  const densityChange: number[] = [];
  // Each follow-up assessment as (whole days since the final session) × 8 + grade: one number whose
  // numeric order is the (months, grade) order, months being days / MONTH_DAYS.
  const pointKeys: number[] = [];
  let keysHold = true;
  const touchUpFree: SurvivalObservation[] = [];
  for (const outcome of outcomes) {
    const finalDay = outcome.finalSessionDay;
    if (finalDay === null) continue;
    for (const assessment of outcome.followUp) {
      const days = assessment.day - finalDay;
      const grade = assessment.grade;
      if (!(Number.isInteger(days) && days >= 0 && days <= MAX_POINT_DAYS && Number.isInteger(grade) && grade >= 0 && grade < POINT_GRADES)) {
        keysHold = false;
      }
      pointKeys.push(days * POINT_GRADES + grade);
    }
    const latest = outcome.latestFollowUp;
    if (latest === null) continue;
    followedUp++;
    latestGrade[gradeKey(latest.grade)]++;
    if (latest.grade <= 1) minimalOrNone++;
    if (outcome.firstDensity !== null) firstDensity.push(outcome.firstDensity.densityScore!);
    if (outcome.latestDensity !== null) latestDensity.push(outcome.latestDensity.densityScore!);
    if (outcome.densityPair !== null) densityChange.push(outcome.densityPair.latest - outcome.densityPair.first);
    if (outcome.touchUpFree !== null) touchUpFree.push(outcome.touchUpFree);
  }
  // In (months, grade) order, so that the sums, and so the figures to the last bit, do not depend
  // on the order participants come in (a de-identified copy analyses to exactly the same trend).
  const { months, grades } = keysHold ? pointsOfKeys(pointKeys) : pointsSorted(outcomes);
  const fit = linearRegression(months, grades);
  const rank = spearman(months, grades);
  return {
    latestGrade,
    minimalOrNone: proportion(minimalOrNone, followedUp),
    densityScore: { first: describe(firstDensity), latest: describe(latestDensity), change: describe(densityChange) },
    gradeTrend: {
      n: months.length,
      slopePerMonth: fit.slope,
      intercept: fit.intercept,
      r2: fit.r2,
      spearmanRho: rank === null ? null : rank.rho,
      spearmanP: rank === null ? null : rank.p,
    },
    touchUpFree: kaplanMeier(touchUpFree),
    touchUpFreeMedian: kaplanMeierMedian(touchUpFree),
  };
}

/** Grades a point key makes room for (0 to 7; fading grades are 0 to 4). */
const POINT_GRADES = 8;
/** The most days a point key holds: keys stay 32-bit integers (some 700,000 years). */
const MAX_POINT_DAYS = Math.floor(0x7fffffff / POINT_GRADES) - 1;

/**
 * The points of their keys, in (months, grade) order: a numeric sort of 32-bit integers, many
 * times faster than sorting objects with a comparator. Months are days / MONTH_DAYS, exactly as
 * `monthsSince` gives them, and distinct whole days give distinct, ordered months.
 */
function pointsOfKeys(keys: readonly number[]): { months: number[]; grades: number[] } {
  const sorted = Int32Array.from(keys).sort();
  const months = new Array<number>(sorted.length);
  const grades = new Array<number>(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    const key = sorted[i]!;
    const grade = key % POINT_GRADES;
    months[i] = monthsSince(0, (key - grade) / POINT_GRADES);
    grades[i] = grade;
  }
  return { months, grades };
}

/** The points in (months, grade) order by a comparator: for days or grades that are not whole numbers in range. */
function pointsSorted(outcomes: readonly ParticipantOutcome[]): { months: number[]; grades: number[] } {
  const points: Array<{ months: number; grade: number }> = [];
  for (const outcome of outcomes) {
    const finalDay = outcome.finalSessionDay;
    if (finalDay === null) continue;
    for (const assessment of outcome.followUp) points.push({ months: monthsSince(finalDay, assessment.day), grade: assessment.grade });
  }
  points.sort((a, b) => a.months - b.months || a.grade - b.grade);
  return { months: points.map((p) => p.months), grades: points.map((p) => p.grade) };
}

function gradeKey(grade: number): GradeKey {
  if (!Number.isInteger(grade) || grade < 0 || grade > 4) {
    throw new Error(`fading grade must be an integer from 0 to 4, got ${grade}`);
  }
  return String(grade) as GradeKey;
}
