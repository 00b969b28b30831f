// The edit checks: the declared list of rules the server runs over a participant's records after
// every write of the participant. Each rule has an id, the message its automatic query opens with,
// and finds the fields it names by JSON path (`adverseEvents[2].outcome`). Pure: the participant,
// the protocol, the practitioners' sites and today in; findings out. Messages name no participant,
// date or free text, so a reviewer reads them as they are.
import { participantSchedule, treatmentSteps } from '../../analysis/schedule.ts';
import type { ProtocolFacts } from '../../analysis/types.ts';
import type { Participant } from '../schemas/bundle.ts';

/** What the rules read: the participant as stored after the write, and the study around it. */
export interface EditCheckInput {
  participant: Participant;
  protocol: ProtocolFacts;
  /** Each practitioner's site, by practitioner code. */
  practitionerSites: ReadonlyMap<string, string>;
  /** Today's date (YYYY-MM-DD), for the overdue rule. */
  today: string;
}

/** One thing a rule found: the path it names, and a key that stays the same while the finding lasts. */
export interface Finding {
  path: string;
  /** For a rule that names no record field, what distinguishes its findings (a visit's code); else the path. */
  key?: string;
  /** Words added to the rule's message (a visit's label); never an identifier or a date. */
  detail?: string;
}

export interface EditCheckRule {
  id: string;
  message: string;
  /** The path the rule names, in words, for the rules list. */
  names: string;
  check(input: EditCheckInput): Finding[];
}

const dayOf = (date: string) => Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);

/** Sessions with their days, in number order, as the schedule reads them. */
function scheduleSessions(participant: Participant) {
  return participant.sessions.map((s) => ({ day: dayOf(s.date), kind: s.kind }));
}

/** Every dated record of a participant, with its path. */
function datedRecords(participant: Participant): Array<{ path: string; date: string }> {
  return [
    ...participant.sessions.map((s, i) => ({ path: `sessions[${i}].date`, date: s.date })),
    ...participant.fadingAssessments.map((a, i) => ({ path: `fadingAssessments[${i}].date`, date: a.date })),
    ...participant.surveys.map((s, i) => ({ path: `surveys[${i}].date`, date: s.date })),
  ];
}

export const EDIT_CHECK_RULES: readonly EditCheckRule[] = [
  {
    id: 'visit-out-of-window',
    message: "A visit lies outside its protocol window: check the date against the source.",
    names: 'sessions[i].date (a treatment session outside its step’s window); fadingAssessments[i].date or surveys[i].date (in no follow-up visit’s window, when the protocol schedules visits)',
    check({ participant, protocol }) {
      const findings: Finding[] = [];
      for (const step of treatmentSteps(protocol, scheduleSessions(participant))) {
        if (step.session && (step.session.day < step.windowStart || step.session.day > step.windowEnd)) {
          findings.push({ path: `sessions[${step.session.number - 1}].date` });
        }
      }
      if ((protocol.visits ?? []).length > 0 && participant.sessions.length > 0) {
        const anchor = Math.max(...participant.sessions.map((s) => dayOf(s.date)));
        const schedule = participantSchedule(
          protocol,
          {
            sessions: scheduleSessions(participant),
            assessmentDays: participant.fadingAssessments.map((a) => dayOf(a.date)),
            surveyDays: participant.surveys.map((s) => dayOf(s.date)),
            withdrawnDay: participant.withdrawnOn ? dayOf(participant.withdrawnOn) : null,
          },
          anchor,
        );
        const unscheduled = new Set(schedule.unscheduled.map((r) => `${r.kind}:${r.day}`));
        participant.fadingAssessments.forEach((a, i) => {
          if (dayOf(a.date) > anchor && unscheduled.has(`fadingAssessment:${dayOf(a.date)}`)) findings.push({ path: `fadingAssessments[${i}].date` });
        });
        participant.surveys.forEach((s, i) => {
          if (dayOf(s.date) > anchor && unscheduled.has(`survey:${dayOf(s.date)}`)) findings.push({ path: `surveys[${i}].date` });
        });
      }
      return findings;
    },
  },
  {
    id: 'follow-up-overdue',
    message: 'An expected follow-up visit is overdue:',
    names: 'the participant (one query per overdue visit of the follow-up schedule)',
    check({ participant, protocol, today }) {
      const schedule = participantSchedule(
        protocol,
        {
          sessions: scheduleSessions(participant),
          assessmentDays: participant.fadingAssessments.map((a) => dayOf(a.date)),
          surveyDays: participant.surveys.map((s) => dayOf(s.date)),
          withdrawnDay: participant.withdrawnOn ? dayOf(participant.withdrawnOn) : null,
        },
        dayOf(today),
      );
      return schedule.steps
        .filter((step) => step.kind === 'visit' && step.status === 'overdue')
        .map((step) => ({ path: '', key: `visit:${step.step}`, detail: `${step.label} (${step.step})` }));
    },
  },
  {
    id: 'serious-event-without-outcome',
    message: 'A serious adverse event has no outcome recorded.',
    names: 'adverseEvents[i].outcome',
    check({ participant }) {
      return participant.adverseEvents.flatMap((e, i) => (e.serious && e.outcome === 'unknown' ? [{ path: `adverseEvents[${i}].outcome` }] : []));
    },
  },
  {
    id: 'event-unresolved-at-latest-contact',
    message: "An adverse event is still unresolved at the participant's latest contact: record its resolution or confirm it continues.",
    names: 'adverseEvents[i].resolvedDate',
    check({ participant }) {
      const latest = datedRecords(participant).reduce((max, r) => (r.date > max ? r.date : max), '');
      return participant.adverseEvents.flatMap((e, i) =>
        e.resolvedDate === null && latest > e.onsetDate ? [{ path: `adverseEvents[${i}].resolvedDate` }] : [],
      );
    },
  },
  {
    id: 'fading-grade-jump',
    message: 'The fading grade changes by 3 or more since the previous assessment.',
    names: 'fadingAssessments[i].grade (the later of the two)',
    check({ participant }) {
      const byDate = participant.fadingAssessments.map((a, i) => ({ a, i })).sort((x, y) => (x.a.date < y.a.date ? -1 : x.a.date > y.a.date ? 1 : x.i - y.i));
      const findings: Finding[] = [];
      for (let k = 1; k < byDate.length; k++) {
        if (Math.abs(byDate[k]!.a.grade - byDate[k - 1]!.a.grade) >= 3) findings.push({ path: `fadingAssessments[${byDate[k]!.i}].grade` });
      }
      return findings;
    },
  },
  {
    id: 'density-out-of-range',
    message: "A density score lies more than 5 points outside the range of the participant's other scores.",
    names: 'fadingAssessments[i].densityScore',
    check({ participant }) {
      const scored = participant.fadingAssessments.flatMap((a, i) => (a.densityScore === null || a.densityScore === undefined ? [] : [{ score: a.densityScore, i }]));
      return scored.flatMap(({ score, i }) => {
        const others = scored.filter((o) => o.i !== i).map((o) => o.score);
        if (others.length === 0) return [];
        const outside = score < Math.min(...others) - 5 || score > Math.max(...others) + 5;
        return outside ? [{ path: `fadingAssessments[${i}].densityScore` }] : [];
      });
    },
  },
  {
    id: 'dated-after-withdrawal',
    message: "A session, fading assessment or survey is dated after the participant's withdrawal.",
    names: 'sessions[i].date, fadingAssessments[i].date, surveys[i].date',
    check({ participant }) {
      const withdrawn = participant.withdrawnOn;
      if (!withdrawn) return [];
      return datedRecords(participant).flatMap((r) => (r.date > withdrawn ? [{ path: r.path }] : []));
    },
  },
  {
    id: 'practitioner-of-another-site',
    message: "A session was done by a practitioner of another site than the participant's.",
    names: 'sessions[i].practitioner',
    check({ participant, practitionerSites }) {
      return participant.sessions.flatMap((s, i) => {
        const site = practitionerSites.get(s.practitioner);
        return site !== undefined && site !== participant.site ? [{ path: `sessions[${i}].practitioner` }] : [];
      });
    },
  },
];

/** Every rule's findings for one participant. */
export function runEditChecks(input: EditCheckInput, rules: readonly EditCheckRule[] = EDIT_CHECK_RULES): Array<Finding & { rule: EditCheckRule }> {
  return rules.flatMap((rule) => rule.check(input).map((finding) => ({ ...finding, rule })));
}
