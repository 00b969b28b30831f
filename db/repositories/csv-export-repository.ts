// The csv export's participant tables as PostgreSQL writes them: one `COPY (select …) TO STDOUT
// (FORMAT csv, HEADER)` per table, every cell already in the text the JavaScript writer gives
// (api/formats/csv/tables.ts and csvRecord): derived columns computed here, text cells guarded
// against formulas, numbers without trailing zeros. Only the line ends differ (COPY ends a record
// with LF, the format with CRLF), which the caller changes as the bytes pass.
import { sql, type Kysely } from 'kysely';
import type { Database, SnapshotReader } from '../kysely.ts';

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
 * nothing). COPY quotes what csvRecord quotes: a comma, a quote, CR or LF. Most text starts
 * with none of those characters nor an apostrophe, and is not empty: one look at its first
 * character (ascii: 0 for the empty text) passes it as it is.
 */
const text = (column: string) =>
  `case when ascii(${column}) not in (39, 61, 43, 45, 64, 9, 13, 0) then ${column} else nullif(case when left(ltrim(${column}, ''''), 1) in ('=', '+', '-', '@', E'\\t', E'\\r') then '''' || ${column} else ${column} end, '') end`;
/** A numeric as JavaScript's String(Number(x)) writes it: no trailing zeros (`7.5`, `12`). */
const decimal = (column: string) => `trim_scale(${column})`;
/** A boolean as `1`/`0`. */
const flag = (column: string) => `${column}::int`;
/** The SDTM study day of a date: day 1 is the reference date, no day 0 (studyDay in api/formats/derived.ts). */
const studyDay = (date: string) => `case when ${date} - p.first_on >= 0 then ${date} - p.first_on + 1 else ${date} - p.first_on end`;
const daysSinceFinal = (date: string) => `(${date} - p.final_on)`;
/**
 * Days / 30.4375 rounded to 4 decimals, computed as monthsFromDays computes it, in double
 * precision: (days / 30.4375 × 10000) rounded, / 10000. The value is never a tie (30.4375 is
 * 487/16), so rounding to even equals Math.round, and a double is written in the shortest text
 * that reads back as it, as JavaScript writes it (`0.0329`, `-1.5`, `0`).
 */
const monthsSinceFinal = (date: string) => `round((${date} - p.final_on) / 30.4375::float8 * 10000) / 10000`;

/** The columns of each table, named as the format names them, in its order. */
const COLUMNS: Record<CsvCopyTable, ReadonlyArray<readonly [string, string]>> = {
  participants: [
    ['study_code', 's.code'],
    ['participant_code', 'p.code'],
    ['site_code', 'p.site_code'],
    ['sex', 'x.sex'],
    ['birth_year', 'x.birth_year'],
    ['age_at_enrolment', 'extract(year from x.enrolled_on)::int - x.birth_year'],
    ['indication', 'x.indication'],
    ['fitzpatrick', 'x.fitzpatrick'],
    ['keloid_history', flag('x.keloid_history')],
    ['enrolled_on', 'x.enrolled_on'],
    ['enrolled_study_day', studyDay('x.enrolled_on')],
    ['reference_start_date', 'p.first_on'],
    ['final_session_date', 'p.final_on'],
    ['withdrawn_on', 'x.withdrawn_on'],
    ['withdrawn_study_day', studyDay('x.withdrawn_on')],
    ['withdrawal_cause', 'x.withdrawal_cause'],
    ['withdrawal_reason', text('x.withdrawal_reason')],
    ['cost_usd', decimal('x.cost_usd')],
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
 * Each table's source and order: the bundle's canonical order (api/schemas/bundle-order.ts),
 * participants by code in code-point order (`p.ordinal`: their place, or their code), ties
 * between records kept in their stored order.
 * Text is compared with collation "C", JavaScript's order for the ASCII a study's codes and
 * coded values hold.
 */
const SOURCES: Record<Exclude<CsvCopyTable, 'participants'>, { table: keyof Database; order: string }> = {
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
 * The select of one table. COPY takes no parameters, so the scope is written in: its numbers
 * checked to be integers, the study code as a quoted literal. `p` is the participants in view
 * with their code and site code guarded, their first and final session dates, and (for the
 * record tables) their place in code order.
 */
export function csvTableQuery(table: CsvCopyTable, scope: CsvCopyScope): string {
  const studyId = integer(scope.studyId, 'studyId');
  const sites =
    scope.siteNos === null ? '' : ` and x.site_no in (${scope.siteNos.length > 0 ? scope.siteNos.map((n) => integer(n, 'siteNos')).join(', ') : '-1'})`;
  const columns = COLUMNS[table].map(([name, expression]) => `${expression} as "${name}"`).join(', ');
  const studyCode = `(select ${text('code')} from study where study_id = ${studyId})`;
  const firstAndFinal = `(select participant_no, min(session_date) as first_on, max(session_date) as final_on
    from treatment_session where study_id = ${studyId} group by participant_no) d on d.participant_no = x.participant_no`;
  if (table === 'participants') {
    return `with s as (select ${studyCode} as code)
    select ${columns}
    from participant x join site y on y.study_id = x.study_id and y.site_no = x.site_no left join ${firstAndFinal}
      cross join lateral (select ${text('x.code')} as code, ${text('y.code')} as site_code, d.first_on, d.final_on) p cross join s
    where x.study_id = ${studyId}${sites}
    order by x.code collate "C"`;
  }
  const { table: source, order } = SOURCES[table];
  if (table === 'adverse_events') {
    // Few rows: each event's participant and first session are looked up by key, rather than
    // every participant's numbered and every session aggregated as for the larger tables.
    return `with s as (select ${studyCode} as code)
    select ${columns}
    from ${source} t join participant x on x.study_id = t.study_id and x.participant_no = t.participant_no
      cross join lateral (select ${text('x.code')} as code, x.code collate "C" as ordinal,
        (select min(session_date) from treatment_session z where z.study_id = t.study_id and z.participant_no = t.participant_no) as first_on) p
      cross join s
    where t.study_id = ${studyId}${sites}
    order by ${order}`;
  }
  const practitioner =
    table === 'sessions' ? ` join (select practitioner_no, ${text('code')} as code from practitioner where study_id = ${studyId}) pr using (practitioner_no)` : '';
  return `with s as (select ${studyCode} as code)
    select ${columns}
    from ${source} t join (
      select x.participant_no, ${text('x.code')} as code, d.first_on, d.final_on, row_number() over (order by x.code collate "C") as ordinal
      from participant x left join ${firstAndFinal}
      where x.study_id = ${studyId}${sites}) p using (participant_no)${practitioner} cross join s
    where t.study_id = ${studyId}
    order by ${order}`;
}

/** Settings that make COPY write dates and doubles as the format does (ISO, shortest text), whatever the server's defaults. */
export async function csvCopySession(db: Kysely<Database>): Promise<void> {
  await sql`set local datestyle = 'ISO, YMD'`.execute(db);
  await sql`set local extra_float_digits = 1`.execute(db);
  // The record tables are sorted whole (a few hundred bytes a row): in memory up to this size.
  await sql`set local work_mem = '64MB'`.execute(db);
  // A parallel plan has each worker aggregate every participant's sessions again (PostgreSQL
  // does not share that hash): more work in all, for output that one process writes anyway.
  await sql`set local max_parallel_workers_per_gather = 0`.execute(db);
}

/** The table as CSV text in chunks of bytes: its header, then one LF-ended record per row. */
export function copyCsvTable(trx: SnapshotReader, table: CsvCopyTable, scope: CsvCopyScope): AsyncIterable<Uint8Array> {
  return trx.copyOut(csvTableQuery(table, scope), 'format csv, header');
}
