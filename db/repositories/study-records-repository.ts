// A study's records in bulk: COPY in, ordered reads out. Column lists are the single place
// that fixes the order of COPY fields for each table.
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { CopyValue, DbTransaction } from '../kysely.ts';
import type { Database } from '../types.ts';

/** The tables holding a study's records. */
export type RecordTable =
  | 'site'
  | 'practitioner'
  | 'participant'
  | 'treatment_session'
  | 'adverse_event'
  | 'fading_assessment'
  | 'satisfaction_survey';

const COLUMNS: { [T in RecordTable]: ReadonlyArray<keyof Database[T] & string> } = {
  site: ['study_id', 'site_no', 'code', 'name', 'country', 'version'],
  practitioner: ['study_id', 'practitioner_no', 'code', 'site_no', 'years_experience', 'pseudonym', 'version'],
  participant: [
    'study_id', 'participant_no', 'code', 'site_no', 'sex', 'birth_year', 'indication', 'fitzpatrick',
    'keloid_history', 'enrolled_on', 'withdrawn_on', 'withdrawal_cause', 'withdrawal_reason', 'cost_usd',
    'pseudonym', 'last_event_no', 'last_assessment_no', 'last_survey_no', 'version',
  ],
  treatment_session: [
    'study_id', 'participant_no', 'session_number', 'kind', 'session_date', 'duration_minutes',
    'practitioner_no', 'pigment_lot', 'anesthesia', 'version',
  ],
  adverse_event: [
    'study_id', 'participant_no', 'event_no', 'category', 'term', 'onset_date', 'resolved_date', 'grade',
    'serious', 'relatedness', 'outcome', 'session_number', 'solicited', 'version',
  ],
  fading_assessment: [
    'study_id', 'participant_no', 'assessment_no', 'assessed_on', 'grade', 'density_score', 'needs_touch_up',
    'assessor', 'version',
  ],
  satisfaction_survey: ['study_id', 'participant_no', 'survey_no', 'surveyed_on', 'satisfaction', 'would_recommend', 'version'],
};

/** Bulk-load `rows` into `table` with COPY inside the transaction. Returns the number of rows. */
export async function copyRecords<T extends RecordTable>(
  trx: DbTransaction,
  table: T,
  rows: Iterable<Insertable<Database[T]>>,
): Promise<number> {
  const columns = COLUMNS[table];
  function* tuples(): Generator<CopyValue[]> {
    for (const row of rows) {
      const record = row as Record<string, CopyValue | undefined>;
      yield columns.map((column) => record[column] ?? null);
    }
  }
  return trx.copyRows(table, columns, tuples());
}

const ORDER: { [T in RecordTable]: ReadonlyArray<keyof Database[T] & string> } = {
  site: ['site_no'],
  practitioner: ['practitioner_no'],
  participant: ['participant_no'],
  treatment_session: ['participant_no', 'session_number'],
  adverse_event: ['participant_no', 'event_no'],
  fading_assessment: ['participant_no', 'assessment_no'],
  satisfaction_survey: ['participant_no', 'survey_no'],
};

/** Every row of `table` for one study, in key order. */
export async function selectRecords<T extends RecordTable>(
  db: Kysely<Database>,
  table: T,
  studyId: number,
): Promise<Selectable<Database[T]>[]> {
  let query = db.selectFrom(table as RecordTable).selectAll().where('study_id', '=', studyId);
  for (const column of ORDER[table]) query = query.orderBy(column as never);
  return (await query.execute()) as Selectable<Database[T]>[];
}
