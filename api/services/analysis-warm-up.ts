// The chart answer's code run on a generated cohort when a server starts, so that the first real
// answer runs code the JavaScript engine has already optimized. A fresh process computes its
// first answer for the 20,000-participant cohort in about 1.3–1.6 times the time of the next
// (measured: 780–940 ms against 470–550); after this warm-up the first takes 580–600 ms.
// A study of a few dozen participants (the demo) is too small to warm the code this way.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { allCharts } from '../../analysis/charts/index.ts';
import { analyzeCohortWithChartsInSteps } from '../../analysis/index.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { studyFactsFromBundle } from './bundle-facts.ts';
import { runInTurns } from './in-turns.ts';

/** Participants of the generated cohort: enough for the engine to optimize the analysis's loops. */
const WARM_UP_PARTICIPANTS = 2000;
/** Times its answer is computed. */
const WARM_UP_RUNS = 3;

/**
 * Compute the dashboard's answer (summary by site and every chart) for a generated cohort a few
 * times, and drop it: some 300 ms of work in all, in steps of a few tens of milliseconds, with
 * requests that come meanwhile answered between them.
 */
export async function warmChartAnalysis(): Promise<void> {
  await nextTurn();
  const { sites: _sites, ...facts } = studyFactsFromBundle(generateCohort({ seed: 1, participants: WARM_UP_PARTICIPANTS, code: 'WARM-UP' }));
  for (let run = 0; run < WARM_UP_RUNS; run++) {
    // In steps, as the server computes an answer (analysis-service.ts).
    const { summary, series } = await runInTurns(analyzeCohortWithChartsInSteps({ ...facts, by: 'site' }));
    allCharts(summary, series);
    await nextTurn();
  }
}
