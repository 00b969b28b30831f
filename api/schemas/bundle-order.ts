// The canonical order of a bundle's arrays, the order in which export writes them:
// sites, practitioners and participants by code; sessions by number; adverse events by onset
// date, category and term; fading assessments by date and assessor; surveys by date. Sorts are
// stable, so records equal in these keys keep the order they were given in.
import type { StudyBundle } from './bundle.ts';

const byKeys =
  <T>(...keys: Array<(item: T) => string | number>) =>
  (a: T, b: T): number => {
    for (const key of keys) {
      const x = key(a);
      const y = key(b);
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  };

type Participant = StudyBundle['participants'][number];

/** A participant's sessions in canonical order (a copy). */
export const sessionsInOrder = (sessions: Participant['sessions']): Participant['sessions'] => sessions.toSorted(byKeys((s) => s.number));

/** A copy of `bundle` with every array in canonical order. */
export function canonicalOrder(bundle: StudyBundle): StudyBundle {
  return {
    ...bundle,
    sites: bundle.sites.toSorted(byKeys((s) => s.code)),
    practitioners: bundle.practitioners.toSorted(byKeys((p) => p.code)),
    participants: bundle.participants.toSorted(byKeys((p) => p.code)).map((p) => ({
      ...p,
      sessions: sessionsInOrder(p.sessions),
      adverseEvents: p.adverseEvents.toSorted(
        byKeys(
          (e) => e.onsetDate,
          (e) => e.category,
          (e) => e.term,
        ),
      ),
      fadingAssessments: p.fadingAssessments.toSorted(
        byKeys(
          (a) => a.date,
          (a) => a.assessor,
        ),
      ),
      surveys: p.surveys.toSorted(byKeys((s) => s.date)),
    })),
  };
}
