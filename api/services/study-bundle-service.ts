// Import and export of study bundles. An import validates everything first, then writes the
// whole study in one transaction with COPY, with its audit record; on any error nothing is
// written. A replace keeps the study's identity (its grants, key and audit trail) and swaps
// its records. Export reads the study back into a bundle in canonical order.
import { randomBytes } from 'node:crypto';
import { sql, type Insertable, type Kysely } from 'kysely';
import type { Database, Db, DbTransaction } from '../../db/kysely.ts';
import { notifyStudyLoaded } from '../../db/repositories/server-state-repository.ts';
import { copyRecords, selectRecords, type RecordTable } from '../../db/repositories/study-records-repository.ts';
import {
  deleteStudyRecords,
  findStudyByCode,
  insertStudy,
  insertStudySecret,
  lockStudy,
  lockStudyCode,
  nextVersion,
  selectStudySecret,
  updateStudy,
  type StudyRow,
} from '../../db/repositories/study-repository.ts';
import { AppError } from '../errors.ts';
import { BUNDLE_FORMAT, Study, type Participant, type StudyBundle } from '../schemas/bundle.ts';
import { canonicalOrder } from '../schemas/bundle-order.ts';
import { countOf, type Problem } from '../schemas/problems.ts';
import { JsonBodyBytes, jsonFailureError } from '../json-input.ts';
import { validateOffThread } from './workers/validate-off-thread.ts';
import type { ImportResult } from '../schemas/responses.ts';
import { validateBundle } from '../schemas/validate-bundle.ts';
import { commandLineChange, reachesSite, requireImportRole, requireStudyScope, studyScope, type Actor, type ChangeContext } from './access.ts';
import { recordChange } from './audit-service.ts';
import { deidentifyBundle, pseudonym } from './deidentify.ts';
import { groupByParticipant } from './group-by-participant.ts';
import {
  adverseEventFromRow,
  adverseEventRow,
  assessmentFromRow,
  assessmentRow,
  participantFromRow,
  participantRow,
  practitionerFromRow,
  practitionerRow,
  sessionFromRow,
  sessionRow,
  siteFromRow,
  siteRow,
  surveyFromRow,
  protocolColumns,
  protocolOf,
  surveyRow,
} from './record-mapping.ts';
import { assertStudyUnlocked } from './participant-lock-service.ts';
import { invalidateStudySignatures } from './signature-service.ts';

export interface ImportOptions {
  /** Replace a study with the same code (atomically) instead of refusing. */
  replace?: boolean;
  /** Called as each table is loaded, for progress on long imports. */
  onProgress?: (step: ImportProgress) => void;
  /** Who imports, why, and in which request (default: the command line). */
  change?: ChangeContext;
  /**
   * Import the study under this code instead of its own: the code is changed before the
   * study is checked and written, everything else stays as it is (a study copied as a new one).
   */
  code?: string;
  /** How the caller says "replace" and "another code", for the conflict's message (default: the command line's options). */
  conflictHint?: string;
}

/** The command line's way out of a code that is taken. */
export const COMMAND_LINE_CONFLICT_HINT = 'import with --replace to replace it';

/**
 * The bundle with its study code changed to `code`, or a validation error naming `field` when
 * `code` is not a study code. The study code is held once, in study.code.
 */
export function withStudyCode(bundle: StudyBundle, code: string, field = 'code'): StudyBundle {
  const checked = Study.shape.code.safeParse(code);
  if (!checked.success) {
    const message = checked.error.issues[0]?.message ?? 'is not a valid study code';
    throw new AppError('validation', `${field}: ${message}`, [{ path: field, message }]);
  }
  return { ...bundle, study: { ...bundle.study, code: checked.data } };
}

export interface ImportProgress {
  table: string;
  rows: number;
  tablesDone: number;
  tablesTotal: number;
}


/**
 * Validate `input` as a bundle, or throw a validation AppError with the problems (the first
 * 1,000 in document order, and how many more). A large request body still in bytes is read and
 * validated on a worker thread, so the server keeps answering meanwhile.
 */
export async function parseBundle(input: unknown): Promise<StudyBundle> {
  if (input instanceof JsonBodyBytes) {
    const answer = await validateOffThread(input.bytes);
    if (answer.kind === 'unreadable') throw jsonFailureError(answer.failure, 'the request body', '(body)');
    if (answer.kind === 'invalid') throw bundleProblemsError(answer.problems, answer.problemsOmitted);
    return JSON.parse(answer.json) as StudyBundle;
  }
  const validation = validateBundle(input);
  if (!validation.ok) throw bundleProblemsError(validation.problems, validation.problemsOmitted);
  return validation.bundle;
}

function bundleProblemsError(problems: Problem[], problemsOmitted: number): AppError {
  const count = problems.length + problemsOmitted;
  return new AppError('validation', `the bundle has ${countOf(count, 'problem')}`, problems, { problemsOmitted, summarizes: true });
}

/** Import a bundle (already parsed JSON, not yet validated) as one transaction. */
export async function importBundle(db: Db, input: unknown, options: ImportOptions = {}): Promise<ImportResult> {
  const change = options.change ?? commandLineChange();
  requireImportRole(change.actor);
  const parsed = await parseBundle(input);
  const bundle = canonicalOrder(options.code === undefined ? parsed : withStudyCode(parsed, options.code));
  const code = bundle.study.code;
  // Only an administrator creates studies; a researcher may replace a study granted to them.
  // Anyone else is refused alike, whether or not the study exists, so that existence does not leak.
  const scope = studyScope(change.actor, code);
  if (change.actor.role !== 'admin' && !scope?.writeStudy) {
    throw new AppError('forbidden', `your role may not import study ${code}: only an administrator creates studies, and a researcher replaces those granted to them`);
  }

  const result = await db.transaction(async (trx) => {
    await lockStudyCode(trx.kysely, code);
    const existing = await lockStudy(trx.kysely, code, 'update');
    if (existing && !options.replace) {
      throw new AppError('conflict', `study ${code} already exists; ${options.conflictHint ?? COMMAND_LINE_CONFLICT_HINT}`, [
        { path: 'study.code', message: `study ${code} already exists` },
      ]);
    }
    if (!existing && change.actor.role !== 'admin') {
      throw new AppError('forbidden', `only an administrator may create a study (study ${code} does not exist)`);
    }
    const version = await nextVersion(trx.kysely);
    const studyColumns = { title: bundle.study.title, ...protocolColumns(bundle.study.protocol), version };
    let studyId: number;
    let key: Uint8Array;
    let replaced: { bundle: StudyBundle; counts: Record<string, number> } | undefined;
    if (existing) {
      await assertStudyUnlocked(trx.kysely, code);
      await invalidateStudySignatures(trx.kysely, change, code);
      const before = await readBundle(trx.kysely, existing);
      replaced = { bundle: before, counts: bundleCounts(before) };
      studyId = existing.study_id;
      await deleteStudyRecords(trx.kysely, studyId);
      await updateStudy(trx.kysely, studyId, { ...studyColumns, imported_at: new Date().toISOString() });
      key = await selectStudySecret(trx.kysely, studyId);
    } else {
      studyId = await insertStudy(trx.kysely, { code, ...studyColumns });
      key = randomBytes(32);
      await insertStudySecret(trx.kysely, studyId, key);
    }

    const loads = recordLoads({ studyId, version, key }, bundle);
    const counts: Record<string, number> = {};
    let tablesDone = 0;
    for (const load of loads) {
      const rows = await load(trx);
      counts[rows.table] = rows.count;
      tablesDone += 1;
      options.onProgress?.({ table: rows.table, rows: rows.count, tablesDone, tablesTotal: loads.length });
    }
    await recordChange(trx.kysely, change, {
      action: existing ? 'replace' : 'import',
      entity: 'study',
      key: code,
      studyCode: code,
      siteCodes: [...new Set([...bundle.sites.map((s) => s.code), ...(replaced?.bundle.sites.map((s) => s.code) ?? [])])],
      before: replaced ? { title: replaced.bundle.study.title, counts: replaced.counts, countsBySite: siteCounts(replaced.bundle) } : null,
      after: { title: bundle.study.title, counts: bundleCounts(bundle), countsBySite: siteCounts(bundle) },
      ...(replaced ? { replacedBundle: replaced.bundle } : {}),
    });
    return { code, replaced: existing !== undefined, counts };
  });
  await refreshStatistics(db, result.counts);
  // After the statistics: a server that hears it computes the study's first dashboard answer,
  // whichever process (or `smp import` on the command line) loaded the study.
  await notifyStudyLoaded(db.kysely, code).catch((error: unknown) => {
    console.error(`the import committed, but announcing it to the servers failed: ${(error as Error).message}`);
  });
  return result;
}

/** Rows loaded at once beyond which the tables' planner statistics are refreshed. */
const ANALYZE_AFTER_ROWS = 10_000;

/**
 * After a large load, refresh the loaded tables' statistics: until autovacuum gets to them the
 * planner takes them for nearly empty, and the analysis's joins over a new 20,000-participant
 * study were planned as nested scans that took minutes.
 */
async function refreshStatistics(db: Db, counts: Record<string, number>): Promise<void> {
  const loaded = Object.entries(counts).filter(([, rows]) => rows > 0);
  if (loaded.reduce((sum, [, rows]) => sum + rows, 0) < ANALYZE_AFTER_ROWS) return;
  // One statement per table, on as many connections as the pool gives (PostgreSQL): the tables
  // are analysed side by side, largest first, instead of one after another.
  const largestFirst = loaded.toSorted(([, a], [, b]) => b - a);
  const outcomes = await Promise.allSettled(largestFirst.map(([table]) => sql`analyze ${sql.table(table)}`.execute(db.kysely)));
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure !== undefined) {
    // The import has committed: a failure here costs only speed until autovacuum analyses the
    // tables, and must not report the import as failed.
    console.error(`the import committed, but refreshing the planner statistics failed: ${(failure.reason as Error).message}`);
  }
}

/** Records per kind in a bundle, as the audit trail keeps them. */
function bundleCounts(bundle: StudyBundle): Record<string, number> {
  const sum = (pick: (p: Participant) => unknown[]) => bundle.participants.reduce((n, p) => n + pick(p).length, 0);
  return {
    sites: bundle.sites.length,
    practitioners: bundle.practitioners.length,
    participants: bundle.participants.length,
    sessions: sum((p) => p.sessions),
    adverseEvents: sum((p) => p.adverseEvents),
    fadingAssessments: sum((p) => p.fadingAssessments),
    surveys: sum((p) => p.surveys),
  };
}

/**
 * Records per kind at each site (every site, none left out), which the audit trail keeps beside
 * the whole study's counts: a clinic is shown its own sites' and no more (audit-service.ts).
 */
function siteCounts(bundle: StudyBundle): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const site of bundle.sites) {
    out[site.code] = { practitioners: 0, participants: 0, sessions: 0, adverseEvents: 0, fadingAssessments: 0, surveys: 0 };
  }
  for (const practitioner of bundle.practitioners) out[practitioner.site]!.practitioners! += 1;
  for (const p of bundle.participants) {
    const counts = out[p.site]!;
    counts.participants! += 1;
    counts.sessions! += p.sessions.length;
    counts.adverseEvents! += p.adverseEvents.length;
    counts.fadingAssessments! += p.fadingAssessments.length;
    counts.surveys! += p.surveys.length;
  }
  return out;
}

type Load = (trx: DbTransaction) => Promise<{ table: string; count: number }>;

/**
 * One COPY per table, parents first. Local numbers are canonical positions starting at 1;
 * every row of one import shares one version.
 */
function recordLoads(target: { studyId: number; version: string; key: Uint8Array }, bundle: StudyBundle): Load[] {
  const { studyId, version, key } = target;
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
    load('site', () => bundle.sites.map((s, i) => siteRow(s, { studyId, version, siteNo: i + 1 }))),
    load('practitioner', () =>
      bundle.practitioners.map((p, i) =>
        practitionerRow(p, {
          studyId,
          version,
          practitionerNo: i + 1,
          siteNo: siteNo.get(p.site)!,
          pseudonym: pseudonym(key, 'practitioner', p.code),
        }),
      ),
    ),
    load('participant', () =>
      participants.map(({ participant: p, no }) =>
        participantRow(p, {
          studyId,
          version,
          participantNo: no,
          siteNo: siteNo.get(p.site)!,
          pseudonym: pseudonym(key, 'participant', p.code),
          lastEventNo: p.adverseEvents.length,
          lastAssessmentNo: p.fadingAssessments.length,
          lastSurveyNo: p.surveys.length,
        }),
      ),
    ),
    load('treatment_session', function* () {
      for (const { no, item } of each((p) => p.sessions)) {
        yield sessionRow(item, { studyId, version, participantNo: no, practitionerNo: practitionerNo.get(item.practitioner)! });
      }
    }),
    load('adverse_event', function* () {
      for (const { no, n, item } of each((p) => p.adverseEvents)) yield adverseEventRow(item, { studyId, version, participantNo: no, no: n });
    }),
    load('fading_assessment', function* () {
      for (const { no, n, item } of each((p) => p.fadingAssessments)) yield assessmentRow(item, { studyId, version, participantNo: no, no: n });
    }),
    load('satisfaction_survey', function* () {
      for (const { no, n, item } of each((p) => p.surveys)) yield surveyRow(item, { studyId, version, participantNo: no, no: n });
    }),
  ];
}

export interface ExportOptions {
  /** Whose view: a clinic's bundle holds its sites' participants, a reviewer's is de-identified. Default: everything. */
  actor?: Actor;
  /** De-identify whatever the actor may see (the reviewer's view for anyone). */
  deidentify?: boolean;
}

/**
 * A study as an actor may see it, not yet de-identified: the records in the actor's scope, and
 * the study's key when the view must be de-identified (a reviewer, or `deidentify`). Whoever
 * turns it into output de-identifies `bundle` with `deidentifyWith`, once.
 */
export interface StudyView {
  bundle: StudyBundle;
  deidentifyWith: Uint8Array | null;
}

/** The study in the actor's scope, with the key to de-identify it with when the actor must not see identities. */
export async function readStudyView(db: Db, code: string, options: ExportOptions = {}): Promise<StudyView> {
  const scope = options.actor ? requireStudyScope(options.actor, code) : undefined;
  // One snapshot: a replace that commits meanwhile is seen whole or not at all.
  const { bundle, key } = await db.readSnapshot(async (kysely) => {
    const study = await findStudyByCode(kysely, code);
    if (!study) throw new AppError('not_found', `study ${code} does not exist`);
    const deidentify = options.deidentify === true || scope?.identified === false;
    return { bundle: await readBundle(kysely, study), key: deidentify ? await selectStudySecret(kysely, study.study_id) : null };
  });
  const visible =
    scope && scope.sites !== 'all' ? { ...bundle, participants: bundle.participants.filter((p) => reachesSite(scope, p.site)) } : bundle;
  return { bundle: visible, deidentifyWith: key };
}

/** The study as a bundle, arrays in canonical order, as the actor may see it. */
export async function exportBundle(db: Db, code: string, options: ExportOptions = {}): Promise<StudyBundle> {
  const { bundle, deidentifyWith } = await readStudyView(db, code, options);
  return deidentifyWith === null ? bundle : canonicalOrder(deidentifyBundle(bundle, deidentifyWith).bundle);
}

/** Every record of a stored study, as a bundle in canonical order. */
export async function readBundle(kysely: Kysely<Database>, study: StudyRow): Promise<StudyBundle> {
  const id = study.study_id;
  // One after another: in a transaction they share one connection anyway.
  const sites = await selectRecords(kysely, 'site', id);
  const practitioners = await selectRecords(kysely, 'practitioner', id);
  const participants = await selectRecords(kysely, 'participant', id);
  const sessions = await selectRecords(kysely, 'treatment_session', id);
  const events = await selectRecords(kysely, 'adverse_event', id);
  const assessments = await selectRecords(kysely, 'fading_assessment', id);
  const surveys = await selectRecords(kysely, 'satisfaction_survey', id);
  const siteCode = new Map(sites.map((s) => [s.site_no, s.code]));
  const practitionerCode = new Map(practitioners.map((p) => [p.practitioner_no, p.code]));
  const sessionsOf = groupByParticipant(sessions, (s) => sessionFromRow(s, practitionerCode.get(s.practitioner_no)!));
  const eventsOf = groupByParticipant(events, adverseEventFromRow);
  const assessmentsOf = groupByParticipant(assessments, assessmentFromRow);
  const surveysOf = groupByParticipant(surveys, surveyFromRow);

  // Rows come in key order, which after record-level writes need not be the canonical order.
  return canonicalOrder({
    format: BUNDLE_FORMAT,
    study: { code: study.code, title: study.title, protocol: protocolOf(study) },
    sites: sites.map(siteFromRow),
    practitioners: practitioners.map((p) => practitionerFromRow(p, siteCode.get(p.site_no)!)),
    participants: participants.map((p) => ({
      ...participantFromRow(p, siteCode.get(p.site_no)!),
      sessions: sessionsOf.get(p.participant_no) ?? [],
      adverseEvents: eventsOf.get(p.participant_no) ?? [],
      fadingAssessments: assessmentsOf.get(p.participant_no) ?? [],
      surveys: surveysOf.get(p.participant_no) ?? [],
    })),
  });
}
