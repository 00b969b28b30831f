// Small hand-written bundles for tests: a valid base that each test bends one way.
import type { StudyBundleInput } from '../../api/schemas/bundle.ts';

/** A valid two-participant bundle with every kind of record, optional fields written out. */
export function smallBundle(code = 'TEST-1'): StudyBundleInput & { participants: any[]; sites: any[]; practitioners: any[] } {
  return {
    format: 'smp-study-bundle/1',
    study: {
      code,
      title: 'Small test cohort',
      protocol: {
        initialSessions: 3,
        sessionIntervalDays: 7,
        intervalToleranceDays: 3,
        touchUpAfterDays: 30,
        touchUpToleranceDays: 7,
        followUpMonths: { from: 7, to: 32 },
      },
    },
    sites: [
      { code: 'LON', name: 'London clinic' },
      { code: 'MAN', name: 'Manchester clinic' },
    ],
    practitioners: [
      { code: 'PR-A', site: 'LON', yearsExperience: 6 },
      { code: 'PR-B', site: 'MAN', yearsExperience: 0.5 },
    ],
    participants: [
      {
        code: 'P01',
        site: 'LON',
        sex: 'male',
        birthYear: 1981,
        indication: 'androgenetic_alopecia',
        fitzpatrick: 2,
        keloidHistory: false,
        enrolledOn: '2019-01-02',
        withdrawnOn: null,
        withdrawalCause: null,
        withdrawalReason: null,
        costUsd: 2800,
        sessions: [
          { number: 1, kind: 'initial', date: '2019-01-07', durationMinutes: 180, practitioner: 'PR-A', pigmentLot: 'LOT-1', anesthesia: 'topical' },
          { number: 2, kind: 'initial', date: '2019-01-14', durationMinutes: 150, practitioner: 'PR-A', pigmentLot: 'LOT-1', anesthesia: 'topical' },
          { number: 3, kind: 'initial', date: '2019-01-21', durationMinutes: 140, practitioner: 'PR-A', pigmentLot: 'LOT-1', anesthesia: 'topical' },
          { number: 4, kind: 'touch_up', date: '2019-02-20', durationMinutes: 120, practitioner: 'PR-A', pigmentLot: 'LOT-2', anesthesia: 'none' },
        ],
        adverseEvents: [
          {
            category: 'allergic_reaction',
            term: 'Pruritic erythema',
            onsetDate: '2019-01-08',
            resolvedDate: '2019-01-15',
            grade: 1,
            serious: false,
            relatedness: 'probable',
            outcome: 'recovered',
            sessionNumber: 1,
            solicited: true,
          },
        ],
        fadingAssessments: [
          { date: '2019-10-01', grade: 0, densityScore: 8.5, needsTouchUp: false, assessor: 'clinician' },
          { date: '2020-06-01', grade: 1, densityScore: 8.1, needsTouchUp: null, assessor: 'clinician' },
        ],
        surveys: [{ date: '2019-10-01', satisfaction: 5, wouldRecommend: true }],
      },
      {
        code: 'P02',
        site: 'MAN',
        sex: 'female',
        birthYear: 1975,
        indication: 'female_pattern_hair_loss',
        fitzpatrick: null,
        keloidHistory: false,
        enrolledOn: '2019-02-01',
        withdrawnOn: '2019-03-01',
        withdrawalCause: 'participant_choice',
        withdrawalReason: 'Moved abroad',
        costUsd: null,
        sessions: [
          { number: 1, kind: 'initial', date: '2019-02-04', durationMinutes: 200, practitioner: 'PR-B', pigmentLot: 'LOT-1', anesthesia: 'local' },
        ],
        adverseEvents: [],
        fadingAssessments: [],
        surveys: [],
      },
    ],
  };
}
