// Import and export of study bundles. An import validates everything and writes the whole
// study in one transaction with COPY, with its audit record (on a PostgreSQL server the writing
// starts while the participants' lists are still being checked); on any error nothing is
// written. A replace keeps the study's identity (its grants, key and audit trail) and swaps
// its records. Export reads the study back into a bundle in canonical order.
import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql, type Insertable, type Kysely } from 'kysely';
import type { Database, Db, DbTransaction } from '../../db/kysely.ts';
import { notifyStudyLoaded } from '../../db/repositories/server-state-repository.ts';
import { copyEncodedRecords, copyRecordsAsTheyCome, encodeRecords, selectRecords, type RecordTable } from '../../db/repositories/study-records-repository.ts';
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
import { canonicalOrder, sessionsInOrder } from '../schemas/bundle-order.ts';
import { countOf, type Problem } from '../schemas/problems.ts';
import { JsonBodyBytes, jsonFailureError } from '../json-input.ts';
import { validateOffThread } from './workers/validate-off-thread.ts';
import type { ImportResult } from '../schemas/responses.ts';
import { validateBundle, validateBundleInSteps, type BundleValidation, type ValidAhead } from '../schemas/validate-bundle.ts';
import { commandLineChange, reachesSite, requireImportRole, requireStudyScope, studyScope, type Actor, type ChangeContext } from './access.ts';
import { recordChange } from './audit-service.ts';
import { runInTurns } from './in-turns.ts';
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
  /**
   * Awaited once every row is written, before the commit: a check of the input that runs
   * meanwhile (the file's key check). Rejecting rolls the import back with its error.
   */
  beforeCommit?: () => Promise<void>;
  /**
   * Called once the whole bundle is known to be valid, while the last rows are still being
   * written: when the command's own work is done and it waits for the server, the moment to start
   * the check that beforeCommit awaits.
   */
  afterValidation?: () => void;
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
  const result =
    db.driver === 'postgres' && !(input instanceof JsonBodyBytes)
      ? await importWhileValidating(db, input, options, change)
      : await importValidated(db, await parseBundle(input), options, change);
  await refreshStatistics(db, result.counts);
  // After the statistics: a server that hears it computes the study's first dashboard answer,
  // whichever process (or `smp import` on the command line) loaded the study.
  await notifyStudyLoaded(db.kysely, result.code).catch((error: unknown) => {
    console.error(`the import committed, but announcing it to the servers failed: ${(error as Error).message}`);
  });
  return result;
}

/**
 * Only an administrator creates studies; a researcher may replace a study granted to them.
 * Anyone else is refused alike, whether or not the study exists, so that existence does not leak.
 */
function mayImport(actor: Actor, code: string): boolean {
  return actor.role === 'admin' || studyScope(actor, code)?.writeStudy === true;
}

/** The bundle, in canonical order, under the code the import gives it. */
const recoded = (bundle: StudyBundle, options: ImportOptions) =>
  canonicalOrder(options.code === undefined ? bundle : withStudyCode(bundle, options.code));

/** A validated bundle written: the access check, then one transaction. */
async function importValidated(db: Db, parsed: StudyBundle, options: ImportOptions, change: ChangeContext): Promise<ImportResult> {
  const bundle = recoded(parsed, options);
  const code = bundle.study.code;
  if (!mayImport(change.actor, code)) {
    throw new AppError('forbidden', `your role may not import study ${code}: only an administrator creates studies, and a researcher replaces those granted to them`);
  }
  const participants = bundle.participants.map((p) => ({
    fields: p,
    listLengths: { sessions: p.sessions.length, adverseEvents: p.adverseEvents.length, fadingAssessments: p.fadingAssessments.length, surveys: p.surveys.length },
  }));
  return db.transaction((trx) => writeStudy(trx, { head: bundle, participants, whole: async () => bundle }, options, change));
}

/** Participants whose lists are validated between two turns of the event loop. */
const PARTICIPANTS_PER_TURN = 250;

/**
 * On a PostgreSQL server, the bundle is written while its participants' lists are validated:
 * once everything else is known to be valid, the transaction begins and the participants stream
 * to the server while the lists are checked, so that the server's COPY and the validation run on
 * the two cores side by side. A bundle whose lists have problems then rolls back, having written
 * nothing, with the same problems as importValidated. When something other than the bundle's
 * problems (a conflict, a refusal) stops the import before the validation ends, the
 * transaction rolls back and importValidated runs with the validated bundle, so that the
 * bundle's problems come first and the rest follow in their usual order.
 */
async function importWhileValidating(db: Db, input: unknown, options: ImportOptions, change: ChangeContext): Promise<ImportResult> {
  const steps = validateBundleInSteps(input, { participantsPerStep: PARTICIPANTS_PER_TURN });
  let step = steps.next();
  while (!step.done && step.value === undefined) step = steps.next();
  if (step.done) return importValidated(db, validatedOrThrow(step.value), options, change);
  const ahead = step.value!;
  const validation = finishInTurns(steps);
  // Awaited below, whatever happens to the transaction.
  validation.catch(() => {});
  let head: StudyBundle | null;
  try {
    head = recoded({ ...ahead.bundle, participants: [] }, options);
  } catch {
    head = null;
  }
  if (head === null || !mayImport(change.actor, head.study.code)) return importValidated(db, await validation, options, change);
  let validBeforeAnyError = false;
  let validationEnded = false;
  const whole = async () => {
    const bundle = recoded(await validation, options);
    validBeforeAnyError = true;
    return bundle;
  };
  validation.then(
    () => (validationEnded = true),
    () => (validationEnded = true),
  );
  try {
    // In canonical order, as canonicalOrder sorts them (assertSameParticipants checks it).
    const byCode = (a: { fields: { code: string } }, b: { fields: { code: string } }) => (a.fields.code < b.fields.code ? -1 : a.fields.code > b.fields.code ? 1 : 0);
    const participants = ahead.participants.toSorted(byCode);
    // Listed in code order already (as an export writes them), each participant is numbered
    // where it stands, and its sessions can be written as soon as its lists are checked.
    const inCodeOrder = ahead.participants.every((p, i) => i === 0 || byCode(ahead.participants[i - 1]!, p) < 0);
    const listsChecked = inCodeOrder ? { participants: ahead.checked, ended: () => validationEnded } : undefined;
    return await db.transaction((trx) => writeStudy(trx, { head, participants, whole, listsChecked }, options, change));
  } catch (error) {
    // The bundle's own problems come first.
    const bundle = await validation;
    if (validBeforeAnyError) throw error;
    return importValidated(db, bundle, options, change);
  }
}

function validatedOrThrow(validation: BundleValidation): StudyBundle {
  if (!validation.ok) throw bundleProblemsError(validation.problems, validation.problemsOmitted);
  return validation.bundle;
}

/** The rest of a stepped validation, a slice of participants at a time, letting the rows already sent stream meanwhile. */
async function finishInTurns(steps: Generator<unknown, BundleValidation>): Promise<StudyBundle> {
  return validatedOrThrow(await runInTurns(steps));
}

/** Where an import's rows come from. */
interface ImportSource {
  /** The study, its sites and its practitioners, in canonical order (its participants are not read). */
  head: StudyBundle;
  /** The participants' own fields, in canonical order, and the length of each of their lists. */
  participants: ValidAhead['participants'];
  /** The whole bundle, validated, in canonical order; it throws the bundle's problems. */
  whole: () => Promise<StudyBundle>;
  /**
   * While the participants' lists are being checked, those checked so far: the participants in
   * `participants`' order (each then the participant of that number), growing until `ended()`.
   * When it is given, the sessions are written while the rest of the lists are checked.
   */
  listsChecked?: { participants: readonly Participant[]; ended: () => boolean };
}

/**
 * Write the study in the transaction: its row, then one COPY per table, parents first, each
 * table's rows encoded while the COPY before streams, and its audit record. The participants'
 * lists are waited for only once the participants are on their way.
 */
async function writeStudy(trx: DbTransaction, source: ImportSource, options: ImportOptions, change: ChangeContext): Promise<ImportResult> {
  const { head } = source;
  const code = head.study.code;
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
  const studyColumns = { title: head.study.title, ...protocolColumns(head.study.protocol), version };
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

  const target = { studyId, version, key };
  const counts: Record<string, number> = {};
  let tablesDone = 0;
  const loaded = (table: string, count: number) => {
    counts[table] = count;
    tablesDone += 1;
    options.onProgress?.({ table, rows: count, tablesDone, tablesTotal: RECORD_TABLES_IN_ORDER.length });
  };
  const load = async (table: TableRows) => copyEncodedRecords(trx, await encodeRecords(trx, table.table, table.rows()));
  const parents = parentTables(target, head, source.participants);
  for (const table of parents.slice(0, -1)) loaded(table.table, await load(table));
  // The participants go to the server a batch at a time as they are encoded (with their
  // pseudonyms), so that its COPY starts on the first while the rest are encoded.
  const participantTable = parents.at(-1)!;
  const participants = copyRecordsAsTheyCome(trx, participantTable.table, inBatches(participantTable.rows(), PARTICIPANTS_PER_BATCH));
  // Awaited below; a failure while the lists are checked is not left unhandled meanwhile.
  participants.catch(() => {});
  // The sessions, the largest table, follow the participants while the lists are checked.
  const sessions = source.listsChecked
    ? participants.then(() => copyRecordsAsTheyCome(trx, 'treatment_session', checkedSessionRows(target, head, source.participants.length, source.listsChecked!)))
    : undefined;
  sessions?.catch(() => {});
  let bundle: StudyBundle;
  try {
    bundle = await source.whole();
  } catch (error) {
    await participants.catch(() => {});
    await sessions?.catch(() => {});
    throw error;
  }
  options.afterValidation?.();
  loaded('participant', await participants);
  assertSameParticipants(source.participants, bundle);

  const children = childTables(target, bundle).slice(sessions ? 1 : 0);
  if (sessions) {
    // The other lists are small beside the sessions: all of them are encoded while those stream.
    const encoded = children.map((table) => encodeRecords(trx, table.table, table.rows()));
    for (const each of encoded) each.catch(() => {});
    loaded('treatment_session', await sessions);
    for (const each of encoded) {
      const table = await each;
      loaded(table.table, await copyEncodedRecords(trx, table));
    }
  } else {
    let next = encodeRecords(trx, children[0]!.table, children[0]!.rows());
    for (let i = 0; i < children.length; i++) {
      const encoded = await next;
      if (i + 1 < children.length) {
        next = encodeRecords(trx, children[i + 1]!.table, children[i + 1]!.rows());
        next.catch(() => {});
      }
      loaded(encoded.table, await copyEncodedRecords(trx, encoded));
    }
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
  await options.beforeCommit?.();
  return { code, replaced: existing !== undefined, counts };
}

/** The participants written ahead of the validation are the validated bundle's, in the same order with lists as long. */
function assertSameParticipants(participants: ImportSource['participants'], bundle: StudyBundle): void {
  const same =
    participants.length === bundle.participants.length &&
    bundle.participants.every((p, i) => {
      const { fields, listLengths } = participants[i]!;
      return (
        fields.code === p.code &&
        listLengths.sessions === p.sessions.length &&
        listLengths.adverseEvents === p.adverseEvents.length &&
        listLengths.fadingAssessments === p.fadingAssessments.length &&
        listLengths.surveys === p.surveys.length
      );
    });
  if (!same) throw new Error('the participants written ahead of the validation are not those of the validated bundle');
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

/** A table's rows, made as they are encoded. */
interface TableRows {
  table: RecordTable;
  rows: () => Iterable<Insertable<Database[RecordTable]>>;
}

const RECORD_TABLES_IN_ORDER = [
  'site',
  'practitioner',
  'participant',
  'treatment_session',
  'adverse_event',
  'fading_assessment',
  'satisfaction_survey',
] as const satisfies readonly RecordTable[];

interface LoadTarget {
  studyId: number;
  version: string;
  key: Uint8Array;
}

const tableRows = <T extends RecordTable>(table: T, rows: () => Iterable<Insertable<Database[T]>>): TableRows => ({
  table,
  rows: rows as TableRows['rows'],
});

/**
 * The sites, practitioners and participants, in this order. Local numbers are canonical
 * positions starting at 1; every row of one import shares one version.
 */
function parentTables(target: LoadTarget, head: StudyBundle, participants: ImportSource['participants']): TableRows[] {
  const { studyId, version, key } = target;
  const siteNo = new Map(head.sites.map((s, i) => [s.code, i + 1]));
  return [
    tableRows('site', () => head.sites.map((s, i) => siteRow(s, { studyId, version, siteNo: i + 1 }))),
    tableRows('practitioner', () =>
      head.practitioners.map((p, i) =>
        practitionerRow(p, {
          studyId,
          version,
          practitionerNo: i + 1,
          siteNo: siteNo.get(p.site)!,
          pseudonym: pseudonym(key, 'practitioner', p.code),
        }),
      ),
    ),
    tableRows('participant', () =>
      participants.map(({ fields: p, listLengths }, i) =>
        participantRow(p, {
          studyId,
          version,
          participantNo: i + 1,
          siteNo: siteNo.get(p.site)!,
          pseudonym: pseudonym(key, 'participant', p.code),
          lastEventNo: listLengths.adverseEvents,
          lastAssessmentNo: listLengths.fadingAssessments,
          lastSurveyNo: listLengths.surveys,
        }),
      ),
    ),
  ];
}

/**
 * The sessions of `participants[from..to)`, the participants numbered from `from + 1`, each
 * one's sessions as `inOrder` gives them (in canonical order).
 */
function* sessionRows(
  target: LoadTarget,
  practitionerNo: ReadonlyMap<string, number>,
  participants: readonly Participant[],
  range: { from: number; to: number },
  inOrder: (sessions: Participant['sessions']) => Participant['sessions'],
) {
  const { studyId, version } = target;
  for (let i = range.from; i < range.to; i++) {
    for (const item of inOrder(participants[i]!.sessions)) {
      yield sessionRow(item, { studyId, version, participantNo: i + 1, practitionerNo: practitionerNo.get(item.practitioner)! });
    }
  }
}

/**
 * The sessions of the participants whose lists are checked, a batch each time the checks move
 * on. When the checks end, either every participant's sessions have been given, or the bundle
 * has problems and this throws, which aborts the COPY and the transaction.
 */
async function* checkedSessionRows(
  target: LoadTarget,
  head: StudyBundle,
  total: number,
  checked: NonNullable<ImportSource['listsChecked']>,
): AsyncGenerator<Iterable<Insertable<Database['treatment_session']>>> {
  const practitionerNo = new Map(head.practitioners.map((p, i) => [p.code, i + 1]));
  let given = 0;
  for (;;) {
    const ready = checked.participants.length;
    if (given < ready) {
      // As the input lists them: each participant's sessions are put in order here.
      yield sessionRows(target, practitionerNo, checked.participants, { from: given, to: ready }, sessionsInOrder);
      given = ready;
    } else if (checked.ended()) {
      if (given !== total) throw new Error('the bundle has problems; its sessions are not written');
      return;
    } else {
      await nextTurn();
    }
  }
}

/** Participants' rows encoded and sent to the server at a time while they are loaded. */
const PARTICIPANTS_PER_BATCH = 1000;

/** `rows` in arrays of `size`, a turn of the event loop after each, for copyRecordsAsTheyCome. */
async function* inBatches<T>(rows: Iterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length === size) {
      yield batch;
      batch = [];
      await nextTurn();
    }
  }
  if (batch.length > 0) yield batch;
}

/** The participants' lists: sessions, adverse events, fading assessments and surveys, in this order. */
function childTables(target: LoadTarget, bundle: StudyBundle): TableRows[] {
  const { studyId, version } = target;
  const practitionerNo = new Map(bundle.practitioners.map((p, i) => [p.code, i + 1]));
  const each = function* <T>(pick: (p: Participant) => T[]) {
    let no = 0;
    for (const participant of bundle.participants) {
      no += 1;
      let n = 0;
      for (const item of pick(participant)) yield { no, n: ++n, item };
    }
  };
  return [
    // The bundle is in canonical order already.
    tableRows('treatment_session', () => sessionRows(target, practitionerNo, bundle.participants, { from: 0, to: bundle.participants.length }, (sessions) => sessions)),
    tableRows('adverse_event', function* () {
      for (const { no, n, item } of each((p) => p.adverseEvents)) yield adverseEventRow(item, { studyId, version, participantNo: no, no: n });
    }),
    tableRows('fading_assessment', function* () {
      for (const { no, n, item } of each((p) => p.fadingAssessments)) yield assessmentRow(item, { studyId, version, participantNo: no, no: n });
    }),
    tableRows('satisfaction_survey', function* () {
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
