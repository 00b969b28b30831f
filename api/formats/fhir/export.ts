// Bundle → a FHIR R4 Bundle of type `collection`: the ResearchStudy with a Location per site and
// a Practitioner per practitioner; per participant a Patient (gender and birth year only) and a
// ResearchSubject; a Procedure per session; an AdverseEvent per event, its suspect entity the
// session it followed; an Observation per fading assessment (grade, density and touch-up need as
// components); one Questionnaire and a QuestionnaireResponse per survey. Entries reference each
// other by `urn:uuid` fullUrls, UUIDs of version 5 named by the study and record keys, so two
// exports of one study are identical but for the Bundle's timestamp.
import { v5 as uuidV5 } from 'uuid';
import type { AdverseEvent, FadingAssessment, Participant, SatisfactionSurvey, StudyBundle, TreatmentSession } from '../../schemas/bundle.ts';
import { canonicalOrder } from '../../schemas/bundle-order.ts';
import type { FormatFile } from '../types.ts';
import {
  AE_CATEGORY_LABELS,
  ANESTHESIA_LABELS,
  ASSESSOR_LABELS,
  CTCAE_GRADE_LABELS,
  INDICATION_VALUE_LABELS,
  RELATEDNESS_LABELS,
  SATISFACTION_VALUE_LABELS,
  SESSION_KIND_LABELS,
} from '../vocabulary.ts';

/** Namespace of every UUID this export names (fixed: changing it would change every fullUrl). */
export const FHIR_UUID_NAMESPACE = 'e89def09-e7b6-458c-83da-4086e9e0282e';
/** Prefix of the tracker's own code systems and identifier systems. */
export const SYSTEM = 'urn:smp-outcomes-tracker:';

const HL7 = 'http://terminology.hl7.org/CodeSystem/';
type Json = Record<string, unknown>;

export interface FhirOptions {
  /** Bundle.timestamp; now unless given. */
  createdAt?: Date;
}

const coding = (system: string, code: string, display?: string) => ({ system, code, ...(display === undefined ? {} : { display }) });
const concept = (codings: Json[], text?: string) => ({ coding: codings, ...(text === undefined ? {} : { text }) });
const local = (name: string, code: string, display?: string) => coding(`${SYSTEM}${name}`, code, display);

const SEVERITY = (grade: number) => (grade === 1 ? 'mild' : grade === 2 ? 'moderate' : 'severe');
const OUTCOME = {
  recovered: 'resolved',
  recovering: 'recovering',
  not_recovered: 'ongoing',
  recovered_with_sequelae: 'resolvedWithSequelae',
  fatal: 'fatal',
  unknown: 'unknown',
} as const;
const OUTCOME_DISPLAY = { resolved: 'Resolved', recovering: 'Recovering', ongoing: 'Ongoing', resolvedWithSequelae: 'Resolved with Sequelae', fatal: 'Fatal', unknown: 'Unknown' } as const;
/** WHO-UMC causality terms; "not related" has none and is carried by the tracker's own coding alone. */
const CAUSALITY = { not_related: null, unlikely: 'Unlikely', possible: 'Possible', probable: 'Probably-Likely', definite: 'Certain' } as const;

type Entry = { fullUrl: string; resource: Json };

/**
 * The FHIR export of a study in parts: the entries of the study itself (its ResearchStudy,
 * Locations, Practitioners and, when any participant answered a survey, the Questionnaire), the
 * entries of each participant, and the Bundle around them. `head` is the study with its sites
 * and practitioners (its participants are not read).
 */
export function fhirParts(head: StudyBundle, hasSurveys: boolean) {
  const code = head.study.code;
  const url = (...key: Array<string | number>) => `urn:uuid:${uuidV5([code, ...key].join('/'), FHIR_UUID_NAMESPACE)}`;
  const ref = (...key: Array<string | number>) => ({ reference: url(...key) });
  const studyRef = ref('ResearchStudy');
  const questionnaireUrl = url('Questionnaire');
  const siteOfPractitioner = new Map(head.practitioners.map((p) => [p.code, p.site]));

  const headEntries = (): Entry[] => {
    const entries: Entry[] = [];
    const add = (fullUrl: string, resource: Json) => entries.push({ fullUrl, resource });
    const { protocol } = head.study;
    add(url('ResearchStudy'), {
      resourceType: 'ResearchStudy',
      identifier: [{ system: `${SYSTEM}study`, value: code }],
      title: head.study.title,
      status: 'active',
      description:
        `Protocol: ${protocol.initialSessions} initial sessions ${protocol.sessionIntervalDays} ± ${protocol.intervalToleranceDays} days apart` +
        (protocol.touchUpAfterDays === null ? ', no touch-up planned' : `, a touch-up ${protocol.touchUpAfterDays} ± ${protocol.touchUpToleranceDays} days after the last`) +
        `; follow-up ${protocol.followUpMonths.from} to ${protocol.followUpMonths.to} months after the final session` +
        (protocol.visits
          ? `; scheduled visits: ${protocol.visits
              .map((v) => `${v.code} (${v.label}) ${v.monthsAfterFinalSession} months after the final session, −${v.windowBeforeDays}/+${v.windowAfterDays} days, expecting ${v.expects.join(' and ')}`)
              .join('; ')}.`
          : '.'),
      site: head.sites.map((site) => ref('Location', site.code)),
      arm: [{ name: 'SMP', description: 'Scalp micropigmentation' }],
    });
    for (const site of head.sites) {
      add(url('Location', site.code), {
        resourceType: 'Location',
        identifier: [{ system: `${SYSTEM}site`, value: site.code }],
        status: 'active',
        name: site.name,
        // R4 takes an ISO 3166 two- or three-letter code here.
        ...(site.country === null ? {} : { address: { country: site.country } }),
      });
    }
    for (const practitioner of head.practitioners) {
      add(url('Practitioner', practitioner.code), { resourceType: 'Practitioner', identifier: [{ system: `${SYSTEM}practitioner`, value: practitioner.code }] });
    }
    if (hasSurveys) add(questionnaireUrl, questionnaire(questionnaireUrl));
    return entries;
  };

  const participantEntries = (participant: Participant): Entry[] => {
    const entries: Entry[] = [];
    const add = (fullUrl: string, resource: Json) => entries.push({ fullUrl, resource });
    const p = participant.code;
    const patient = ref('Patient', p);
    add(url('Patient', p), { resourceType: 'Patient', gender: participant.sex, birthDate: String(participant.birthYear) });
    add(url('ResearchSubject', p), researchSubject(participant, studyRef, patient));
    for (const session of participant.sessions) {
      add(url('Procedure', p, session.number), procedure(participant, session, patient, ref('Practitioner', session.practitioner), siteOfPractitioner.get(session.practitioner), ref));
    }
    participant.adverseEvents.forEach((event, index) => {
      const suspect = event.sessionNumber === null ? null : ref('Procedure', p, event.sessionNumber);
      add(url('AdverseEvent', p, index + 1), adverseEvent(event, patient, suspect, studyRef));
    });
    participant.fadingAssessments.forEach((assessment, index) => add(url('Observation', p, index + 1), observation(assessment, patient)));
    participant.surveys.forEach((survey, index) => add(url('QuestionnaireResponse', p, index + 1), questionnaireResponse(survey, patient, questionnaireUrl)));
    return entries;
  };

  /** The Bundle with `entry` last, for its entries to be written in place of the empty list. */
  const document = (createdAt: Date, entry: Entry[]) => ({
    resourceType: 'Bundle',
    identifier: { system: `${SYSTEM}study`, value: code },
    type: 'collection',
    timestamp: `${createdAt.toISOString().slice(0, 19)}Z`,
    entry,
  });

  return { headEntries, participantEntries, document };
}

export function writeFhir(input: StudyBundle, options: FhirOptions = {}): FormatFile[] {
  const bundle = canonicalOrder(input);
  const parts = fhirParts(bundle, bundle.participants.some((p) => p.surveys.length > 0));
  const entries = [...parts.headEntries(), ...bundle.participants.flatMap(parts.participantEntries)];
  const document = parts.document(options.createdAt ?? new Date(), entries);
  return [{ name: `${bundle.study.code}.fhir.json`, content: `${JSON.stringify(document, null, 1)}\n` }];
}

function researchSubject(participant: Participant, study: Json, patient: Json): Json {
  const withdrawn = participant.withdrawnOn !== null;
  return {
    resourceType: 'ResearchSubject',
    identifier: [{ system: `${SYSTEM}participant`, value: participant.code }],
    status: withdrawn ? 'withdrawn' : 'on-study',
    period: { start: participant.enrolledOn, ...(withdrawn ? { end: participant.withdrawnOn } : {}) },
    study,
    individual: patient,
    assignedArm: 'SMP',
    ...(participant.sessions.length > 0 ? { actualArm: 'SMP' } : {}),
  };
}

function procedure(participant: Participant, session: TreatmentSession, patient: Json, practitioner: Json, site: string | undefined, ref: (...key: Array<string | number>) => Json): Json {
  return {
    resourceType: 'Procedure',
    identifier: [{ system: `${SYSTEM}session`, value: `${participant.code}/${session.number}` }],
    status: 'completed',
    category: concept([local('session-kind', session.kind, SESSION_KIND_LABELS[session.kind])]),
    code: concept([local('procedure', 'scalp-micropigmentation', 'Scalp micropigmentation')], `Scalp micropigmentation, session ${session.number}`),
    subject: patient,
    performedDateTime: session.date,
    performer: [{ actor: practitioner }],
    ...(site === undefined ? {} : { location: ref('Location', site) }),
    reasonCode: [concept([local('indication', participant.indication, INDICATION_VALUE_LABELS[participant.indication])])],
    usedCode: [
      // A lot is free text (spaces allowed), which a FHIR code may not be: it goes in the text.
      { text: `Pigment lot ${session.pigmentLot}` },
      concept([local('anesthesia', session.anesthesia, ANESTHESIA_LABELS[session.anesthesia])], 'Anaesthesia'),
    ],
    note: [{ text: `Duration ${session.durationMinutes} minutes` }],
  };
}

function adverseEvent(event: AdverseEvent, patient: Json, suspect: Json | null, study: Json): Json {
  const outcome = OUTCOME[event.outcome];
  const causality = CAUSALITY[event.relatedness];
  return {
    resourceType: 'AdverseEvent',
    actuality: 'actual',
    event: concept([local('adverse-event-category', event.category, AE_CATEGORY_LABELS[event.category])], event.term),
    subject: patient,
    date: event.onsetDate,
    // R4's codes (case-sensitive); `serious` and `non-serious` are R5's.
    seriousness: concept([coding(`${HL7}adverse-event-seriousness`, event.serious ? 'Serious' : 'Non-serious', event.serious ? 'Serious' : 'Non-serious')]),
    severity: concept([
      coding(`${HL7}adverse-event-severity`, SEVERITY(event.grade)),
      local('ctcae-grade', String(event.grade), CTCAE_GRADE_LABELS[event.grade]),
    ]),
    outcome: concept([coding(`${HL7}adverse-event-outcome`, outcome, OUTCOME_DISPLAY[outcome])]),
    ...(suspect === null
      ? {}
      : {
          suspectEntity: [
            {
              instance: suspect,
              causality: [
                {
                  assessment: concept([
                    ...(causality === null ? [] : [coding(`${HL7}adverse-event-causality-assess`, causality)]),
                    local('relatedness', event.relatedness, RELATEDNESS_LABELS[event.relatedness]),
                  ]),
                },
              ],
            },
          ],
        }),
    study: [study],
  };
}

const absent = { dataAbsentReason: concept([coding(`${HL7}data-absent-reason`, 'not-performed', 'Not Performed')]) };

function observation(assessment: FadingAssessment, patient: Json): Json {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [concept([coding(`${HL7}observation-category`, 'exam', 'Exam')])],
    code: concept([local('observation', 'smp-fading-assessment', 'SMP fading assessment')]),
    subject: patient,
    effectiveDateTime: assessment.date,
    method: concept([local('assessor', assessment.assessor, ASSESSOR_LABELS[assessment.assessor])]),
    component: [
      { code: concept([local('observation', 'fading-grade', 'Fading grade (0 none … 4 marked)')]), valueInteger: assessment.grade },
      {
        code: concept([local('observation', 'density-score', 'Dot density score (0–10)')]),
        ...(assessment.densityScore === null ? absent : { valueQuantity: { value: assessment.densityScore, unit: 'score' } }),
      },
      {
        code: concept([local('observation', 'touch-up-needed', 'Touch-up needed')]),
        ...(assessment.needsTouchUp === null ? absent : { valueBoolean: assessment.needsTouchUp }),
      },
    ],
  };
}

function questionnaire(canonical: string): Json {
  return {
    resourceType: 'Questionnaire',
    url: canonical,
    title: 'SMP satisfaction survey',
    status: 'active',
    subjectType: ['Patient'],
    item: [
      {
        linkId: 'satisfaction',
        text: 'Overall, how satisfied are you with the result of your scalp micropigmentation?',
        type: 'choice',
        required: true,
        answerOption: Object.entries(SATISFACTION_VALUE_LABELS).map(([score, label]) => ({ valueCoding: local('satisfaction', score, label) })),
      },
      { linkId: 'would-recommend', text: 'Would you recommend scalp micropigmentation?', type: 'boolean' },
    ],
  };
}

function questionnaireResponse(survey: SatisfactionSurvey, patient: Json, questionnaireUrl: string): Json {
  return {
    resourceType: 'QuestionnaireResponse',
    questionnaire: questionnaireUrl,
    status: 'completed',
    subject: patient,
    authored: survey.date,
    item: [
      { linkId: 'satisfaction', answer: [{ valueCoding: local('satisfaction', String(survey.satisfaction), SATISFACTION_VALUE_LABELS[survey.satisfaction]) }] },
      ...(survey.wouldRecommend === null ? [] : [{ linkId: 'would-recommend', answer: [{ valueBoolean: survey.wouldRecommend }] }]),
    ],
  };
}
