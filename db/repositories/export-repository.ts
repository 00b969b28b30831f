// A study's participants read for an export: in keyset batches, in the order the export writes
// them (by code, or by pseudonym for a de-identified view), each batch with the records of its
// participants. Run inside one read-only snapshot, so that every batch sees the same study.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../types.ts';

type Row<T extends keyof Database> = Selectable<Database[T]>;

/** Which record kinds a pass over the participants needs, besides the participants themselves. */
export interface RecordKinds {
  sessions?: boolean;
  adverseEvents?: boolean;
  fadingAssessments?: boolean;
  surveys?: boolean;
}

export interface ParticipantBatch {
  participants: Array<Row<'participant'>>;
  sessions: Array<Row<'treatment_session'>>;
  adverseEvents: Array<Row<'adverse_event'>>;
  fadingAssessments: Array<Row<'fading_assessment'>>;
  surveys: Array<Row<'satisfaction_survey'>>;
}

export interface BatchOptions {
  studyId: number;
  /** The column participants are ordered and paged by: the code, or the pseudonym of a de-identified view. */
  orderBy: 'code' | 'pseudonym';
  /** Only participants of these sites (a clinic's view); null for every site. */
  siteNos: readonly number[] | null;
  kinds: RecordKinds;
  /** Participants per batch. */
  batchSize: number;
  /**
   * The database's own collation orders text by code point (codePointCollation), so that the
   * order can use the (study_id, code) and (study_id, pseudonym) indexes; otherwise each batch
   * is sorted with collation "C".
   */
  codePointCollation: boolean;
}

const CHILD_TABLES = {
  sessions: ['treatment_session', 'session_number'],
  adverseEvents: ['adverse_event', 'event_no'],
  fadingAssessments: ['fading_assessment', 'assessment_no'],
  surveys: ['satisfaction_survey', 'survey_no'],
} as const;

/**
 * The participants in batches of `batchSize`, ordered by `orderBy` in code-point order (collation
 * "C", JavaScript's order for the ASCII codes participants have), each batch with the records of
 * the kinds asked for, ordered by participant and record number.
 */
export async function* participantBatches(db: Kysely<Database>, options: BatchOptions): AsyncGenerator<ParticipantBatch> {
  const batches = batchesInTurn(db, options);
  // The next batch is read while the caller writes this one, so the database and the writing
  // overlap; at most two batches are held.
  let next = batches.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = batches.next();
      // A caller that stops early (a closed download) leaves the read ahead unawaited.
      next.catch(() => {});
      yield current.value;
    }
  } finally {
    // The read ahead ends before the snapshot does: no query is left running on its connection.
    await next.catch(() => {});
    await batches.return(undefined);
  }
}

async function* batchesInTurn(db: Kysely<Database>, options: BatchOptions): AsyncGenerator<ParticipantBatch> {
  const { studyId, orderBy, siteNos, kinds, batchSize } = options;
  const column = options.codePointCollation ? sql.ref(orderBy) : sql`${sql.ref(orderBy)} collate "C"`;
  let after: string | null = null;
  for (;;) {
    let query = db
      .selectFrom('participant')
      .selectAll()
      .where('study_id', '=', studyId)
      .orderBy(column)
      .limit(batchSize);
    if (after !== null) query = query.where(sql<boolean>`${column} > ${after}`);
    if (siteNos !== null) query = query.where('site_no', 'in', siteNos.length > 0 ? siteNos : [-1]);
    const participants = await query.execute();
    if (participants.length === 0) return;
    const numbers = participants.map((p) => p.participant_no);
    const batch: ParticipantBatch = { participants, sessions: [], adverseEvents: [], fadingAssessments: [], surveys: [] };
    for (const kind of Object.keys(CHILD_TABLES) as Array<keyof typeof CHILD_TABLES>) {
      if (!kinds[kind]) continue;
      const [table, no] = CHILD_TABLES[kind];
      (batch[kind] as unknown[]) = await db
        .selectFrom(table)
        .selectAll()
        .where('study_id', '=', studyId)
        // One array parameter rather than a list of batchSize parameters: less to send and plan.
        .where(sql<boolean>`participant_no = any(${numbers}::int[])`)
        .orderBy('participant_no')
        .orderBy(no)
        .execute();
    }
    yield batch;
    if (participants.length < batchSize) return;
    after = participants[participants.length - 1]![orderBy];
  }
}

/**
 * Whether the database orders text by code point by default (collation C, POSIX or C.UTF-8, or
 * ICU's ucs_basic), as JavaScript orders the codes a study has.
 */
export async function codePointCollation(db: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ collation: string }>`select datcollate as collation from pg_database where datname = current_database()`.execute(db);
  return /^(c|posix|c\.utf-?8|ucs_basic)$/i.test(rows[0]?.collation ?? '');
}

/** What a de-identification report counts, for the participants of `siteNos` (null: all). */
export async function deidentificationCounts(db: Kysely<Database>, studyId: number, siteNos: readonly number[] | null) {
  const inScope = siteNos === null ? sql`true` : sql`p.site_no in (${sql.join(siteNos.length > 0 ? siteNos : [-1])})`;
  const { rows } = await sql<{
    participants: number;
    withdrawn: number;
    reasons: number;
    sessions: number;
    lots: number;
    events: number;
    resolved: number;
    assessments: number;
    surveys: number;
    practitioners: number;
  }>`
    select
      (select count(*)::int from participant p where p.study_id = ${studyId} and ${inScope}) as participants,
      (select count(*)::int from participant p where p.study_id = ${studyId} and ${inScope} and p.withdrawn_on is not null) as withdrawn,
      (select count(*)::int from participant p where p.study_id = ${studyId} and ${inScope} and p.withdrawal_reason is not null) as reasons,
      (select count(*)::int from treatment_session r join participant p using (study_id, participant_no) where r.study_id = ${studyId} and ${inScope}) as sessions,
      (select count(distinct r.pigment_lot)::int from treatment_session r join participant p using (study_id, participant_no) where r.study_id = ${studyId} and ${inScope}) as lots,
      (select count(*)::int from adverse_event r join participant p using (study_id, participant_no) where r.study_id = ${studyId} and ${inScope}) as events,
      (select count(*)::int from adverse_event r join participant p using (study_id, participant_no) where r.study_id = ${studyId} and ${inScope} and r.resolved_date is not null) as resolved,
      (select count(*)::int from fading_assessment r join participant p using (study_id, participant_no) where r.study_id = ${studyId} and ${inScope}) as assessments,
      (select count(*)::int from satisfaction_survey r join participant p using (study_id, participant_no) where r.study_id = ${studyId} and ${inScope}) as surveys,
      (select count(*)::int from practitioner where study_id = ${studyId}) as practitioners
  `.execute(db);
  return rows[0]!;
}

/**
 * Participants old enough at enrolment that de-identification may top-code their birth year
 * (90 or more years between birth and enrolment): few, and each is checked with its own shift.
 */
export async function topCodingCandidates(db: Kysely<Database>, studyId: number, siteNos: readonly number[] | null) {
  let query = db
    .selectFrom('participant')
    .selectAll()
    .where('study_id', '=', studyId)
    .where(sql<boolean>`extract(year from enrolled_on) - birth_year >= 90`);
  if (siteNos !== null) query = query.where('site_no', 'in', siteNos.length > 0 ? siteNos : [-1]);
  return query.execute();
}

/** Participants per site (site_no), for the export's warnings. */
export async function participantsPerSite(db: Kysely<Database>, studyId: number, siteNos: readonly number[] | null): Promise<Map<number, number>> {
  let query = db
    .selectFrom('participant')
    .select(['site_no', (eb) => eb.fn.countAll<string>().as('n')])
    .where('study_id', '=', studyId)
    .groupBy('site_no');
  if (siteNos !== null) query = query.where('site_no', 'in', siteNos.length > 0 ? siteNos : [-1]);
  const rows = await query.execute();
  return new Map(rows.map((row) => [row.site_no, Number(row.n)]));
}

/** Whether any participant in view answered a survey (FHIR writes its Questionnaire only then). */
export async function anySurvey(db: Kysely<Database>, studyId: number, siteNos: readonly number[] | null): Promise<boolean> {
  let query = db
    .selectFrom('satisfaction_survey as s')
    .innerJoin('participant as p', (join) => join.onRef('p.study_id', '=', 's.study_id').onRef('p.participant_no', '=', 's.participant_no'))
    .select('s.survey_no')
    .where('s.study_id', '=', studyId)
    .limit(1);
  if (siteNos !== null) query = query.where('p.site_no', 'in', siteNos.length > 0 ? siteNos : [-1]);
  return (await query.execute()).length > 0;
}
