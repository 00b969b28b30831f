// The survey outbox's test study: participants whose scheduled survey comes due, and their
// stored addresses (sealed under the test's key, as the tracker stores them).
import { commandLineActor, type ChangeContext } from '../../api/services/access.ts';
import { putParticipantContact } from '../../api/services/participant-contact-service.ts';
import type { Db } from '../../db/kysely.ts';
import { smallBundle } from './bundles.ts';

export const TITLE = 'Scalp pigmentation follow-up';
export const emailOf = (code: string) => `${code.toLowerCase()}.person@example.net`;

function participant(code: string, sessionDate: string, withdrawnOn: string | null = null): any {
  return {
    code,
    site: 'LON',
    sex: 'male',
    birthYear: 1980,
    indication: 'androgenetic_alopecia',
    fitzpatrick: 2,
    keloidHistory: false,
    enrolledOn: '2019-12-01',
    withdrawnOn,
    withdrawalCause: withdrawnOn === null ? null : 'participant_choice',
    withdrawalReason: null,
    costUsd: null,
    sessions: [{ number: 1, kind: 'initial', date: sessionDate, durationMinutes: 120, practitioner: 'PR-A', pigmentLot: 'LOT-1', anesthesia: 'none' }],
    adverseEvents: [],
    fadingAssessments: [],
    surveys: [],
  };
}

/**
 * A study whose FU12 visit expects a survey (window 30 days before to 60 after, 365 days after
 * the session): P01–P04 treated on `treatedOn` (P04 gets no address in the tests), P05 too but
 * withdrawn, P06 treated on `laterTreatedOn` (with the defaults: windows open on 2020-12-15 and 2021-01-30).
 */
export function outboxBundle(code: string, treatedOn = '2020-01-15', laterTreatedOn = '2020-03-01') {
  const bundle = smallBundle(code);
  bundle.study.title = TITLE;
  Object.assign(bundle.study.protocol as Record<string, unknown>, {
    initialSessions: 1,
    touchUpAfterDays: null,
    visits: [{ code: 'FU12', label: '12-month review', monthsAfterFinalSession: 12, windowBeforeDays: 30, windowAfterDays: 60, expects: ['survey'] }],
  });
  bundle.participants = [
    participant('P01', treatedOn),
    participant('P02', treatedOn),
    participant('P03', treatedOn),
    participant('P04', treatedOn),
    participant('P05', treatedOn, '2020-06-01'),
    participant('P06', laterTreatedOn),
  ];
  return bundle;
}

export async function storeEmails(db: Db, code: string, participants: string[], key: Buffer, now: Date) {
  const change: ChangeContext = { actor: commandLineActor(), reason: null, requestId: null };
  for (const p of participants) await putParticipantContact(db, key, change, code, p, { email: emailOf(p) }, now);
}

