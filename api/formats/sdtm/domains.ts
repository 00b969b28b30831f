// The SDTM domains of a study, variable by variable (SDTMIG 3.4 naming): DM demographics, EX
// exposure (one record per session), AE adverse events, QS the satisfaction survey, and FA
// findings about the micropigmentation (fading grade, dot density, touch-up need). Study days
// are SDTM's: day 1 is RFSTDTC, the first session's date, and there is no day 0.
import type { Participant, StudyBundle } from '../../schemas/bundle.ts';
import { ageAtEnrolment, finalSessionDate, firstSessionDate, studyDay } from '../derived.ts';
import { AE_CATEGORY_CTCAE, AE_CATEGORY_LABELS, SATISFACTION_VALUE_LABELS } from '../vocabulary.ts';
import type { ExportWarning } from '../types.ts';
import type { DatasetJsonDataType, DatasetValue } from './dataset-json.ts';

export interface SdtmVariable<R> {
  name: string;
  label: string;
  dataType: DatasetJsonDataType;
  keySequence?: number;
  value: (row: R) => DatasetValue;
}

export interface SdtmDomain<R> {
  name: string;
  label: string;
  variables: ReadonlyArray<SdtmVariable<R>>;
  rows: (bundle: StudyBundle) => R[];
}

/** What every subject-level row knows: the study, the participant, their site's country and their reference start. */
interface Subject {
  studyCode: string;
  participant: Participant;
  usubjid: string;
  /** ISO 3166-1 alpha-3 code of the participant's site; null when the site has none. */
  country: string | null;
  rfstdtc: string | null;
}

const subjects = (bundle: StudyBundle): Subject[] => {
  const countries = new Map(bundle.sites.map((site) => [site.code, site.country]));
  return bundle.participants.map((participant) => ({
    studyCode: bundle.study.code,
    participant,
    usubjid: `${bundle.study.code}-${participant.site}-${participant.code}`,
    country: countries.get(participant.site) ?? null,
    rfstdtc: firstSessionDate(participant),
  }));
};

/**
 * What an SDTM export of the study lacks that SDTM requires: each site with participants but no
 * country, whose participants' DM.COUNTRY is then empty. The export is written all the same.
 */
export function sdtmWarnings(bundle: StudyBundle): ExportWarning[] {
  const participants = new Map<string, number>();
  for (const participant of bundle.participants) participants.set(participant.site, (participants.get(participant.site) ?? 0) + 1);
  return sdtmSiteWarnings(bundle.sites, participants);
}

/** sdtmWarnings from the number of participants at each site (by site code). */
export function sdtmSiteWarnings(sites: StudyBundle['sites'], participants: ReadonlyMap<string, number>): ExportWarning[] {
  return sites.flatMap((site, index) => {
    const count = participants.get(site.code) ?? 0;
    if (site.country !== null || count === 0) return [];
    return [
      {
        path: `sites[${index}].country`,
        message: `site ${site.code} has no country, so DM.COUNTRY (required by SDTM) is empty for its ${count} participant${count === 1 ? '' : 's'}; give the site its ISO 3166-1 alpha-3 country code`,
      },
    ];
  });
}

const YN = (value: boolean) => (value ? 'Y' : 'N');

function common<R extends { subject: Subject }>(domain: string): Array<SdtmVariable<R>> {
  return [
    { name: 'STUDYID', label: 'Study Identifier', dataType: 'string', keySequence: 1, value: (r) => r.subject.studyCode },
    { name: 'DOMAIN', label: 'Domain Abbreviation', dataType: 'string', value: () => domain },
    { name: 'USUBJID', label: 'Unique Subject Identifier', dataType: 'string', keySequence: 2, value: (r) => r.subject.usubjid },
  ];
}

/** Rows of each subject's records; `make` numbers its rows (--SEQ) on from the number it is given, 1 for a subject's first. */
function perSubject<T, R>(bundle: StudyBundle, records: (p: Participant) => readonly T[], make: (subject: Subject, record: T, seq: number) => R[]): R[] {
  const rows: R[] = [];
  for (const subject of subjects(bundle)) {
    let seq = 0;
    for (const record of records(subject.participant)) {
      for (const row of make(subject, record, seq + 1)) {
        rows.push(row);
        seq += 1;
      }
    }
  }
  return rows;
}

/** The latest date on record for a participant: the end of their participation when not withdrawn. */
function lastRecordedDate(p: Participant): string {
  const dates = [
    p.enrolledOn,
    ...p.sessions.map((s) => s.date),
    ...p.adverseEvents.flatMap((e) => [e.onsetDate, e.resolvedDate ?? e.onsetDate]),
    ...p.fadingAssessments.map((a) => a.date),
    ...p.surveys.map((s) => s.date),
  ];
  return dates.reduce((a, b) => (a > b ? a : b));
}

const SEX_CODES = { female: 'F', male: 'M', other: 'U', unknown: 'U' } as const;
export const ARM = { code: 'SMP', name: 'Scalp micropigmentation' } as const;

type DmRow = { subject: Subject };
export const DM: SdtmDomain<DmRow> = {
  name: 'DM',
  label: 'Demographics',
  rows: (bundle) => subjects(bundle).map((subject) => ({ subject })),
  variables: [
    ...common<DmRow>('DM'),
    { name: 'SUBJID', label: 'Subject Identifier for the Study', dataType: 'string', value: (r) => r.subject.participant.code },
    { name: 'RFSTDTC', label: 'Subject Reference Start Date/Time', dataType: 'date', value: (r) => r.subject.rfstdtc },
    { name: 'RFENDTC', label: 'Subject Reference End Date/Time', dataType: 'date', value: (r) => r.subject.participant.withdrawnOn ?? lastRecordedDate(r.subject.participant) },
    { name: 'RFXSTDTC', label: 'Date/Time of First Study Treatment', dataType: 'date', value: (r) => r.subject.rfstdtc },
    { name: 'RFXENDTC', label: 'Date/Time of Last Study Treatment', dataType: 'date', value: (r) => finalSessionDate(r.subject.participant) },
    { name: 'SITEID', label: 'Study Site Identifier', dataType: 'string', value: (r) => r.subject.participant.site },
    { name: 'BRTHDTC', label: 'Date/Time of Birth', dataType: 'string', value: (r) => String(r.subject.participant.birthYear) },
    { name: 'AGE', label: 'Age', dataType: 'integer', value: (r) => ageAtEnrolment(r.subject.participant) },
    { name: 'AGEU', label: 'Age Units', dataType: 'string', value: () => 'YEARS' },
    { name: 'SEX', label: 'Sex', dataType: 'string', value: (r) => SEX_CODES[r.subject.participant.sex] },
    { name: 'ARMCD', label: 'Planned Arm Code', dataType: 'string', value: () => ARM.code },
    { name: 'ARM', label: 'Description of Planned Arm', dataType: 'string', value: () => ARM.name },
    // SDTMIG 3.4: a subject assigned but never treated has no actual arm, and ARMNRS says why.
    { name: 'ACTARMCD', label: 'Actual Arm Code', dataType: 'string', value: (r) => (r.subject.rfstdtc === null ? null : ARM.code) },
    { name: 'ACTARM', label: 'Description of Actual Arm', dataType: 'string', value: (r) => (r.subject.rfstdtc === null ? null : ARM.name) },
    { name: 'ARMNRS', label: 'Reason Arm and/or Actual Arm is Null', dataType: 'string', value: (r) => (r.subject.rfstdtc === null ? 'ASSIGNED, NOT TREATED' : null) },
    { name: 'COUNTRY', label: 'Country', dataType: 'string', value: (r) => r.subject.country },
  ],
};

type ExRow = { subject: Subject; seq: number; session: Participant['sessions'][number] };
export const EX: SdtmDomain<ExRow> = {
  name: 'EX',
  label: 'Exposure',
  rows: (bundle) => perSubject(bundle, (p) => p.sessions, (subject, session, seq) => [{ subject, seq, session }]),
  variables: [
    ...common<ExRow>('EX'),
    { name: 'EXSEQ', label: 'Sequence Number', dataType: 'integer', keySequence: 3, value: (r) => r.seq },
    { name: 'EXTRT', label: 'Name of Treatment', dataType: 'string', value: () => 'SCALP MICROPIGMENTATION' },
    { name: 'EXCAT', label: 'Category of Treatment', dataType: 'string', value: (r) => (r.session.kind === 'initial' ? 'INITIAL SESSION' : 'TOUCH-UP SESSION') },
    { name: 'EXDOSFRM', label: 'Dose Form', dataType: 'string', value: () => 'SUSPENSION' },
    { name: 'EXROUTE', label: 'Route of Administration', dataType: 'string', value: () => 'INTRADERMAL' },
    { name: 'EXLOT', label: 'Lot Number', dataType: 'string', value: (r) => r.session.pigmentLot },
    { name: 'VISITNUM', label: 'Visit Number', dataType: 'integer', value: (r) => r.session.number },
    { name: 'VISIT', label: 'Visit Name', dataType: 'string', value: (r) => `SESSION ${r.session.number}` },
    { name: 'EXSTDTC', label: 'Start Date/Time of Treatment', dataType: 'date', value: (r) => r.session.date },
    { name: 'EXENDTC', label: 'End Date/Time of Treatment', dataType: 'date', value: (r) => r.session.date },
    { name: 'EXSTDY', label: 'Study Day of Start of Treatment', dataType: 'integer', value: (r) => studyDay(r.session.date, r.subject.rfstdtc) },
    { name: 'EXENDY', label: 'Study Day of End of Treatment', dataType: 'integer', value: (r) => studyDay(r.session.date, r.subject.rfstdtc) },
    { name: 'EXDUR', label: 'Duration of Treatment', dataType: 'string', value: (r) => `PT${r.session.durationMinutes}M` },
  ],
};

const AEREL = { not_related: 'NOT RELATED', unlikely: 'UNLIKELY RELATED', possible: 'POSSIBLY RELATED', probable: 'PROBABLY RELATED', definite: 'RELATED' } as const;
const AEOUT = {
  recovered: 'RECOVERED/RESOLVED',
  recovering: 'RECOVERING/RESOLVING',
  not_recovered: 'NOT RECOVERED/NOT RESOLVED',
  recovered_with_sequelae: 'RECOVERED/RESOLVED WITH SEQUELAE',
  fatal: 'FATAL',
  unknown: 'UNKNOWN',
} as const;

type AeRow = { subject: Subject; seq: number; event: Participant['adverseEvents'][number] };
export const AE: SdtmDomain<AeRow> = {
  name: 'AE',
  label: 'Adverse Events',
  rows: (bundle) => perSubject(bundle, (p) => p.adverseEvents, (subject, event, seq) => [{ subject, seq, event }]),
  variables: [
    ...common<AeRow>('AE'),
    { name: 'AESEQ', label: 'Sequence Number', dataType: 'integer', keySequence: 3, value: (r) => r.seq },
    { name: 'AETERM', label: 'Reported Term for the Adverse Event', dataType: 'string', value: (r) => r.event.term },
    { name: 'AEDECOD', label: 'Dictionary-Derived Term', dataType: 'string', value: (r) => AE_CATEGORY_CTCAE[r.event.category].term },
    { name: 'AECAT', label: 'Category for Adverse Event', dataType: 'string', value: (r) => AE_CATEGORY_LABELS[r.event.category].toUpperCase() },
    { name: 'AEPRESP', label: 'Pre-Specified Adverse Event', dataType: 'string', value: (r) => (r.event.solicited ? 'Y' : null) },
    { name: 'AEBODSYS', label: 'Body System or Organ Class', dataType: 'string', value: (r) => AE_CATEGORY_CTCAE[r.event.category].soc },
    { name: 'AESER', label: 'Serious Event', dataType: 'string', value: (r) => YN(r.event.serious) },
    { name: 'AETOXGR', label: 'Standard Toxicity Grade', dataType: 'string', value: (r) => String(r.event.grade) },
    { name: 'AEREL', label: 'Causality', dataType: 'string', value: (r) => AEREL[r.event.relatedness] },
    { name: 'AEOUT', label: 'Outcome of Adverse Event', dataType: 'string', value: (r) => AEOUT[r.event.outcome] },
    { name: 'AESTDTC', label: 'Start Date/Time of Adverse Event', dataType: 'date', value: (r) => r.event.onsetDate },
    { name: 'AEENDTC', label: 'End Date/Time of Adverse Event', dataType: 'date', value: (r) => r.event.resolvedDate },
    { name: 'AESTDY', label: 'Study Day of Start of Adverse Event', dataType: 'integer', value: (r) => studyDay(r.event.onsetDate, r.subject.rfstdtc) },
    { name: 'AEENDY', label: 'Study Day of End of Adverse Event', dataType: 'integer', value: (r) => studyDay(r.event.resolvedDate, r.subject.rfstdtc) },
  ],
};

/** A findings row (QS, FA): one test's result on one date. */
interface FindingRow {
  subject: Subject;
  seq: number;
  testcd: string;
  test: string;
  orres: string | null;
  stresc: string | null;
  stresn: number | null;
  date: string;
  /** Who evaluated (FAEVAL), for FA. */
  evaluator?: string;
}

function finding(subject: Subject, seq: number, date: string, testcd: string, test: string, result: { orres: string; stresc: string; stresn: number | null } | null, evaluator?: string): FindingRow {
  return {
    subject,
    seq,
    testcd,
    test,
    orres: result?.orres ?? null,
    stresc: result?.stresc ?? null,
    stresn: result?.stresn ?? null,
    date,
    ...(evaluator === undefined ? {} : { evaluator }),
  };
}

function findingVariables(domain: 'QS' | 'FA'): Array<SdtmVariable<FindingRow>> {
  const d = domain;
  return [
    ...common<FindingRow>(d),
    { name: `${d}SEQ`, label: 'Sequence Number', dataType: 'integer', keySequence: 3, value: (r) => r.seq },
    { name: `${d}TESTCD`, label: domain === 'QS' ? 'Question Short Name' : 'Findings About Test Short Name', dataType: 'string', value: (r) => r.testcd },
    { name: `${d}TEST`, label: domain === 'QS' ? 'Question Name' : 'Findings About Test Name', dataType: 'string', value: (r) => r.test },
    ...(domain === 'QS'
      ? [{ name: 'QSCAT', label: 'Category of Question', dataType: 'string', value: () => 'SMP SATISFACTION SURVEY' } as SdtmVariable<FindingRow>]
      : [{ name: 'FAOBJ', label: 'Object of the Observation', dataType: 'string', value: () => 'SCALP MICROPIGMENTATION' } as SdtmVariable<FindingRow>]),
    { name: `${d}ORRES`, label: 'Result or Finding in Original Units', dataType: 'string', value: (r) => r.orres },
    { name: `${d}STRESC`, label: 'Character Result/Finding in Std Format', dataType: 'string', value: (r) => r.stresc },
    { name: `${d}STRESN`, label: 'Numeric Result/Finding in Standard Units', dataType: 'double', value: (r) => r.stresn },
    { name: `${d}STAT`, label: 'Completion Status', dataType: 'string', value: (r) => (r.orres === null ? 'NOT DONE' : null) },
    ...(domain === 'FA' ? [{ name: 'FAEVAL', label: 'Evaluator', dataType: 'string', value: (r) => r.evaluator ?? null } as SdtmVariable<FindingRow>] : []),
    { name: `${d}DTC`, label: 'Date/Time of Collection', dataType: 'date', value: (r) => r.date },
    { name: `${d}DY`, label: 'Study Day of Collection', dataType: 'integer', value: (r) => studyDay(r.date, r.subject.rfstdtc) },
  ];
}

export const QS: SdtmDomain<FindingRow> = {
  name: 'QS',
  label: 'Questionnaires',
  rows: (bundle) =>
    perSubject(bundle, (p) => p.surveys, (subject, survey, seq) => [
      finding(subject, seq, survey.date, 'SMPSAT', 'Overall Satisfaction With SMP', {
        orres: SATISFACTION_VALUE_LABELS[survey.satisfaction]!,
        stresc: String(survey.satisfaction),
        stresn: survey.satisfaction,
      }),
      finding(
        subject,
        seq + 1,
        survey.date,
        'SMPREC',
        'Would Recommend SMP',
        survey.wouldRecommend === null ? null : { orres: survey.wouldRecommend ? 'Yes' : 'No', stresc: YN(survey.wouldRecommend), stresn: survey.wouldRecommend ? 1 : 0 },
      ),
    ]),
  variables: findingVariables('QS'),
};

const EVALUATORS = { clinician: 'INVESTIGATOR', panel: 'INDEPENDENT ASSESSOR', participant: 'STUDY SUBJECT' } as const;

export const FA: SdtmDomain<FindingRow> = {
  name: 'FA',
  label: 'Findings About Events or Interventions',
  rows: (bundle) =>
    perSubject(bundle, (p) => p.fadingAssessments, (subject, a, seq) => {
      const evaluator = EVALUATORS[a.assessor];
      return [
        finding(subject, seq, a.date, 'FADEGRD', 'Fading Grade', { orres: String(a.grade), stresc: String(a.grade), stresn: a.grade }, evaluator),
        finding(subject, seq + 1, a.date, 'DENSSCR', 'Dot Density Score', a.densityScore === null ? null : { orres: String(a.densityScore), stresc: String(a.densityScore), stresn: a.densityScore }, evaluator),
        finding(subject, seq + 2, a.date, 'TUNEED', 'Touch-up Needed', a.needsTouchUp === null ? null : { orres: YN(a.needsTouchUp), stresc: YN(a.needsTouchUp), stresn: null }, evaluator),
      ];
    }),
  variables: findingVariables('FA'),
};

export const SDTM_DOMAINS = [DM, EX, AE, QS, FA] as const;
