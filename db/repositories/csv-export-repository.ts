// The csv export's participant tables as PostgreSQL writes them: one `COPY (select …) TO STDOUT
// (FORMAT csv, HEADER)` per table, every cell already in the text the JavaScript writer gives
// (api/formats/csv/tables.ts and csvRecord): derived columns computed here, text cells guarded
// against formulas, numbers without trailing zeros. Only the line ends differ (COPY ends a record
// with LF, the format with CRLF), which the caller changes as the bytes pass.
import { sql, type Kysely } from 'kysely';
import type { Database, DbTransaction } from '../kysely.ts';

export type CsvCopyTable = 'participants' | 'sessions' | 'adverse_events' | 'fading_assessments' | 'surveys';

/** The table of `name`, which must be one of the csv format's participant tables. */
export function csvCopyTable(name: string): CsvCopyTable {
  if (!Object.hasOwn(COLUMNS, name)) throw new TypeError(`${name} is not a participant table of the csv format`);
  return name as CsvCopyTable;
}

export interface CsvCopyScope {
  studyId: number;
  /** Only participants of these sites (a clinic's view); null for every site. */
  siteNos: readonly number[] | null;
}

/**
 * A text cell as csvRecord writes it: an apostrophe before text that starts with a formula
 * character, also behind apostrophes (neutraliseFormula in api/formats/csv-text.ts), and the
 * empty text as an empty cell (COPY writes an empty text as `""`, the JavaScript writer as
 * nothing). COPY quotes what csvRecord quotes: a comma, a quote, CR or LF.
 */
const text = (column: string) =>
  `nullif(case when left(ltrim(${column}, ''''), 1) in ('=', '+', '-', '@', E'\\t', E'\\r') then '''' || ${column} else ${column} end, '')`;
/** A numeric as JavaScript's String(Number(x)) writes it: no trailing zeros (`7.5`, `12`). */
const decimal = (column: string) => `trim_scale(${column})`;
/** A boolean as `1`/`0`. */
const flag = (column: string) => `${column}::int`;
/** The SDTM study day of a date: day 1 is the reference date, no day 0 (studyDay in api/formats/derived.ts). */
const studyDay = (date: string) => `case when ${date} - d.first_on >= 0 then ${date} - d.first_on + 1 else ${date} - d.first_on end`;
const daysSinceFinal = (date: string) => `(${date} - d.final_on)`;
/** Days / 30.4375 rounded to 4 decimals (monthsFromDays): never a tie, so numeric rounding equals Math.round. */
const monthsSinceFinal = (date: string) => `trim_scale(round((${date} - d.final_on) / 30.4375, 4))`;

/** The columns of each table, named as the format names them, in its order. */
const COLUMNS: Record<CsvCopyTable, ReadonlyArray<readonly [string, string]>> = {
  participants: [
    ['study_code', 's.code'],
    ['participant_code', 'p.code'],
    ['site_code', 'p.site_code'],
    ['sex', 't.sex'],
    ['birth_year', 't.birth_year'],
    ['age_at_enrolment', 'extract(year from t.enrolled_on)::int - t.birth_year'],
    ['indication', 't.indication'],
    ['fitzpatrick', 't.fitzpatrick'],
    ['keloid_history', flag('t.keloid_history')],
    ['enrolled_on', 't.enrolled_on'],
    ['enrolled_study_day', studyDay('t.enrolled_on')],
    ['reference_start_date', 'd.first_on'],
    ['final_session_date', 'd.final_on'],
    ['withdrawn_on', 't.withdrawn_on'],
    ['withdrawn_study_day', studyDay('t.withdrawn_on')],
    ['withdrawal_cause', 't.withdrawal_cause'],
    ['withdrawal_reason', text('t.withdrawal_reason')],
    ['cost_usd', decimal('t.cost_usd')],
  ],
  sessions: [
    ['study_code', 's.code'],
    ['participant_code', 'p.code'],
    ['session_number', 't.session_number'],
    ['kind', 't.kind'],
    ['session_date', 't.session_date'],
    ['study_day', studyDay('t.session_date')],
    ['duration_minutes', 't.duration_minutes'],
    ['practitioner_code', 'pr.code'],
    ['pigment_lot', text('t.pigment_lot')],
    ['anesthesia', 't.anesthesia'],
  ],
  adverse_events: [
    ['study_code', 's.code'],
    ['participant_code', 'p.code'],
    ['category', 't.category'],
    ['term', text('t.term')],
    ['onset_date', 't.onset_date'],
    ['onset_study_day', studyDay('t.onset_date')],
    ['resolved_date', 't.resolved_date'],
    ['resolved_study_day', studyDay('t.resolved_date')],
    ['grade', 't.grade'],
    ['serious', flag('t.serious')],
    ['relatedness', 't.relatedness'],
    ['outcome', 't.outcome'],
    ['session_number', 't.session_number'],
    ['solicited', flag('t.solicited')],
  ],
  fading_assessments: [
    ['study_code', 's.code'],
    ['participant_code', 'p.code'],
    ['assessment_date', 't.assessed_on'],
    ['study_day', studyDay('t.assessed_on')],
    ['days_since_final_session', daysSinceFinal('t.assessed_on')],
    ['months_since_final_session', monthsSinceFinal('t.assessed_on')],
    ['grade', 't.grade'],
    ['density_score', decimal('t.density_score')],
    ['needs_touch_up', flag('t.needs_touch_up')],
    ['assessor', 't.assessor'],
  ],
  surveys: [
    ['study_code', 's.code'],
    ['participant_code', 'p.code'],
    ['survey_date', 't.surveyed_on'],
    ['study_day', studyDay('t.surveyed_on')],
    ['months_since_final_session', monthsSinceFinal('t.surveyed_on')],
    ['satisfaction', 't.satisfaction'],
    ['would_recommend', flag('t.would_recommend')],
  ],
};

/**
 * Each table's rows and their order: the bundle's canonical order (api/schemas/bundle-order.ts),
 * participants by code in code-point order, ties between records kept in their stored order.
 * Text is compared with collation "C", JavaScript's order for the ASCII a study's codes and
 * coded values hold.
 */
const SOURCES: Record<CsvCopyTable, { table: keyof Database; order: string }> = {
  participants: { table: 'participant', order: 'p.ordinal' },
  sessions: { table: 'treatment_session', order: 'p.ordinal, t.session_number' },
  adverse_events: { table: 'adverse_event', order: 'p.ordinal, t.onset_date, t.category collate "C", t.term collate "C", t.event_no' },
  fading_assessments: { table: 'fading_assessment', order: 'p.ordinal, t.assessed_on, t.assessor collate "C", t.assessment_no' },
  surveys: { table: 'satisfaction_survey', order: 'p.ordinal, t.surveyed_on, t.survey_no' },
};

const integer = (value: number, name: string): string => {
  if (!Number.isSafeInteger(value)) throw new TypeError(`${name} must be an integer (got ${String(value)})`);
  return String(value);
};

/**
 * The select of one table (COPY takes no parameters, so the scope's numbers are written in; they
 * are checked to be integers). `p` holds the participants in view with their code guarded and
 * their place in code order, `d` their first and final session dates.
 */
export function csvTableQuery(table: CsvCopyTable, scope: CsvCopyScope): string {
  const studyId = integer(scope.studyId, 'studyId');
  const sites =
    scope.siteNos === null ? '' : ` and x.site_no in (${scope.siteNos.length > 0 ? scope.siteNos.map((n) => integer(n, 'siteNos')).join(', ') : '-1'})`;
  const { table: source, order } = SOURCES[table];
  const practitioner = table === 'sessions' ? ` join (select practitioner_no, ${text('code')} as code from practitioner where study_id = ${studyId}) pr using (practitioner_no)` : '';
  const columns = COLUMNS[table].map(([name, expression]) => `${expression} as "${name}"`).join(', ');
  return `with s as (select ${text('code')} as code from study where study_id = ${studyId}),
    p as (
      select x.participant_no, ${text('x.code')} as code, ${text('y.code')} as site_code, row_number() over (order by x.code collate "C") as ordinal
      from participant x join site y on y.study_id = x.study_id and y.site_no = x.site_no
      where x.study_id = ${studyId}${sites}),
    d as (select participant_no, min(session_date) as first_on, max(session_date) as final_on from treatment_session where study_id = ${studyId} group by participant_no)
    select ${columns}
    from ${source} t join p using (participant_no) left join d using (participant_no)${practitioner} cross join s
    where t.study_id = ${studyId}
    order by ${order}`;
}

/** Settings that make COPY write dates as the format does (ISO), whatever the server's defaults. */
export async function csvCopySession(db: Kysely<Database>): Promise<void> {
  await sql`set local datestyle = 'ISO, YMD'`.execute(db);
}

/** The table as CSV text in chunks of bytes: its header, then one LF-ended record per row. */
export function copyCsvTable(trx: DbTransaction, table: CsvCopyTable, scope: CsvCopyScope): AsyncIterable<Uint8Array> {
  return trx.copyOut(csvTableQuery(table, scope), 'format csv, header');
}
