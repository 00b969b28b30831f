// A study's records in bulk: COPY in, ordered reads out. Column lists are the single place
// that fixes the order of COPY fields for each table.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { copyTextLine, type CopyValue, type DbTransaction } from '../kysely.ts';
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

/** Rows of one table as COPY text, ready for copyEncodedRecords. */
export interface EncodedRecords {
  table: RecordTable;
  chunks: string[];
  count: number;
}

/** Rows encoded between two turns of the event loop. */
const ROWS_PER_TURN = 2000;

/** One row as a line of COPY text; `values` is scratch space as long as `columns`. */
function copyLineOf(row: object, columns: readonly string[], values: CopyValue[]): string {
  const record = row as Record<string, CopyValue | undefined>;
  for (let i = 0; i < columns.length; i++) values[i] = record[columns[i]!] ?? null;
  return copyTextLine(values);
}

/**
 * `rows` of `table` as COPY text, in chunks that suit the transaction's database. The encoding
 * lets other work run every couple of thousand rows, so the rows of one table are encoded while
 * the COPY of the table before streams.
 */
export async function encodeRecords<T extends RecordTable>(
  trx: DbTransaction,
  table: T,
  rows: Iterable<Insertable<Database[T]>>,
): Promise<EncodedRecords> {
  const columns = COLUMNS[table];
  const chunks: string[] = [];
  const values: CopyValue[] = new Array(columns.length);
  let lines: string[] = [];
  let count = 0;
  for (const row of rows) {
    lines.push(copyLineOf(row, columns, values));
    count += 1;
    if (lines.length === trx.copyChunkRows) {
      chunks.push(lines.join('\n') + '\n');
      lines = [];
    }
    if (count % ROWS_PER_TURN === 0) await nextTurn();
  }
  if (lines.length > 0) chunks.push(lines.join('\n') + '\n');
  return { table, chunks, count };
}

/**
 * Bulk-load rows that arrive in batches while the COPY runs: one COPY of `table`, each batch
 * encoded when it comes. Whoever makes the batches ends the COPY by ending, or aborts it (and
 * the transaction) by throwing. Returns the number of rows.
 */
export function copyRecordsAsTheyCome<T extends RecordTable>(
  trx: DbTransaction,
  table: T,
  batches: AsyncIterable<Iterable<Insertable<Database[T]>>>,
): Promise<number> {
  const columns = COLUMNS[table];
  async function* chunks(): AsyncGenerator<string> {
    const values: CopyValue[] = new Array(columns.length);
    let lines: string[] = [];
    for await (const rows of batches) {
      for (const row of rows) {
        lines.push(copyLineOf(row, columns, values));
        if (lines.length === trx.copyChunkRows) {
          yield lines.join('\n') + '\n';
          lines = [];
        }
      }
      // What a batch brought goes to the server at once, rather than wait for the next one.
      if (lines.length > 0) yield lines.join('\n') + '\n';
      lines = [];
    }
  }
  return trx.copyText(table, columns, chunks());
}

/** Bulk-load rows encoded by encodeRecords into their table with COPY inside the transaction. Returns the number of rows. */
export function copyEncodedRecords(trx: DbTransaction, encoded: EncodedRecords): Promise<number> {
  return trx.copyText(encoded.table, COLUMNS[encoded.table], encoded.chunks);
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
