// Writes the touch-up-free observations (months, event) of the demo study and of a generated
// cohort as CSV files beside this script, the input of km-median.R:
//   npx tsx test/reference/touch-up-free-data.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { participantOutcome } from '../../analysis/participant-outcome.ts';
import { studyFactsFromBundle } from '../../api/services/bundle-facts.ts';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { parseBundle } from '../../api/services/study-bundle-service.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';

/** The demo study, as the reference and the test read it. */
export function demoBundle(): StudyBundle {
  return JSON.parse(readFileSync(new URL('../../fixtures/smp-2021.json', import.meta.url), 'utf8')) as StudyBundle;
}

/** The generated cohort the reference uses: 400 participants, four in five of them needing a touch-up. */
export function referenceCohort(): StudyBundle {
  return generateCohort({ seed: 15, participants: 400, code: 'GEN-KM', touchUpNeedRate: 0.8 });
}

/** Each followed-up participant's touch-up-free time and whether a touch-up was needed then. */
export async function touchUpFreeObservations(bundle: StudyBundle): Promise<Array<{ time: number; event: boolean }>> {
  const facts = studyFactsFromBundle(await parseBundle(bundle));
  return facts.participants.flatMap((p) => {
    const observation = participantOutcome(p, facts.protocol).touchUpFree;
    return observation === null ? [] : [observation];
  });
}

function csv(observations: Array<{ time: number; event: boolean }>): string {
  return ['months,event', ...observations.map((o) => `${o.time},${o.event ? 1 : 0}`)].join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('./touch-up-free-demo.csv', import.meta.url), csv(await touchUpFreeObservations(demoBundle())));
  writeFileSync(new URL('./touch-up-free-generated.csv', import.meta.url), csv(await touchUpFreeObservations(referenceCohort())));
}
