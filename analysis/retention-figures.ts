// Retention by scheduled visit: of the participants with a schedule, how many did each visit,
// how many withdrew before it, and how many did neither.
import type { ParticipantOutcome } from './participant-outcome.ts';
import { proportion } from './proportion.ts';
import { visitsInOrder } from './schedule.ts';
import type { ProtocolFacts, VisitRetention } from './types.ts';

/**
 * For each visit of the protocol (in target order): the participants with at least one session
 * (those who have a schedule), and as proportions of them with 95% Wilson and Clopper–Pearson
 * intervals, those whose visit is done (every expected kind of record in its window), withdrawn
 * (withdrew on or before the window's last day without it) and not done (the rest: missed, or
 * not reached yet). Independent of the date: "done" and "withdrawn" need no "as of".
 *
 * Cost: O(p × v) for p participants and v visits.
 *
 * @param protocol the study's protocol, with its visits
 * @param outcomes the participants' derived outcomes (their `visitOutcomes`)
 * @returns one entry per visit; empty when the protocol schedules none
 * @example
 * retentionFigures(protocol, outcomes)[0].done; // => { n: 20, N: 22, proportion: 0.909…, wilson: […], exact: […] }
 */
export function retentionFigures(protocol: ProtocolFacts, outcomes: readonly ParticipantOutcome[]): VisitRetention[] {
  const visits = visitsInOrder(protocol);
  const done = new Array<number>(visits.length).fill(0);
  const withdrawn = new Array<number>(visits.length).fill(0);
  let scheduled = 0;
  for (const outcome of outcomes) {
    const statuses = outcome.visitOutcomes;
    if (statuses === null) continue;
    scheduled++;
    for (let v = 0; v < visits.length; v++) {
      if (statuses[v] === 'done') done[v]!++;
      else if (statuses[v] === 'withdrawn') withdrawn[v]!++;
    }
  }
  return visits.map((visit, v) => ({
    visit: visit.code,
    label: visit.label,
    monthsAfterFinalSession: visit.monthsAfterFinalSession,
    participants: scheduled,
    done: proportion(done[v]!, scheduled),
    notDone: proportion(scheduled - done[v]! - withdrawn[v]!, scheduled),
    withdrawn: proportion(withdrawn[v]!, scheduled),
  }));
}
