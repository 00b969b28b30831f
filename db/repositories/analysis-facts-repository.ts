// The compact per-participant facts the analysis needs, one narrow query per table (on PGlite the
// large ones answered as one JSON value). Dates come as day numbers (days since 1970-01-01); rows are
// ordered by participant, then date (assessments: then record number). Records come with the analysis's own field names (see
// ParticipantFacts), so that they are used as read.
import { sql, type Expression, type Kysely } from 'kysely';
import type { Database } from '../types.ts';

const dayNumber = (column: string) => sql<number>`(${sql.ref(column)} - date '1970-01-01')`;

/**
 * How the large tables are read: `json`, each as one JSON array of arrays parsed here; `rows`,
 * row by row; or `packed`, each as one text of comma-separated lines parsed here. PGlite hands
 * each row across from WebAssembly on its own, so there `json` is several times faster (a
 * 20,000-participant study has some 80,000 sessions). From a PostgreSQL server `packed` costs the
 * server a little more than `rows` and this process about a fifth of the time, which is where
 * the time goes: the driver makes a string of each field and an object of each row. Only tables
 * of numbers, booleans and coded values (no commas, no line breaks) are read packed; the others as rows.
 */
export type FactsForm = 'json' | 'rows' | 'packed';

/** A fact query, with or without the columns it is ordered by (which the JSON and packed forms need). */
type FactQuery = (withOrderColumns: boolean) => Expression<unknown> & { execute(): Promise<unknown[]> };

/**
 * What a column holds, for the packed form: a whole number, a number, a coded text (no comma or
 * line break) or a boolean; with `?`, or null.
 */
type ColumnKind = 'int' | 'int?' | 'float?' | 'code' | 'bool?';

/** How a packed row is read: each column's kind, by position, and the row of its values. */
interface Packed<Row> {
  kinds: readonly ColumnKind[];
  /** The row of the values read, in column order (an object literal: one shape, made fast). */
  row: (values: readonly unknown[]) => Row;
}

/**
 * The rows of `query` (a select of exactly `columns`, in the order wanted). As rows, they come
 * as the driver gives them. As JSON or packed, the query stays a subquery, with its order columns added, so
 * that it is planned as a plain ordered select (aggregating a join directly could get a poor plan
 * on tables not yet analysed) and `orderBy` (those columns) keeps its order inside the aggregate.
 * Packed needs each column's kind and the row of the values read (`packed`); without them the
 * rows are read as rows.
 */
async function readFacts<Row extends object>(
  db: Kysely<Database>,
  form: FactsForm,
  query: FactQuery,
  columns: ReadonlyArray<keyof Row & string>,
  orderBy: readonly string[],
  packed?: Packed<Row>,
): Promise<Row[]> {
  const order = sql.join(orderBy.map((column) => sql.ref(`r.${column}`)));
  if (form === 'packed' && packed) {
    const { kinds } = packed;
    // Each value as its text, null as nothing: `a,b,,d`.
    const fields = columns.map((column, i) => {
      const text = sql`${sql.ref(`r.${column}`)}::text`;
      return kinds[i]!.endsWith('?') ? sql`coalesce(${text}, '')` : text;
    });
    const line = sql.join(fields, sql` || ',' || `);
    const { rows } = await sql<{ rows: string }>`
      select coalesce(string_agg(${line}, chr(10) order by ${order}), '') as rows from (${query(true)}) as r`.execute(db);
    return unpack(rows[0]!.rows, packed);
  }
  if (form !== 'json') return (await query(false).execute()) as Row[];
  const tuple = sql.join(columns.map((column) => sql.ref(`r.${column}`)));
  const { rows } = await sql<{ rows: string }>`
    select coalesce(json_agg(json_build_array(${tuple}) order by ${order}), '[]')::text as rows from (${query(true)}) as r`.execute(db);
  const tuples = JSON.parse(rows[0]!.rows) as unknown[][];
  return tuples.map((values) => Object.fromEntries(columns.map((column, i) => [column, values[i]])) as Row);
}

const COMMA = 44;
const NEWLINE = 10;
const MINUS = 45;
const ZERO = 48;
const LOWER_T = 116;

const INT = 0;
const FLOAT = 1;
const CODE = 2;
const BOOL = 3;
const KIND_CODES: Record<ColumnKind, number> = { int: INT, 'int?': INT, 'float?': FLOAT, code: CODE, 'bool?': BOOL };
/** Distinct coded values a column keeps to give again (a vocabulary is a handful). */
const CODES_KEPT = 16;

/**
 * The rows of a packed text: lines of comma-separated fields, `kinds` saying how each is read.
 * Numbers are read as the driver reads them (whole numbers digit by digit, others by `Number`),
 * booleans from PostgreSQL's `true` and `false`; each distinct coded value is one string, given
 * again wherever it appears rather than copied out of the text each time.
 */
function unpack<Row>(text: string, { kinds, row: rowOf }: Packed<Row>): Row[] {
  const rows: Row[] = [];
  const end = text.length;
  const width = kinds.length;
  const values = new Array<unknown>(width);
  const kindOf = kinds.map((kind) => KIND_CODES[kind]);
  const nullable = kinds.map((kind) => kind.endsWith('?'));
  const codesOf: string[][] = kinds.map(() => []);
  let at = 0;
  while (at < end) {
    for (let k = 0; k < width; k++) {
      let stop = at;
      while (stop < end) {
        const c = text.charCodeAt(stop);
        if (c === COMMA || c === NEWLINE) break;
        stop++;
      }
      const kind = kindOf[k]!;
      let value: unknown;
      if (stop === at && nullable[k]) value = null;
      else if (kind === INT) {
        let i = at;
        const negative = text.charCodeAt(i) === MINUS;
        if (negative) i++;
        let n = 0;
        for (; i < stop; i++) n = n * 10 + (text.charCodeAt(i) - ZERO);
        value = negative ? -n : n;
      } else if (kind === FLOAT) value = Number(text.slice(at, stop));
      else if (kind === BOOL) value = text.charCodeAt(at) === LOWER_T;
      else value = codeAt(text, at, stop, codesOf[k]!);
      values[k] = value;
      at = stop + 1;
    }
    rows.push(rowOf(values));
  }
  return rows;
}

/** The coded value text[at, stop): one of `codes` when it is among them, else read (and kept while there is room). */
function codeAt(text: string, at: number, stop: number, codes: string[]): string {
  const length = stop - at;
  for (const code of codes) if (code.length === length && text.startsWith(code, at)) return code;
  const code = text.slice(at, stop);
  if (codes.length < CODES_KEPT) codes.push(code);
  return code;
}

export interface ParticipantFactRow {
  participant_no: number;
  code: string;
  site: string;
  indication: string;
  withdrawn_on: string | null;
  withdrawal_cause: string | null;
  /** numeric, as its text (as the drivers give numeric) */
  cost_usd: string | null;
}

/**
 * The participants, without their first session's practitioner: that comes with the sessions
 * (`firstPractitionerNo`), which are read anyway, where joining the sessions here would scan them twice.
 */
export async function selectParticipantFacts(db: Kysely<Database>, studyId: number, form: FactsForm = 'rows'): Promise<ParticipantFactRow[]> {
  const query = () =>
    db
      .selectFrom('participant as p')
      .innerJoin('site as s', (join) => join.onRef('s.study_id', '=', 'p.study_id').onRef('s.site_no', '=', 'p.site_no'))
      .select([
        'p.participant_no',
        'p.code',
        's.code as site',
        'p.indication',
        sql<string>`p.withdrawn_on::text`.as('withdrawn_on'),
        'p.withdrawal_cause',
        sql<string>`p.cost_usd::text`.as('cost_usd'),
      ])
      .where('p.study_id', '=', studyId)
      .orderBy('p.participant_no');
  return readFacts<ParticipantFactRow>(
    db,
    form,
    query,
    ['participant_no', 'code', 'site', 'indication', 'withdrawn_on', 'withdrawal_cause', 'cost_usd'],
    ['participant_no'],
  );
}

/** Every practitioner of the study by number, with their years of experience. */
export async function selectPractitionerYears(db: Kysely<Database>, studyId: number) {
  return db
    .selectFrom('practitioner')
    .select(['practitioner_no', 'years_experience'])
    .where('study_id', '=', studyId)
    .execute();
}

export interface SessionFactRow {
  participant_no: number;
  day: number;
  kind: string;
  durationMinutes: number;
  /** The practitioner of session number 1, on that session's row only; null on the others. */
  firstPractitionerNo: number | null;
}

export async function selectSessionFacts(db: Kysely<Database>, studyId: number, form: FactsForm = 'rows'): Promise<SessionFactRow[]> {
  const query = (withOrderColumns: boolean) =>
    db
      .selectFrom('treatment_session')
      .select([
        'participant_no',
        dayNumber('session_date').as('day'),
        'kind',
        'duration_minutes as durationMinutes',
        sql<number | null>`case when session_number = 1 then practitioner_no end`.as('firstPractitionerNo'),
      ])
      .$if(withOrderColumns, (q) => q.select('session_number'))
      .where('study_id', '=', studyId)
      .orderBy('participant_no')
      .orderBy('session_number');
  return readFacts<SessionFactRow>(
    db,
    form,
    query,
    ['participant_no', 'day', 'kind', 'durationMinutes', 'firstPractitionerNo'],
    ['participant_no', 'session_number'],
    {
      kinds: ['int', 'int', 'code', 'int', 'int?'],
      row: (v) => ({
        participant_no: v[0] as number,
        day: v[1] as number,
        kind: v[2] as string,
        durationMinutes: v[3] as number,
        firstPractitionerNo: v[4] as number | null,
      }),
    },
  );
}

export async function selectAdverseEventFacts(db: Kysely<Database>, studyId: number) {
  return db
    .selectFrom('adverse_event')
    .select(['participant_no', 'category', 'grade', 'serious', 'relatedness', 'solicited'])
    .where('study_id', '=', studyId)
    .orderBy('participant_no')
    .orderBy('event_no')
    .execute();
}

export interface AssessmentFactRow {
  participant_no: number;
  day: number;
  assessor: string;
  grade: number;
  /** numeric(3,1) as a double: the same number as the text parsed */
  densityScore: number | null;
  needsTouchUp: boolean | null;
}

/**
 * In record order (participant, then assessment number), which is not always date order: sorting
 * them on the server cost more than putting each participant's few in order in the service
 * (see inAssessmentOrder in api/services/analysis-service.ts).
 */
export async function selectAssessmentFacts(db: Kysely<Database>, studyId: number, form: FactsForm = 'rows'): Promise<AssessmentFactRow[]> {
  const query = (withOrderColumns: boolean) =>
    db
      .selectFrom('fading_assessment')
      .select([
        'participant_no',
        dayNumber('assessed_on').as('day'),
        'assessor',
        'grade',
        sql<number | null>`density_score::float8`.as('densityScore'),
        'needs_touch_up as needsTouchUp',
      ])
      .$if(withOrderColumns, (q) => q.select('assessment_no'))
      .where('study_id', '=', studyId)
      .orderBy('participant_no')
      .orderBy('assessment_no');
  return readFacts<AssessmentFactRow>(
    db,
    form,
    query,
    ['participant_no', 'day', 'assessor', 'grade', 'densityScore', 'needsTouchUp'],
    ['participant_no', 'assessment_no'],
    {
      kinds: ['int', 'int', 'code', 'int', 'float?', 'bool?'],
      row: (v) => ({
        participant_no: v[0] as number,
        day: v[1] as number,
        assessor: v[2] as string,
        grade: v[3] as number,
        densityScore: v[4] as number | null,
        needsTouchUp: v[5] as boolean | null,
      }),
    },
  );
}

export interface SurveyFactRow {
  participant_no: number;
  day: number;
  satisfaction: number;
  wouldRecommend: boolean | null;
}

export async function selectSurveyFacts(db: Kysely<Database>, studyId: number, form: FactsForm = 'rows'): Promise<SurveyFactRow[]> {
  const query = (withOrderColumns: boolean) =>
    db
      .selectFrom('satisfaction_survey')
      .select(['participant_no', dayNumber('surveyed_on').as('day'), 'satisfaction', 'would_recommend as wouldRecommend'])
      .$if(withOrderColumns, (q) => q.select(['surveyed_on', 'survey_no']))
      .where('study_id', '=', studyId)
      .orderBy('participant_no')
      .orderBy('surveyed_on')
      .orderBy('survey_no');
  return readFacts<SurveyFactRow>(
    db,
    form,
    query,
    ['participant_no', 'day', 'satisfaction', 'wouldRecommend'],
    ['participant_no', 'surveyed_on', 'survey_no'],
    {
      kinds: ['int', 'int', 'int', 'bool?'],
      row: (v) => ({ participant_no: v[0] as number, day: v[1] as number, satisfaction: v[2] as number, wouldRecommend: v[3] as boolean | null }),
    },
  );
}

/** Every site of the study by code, with its name and its participants (of one indication when given). */
export async function selectSiteParticipantCounts(db: Kysely<Database>, studyId: number, indication?: string) {
  return db
    .selectFrom('site as s')
    .leftJoin('participant as p', (join) => {
      const bySite = join.onRef('p.study_id', '=', 's.study_id').onRef('p.site_no', '=', 's.site_no');
      return indication === undefined ? bySite : bySite.on('p.indication', '=', indication);
    })
    .select(['s.code as site', 's.name', (eb) => eb.fn.count<number | string>('p.participant_no').as('participants')])
    .where('s.study_id', '=', studyId)
    .groupBy(['s.site_no', 's.code', 's.name'])
    .execute();
}

/** The study's adverse events with their participant's number and site code: coded values only, no codes, dates or text. */
export async function selectAdverseEventRateFacts(db: Kysely<Database>, studyId: number, indication?: string) {
  let query = db
    .selectFrom('adverse_event as e')
    .innerJoin('participant as p', (join) => join.onRef('p.study_id', '=', 'e.study_id').onRef('p.participant_no', '=', 'e.participant_no'))
    .innerJoin('site as s', (join) => join.onRef('s.study_id', '=', 'p.study_id').onRef('s.site_no', '=', 'p.site_no'))
    .select(['e.participant_no', 's.code as site', 'e.category', 'e.grade', 'e.serious', 'e.relatedness'])
    .where('e.study_id', '=', studyId);
  if (indication !== undefined) query = query.where('p.indication', '=', indication);
  return query.execute();
}

/**
 * What a study's audit trail says about its changes so far: the number of entries and the last
 * one, as `count:last`. Every change to a study's records adds an entry in its own transaction
 * and entries are never removed, so the stamp changes whenever the study's data does.
 */
export async function selectStudyChangeStamp(db: Kysely<Database>, studyCode: string): Promise<string> {
  const { rows } = await sql<{ stamp: string }>`
    select count(*)::text || ':' || coalesce(max(audit_id)::text, '0') as stamp from audit_event where study_code = ${studyCode}`.execute(db);
  return rows[0]!.stamp;
}
