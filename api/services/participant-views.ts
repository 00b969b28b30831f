// What a reader sees of a participant and its records: the participant as stored, loaded in the
// caller's scope (a clinic reaches its own sites only, others are 404), and the response shapes
// in the caller's view (a reviewer sees the de-identified one). The writes of
// participant-service.ts and record-service.ts answer with the same shapes.
import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/kysely.ts';
import {
  loadParticipant,
  selectRecordCounts,
  type ChildTable,
  type LoadedParticipant,
  type ParticipantRow,
} from '../../db/repositories/participant-repository.ts';
import { findStudyByCode, selectStudySecret, type StudyRow } from '../../db/repositories/study-repository.ts';
import { AppError } from '../errors.ts';
import type { AdverseEvent, FadingAssessment, Participant, SatisfactionSurvey, TreatmentSession } from '../schemas/bundle.ts';
import type { ParticipantFields, ParticipantRecord } from '../schemas/records.ts';
import { participantNotFound, reachesSite, requireStudyScope, studyNotFound, type Actor, type StudyScope } from './access.ts';
import type { AuditEntity } from './audit-service.ts';
import { deidentifyParticipantFields, participantDeidentifier } from './deidentify.ts';
import { adverseEventFromRow, assessmentFromRow, participantFromRow, sessionFromRow, surveyFromRow } from './record-mapping.ts';

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

export type RecordOf<L extends RecordList> = Participant[L][number];

/** A stored record with its key (session number or record number) and version. */
export interface Stored<T> {
  key: number;
  record: T;
  version: string;
}

/** A participant as stored: its fields and every record. */
export interface Loaded {
  study: StudyRow;
  row: ParticipantRow & { site_name: string };
  fields: ParticipantFields;
  /** The practitioners the participant's sessions name, as the bundle writes them, with their numbers. */
  practitioners: Map<string, { code: string; site: string; yearsExperience: number; practitionerNo: number }>;
  /** The sites of those practitioners, by code, with their numbers. */
  practitionerSites: Map<string, { code: string; name: string; siteNo: number }>;
  sessions: Stored<TreatmentSession>[];
  adverseEvents: Stored<AdverseEvent>[];
  fadingAssessments: Stored<FadingAssessment>[];
  surveys: Stored<SatisfactionSurvey>[];
}

/**
 * A participant as the checks after a write read it (edit-check-service.ts): its study, fields,
 * the practitioners its sessions name, and every record with its key and version.
 */
export type WrittenParticipant = Pick<Loaded, 'study' | 'fields' | 'practitioners' | RecordList> & { row: Pick<Loaded['row'], 'participant_no'> };

/**
 * The participant as it is after one of its records was added or changed: `record` takes the
 * place of the record with its key, or joins the list, which stays in key order. `practitioners`
 * are those its sessions name now (a session may name one the participant did not).
 */
export function withRecord<L extends RecordList>(
  loaded: Loaded,
  list: L,
  record: Stored<RecordOf<L>>,
  practitioners: Loaded['practitioners'],
): WrittenParticipant {
  const stored = loaded[list] as Stored<RecordOf<L>>[];
  const others = stored.filter((item) => item.key !== record.key);
  const items = [...others, record].sort((a, b) => a.key - b.key);
  const sessions = list === 'sessions' ? (items as Stored<TreatmentSession>[]) : loaded.sessions;
  return {
    study: loaded.study,
    row: loaded.row,
    fields: loaded.fields,
    practitioners: new Map(sessions.map((s) => [s.record.practitioner, practitioners.get(s.record.practitioner)!])),
    sessions,
    adverseEvents: loaded.adverseEvents,
    fadingAssessments: loaded.fadingAssessments,
    surveys: loaded.surveys,
    [list]: items,
  };
}

/** A record as the API returns it: the bundle record, its number where it has one, its version. */
export type RecordResponse<L extends RecordList> = RecordOf<L> & { no?: number; version: number };

export function loadedOf(rows: LoadedParticipant): Loaded {
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
    practitionerSites: new Map(
      rows.sessions.map((s) => [s.practitioner_site_code, { code: s.practitioner_site_code, name: s.practitioner_site_name, siteNo: s.practitioner_site_no }]),
    ),
    sessions: rows.sessions.map((s) => ({ key: s.session_number, record: sessionFromRow(s, s.practitioner_code), version: String(s.version) })),
    adverseEvents: rows.adverseEvents.map((e) => ({ key: e.event_no, record: adverseEventFromRow(e), version: String(e.version) })),
    fadingAssessments: rows.assessments.map((a) => ({ key: a.assessment_no, record: assessmentFromRow(a), version: String(a.version) })),
    surveys: rows.surveys.map((s) => ({ key: s.survey_no, record: surveyFromRow(s), version: String(s.version) })),
  };
}

/** A 404 for a participant that did not load: the study's, if the study is missing, else the participant's. */
export async function notFound(kysely: Kysely<Database>, studyCode: string, code: string): Promise<AppError> {
  return (await findStudyByCode(kysely, studyCode)) ? participantNotFound(code) : studyNotFound(studyCode);
}

/** The participant in bundle form, with its lists in key order. */
export function asBundleParticipant(loaded: Pick<Loaded, RecordList | 'fields'>): Participant {
  return {
    ...loaded.fields,
    sessions: loaded.sessions.map((s) => s.record),
    adverseEvents: loaded.adverseEvents.map((e) => e.record),
    fadingAssessments: loaded.fadingAssessments.map((a) => a.record),
    surveys: loaded.surveys.map((s) => s.record),
  };
}

/** What a caller may read of a study: its row, scope, and the de-identification key for reviewers. */
export interface ReadContext {
  kysely: Kysely<Database>;
  study: StudyRow;
  scope: StudyScope;
  key: Uint8Array | null;
}

export async function readStudy<T>(db: Db, actor: Actor, studyCode: string, work: (ctx: ReadContext) => Promise<T>): Promise<T> {
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
export function viewOf(participant: Participant, key: Uint8Array | null): Participant {
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

export function participantResponse(fields: ParticipantFields, version: string, counts: ParticipantRecord['counts']): ParticipantRecord {
  return { ...fields, version: Number(version), counts };
}

export function countsOf(loaded: Pick<Loaded, RecordList>): ParticipantRecord['counts'] {
  return {
    sessions: loaded.sessions.length,
    adverseEvents: loaded.adverseEvents.length,
    fadingAssessments: loaded.fadingAssessments.length,
    surveys: loaded.surveys.length,
  };
}

export function withKey<L extends RecordList>(list: L, stored: Stored<RecordOf<L>>, record: RecordOf<L> = stored.record): RecordResponse<L> {
  const base = { ...record, version: Number(stored.version) } as RecordResponse<L>;
  return list === 'sessions' ? base : { no: stored.key, ...base };
}

// ---------------------------------------------------------------------------------------------
// Reads of one participant and its records

/** One participant with its record counts. */
export async function getParticipant(db: Db, actor: Actor, studyCode: string, code: string): Promise<ParticipantRecord> {
  const { loaded, key } = await readParticipant(db, actor, studyCode, code);
  const { sessions, adverseEvents, fadingAssessments, surveys, ...fields } = viewOf(asBundleParticipant(loaded), key);
  return participantResponse(fields, loaded.row.version, countsOf(loaded));
}

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

export function recordNotFound(list: RecordList, code: string, key: number): AppError {
  return new AppError('not_found', `participant ${code} has no ${LISTS[list].noun} ${key}`);
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
