// One participant and its records: lock it, read it whole, and change one record at a time.
// Also the study's sites and practitioners by code. SQL only; the rules live in api/services.
import { sql, type Insertable, type Kysely, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../types.ts';
import { auditInsert, chainHeadUpdate, type ChainedAuditRow } from './audit-repository.ts';
import { reviewStateColumns, type ReviewState } from './data-query-repository.ts';
import { validSignatureColumn } from './signature-repository.ts';

export type ParticipantRow = Selectable<Database['participant']> & { site_code: string };
export type SessionRow = Selectable<Database['treatment_session']> & { practitioner_code: string; practitioner_pseudonym: string };
export type AdverseEventRow = Selectable<Database['adverse_event']>;
export type AssessmentRow = Selectable<Database['fading_assessment']>;
export type SurveyRow = Selectable<Database['satisfaction_survey']>;
export type SiteRow = Selectable<Database['site']>;
export type PractitionerRow = Selectable<Database['practitioner']> & { site_code: string; site_name: string };

/** The tables of a participant's records, with the column that numbers them. */
export const CHILD_KEYS = {
  treatment_session: 'session_number',
  adverse_event: 'event_no',
  fading_assessment: 'assessment_no',
  satisfaction_survey: 'survey_no',
} as const;
export type ChildTable = keyof typeof CHILD_KEYS;

/** A session as loaded with its participant: with its practitioner's code, pseudonym, site and experience. */
export type LoadedSessionRow = Selectable<Database['treatment_session']> & {
  practitioner_code: string;
  practitioner_pseudonym: string;
  practitioner_site_code: string;
  practitioner_site_name: string;
  practitioner_site_no: number;
  practitioner_years: number;
};

/** A participant and every record of it, read in one statement. */
export interface LoadedParticipant {
  study: Selectable<Database['study']>;
  /** The study's de-identification key, when asked for. */
  deidKey: Uint8Array | null;
  participant: ParticipantRow & { site_name: string };
  sessions: LoadedSessionRow[];
  adverseEvents: AdverseEventRow[];
  assessments: AssessmentRow[];
  surveys: SurveyRow[];
  /**
   * Whether a sign-off lock holds it, read by the statement that locked the participant's row
   * (undefined when it was not read: ask participant-lock-service.ts).
   */
  locked?: boolean | undefined;
  /**
   * Its review state and whether a valid signature is there, read once its row was held (by a
   * batch of writers: lockAndLoadAvailableParticipants); undefined when not read (selectReviewState).
   */
  review?: SignedReviewState | undefined;
}

/** What a write's checks read of a participant's review: open automatic queries, verified records, a valid signature. */
export type SignedReviewState = ReviewState & { signed: boolean };

const parseJson = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

/** The review state of a participant in `p` and its study in `st`, from the columns a statement selected. */
function reviewOf(row: Record<string, unknown>): SignedReviewState {
  return { queries: parseJson(row.review_queries), verified: parseJson(row.review_verified), signed: row.review_signed === true };
}

const childList = (table: Exclude<ChildTable, 'treatment_session'>) =>
  sql`(select coalesce(json_agg(row_to_json(c) order by c.${sql.ref(CHILD_KEYS[table])}), '[]')
        from ${sql.table(table)} c where c.study_id = p.study_id and c.participant_no = p.participant_no)`;

/**
 * A participant of a study by code (or pseudonym), with its study, site and every record, in one
 * statement, so that a read sees one moment without a transaction. Undefined when the study or
 * the participant does not exist.
 *
 * Child rows come through JSON: versions and density scores as numbers, dates as YYYY-MM-DD.
 */
export async function loadParticipant(
  db: Kysely<Database>,
  studyCode: string,
  name: string,
  options: { by: 'code' | 'pseudonym'; withKey: boolean },
): Promise<LoadedParticipant | undefined> {
  return selectParticipant(db, studyCode, name, { ...options, lock: false });
}

/**
 * A participant just written, in the writer's transaction (which holds its row), read whole as
 * loadParticipant reads it, with what follows a write in the same statement: its review state
 * (edit-check-service.ts) and whether it has a valid signature (signature-service.ts).
 */
export async function loadWrittenParticipant(
  trx: Kysely<Database>,
  studyCode: string,
  code: string,
): Promise<(LoadedParticipant & { review: SignedReviewState }) | undefined> {
  const [row] = await selectParticipants(trx, studyCode, [code], { by: 'code', withKey: false, lock: 'none', review: true });
  return row as (LoadedParticipant & { review: SignedReviewState }) | undefined;
}

/**
 * A participant's review state alone, for a writer that knows the participant as written
 * (record-service.ts): read in its transaction once the participant's row is held, so that a
 * signature or a verification committed before the row was held is seen.
 */
export async function selectReviewState(trx: Kysely<Database>, studyCode: string, code: string): Promise<SignedReviewState | undefined> {
  const { rows } = await sql<Record<string, unknown>>`
    select ${reviewStateColumns}, ${validSignatureColumn}
    from participant p join study st on st.study_id = p.study_id
    where st.code = ${studyCode} and p.code = ${code}`.execute(trx);
  return rows[0] === undefined ? undefined : reviewOf(rows[0]);
}

/**
 * Hold a participant's row for update until the transaction ends (one writer per participant),
 * and load it as loadParticipant does. The study's row is not locked: a replace or a deletion of
 * the study deletes the participant's row, and so waits for this writer, which therefore comes
 * before it; many writers share-locking the one study row would only queue behind each other.
 *
 * A statement that waits for a row lock reads the locked row again, as the previous holder left
 * it, but the rest of what it selects (the records) as they were when it began. A writer of
 * records always moves the participant's records_version, so a copy read before the wait shows a
 * records_version unlike the row's: the records are then read again, by a statement of their own.
 */
export async function lockAndLoadParticipant(trx: Kysely<Database>, studyCode: string, code: string): Promise<LoadedParticipant | undefined> {
  const loaded = await selectParticipant(trx, studyCode, code, { by: 'code', withKey: false, lock: true });
  if (loaded === undefined || loaded.fresh) return loaded;
  // Read again, sign-off lock and all, by a statement that begins now the row is held.
  // Unlocked, it leaves `locked` unset: the caller reads the sign-off lock itself.
  return selectParticipant(trx, studyCode, code, { by: 'code', withKey: false, lock: false });
}

/**
 * Hold several participants of a study for update and load them, skipping any that another
 * transaction holds: this statement never waits, so what it loads is current, and writers that
 * lock several participants this way cannot deadlock. Returns those it locked, by code.
 */
export async function lockAndLoadAvailableParticipants(
  trx: Kysely<Database>,
  studyCode: string,
  codes: readonly string[],
): Promise<Map<string, LoadedParticipant>> {
  const rows = await selectParticipants(trx, studyCode, codes, { by: 'code', withKey: false, lock: 'skip locked' });
  if (rows.length === 0) return new Map();
  // A new statement, now that the rows are held, sees every commit before it: a participant whose
  // records moved between the first statement's start and its lock (its copy is stale) is left
  // out, and each participant's sign-off lock and review state are read here for the whole batch.
  const { rows: states } = await sql<Record<string, unknown> & { code: string; records_version: string; locked: boolean }>`
    select p.code, p.records_version::text as records_version,
      ${signOffLocked} as locked, ${reviewStateColumns}, ${validSignatureColumn}
    from participant p join study st on st.study_id = p.study_id
    where st.code = ${studyCode} and p.code = any(${rows.map((row) => row.participant.code)}::text[])`.execute(trx);
  const current = new Map(states.map((state) => [state.code, state]));
  const loaded = new Map<string, LoadedParticipant>();
  for (const row of rows) {
    const state = current.get(row.participant.code);
    if (state === undefined || state.records_version !== String(row.participant.records_version)) continue;
    loaded.set(row.participant.code, { ...row, locked: state.locked, review: reviewOf(state) });
  }
  return loaded;
}

/** Whether a sign-off lock holds participant `p` (of study `st`) now. */
const signOffLocked = sql<boolean>`exists (select 1 from participant_lock l
  where l.study_code = st.code and l.participant_code = p.code and l.unlocked_at is null)`;

async function selectParticipant(
  db: Kysely<Database>,
  studyCode: string,
  name: string,
  options: { by: 'code' | 'pseudonym'; withKey: boolean; lock: boolean },
): Promise<(LoadedParticipant & { fresh: boolean }) | undefined> {
  const [row] = await selectParticipants(db, studyCode, [name], { ...options, lock: options.lock ? 'wait' : 'none' });
  return row;
}

async function selectParticipants(
  db: Kysely<Database>,
  studyCode: string,
  names: readonly string[],
  options: { by: 'code' | 'pseudonym'; withKey: boolean; lock: 'none' | 'wait' | 'skip locked'; review?: boolean },
): Promise<Array<LoadedParticipant & { fresh: boolean }>> {
  const { rows } = await sql<Record<string, unknown>>`
    select p.*, s.code as site_code, s.name as site_name, row_to_json(st) as study_json,
      ${options.withKey ? sql`(select k.deid_key from study_secret k where k.study_id = st.study_id)` : sql`null::bytea`} as deid_key,
      (select coalesce(json_agg(json_build_object(
          'study_id', t.study_id, 'participant_no', t.participant_no, 'session_number', t.session_number, 'kind', t.kind,
          'session_date', t.session_date, 'duration_minutes', t.duration_minutes, 'practitioner_no', t.practitioner_no,
          'pigment_lot', t.pigment_lot, 'anesthesia', t.anesthesia, 'version', t.version,
          'practitioner_code', pr.code, 'practitioner_pseudonym', pr.pseudonym, 'practitioner_site_code', ps.code,
          'practitioner_site_name', ps.name, 'practitioner_site_no', ps.site_no, 'practitioner_years', pr.years_experience) order by t.session_number), '[]')
        from treatment_session t
        join practitioner pr on pr.study_id = t.study_id and pr.practitioner_no = t.practitioner_no
        join site ps on ps.study_id = pr.study_id and ps.site_no = pr.site_no
        where t.study_id = p.study_id and t.participant_no = p.participant_no) as sessions_json,
      ${childList('adverse_event')} as events_json,
      ${childList('fading_assessment')} as assessments_json,
      ${childList('satisfaction_survey')} as surveys_json,
      (select p0.records_version from participant p0
        where p0.study_id = p.study_id and p0.participant_no = p.participant_no) as snapshot_records_version
      ${options.lock === 'none' ? sql`` : sql`, ${signOffLocked} as sign_off_locked`}
      ${options.review ? sql`, ${reviewStateColumns}, ${validSignatureColumn}` : sql``}
    from participant p
    join study st on st.study_id = p.study_id
    join site s on s.study_id = p.study_id and s.site_no = p.site_no
    where st.code = ${studyCode} and ${sql.ref(`p.${options.by}`)} = any(${[...names]}::text[])
    ${options.lock === 'wait' ? sql`for update of p` : options.lock === 'skip locked' ? sql`for update of p skip locked` : sql``}`.execute(db);
  return rows.map((row) => {
    const { study_json, deid_key, sessions_json, events_json, assessments_json, surveys_json, snapshot_records_version, review_queries, review_verified, review_signed, sign_off_locked, ...participant } = row;
    return {
      ...(options.lock === 'none' ? {} : { locked: sign_off_locked === true }),
      ...(options.review ? { review: reviewOf({ review_queries, review_verified, review_signed }) } : {}),
      study: parseJson(study_json),
      deidKey: (deid_key as Uint8Array | null) ?? null,
      participant: participant as LoadedParticipant['participant'],
      sessions: parseJson(sessions_json),
      adverseEvents: parseJson(events_json),
      assessments: parseJson(assessments_json),
      surveys: parseJson(surveys_json),
      fresh: String(snapshot_records_version) === String(participant.records_version),
    };
  });
}

function participantQuery(db: Kysely<Database>, studyId: number) {
  return db
    .selectFrom('participant as p')
    .innerJoin('site as s', (join) => join.onRef('s.study_id', '=', 'p.study_id').onRef('s.site_no', '=', 'p.site_no'))
    .selectAll('p')
    .select('s.code as site_code')
    .where('p.study_id', '=', studyId);
}

/** A participant by code, or by pseudonym for a de-identified caller. */
export async function findParticipant(
  db: Kysely<Database>,
  studyId: number,
  code: string,
  by: 'code' | 'pseudonym' = 'code',
): Promise<ParticipantRow | undefined> {
  return participantQuery(db, studyId).where(`p.${by}`, '=', code).executeTakeFirst();
}

/** Find a participant and hold its row until the transaction ends: one writer per participant. */
export async function lockParticipant(trx: Kysely<Database>, studyId: number, code: string): Promise<ParticipantRow | undefined> {
  return participantQuery(trx, studyId).where('p.code', '=', code).forUpdate('p').executeTakeFirst();
}

/** Every record of a participant, each list in key order. */
export async function selectParticipantRecords(db: Kysely<Database>, studyId: number, participantNo: number) {
  // One after another: in a transaction they share one connection anyway.
  const sessions = await db
    .selectFrom('treatment_session as t')
    .innerJoin('practitioner as pr', (join) =>
      join.onRef('pr.study_id', '=', 't.study_id').onRef('pr.practitioner_no', '=', 't.practitioner_no'),
    )
    .selectAll('t')
    .select(['pr.code as practitioner_code', 'pr.pseudonym as practitioner_pseudonym'])
    .where('t.study_id', '=', studyId)
    .where('t.participant_no', '=', participantNo)
    .orderBy('t.session_number')
    .execute();
  const adverseEvents = await childRows(db, 'adverse_event', studyId, participantNo);
  const assessments = await childRows(db, 'fading_assessment', studyId, participantNo);
  const surveys = await childRows(db, 'satisfaction_survey', studyId, participantNo);
  return { sessions, adverseEvents, assessments, surveys };
}

function childRows<T extends Exclude<ChildTable, 'treatment_session'>>(db: Kysely<Database>, table: T, studyId: number, participantNo: number) {
  return db
    .selectFrom(table as Exclude<ChildTable, 'treatment_session'>)
    .selectAll()
    .where('study_id', '=', studyId)
    .where('participant_no', '=', participantNo)
    .orderBy(CHILD_KEYS[table] as never)
    .execute() as Promise<Selectable<Database[T]>[]>;
}

/** The number of each kind of record per participant. */
export async function selectRecordCounts(db: Kysely<Database>, studyId: number, participantNos: readonly number[]) {
  if (participantNos.length === 0) return [];
  const count = (table: ChildTable) =>
    sql<number>`(select count(*)::int from ${sql.table(table)} c where c.study_id = p.study_id and c.participant_no = p.participant_no)`;
  return db
    .selectFrom('participant as p')
    .select([
      'p.participant_no',
      count('treatment_session').as('sessions'),
      count('adverse_event').as('adverse_events'),
      count('fading_assessment').as('fading_assessments'),
      count('satisfaction_survey').as('surveys'),
    ])
    .where('p.study_id', '=', studyId)
    .where('p.participant_no', 'in', participantNos)
    .execute();
}

/** Insert a participant; its version comes from the sequence, which is returned. */
export async function insertParticipant(trx: Kysely<Database>, row: Insertable<Database['participant']>): Promise<string> {
  const inserted = await trx.insertInto('participant').values(row).returning(sql<string>`version::text`.as('version')).executeTakeFirstOrThrow();
  return inserted.version;
}

/** Change a participant's columns; it takes a new version from the sequence, which is returned. */
export async function updateParticipant(
  trx: Kysely<Database>,
  studyId: number,
  participantNo: number,
  changes: Updateable<Database['participant']>,
): Promise<string> {
  const row = await trx
    .updateTable('participant')
    .set({ ...changes, version: sql`nextval('record_version_seq')` })
    .where('study_id', '=', studyId)
    .where('participant_no', '=', participantNo)
    .returning(sql<string>`version::text`.as('version'))
    .executeTakeFirstOrThrow();
  return row.version;
}

export async function deleteParticipant(trx: Kysely<Database>, studyId: number, participantNo: number): Promise<void> {
  await trx.deleteFrom('participant').where('study_id', '=', studyId).where('participant_no', '=', participantNo).execute();
}

/** A change of one record of a participant, written with its audit row in one statement. */
export type RecordWrite =
  | {
      kind: 'insert';
      /** The record's number: a session's own, or the participant's next, which the counter is set to. */
      no: number;
      counter: 'last_event_no' | 'last_assessment_no' | 'last_survey_no' | null;
      columns: Record<string, unknown>;
    }
  | { kind: 'update'; no: number; columns: Record<string, unknown> }
  | { kind: 'delete'; no: number };

/**
 * Write one record of a participant and its audit row in one statement: one round trip, and
 * the two stand or fall together (or, with `audit` null, the record alone: the caller appends its
 * row later in the same transaction); the participant's records_version grows with it. The
 * participant's row must be held (lockAndLoadParticipant), so that the record number, taken
 * from its counter, is this writer's alone. Returns the record's new version (null for a delete).
 */
export async function writeRecordWithAudit(
  trx: Kysely<Database>,
  table: ChildTable,
  key: { studyId: number; participantNo: number },
  write: RecordWrite,
  audit: ChainedAuditRow | null,
): Promise<string | null> {
  // Written as SQL text rather than with the query builder: the statement of every record write,
  // which built and compiled through the builder cost about a twentieth of the write path's CPU.
  const participant = sql`study_id = ${key.studyId} and participant_no = ${key.participantNo}`;
  const record = sql`${participant} and ${sql.ref(CHILD_KEYS[table])} = ${write.no}`;
  let written: RawBuilder<unknown>;
  switch (write.kind) {
    case 'insert': {
      const values = { study_id: key.studyId, participant_no: key.participantNo, [CHILD_KEYS[table]]: write.no, ...write.columns };
      const [names, row] = definedColumns(values);
      written = sql`insert into ${sql.table(table)} (${sql.join(names.map((name) => sql.ref(name)))}) values (${sql.join(row)})
        returning version::text as version`;
      break;
    }
    case 'update': {
      const [names, row] = definedColumns(write.columns);
      const set = names.map((name, i) => sql`${sql.ref(name)} = ${row[i]}`);
      written = sql`update ${sql.table(table)} set ${sql.join([...set, sql`version = nextval('record_version_seq')`])}
        where ${record} returning version::text as version`;
      break;
    }
    case 'delete':
      written = sql`delete from ${sql.table(table)} where ${record} returning null::text as version`;
      break;
    default: {
      const unknown: never = write;
      throw new Error(`unknown write ${String(unknown)}`);
    }
  }
  const counter = write.kind === 'insert' && write.counter !== null ? sql`, ${sql.ref(write.counter)} = ${write.no}` : sql``;
  const counted = sql`update participant set records_version = records_version + 1${counter} where ${participant}`;
  // Without its audit row (appended at the end of the transaction by the caller), the record alone.
  const statement =
    audit === null
      ? sql<{ version: string | null }>`with written as (${written}), counted as (${counted}) select (select version from written) as version`
      : sql<{ version: string | null }>`with written as (${written}), counted as (${counted}),
          head as (${chainHeadUpdate(audit)}) ${auditInsert([audit])} returning (select version from written) as version`;
  const { rows } = await statement.execute(trx);
  return rows[0]!.version;
}

/** The names and values of an object's columns that are not undefined (as the query builder leaves those out). */
function definedColumns(values: Record<string, unknown>): [string[], unknown[]] {
  const names: string[] = [];
  const row: unknown[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    names.push(name);
    row.push(value);
  }
  return [names, row];
}

export async function deleteChild(trx: Kysely<Database>, table: ChildTable, key: { studyId: number; participantNo: number; no: number }) {
  await trx
    .deleteFrom(table)
    .where('study_id', '=', key.studyId)
    .where('participant_no', '=', key.participantNo)
    .where(CHILD_KEYS[table] as never, '=', key.no as never)
    .execute();
}

/**
 * Give session `from` of a participant the number `to` (a free number): a copy under the new
 * number with a new version, the adverse events that name it moved along (with new versions),
 * then the old row removed. Returns the versions written: the session's, and each moved event's
 * by its number. Callers move sessions in ascending order after removing an earlier one.
 */
export async function moveSession(
  trx: Kysely<Database>,
  key: { studyId: number; participantNo: number },
  from: number,
  to: number,
): Promise<{ version: string; events: Map<number, string> }> {
  const copied = await sql<{ version: string }>`
    insert into treatment_session (study_id, participant_no, session_number, kind, session_date, duration_minutes, practitioner_no, pigment_lot, anesthesia)
    select study_id, participant_no, ${to}, kind, session_date, duration_minutes, practitioner_no, pigment_lot, anesthesia
    from treatment_session
    where study_id = ${key.studyId} and participant_no = ${key.participantNo} and session_number = ${from}
    returning version::text as version`.execute(trx);
  const moved = await trx
    .updateTable('adverse_event')
    .set({ session_number: to, version: sql`nextval('record_version_seq')` } as never)
    .where('study_id', '=', key.studyId)
    .where('participant_no', '=', key.participantNo)
    .where('session_number', '=', from)
    .returning(['event_no', sql<string>`version::text`.as('version')])
    .execute();
  await deleteChild(trx, 'treatment_session', { ...key, no: from });
  return { version: copied.rows[0]!.version, events: new Map(moved.map((e) => [e.event_no, e.version])) };
}

/** The study's sites with these codes. */
export async function sitesByCode(db: Kysely<Database>, studyId: number, codes: readonly string[]): Promise<SiteRow[]> {
  if (codes.length === 0) return [];
  return db.selectFrom('site').selectAll().where('study_id', '=', studyId).where('code', 'in', codes).orderBy('site_no').execute();
}

/** The study's practitioners with these codes (or pseudonyms), with their site's code and name. */
export async function practitionersByCode(
  db: Kysely<Database>,
  studyId: number,
  codes: readonly string[],
  by: 'code' | 'pseudonym' = 'code',
): Promise<PractitionerRow[]> {
  if (codes.length === 0) return [];
  return db
    .selectFrom('practitioner as pr')
    .innerJoin('site as s', (join) => join.onRef('s.study_id', '=', 'pr.study_id').onRef('s.site_no', '=', 'pr.site_no'))
    .selectAll('pr')
    .select(['s.code as site_code', 's.name as site_name'])
    .where('pr.study_id', '=', studyId)
    .where(`pr.${by}`, 'in', codes)
    .orderBy('pr.practitioner_no')
    .execute();
}
