// Import and export of study bundles. An import validates everything first, then writes the
// whole study in one transaction with COPY; on any error nothing is written. Export reads the
// study back into a bundle equal to the canonically ordered import.
import type { Insertable } from 'kysely';
import type { Db, DbTransaction } from '../../db/kysely.ts';
import type { Database } from '../../db/types.ts';
import { copyRecords, selectRecords } from '../../db/repositories/study-records-repository.ts';
import { deleteStudy, findStudyByCode, insertStudy, lockStudyCode } from '../../db/repositories/study-repository.ts';
import { AppError } from '../errors.ts';
import { BUNDLE_FORMAT, type Participant, type StudyBundle } from '../schemas/bundle.ts';
import { canonicalOrder } from '../schemas/bundle-order.ts';
import { formatProblem } from '../schemas/problems.ts';
import type { ImportResult } from '../schemas/responses.ts';
import { validateBundle } from '../schemas/validate-bundle.ts';
import { groupByParticipant } from './group-by-participant.ts';
import { protocolOf } from './study-service.ts';

export interface ImportOptions {
  /** Replace a study with the same code (atomically) instead of refusing. */
  replace?: boolean;
  /** Called as each table is loaded, for progress on long imports. */
  onProgress?: (step: ImportProgress) => void;
}

export interface ImportProgress {
  table: string;
  rows: number;
  tablesDone: number;
  tablesTotal: number;
}


/** Validate `input` as a bundle, or throw a validation AppError listing every problem. */
export function parseBundle(input: unknown): StudyBundle {
  const validation = validateBundle(input);
  if (!validation.ok) {
    const count = validation.problems.length;
    throw new AppError(
      'validation',
      `the bundle has ${count} problem${count === 1 ? '' : 's'}:\n${validation.problems.map(formatProblem).join('\n')}`,
      validation.problems,
    );
  }
  return validation.bundle;
}

/** Import a bundle (already parsed JSON, not yet validated) as one transaction. */
export async function importBundle(db: Db, input: unknown, options: ImportOptions = {}): Promise<ImportResult> {
  const bundle = canonicalOrder(parseBundle(input));
  const code = bundle.study.code;

  return db.transaction(async (trx) => {
    await lockStudyCode(trx.kysely, code);
    const existing = await findStudyByCode(trx.kysely, code);
    if (existing && !options.replace) {
      throw new AppError('conflict', `study ${code} already exists; import with --replace to replace it`, [
        { path: 'study.code', message: `study ${code} already exists` },
      ]);
    }
    if (existing) await deleteStudy(trx.kysely, existing.study_id);

    const { protocol } = bundle.study;
    const studyId = await insertStudy(trx.kysely, {
      code,
      title: bundle.study.title,
      initial_sessions: protocol.initialSessions,
      session_interval_days: protocol.sessionIntervalDays,
      interval_tolerance_days: protocol.intervalToleranceDays,
      touch_up_after_days: protocol.touchUpAfterDays,
      touch_up_tolerance_days: protocol.touchUpToleranceDays,
      follow_up_from_months: protocol.followUpMonths.from,
      follow_up_to_months: protocol.followUpMonths.to,
    });

    const loads = recordLoads(studyId, bundle);
    const counts: Record<string, number> = {};
    let tablesDone = 0;
    for (const load of loads) {
      const rows = await load(trx);
      counts[rows.table] = rows.count;
      tablesDone += 1;
      options.onProgress?.({ table: rows.table, rows: rows.count, tablesDone, tablesTotal: loads.length });
    }
    return { code, replaced: existing !== undefined, counts };
  });
}

type Load = (trx: DbTransaction) => Promise<{ table: string; count: number }>;
type RecordTable = Exclude<keyof Database, 'study'>;

/** One COPY per table, parents first; local numbers are canonical positions starting at 1. */
function recordLoads(studyId: number, bundle: StudyBundle): Load[] {
  const siteNo = new Map(bundle.sites.map((s, i) => [s.code, i + 1]));
  const practitionerNo = new Map(bundle.practitioners.map((p, i) => [p.code, i + 1]));
  const participants = bundle.participants.map((participant, i) => ({ participant, no: i + 1 }));
  const each = function* <T>(pick: (p: Participant) => T[]) {
    for (const { participant, no } of participants) {
      let n = 0;
      for (const item of pick(participant)) yield { no, n: ++n, item };
    }
  };
  const load =
    <T extends RecordTable>(table: T, rows: () => Iterable<Insertable<Database[T]>>): Load =>
    async (trx) => ({ table, count: await copyRecords(trx, table, rows()) });

  return [
    load('site', () => bundle.sites.map((s, i) => ({ study_id: studyId, site_no: i + 1, code: s.code, name: s.name }))),
    load('practitioner', () =>
      bundle.practitioners.map((p, i) => ({
        study_id: studyId,
        practitioner_no: i + 1,
        code: p.code,
        site_no: siteNo.get(p.site)!,
        years_experience: p.yearsExperience,
      })),
    ),
    load('participant', () =>
      participants.map(({ participant: p, no }) => ({
        study_id: studyId,
        participant_no: no,
        code: p.code,
        site_no: siteNo.get(p.site)!,
        sex: p.sex,
        birth_year: p.birthYear,
        indication: p.indication,
        fitzpatrick: p.fitzpatrick,
        keloid_history: p.keloidHistory,
        enrolled_on: p.enrolledOn,
        withdrawn_on: p.withdrawnOn,
        withdrawal_cause: p.withdrawalCause,
        withdrawal_reason: p.withdrawalReason,
        cost_usd: p.costUsd === null ? null : p.costUsd.toFixed(2),
      })),
    ),
    load('treatment_session', function* () {
      for (const { no, item: s } of each((p) => p.sessions)) {
        yield {
          study_id: studyId,
          participant_no: no,
          session_number: s.number,
          kind: s.kind,
          session_date: s.date,
          duration_minutes: s.durationMinutes,
          practitioner_no: practitionerNo.get(s.practitioner)!,
          pigment_lot: s.pigmentLot,
          anesthesia: s.anesthesia,
        };
      }
    }),
    load('adverse_event', function* () {
      for (const { no, n, item: e } of each((p) => p.adverseEvents)) {
        yield {
          study_id: studyId,
          participant_no: no,
          event_no: n,
          category: e.category,
          term: e.term,
          onset_date: e.onsetDate,
          resolved_date: e.resolvedDate,
          grade: e.grade,
          serious: e.serious,
          relatedness: e.relatedness,
          outcome: e.outcome,
          session_number: e.sessionNumber,
          solicited: e.solicited,
        };
      }
    }),
    load('fading_assessment', function* () {
      for (const { no, n, item: a } of each((p) => p.fadingAssessments)) {
        yield {
          study_id: studyId,
          participant_no: no,
          assessment_no: n,
          assessed_on: a.date,
          grade: a.grade,
          density_score: a.densityScore === null ? null : a.densityScore.toFixed(1),
          needs_touch_up: a.needsTouchUp,
          assessor: a.assessor,
        };
      }
    }),
    load('satisfaction_survey', function* () {
      for (const { no, n, item: s } of each((p) => p.surveys)) {
        yield {
          study_id: studyId,
          participant_no: no,
          survey_no: n,
          surveyed_on: s.date,
          satisfaction: s.satisfaction,
          would_recommend: s.wouldRecommend,
        };
      }
    }),
  ];
}

/** The study as a bundle, arrays in canonical order. */
export async function exportBundle(db: Db, code: string): Promise<StudyBundle> {
  // One snapshot: a replace that commits meanwhile is seen whole or not at all.
  const [study, sites, practitioners, participants, sessions, events, assessments, surveys] = await db.readSnapshot(async (kysely) => {
    const study = await findStudyByCode(kysely, code);
    if (!study) throw new AppError('not_found', `study ${code} does not exist`);
    const id = study.study_id;
    return [
      study,
      ...(await Promise.all([
        selectRecords(kysely, 'site', id),
        selectRecords(kysely, 'practitioner', id),
        selectRecords(kysely, 'participant', id),
        selectRecords(kysely, 'treatment_session', id),
        selectRecords(kysely, 'adverse_event', id),
        selectRecords(kysely, 'fading_assessment', id),
        selectRecords(kysely, 'satisfaction_survey', id),
      ])),
    ] as const;
  });
  const siteCode = new Map(sites.map((s) => [s.site_no, s.code]));
  const practitionerCode = new Map(practitioners.map((p) => [p.practitioner_no, p.code]));
  const sessionsOf = groupByParticipant(sessions, (s) => ({
    number: s.session_number,
    kind: s.kind as Participant['sessions'][number]['kind'],
    date: s.session_date,
    durationMinutes: s.duration_minutes,
    practitioner: practitionerCode.get(s.practitioner_no)!,
    pigmentLot: s.pigment_lot,
    anesthesia: s.anesthesia as Participant['sessions'][number]['anesthesia'],
  }));
  const eventsOf = groupByParticipant(events, (e) => ({
    category: e.category as Participant['adverseEvents'][number]['category'],
    term: e.term,
    onsetDate: e.onset_date,
    resolvedDate: e.resolved_date,
    grade: e.grade,
    serious: e.serious,
    relatedness: e.relatedness as Participant['adverseEvents'][number]['relatedness'],
    outcome: e.outcome as Participant['adverseEvents'][number]['outcome'],
    sessionNumber: e.session_number,
    solicited: e.solicited,
  }));
  const assessmentsOf = groupByParticipant(assessments, (a) => ({
    date: a.assessed_on,
    grade: a.grade,
    densityScore: a.density_score === null ? null : Number(a.density_score),
    needsTouchUp: a.needs_touch_up,
    assessor: a.assessor as Participant['fadingAssessments'][number]['assessor'],
  }));
  const surveysOf = groupByParticipant(surveys, (s) => ({
    date: s.surveyed_on,
    satisfaction: s.satisfaction,
    wouldRecommend: s.would_recommend,
  }));

  return {
    format: BUNDLE_FORMAT,
    study: {
      code: study.code,
      title: study.title,
      protocol: protocolOf(study),
    },
    sites: sites.map((s) => ({ code: s.code, name: s.name })),
    practitioners: practitioners.map((p) => ({
      code: p.code,
      site: siteCode.get(p.site_no)!,
      yearsExperience: p.years_experience,
    })),
    participants: participants.map((p) => ({
      code: p.code,
      site: siteCode.get(p.site_no)!,
      sex: p.sex as Participant['sex'],
      birthYear: p.birth_year,
      indication: p.indication as Participant['indication'],
      fitzpatrick: p.fitzpatrick,
      keloidHistory: p.keloid_history,
      enrolledOn: p.enrolled_on,
      withdrawnOn: p.withdrawn_on,
      withdrawalCause: p.withdrawal_cause as Participant['withdrawalCause'],
      withdrawalReason: p.withdrawal_reason,
      costUsd: p.cost_usd === null ? null : Number(p.cost_usd),
      sessions: sessionsOf.get(p.participant_no) ?? [],
      adverseEvents: eventsOf.get(p.participant_no) ?? [],
      fadingAssessments: assessmentsOf.get(p.participant_no) ?? [],
      surveys: surveysOf.get(p.participant_no) ?? [],
    })),
  };
}
