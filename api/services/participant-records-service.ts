// Participants and their records, one record at a time. Every write locks the participant,
// builds the participant as it will be after the change, and checks it with the importer's own
// rules (validateBundle), so the API and the importer refuse the same things in the same words.
// The change and its audit record commit together. Reads follow the caller's scope: a clinic
// reaches its own sites only (others are 404), a reviewer sees the de-identified view.
import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/kysely.ts';
import {
  deleteParticipant,
  findParticipant,
  insertParticipant,
  loadParticipant,
  moveSession,
  practitionersByCode,
  selectRecordCounts,
  sitesByCode,
  writeRecordWithAudit,
  updateParticipant,
  type ChildTable,
  type LoadedParticipant,
  type ParticipantRow,
} from '../../db/repositories/participant-repository.ts';
import { insertAuditEvent } from '../../db/repositories/audit-repository.ts';
import { nextLocalNo } from '../../db/repositories/structure-repository.ts';
import { findStudyByCode, lockStudy, selectStudySecret, type StudyRow } from '../../db/repositories/study-repository.ts';
import { AppError } from '../errors.ts';
import {
  BUNDLE_FORMAT,
  type AdverseEvent,
  type FadingAssessment,
  type Participant,
  type SatisfactionSurvey,
  type StudyBundle,
  type TreatmentSession,
} from '../schemas/bundle.ts';
import type { Problem } from '../schemas/problems.ts';
import type { ParticipantFields, ParticipantRecord } from '../schemas/records.ts';
import { validateBundle } from '../schemas/validate-bundle.ts';
import {
  participantNotFound,
  reachesSite,
  requirePermission,
  requireSite,
  requireStudyScope,
  studyNotFound,
  type Actor,
  type ChangeContext,
  type StudyScope,
} from './access.ts';
import { auditRowOf, chainAuditRow, recordChange, type AuditEntity } from './audit-service.ts';
import { deidentifyParticipantFields, participantDeidentifier, pseudonym } from './deidentify.ts';
import { mergePatch } from './merge-patch.ts';
import { writeToParticipant } from './participant-write-queue.ts';
import {
  adverseEventColumns,
  adverseEventFromRow,
  assessmentColumns,
  assessmentFromRow,
  participantColumns,
  participantFromRow,
  protocolOf,
  sessionColumns,
  sessionFromRow,
  surveyColumns,
  surveyFromRow,
} from './record-mapping.ts';
import { requireVersion } from './versions.ts';

/** The lists of records a participant holds, by their name in the bundle. */
export type RecordList = 'sessions' | 'adverseEvents' | 'fadingAssessments' | 'surveys';

interface ListSpec {
  table: ChildTable;
  entity: AuditEntity;
  /** The list's segment in URLs and audit keys. */
  segment: string;
  noun: string;
  counter: 'last_event_no' | 'last_assessment_no' | 'last_survey_no' | null;
}

export const LISTS: Record<RecordList, ListSpec> = {
  sessions: { table: 'treatment_session', entity: 'session', segment: 'sessions', noun: 'session', counter: null },
  adverseEvents: { table: 'adverse_event', entity: 'adverse_event', segment: 'adverse-events', noun: 'adverse event', counter: 'last_event_no' },
  fadingAssessments: {
    table: 'fading_assessment',
    entity: 'fading_assessment',
    segment: 'fading-assessments',
    noun: 'fading assessment',
    counter: 'last_assessment_no',
  },
  surveys: { table: 'satisfaction_survey', entity: 'survey', segment: 'surveys', noun: 'survey', counter: 'last_survey_no' },
};

type RecordOf<L extends RecordList> = Participant[L][number];

/** A stored record with its key (session number or record number) and version. */
interface Stored<T> {
  key: number;
  record: T;
  version: string;
}

/** A participant as stored: its fields and every record. */
interface Loaded {
  study: StudyRow;
  row: ParticipantRow & { site_name: string };
  fields: ParticipantFields;
  /** The practitioners the participant's sessions name, as the bundle writes them, with their numbers. */
  practitioners: Map<string, { code: string; site: string; yearsExperience: number; practitionerNo: number }>;
  sessions: Stored<TreatmentSession>[];
  adverseEvents: Stored<AdverseEvent>[];
  fadingAssessments: Stored<FadingAssessment>[];
  surveys: Stored<SatisfactionSurvey>[];
}

/** A record as the API returns it: the bundle record, its number where it has one, its version. */
export type RecordResponse<L extends RecordList> = RecordOf<L> & { no?: number; version: number };

function loadedOf(rows: LoadedParticipant): Loaded {
  const { study, participant: row } = rows;
  return {
    study,
    row,
    fields: participantFromRow(row, row.site_code),
    practitioners: new Map(
      rows.sessions.map((s) => [
        s.practitioner_code,
        { code: s.practitioner_code, site: s.practitioner_site_code, yearsExperience: s.practitioner_years, practitionerNo: s.practitioner_no },
      ]),
    ),
    sessions: rows.sessions.map((s) => ({ key: s.session_number, record: sessionFromRow(s, s.practitioner_code), version: String(s.version) })),
    adverseEvents: rows.adverseEvents.map((e) => ({ key: e.event_no, record: adverseEventFromRow(e), version: String(e.version) })),
    fadingAssessments: rows.assessments.map((a) => ({ key: a.assessment_no, record: assessmentFromRow(a), version: String(a.version) })),
    surveys: rows.surveys.map((s) => ({ key: s.survey_no, record: surveyFromRow(s), version: String(s.version) })),
  };
}

/** A 404 for a participant that did not load: the study's, if the study is missing, else the participant's. */
async function notFound(kysely: Kysely<Database>, studyCode: string, code: string): Promise<AppError> {
  return (await findStudyByCode(kysely, studyCode)) ? participantNotFound(code) : studyNotFound(studyCode);
}

/** The participant in bundle form, with its lists in key order. */
function asBundleParticipant(loaded: Pick<Loaded, RecordList | 'fields'>): Participant {
  return {
    ...loaded.fields,
    sessions: loaded.sessions.map((s) => s.record),
    adverseEvents: loaded.adverseEvents.map((e) => e.record),
    fadingAssessments: loaded.fadingAssessments.map((a) => a.record),
    surveys: loaded.surveys.map((s) => s.record),
  };
}

/** Where the written record sits in the participant, so its problems read as paths in the body. */
type Focus = { kind: 'participant' } | { kind: 'record'; list: RecordList; index: number } | { kind: 'elsewhere' };

/**
 * A problem's path as the caller reads it: in the body for the record being written (`date`),
 * in the participant for any other record (`participant.adverseEvents[0].sessionNumber`, the
 * index as the record's list is returned).
 */
function pathFor(path: string, focus: Focus): string {
  const inner = path.replace(/^participants\[0\]\.?/, '');
  if (focus.kind === 'participant') return inner === '' ? '(body)' : inner;
  if (focus.kind === 'record') {
    const prefix = `${focus.list}[${focus.index}]`;
    if (inner === prefix) return '(body)';
    if (inner.startsWith(`${prefix}.`)) return inner.slice(prefix.length + 1);
  }
  return `participant.${inner}`;
}

/** The sites and practitioners known while checking a participant, by code, with their numbers. */
interface CheckContext {
  study: StudyRow;
  practitioners: Map<string, { code: string; site: string; yearsExperience: number; practitionerNo: number }>;
  sites: Map<string, { code: string; name: string; siteNo: number }>;
}

function contextOf(loaded: Loaded): CheckContext {
  return {
    study: loaded.study,
    practitioners: new Map(loaded.practitioners),
    sites: new Map([[loaded.row.site_code, { code: loaded.row.site_code, name: loaded.row.site_name, siteNo: loaded.row.site_no }]]),
  };
}

/**
 * Check the participant as it will be after a change with the importer's rules: a bundle of
 * this participant and just the sites and practitioners its records name. Those the participant
 * named already come with it; others are looked up, and any that do not exist are left out, so
 * that the importer's "is not defined" problem names them. Returns the participant as the
 * importer reads it (defaults applied) and the numbers of the sites and practitioners it names.
 */
async function checkParticipant(kysely: Kysely<Database>, context: CheckContext, participant: Participant, focus: Focus, what: string) {
  const { study, practitioners, sites } = context;
  const unknownPractitioners = [...new Set(participant.sessions.map((s) => s.practitioner))].filter((code) => !practitioners.has(code));
  for (const p of await practitionersByCode(kysely, study.study_id, unknownPractitioners)) {
    practitioners.set(p.code, { code: p.code, site: p.site_code, yearsExperience: p.years_experience, practitionerNo: p.practitioner_no });
    if (!sites.has(p.site_code)) sites.set(p.site_code, { code: p.site_code, name: p.site_name, siteNo: p.site_no });
  }
  const named = [participant.site, ...[...practitioners.values()].map((p) => p.site)];
  const unknownSites = [...new Set(named)].filter((code) => !sites.has(code));
  for (const s of await sitesByCode(kysely, study.study_id, unknownSites)) sites.set(s.code, { code: s.code, name: s.name, siteNo: s.site_no });
  const bundle: StudyBundle = {
    format: BUNDLE_FORMAT,
    study: { code: study.code, title: study.title, protocol: protocolOf(study) },
    // The site's country is no part of a participant's rules: it is not read for the check.
    sites: [...sites.values()].map(({ code, name }) => ({ code, name, country: null })),
    practitioners: [...practitioners.values()].map(({ code, site, yearsExperience }) => ({ code, site, yearsExperience })),
    participants: [participant],
  };
  const result = validateBundle(bundle);
  if (!result.ok) {
    const problems: Problem[] = result.problems.map((p) => ({ path: pathFor(p.path, focus), message: p.message }));
    const count = problems.length;
    throw new AppError('validation', `the ${what} has ${count} problem${count === 1 ? '' : 's'}`, problems);
  }
  return {
    participant: result.bundle.participants[0]!,
    siteNo: (code: string) => sites.get(code)!.siteNo,
    practitionerNo: (code: string) => practitioners.get(code)!.practitionerNo,
  };
}

interface WriteContext {
  trx: Kysely<Database>;
  scope: StudyScope;
  loaded: Loaded;
}

/**
 * Lock the participant, load it, and run `work` in a transaction (shared with other writers' when
 * many write at once: participant-write-queue.ts).
 */
async function writeParticipant<T>(db: Db, change: ChangeContext, studyCode: string, participantCode: string, work: (ctx: WriteContext) => Promise<T>) {
  const scope = requireStudyScope(change.actor, studyCode);
  requirePermission(scope, 'writeParticipants', 'change participants or their records');
  return writeToParticipant(db, {
    studyCode,
    participantCode,
    async run(trx, rows) {
      if (!rows || !reachesSite(scope, rows.participant.site_code)) {
        throw rows ? participantNotFound(participantCode) : await notFound(trx, studyCode, participantCode);
      }
      return work({ trx, scope, loaded: loadedOf(rows) });
    },
  });
}

/** What a caller may read of a study: its row, scope, and the de-identification key for reviewers. */
interface ReadContext {
  kysely: Kysely<Database>;
  study: StudyRow;
  scope: StudyScope;
  key: Uint8Array | null;
}

async function readStudy<T>(db: Db, actor: Actor, studyCode: string, work: (ctx: ReadContext) => Promise<T>): Promise<T> {
  const scope = requireStudyScope(actor, studyCode);
  // One snapshot: a participant and its records as of one moment, even during a replace.
  return db.readSnapshot(async (kysely) => {
    const study = await findStudyByCode(kysely, studyCode);
    if (!study) throw studyNotFound(studyCode);
    const key = scope.identified ? null : await selectStudySecret(kysely, study.study_id);
    return work({ kysely, study, scope, key });
  });
}

/**
 * The participant a reader names (by pseudonym in a de-identified view), in scope, with the key
 * of the view; or a 404. One statement: it sees one moment, with no transaction.
 */
async function readParticipant(db: Db, actor: Actor, studyCode: string, code: string): Promise<{ loaded: Loaded; key: Uint8Array | null }> {
  const scope = requireStudyScope(actor, studyCode);
  const rows = await loadParticipant(db.kysely, studyCode, code, {
    by: scope.identified ? 'code' : 'pseudonym',
    withKey: !scope.identified,
  });
  if (!rows || !reachesSite(scope, rows.participant.site_code)) {
    throw rows ? participantNotFound(code) : await notFound(db.kysely, studyCode, code);
  }
  return { loaded: loadedOf(rows), key: rows.deidKey };
}

/** The participant as the reader may see it: as stored, or de-identified with the study's key. */
function viewOf(participant: Participant, key: Uint8Array | null): Participant {
  if (key === null) return participant;
  const deidentifier = participantDeidentifier(key, participant);
  const { sessions, adverseEvents, fadingAssessments, surveys, ...fields } = participant;
  const { topCoded, ...view } = deidentifyParticipantFields(deidentifier, fields);
  return {
    ...view,
    sessions: sessions.map(deidentifier.session),
    adverseEvents: adverseEvents.map(deidentifier.adverseEvent),
    fadingAssessments: fadingAssessments.map(deidentifier.assessment),
    surveys: surveys.map(deidentifier.survey),
  };
}

function participantResponse(fields: ParticipantFields, version: string, counts: ParticipantRecord['counts']): ParticipantRecord {
  return { ...fields, version: Number(version), counts };
}

function countsOf(loaded: Pick<Loaded, RecordList>): ParticipantRecord['counts'] {
  return {
    sessions: loaded.sessions.length,
    adverseEvents: loaded.adverseEvents.length,
    fadingAssessments: loaded.fadingAssessments.length,
    surveys: loaded.surveys.length,
  };
}

function withKey<L extends RecordList>(list: L, stored: Stored<RecordOf<L>>, record: RecordOf<L> = stored.record): RecordResponse<L> {
  const base = { ...record, version: Number(stored.version) } as RecordResponse<L>;
  return list === 'sessions' ? base : { no: stored.key, ...base };
}

// ---------------------------------------------------------------------------------------------
// Participants

/** One participant with its record counts. */
export async function getParticipant(db: Db, actor: Actor, studyCode: string, code: string): Promise<ParticipantRecord> {
  const { loaded, key } = await readParticipant(db, actor, studyCode, code);
  const { sessions, adverseEvents, fadingAssessments, surveys, ...fields } = viewOf(asBundleParticipant(loaded), key);
  return participantResponse(fields, loaded.row.version, countsOf(loaded));
}

/** Enrol a participant (no records yet: they are added one by one). */
export async function createParticipant(db: Db, change: ChangeContext, studyCode: string, fields: ParticipantFields): Promise<ParticipantRecord> {
  const scope = requireStudyScope(change.actor, studyCode);
  requirePermission(scope, 'writeParticipants', 'enrol participants');
  requireSite(scope, fields.site);
  return db.transaction(async ({ kysely: trx }) => {
    // Serialises enrolments in the study, so participant numbers and codes stay unique.
    const study = await lockStudy(trx, studyCode, 'no key update');
    if (!study) throw studyNotFound(studyCode);
    if (await findParticipant(trx, study.study_id, fields.code)) {
      throw new AppError('conflict', `participant ${fields.code} already exists in study ${studyCode}`, [
        { path: 'code', message: `participant code "${fields.code}" is already used` },
      ]);
    }
    const participant: Participant = { ...fields, sessions: [], adverseEvents: [], fadingAssessments: [], surveys: [] };
    const context: CheckContext = { study, practitioners: new Map(), sites: new Map() };
    const { siteNo } = await checkParticipant(trx, context, participant, { kind: 'participant' }, 'participant');
    const key = await selectStudySecret(trx, study.study_id);
    const version = await insertParticipant(trx, {
      study_id: study.study_id,
      participant_no: await nextLocalNo(trx, 'participant', 'participant_no', study.study_id),
      ...participantColumns(fields, siteNo(fields.site)),
      pseudonym: pseudonym(key, 'participant', fields.code),
    });
    await recordChange(trx, change, {
      action: 'create',
      entity: 'participant',
      key: fields.code,
      studyCode,
      siteCodes: [fields.site],
      participantCode: fields.code,
      before: null,
      after: fields,
    });
    return participantResponse(fields, version, { sessions: 0, adverseEvents: 0, fadingAssessments: 0, surveys: 0 });
  });
}

/** Change a participant's fields with a JSON merge patch. */
export async function patchParticipant(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  code: string,
  patch: Record<string, unknown>,
  ifMatch: string,
): Promise<ParticipantRecord> {
  return writeParticipant(db, change, studyCode, code, async ({ trx, scope, loaded }) => {
    requireVersion(ifMatch, loaded.row.version, `participant ${code}`, participantResponse(loaded.fields, loaded.row.version, countsOf(loaded)));
    const merged = mergePatch(loaded.fields, patch) as ParticipantFields;
    if (merged.code !== code) throw keyChange('code', code);
    if (typeof merged.site === 'string' && merged.site !== loaded.fields.site) requireSite(scope, merged.site);
    const { sessions, adverseEvents, fadingAssessments, surveys } = asBundleParticipant(loaded);
    const checked = await checkParticipant(
      trx,
      contextOf(loaded),
      { ...merged, sessions, adverseEvents, fadingAssessments, surveys },
      { kind: 'participant' },
      'participant',
    );
    const fields = fieldsOf(checked.participant);
    const version = await updateParticipant(trx, loaded.study.study_id, loaded.row.participant_no, participantColumns(fields, checked.siteNo(fields.site)));
    await recordChange(trx, change, {
      action: 'update',
      entity: 'participant',
      key: code,
      studyCode,
      siteCodes: [loaded.fields.site, fields.site],
      participantCode: code,
      before: loaded.fields,
      after: fields,
    });
    return participantResponse(fields, version, countsOf(loaded));
  });
}

/** The participant's own fields, in the bundle's order, from a participant with defaults applied. */
function fieldsOf(p: Participant): ParticipantFields {
  return {
    code: p.code,
    site: p.site,
    sex: p.sex,
    birthYear: p.birthYear,
    indication: p.indication,
    fitzpatrick: p.fitzpatrick ?? null,
    keloidHistory: p.keloidHistory,
    enrolledOn: p.enrolledOn,
    withdrawnOn: p.withdrawnOn ?? null,
    withdrawalCause: p.withdrawalCause ?? null,
    withdrawalReason: p.withdrawalReason ?? null,
    costUsd: p.costUsd ?? null,
  };
}

function keyChange(field: string, value: string | number): AppError {
  return new AppError('validation', `${field} is the record's key and cannot be changed`, [
    { path: field, message: `is the record's key and cannot be changed (it is ${JSON.stringify(value)})` },
  ]);
}

/** Delete a participant that has no records (delete or keep its records first: nothing is cascaded). */
export async function deleteParticipantRecord(db: Db, change: ChangeContext, studyCode: string, code: string, ifMatch: string): Promise<void> {
  await writeParticipant(db, change, studyCode, code, async ({ trx, loaded }) => {
    requireVersion(ifMatch, loaded.row.version, `participant ${code}`, participantResponse(loaded.fields, loaded.row.version, countsOf(loaded)));
    const counts = countsOf(loaded);
    const held = (Object.keys(counts) as RecordList[]).filter((list) => counts[list] > 0);
    if (held.length > 0) {
      throw new AppError(
        'conflict',
        `participant ${code} still has records (${held.map((list) => `${counts[list]} ${LISTS[list].noun}${counts[list] === 1 ? '' : 's'}`).join(', ')}); ` +
          'delete them first, or record a withdrawal instead',
        held.map((list) => ({ path: `participant.${list}`, message: `holds ${counts[list]} record${counts[list] === 1 ? '' : 's'}` })),
      );
    }
    await deleteParticipant(trx, loaded.study.study_id, loaded.row.participant_no);
    await recordChange(trx, change, {
      action: 'delete',
      entity: 'participant',
      key: code,
      studyCode,
      siteCodes: [loaded.fields.site],
      participantCode: code,
      before: loaded.fields,
      after: null,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// A participant's records: sessions, adverse events, fading assessments and surveys

/** Every record of one kind of a participant, in key order. */
export async function listRecords<L extends RecordList>(
  db: Db,
  actor: Actor,
  studyCode: string,
  code: string,
  list: L,
): Promise<RecordResponse<L>[]> {
  const { loaded, key } = await readParticipant(db, actor, studyCode, code);
  const view = viewOf(asBundleParticipant(loaded), key);
  const stored = loaded[list] as Stored<RecordOf<L>>[];
  return stored.map((item, i) => withKey(list, item, view[list][i] as RecordOf<L>));
}

export async function getRecord<L extends RecordList>(
  db: Db,
  actor: Actor,
  studyCode: string,
  code: string,
  list: L,
  number: number,
): Promise<RecordResponse<L>> {
  const { loaded, key } = await readParticipant(db, actor, studyCode, code);
  const view = viewOf(asBundleParticipant(loaded), key);
  const stored = loaded[list] as Stored<RecordOf<L>>[];
  const index = stored.findIndex((item) => item.key === number);
  if (index < 0) throw recordNotFound(list, code, number);
  return withKey(list, stored[index]!, view[list][index] as RecordOf<L>);
}

function recordNotFound(list: RecordList, code: string, key: number): AppError {
  return new AppError('not_found', `participant ${code} has no ${LISTS[list].noun} ${key}`);
}

/** The database columns of a record of `list` (sessions need their practitioner's number). */
function columnsOf(list: RecordList, record: RecordOf<RecordList>, practitionerNo: (code: string) => number) {
  switch (list) {
    case 'sessions': {
      const session = record as TreatmentSession;
      return sessionColumns(session, practitionerNo(session.practitioner));
    }
    case 'adverseEvents':
      return adverseEventColumns(record as AdverseEvent);
    case 'fadingAssessments':
      return assessmentColumns(record as FadingAssessment);
    case 'surveys':
      return surveyColumns(record as SatisfactionSurvey);
    default: {
      const unknown: never = list;
      throw new Error(`unknown list ${String(unknown)}`);
    }
  }
}

/** The audit row of a change of one of a participant's records; the record's number goes with it. */
function recordAudit<L extends RecordList>(
  change: ChangeContext,
  action: 'create' | 'update' | 'delete',
  loaded: Loaded,
  list: L,
  key: number,
  values: { before: RecordOf<L> | null; after: RecordOf<L> | null },
) {
  const withNo = (record: RecordOf<L> | null) => (record === null || list === 'sessions' ? record : { no: key, ...record });
  return auditRowOf(change, {
    action,
    entity: LISTS[list].entity,
    key: `${loaded.fields.code}/${LISTS[list].segment}/${key}`,
    studyCode: loaded.study.code,
    siteCodes: [loaded.fields.site],
    participantCode: loaded.fields.code,
    before: withNo(values.before),
    after: withNo(values.after),
  });
}

/** Add a record to a participant. A session without a number takes the next one. */
export async function createRecord<L extends RecordList>(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  code: string,
  list: L,
  input: Omit<RecordOf<L>, 'number'> & { number?: number | undefined },
): Promise<RecordResponse<L>> {
  return writeParticipant(db, change, studyCode, code, async ({ trx, loaded }) => {
    const spec = LISTS[list];
    const record = (list === 'sessions' && input.number === undefined ? { ...input, number: loaded.sessions.length + 1 } : input) as RecordOf<L>;
    const stored = loaded[list] as Stored<RecordOf<L>>[];
    const after = { ...loaded, [list]: [...stored, { key: 0, record, version: '0' }] };
    const checked = await checkParticipant(
      trx,
      contextOf(loaded),
      asBundleParticipant(after),
      { kind: 'record', list, index: stored.length },
      spec.noun,
    );
    const created = checked.participant[list][stored.length] as RecordOf<L>;
    // The participant's row is held: its counter's next number is this writer's alone.
    const key = spec.counter ? loaded.row[spec.counter] + 1 : (created as TreatmentSession).number;
    const version = (await writeRecordWithAudit(
      trx,
      spec.table,
      { studyId: loaded.study.study_id, participantNo: loaded.row.participant_no },
      { kind: 'insert', no: key, counter: spec.counter, columns: columnsOf(list, created, checked.practitionerNo) },
      await chainAuditRow(trx, recordAudit(change, 'create', loaded, list, key, { before: null, after: created })),
    ))!;
    return withKey(list, { key, record: created, version });
  });
}

/** Change a record with a JSON merge patch. */
export async function patchRecord<L extends RecordList>(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  code: string,
  list: L,
  key: number,
  patch: Record<string, unknown>,
  ifMatch: string,
): Promise<RecordResponse<L>> {
  return writeParticipant(db, change, studyCode, code, async ({ trx, loaded }) => {
    const spec = LISTS[list];
    const stored = loaded[list] as Stored<RecordOf<L>>[];
    const index = stored.findIndex((item) => item.key === key);
    if (index < 0) throw recordNotFound(list, code, key);
    const current = stored[index]!;
    requireVersion(ifMatch, current.version, `${spec.noun} ${key} of participant ${code}`, withKey(list, current));
    const merged = mergePatch(current.record, patch) as RecordOf<L>;
    if (list === 'sessions' && (merged as TreatmentSession).number !== key) throw keyChange('number', key);
    const items = stored.map((item, i) => (i === index ? { ...item, record: merged } : item));
    const checked = await checkParticipant(
      trx,
      contextOf(loaded),
      asBundleParticipant({ ...loaded, [list]: items }),
      { kind: 'record', list, index },
      spec.noun,
    );
    const record = checked.participant[list][index] as RecordOf<L>;
    const version = (await writeRecordWithAudit(
      trx,
      spec.table,
      { studyId: loaded.study.study_id, participantNo: loaded.row.participant_no },
      { kind: 'update', no: key, columns: columnsOf(list, record, checked.practitionerNo) },
      await chainAuditRow(trx, recordAudit(change, 'update', loaded, list, key, { before: current.record, after: record })),
    ))!;
    return withKey(list, { key, record, version });
  });
}

/**
 * Delete a record. A session can go only when it is the last one and no adverse event names
 * it: session numbers stay 1..n and nothing is cascaded.
 */
export async function deleteRecord(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  code: string,
  list: RecordList,
  key: number,
  ifMatch: string,
): Promise<void> {
  await writeParticipant(db, change, studyCode, code, async ({ trx, loaded }) => {
    const spec = LISTS[list];
    const stored = loaded[list] as Stored<RecordOf<RecordList>>[];
    const current = stored.find((item) => item.key === key);
    if (!current) throw recordNotFound(list, code, key);
    requireVersion(ifMatch, current.version, `${spec.noun} ${key} of participant ${code}`, withKey(list, current));
    if (list === 'sessions') refuseSessionDelete(loaded, key, code);
    const remaining = stored.filter((item) => item.key !== key);
    await checkParticipant(trx, contextOf(loaded), asBundleParticipant({ ...loaded, [list]: remaining }), { kind: 'elsewhere' }, 'participant');
    await writeRecordWithAudit(
      trx,
      spec.table,
      { studyId: loaded.study.study_id, participantNo: loaded.row.participant_no },
      { kind: 'delete', no: key },
      await chainAuditRow(trx, recordAudit(change, 'delete', loaded, list, key, { before: current.record, after: null })),
    );
  });
}

/** The participant's sessions and adverse events after a session was removed and the later ones renumbered. */
export interface SessionRenumbering {
  sessions: RecordResponse<'sessions'>[];
  adverseEvents: RecordResponse<'adverseEvents'>[];
}

/**
 * Remove a session that is not the last (a duplicated visit, say) and renumber the later ones:
 * each takes its number less one, and the adverse events that name a later session follow it.
 * An adverse event naming the removed session itself is refused, as for a delete. The result
 * must still hold the protocol's rules (first session initial, touch-ups after), else nothing
 * is written. One transaction; one audit row per record changed: the removed session's delete,
 * then each renumbered session's and each followed adverse event's update.
 */
export async function removeAndRenumberSession(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  code: string,
  number: number,
  ifMatch: string,
): Promise<SessionRenumbering> {
  return writeParticipant(db, change, studyCode, code, async ({ trx, loaded }) => {
    const index = loaded.sessions.findIndex((s) => s.key === number);
    if (index < 0) throw recordNotFound('sessions', code, number);
    const removed = loaded.sessions[index]!;
    requireVersion(ifMatch, removed.version, `session ${number} of participant ${code}`, withKey('sessions', removed));
    refuseNamedSession(loaded, number, code);
    const renumber = (n: number | null | undefined) => (n !== null && n !== undefined && n > number ? n - 1 : n);
    const sessions = loaded.sessions
      .filter((s) => s.key !== number)
      .map((s) => ({ ...s, record: { ...s.record, number: renumber(s.record.number)! } }));
    const adverseEvents = loaded.adverseEvents.map((e) =>
      e.record.sessionNumber !== null && e.record.sessionNumber !== undefined && e.record.sessionNumber > number
        ? { ...e, record: { ...e.record, sessionNumber: renumber(e.record.sessionNumber)! } }
        : e,
    );
    const checked = await checkParticipant(
      trx,
      contextOf(loaded),
      asBundleParticipant({ ...loaded, sessions, adverseEvents }),
      { kind: 'elsewhere' },
      'participant after the renumbering',
    );
    const key = { studyId: loaded.study.study_id, participantNo: loaded.row.participant_no };
    await writeRecordWithAudit(
      trx,
      LISTS.sessions.table,
      key,
      { kind: 'delete', no: number },
      await chainAuditRow(trx, recordAudit(change, 'delete', loaded, 'sessions', number, { before: removed.record, after: null })),
    );
    const eventVersions = new Map(loaded.adverseEvents.map((e) => [e.key, e.version]));
    const sessionVersions = new Map(sessions.map((s) => [s.key, s.version]));
    const followed: number[] = [];
    for (const later of loaded.sessions.slice(index + 1)) {
      const moved = await moveSession(trx, key, later.key, later.key - 1);
      sessionVersions.set(later.key, moved.version);
      for (const [no, version] of moved.events) eventVersions.set(no, version);
      const after = checked.participant.sessions.find((s) => s.number === later.key - 1)!;
      await insertAuditEvent(
        trx,
        await chainAuditRow(trx, recordAudit(change, 'update', loaded, 'sessions', later.key, { before: later.record, after })),
      );
      loaded.adverseEvents.forEach((e, i) => {
        if (e.record.sessionNumber === later.key) followed.push(i);
      });
    }
    for (const i of followed) {
      const e = loaded.adverseEvents[i]!;
      await insertAuditEvent(
        trx,
        await chainAuditRow(
          trx,
          recordAudit(change, 'update', loaded, 'adverseEvents', e.key, { before: e.record, after: checked.participant.adverseEvents[i]! }),
        ),
      );
    }
    return {
      sessions: sessions.map((s, i) => withKey('sessions', { key: s.record.number, record: checked.participant.sessions[i]!, version: sessionVersions.get(s.key)! })),
      adverseEvents: loaded.adverseEvents.map((e, i) =>
        withKey('adverseEvents', { key: e.key, record: checked.participant.adverseEvents[i]!, version: eventVersions.get(e.key)! }),
      ),
    };
  });
}

function refuseSessionDelete(loaded: Loaded, number: number, code: string): void {
  refuseNamedSession(loaded, number, code);
  const last = loaded.sessions.at(-1)!.key;
  if (number !== last) {
    throw new AppError(
      'conflict',
      `only the last session (${last}) of participant ${code} can be deleted: session numbers stay 1..n; ` +
        `correct session ${number} instead, or remove it and renumber the later ones`,
      [{ path: 'number', message: `is not the last session (${last})` }],
    );
  }
}

/** A session that an adverse event names is not removed: the event would lose its session. */
function refuseNamedSession(loaded: Loaded, number: number, code: string): void {
  const naming = loaded.adverseEvents.flatMap((e, index) => (e.record.sessionNumber === number ? [{ e, index }] : []));
  if (naming.length > 0) {
    throw new AppError(
      'conflict',
      `session ${number} of participant ${code} is named by adverse event${naming.length === 1 ? '' : 's'} ` +
        `${naming.map(({ e }) => e.key).join(', ')}; change or delete ${naming.length === 1 ? 'that event' : 'those events'} first`,
      naming.map(({ e, index }) => ({
        path: `participant.adverseEvents[${index}].sessionNumber`,
        message: `adverse event ${e.key} (onset ${e.record.onsetDate}) follows session ${number}`,
      })),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Pages of participants

export interface ParticipantPageRow {
  row: ParticipantRow;
  counts: ParticipantRecord['counts'];
}

/** Participants' responses for a page of rows, in the reader's view. */
export async function participantResponses(
  kysely: Kysely<Database>,
  study: StudyRow,
  rows: ParticipantRow[],
  key: Uint8Array | null,
): Promise<ParticipantRecord[]> {
  const counts = new Map((await selectRecordCounts(kysely, study.study_id, rows.map((r) => r.participant_no))).map((c) => [c.participant_no, c]));
  return rows.map((row) => {
    const fields = participantFromRow(row, row.site_code);
    const { sessions, adverseEvents, fadingAssessments, surveys, ...view } = viewOf(
      { ...fields, sessions: [], adverseEvents: [], fadingAssessments: [], surveys: [] },
      key,
    );
    const c = counts.get(row.participant_no);
    return participantResponse(view, row.version, {
      sessions: c?.sessions ?? 0,
      adverseEvents: c?.adverse_events ?? 0,
      fadingAssessments: c?.fading_assessments ?? 0,
      surveys: c?.surveys ?? 0,
    });
  });
}

export { readStudy };
export type { ReadContext };
