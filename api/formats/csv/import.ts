// The `csv` format → a bundle. Every table file must be there with every non-derived column;
// rows link to their participant by participant_code. Derived columns are accepted and ignored
// (the values they derive from are the truth), codebook.csv is ignored, and anything else (an
// unknown file or column, a row of an unknown participant, a second study) is a problem. Every
// problem, including those of the bundle's cross-record rules, is reported at its file, row and
// column.
import { BUNDLE_FORMAT } from '../../schemas/bundle.ts';
import { readCell, setField } from '../cells.ts';
import { readCsv, type CsvRow, type CsvTable } from '../csv-text.ts';
import { LocationIndex } from '../locations.ts';
import { TableImport } from '../table-import.ts';
import { locatedProblem, type FormatFile, type FormatImport } from '../types.ts';
import { CODEBOOK_FILE, CSV_TABLES, fileOf, type ColumnSpec, type TableSpec } from './tables.ts';
import { expectsOfCell, visitsTable } from './visits-table.ts';

type AnyTable = TableSpec<unknown>;
type AnyColumn = ColumnSpec<unknown>;

const TABLES = CSV_TABLES as ReadonlyArray<AnyTable>;
const FILE_ORDER = [fileOf(TABLES[0]!), fileOf(visitsTable), ...TABLES.slice(1).map(fileOf), CODEBOOK_FILE];
/** The files every csv study has (visits.csv only when it schedules visits). */
const REQUIRED_FILES = [...TABLES.map(fileOf), CODEBOOK_FILE];
const CHILD_LISTS: Readonly<Record<string, string>> = {
  sessions: 'sessions',
  adverse_events: 'adverseEvents',
  fading_assessments: 'fadingAssessments',
  surveys: 'surveys',
};

interface ReadTable {
  spec: AnyTable;
  file: string;
  csv: CsvTable;
  position: Map<string, number>;
}

/** Where a problem without an indexed record goes: the file of the list its path names. */
function fallback(path: string): { file: string; row: number | null } {
  for (const [table, list] of Object.entries(CHILD_LISTS)) if (path.includes(`.${list}`)) return { file: `${table}.csv`, row: null };
  for (const table of ['sites', 'practitioners', 'participants']) if (path.startsWith(table)) return { file: `${table}.csv`, row: null };
  if (path.startsWith('study.protocol.visits')) return { file: 'visits.csv', row: null };
  return { file: 'study.csv', row: null };
}

/**
 * Read the `csv` format's files (names without folders) into a validated bundle, or the first
 * 1,000 problems in reading order and a count of the rest.
 */
export function readCsvTables(files: readonly FormatFile[]): FormatImport {
  // A file's header, known as soon as it is read: problems within a row are listed in its column order.
  const headers = new Map<string, readonly string[]>();
  const run = new TableImport(new LocationIndex(fallback), FILE_ORDER, (file) => headers.get(file) ?? []);
  const byName = new Map(files.map((file) => [file.name, file]));
  const expected = new Set(FILE_ORDER);
  for (const file of files) {
    if (!expected.has(file.name)) {
      run.report(locatedProblem(file.name, null, null, `is not a file of the csv format (its files are ${REQUIRED_FILES.join(', ')}, and visits.csv for scheduled visits)`));
    }
  }

  const tables = new Map<string, ReadTable>();
  // visits.csv is optional: a study without it schedules no visits.
  for (const spec of [...TABLES, ...(byName.has(fileOf(visitsTable)) ? [visitsTable as AnyTable] : [])]) {
    const name = fileOf(spec);
    const file = byName.get(name);
    if (file === undefined) {
      run.report(locatedProblem(name, null, null, 'is missing (every table is needed, with its header row even when it has no rows)'));
      continue;
    }
    const table = readCsv(
      file,
      (problem) => run.report(problem),
      (header) => headers.set(name, header),
    );
    if (table === null) continue;
    const known = new Set(spec.columns.map((column) => column.name));
    for (const column of table.header) {
      if (column !== '' && !known.has(column)) run.report(locatedProblem(name, 1, column, `is not a column of ${name} (codebook.csv lists them)`));
    }
    for (const column of spec.columns) {
      if (!column.derived && !column.addedLater && !table.header.includes(column.name)) run.columnMissing(locatedProblem(name, 1, column.name, 'column is missing'));
    }
    tables.set(spec.name, { spec, file: name, csv: table, position: new Map(table.header.map((column, index) => [column, index])) });
  }

  const cell = (table: ReadTable, row: CsvRow, column: string): string | undefined => {
    const index = table.position.get(column);
    return index === undefined ? undefined : row.cells[index];
  };

  /** The record a row holds, reading every field column, and the index entry that locates it. */
  const readRecord = (table: ReadTable, row: CsvRow, path: string): Record<string, unknown> => {
    const record: Record<string, unknown> = {};
    const columns: Record<string, string> = {};
    for (const column of table.spec.columns as ReadonlyArray<AnyColumn>) {
      if (column.field === undefined) continue;
      columns[column.field] = column.name;
      const raw = cell(table, row, column.name);
      if (raw === undefined) continue;
      const value = readCell(column.type, raw, column.nullable === true);
      if (value.ok) setField(record, column.field, value.value);
      else {
        if (raw !== '') setField(record, column.field, raw);
        run.report(locatedProblem(table.file, row.row, column.name, value.message), `${path}.${column.field}`);
      }
    }
    run.index.add(path, { file: table.file, row: row.row, columns });
    return record;
  };

  // The study: one row.
  let study: Record<string, unknown> | undefined;
  const studyTable = tables.get('study');
  if (studyTable !== undefined) {
    const [first, ...extra] = studyTable.csv.rows;
    if (first === undefined) run.report(locatedProblem(studyTable.file, 2, null, 'needs one row describing the study'));
    else study = readRecord(studyTable, first, 'study');
    for (const row of extra) run.report(locatedProblem(studyTable.file, row.row, null, 'is a second study; the csv format holds one study'));
  }
  const studyCode = typeof study?.code === 'string' ? study.code : undefined;
  const visitsCsv = tables.get('visits');
  if (study !== undefined && visitsCsv !== undefined && visitsCsv.csv.rows.length > 0) {
    const protocol = (study.protocol ??= {}) as Record<string, unknown>;
    protocol.visits = visitsCsv.csv.rows.map((row, index) => {
      const visit = readRecord(visitsCsv, row, `study.protocol.visits[${index}]`);
      return { ...visit, expects: expectsOfCell(visit.expects) };
    });
  }

  const checkStudyCode = (table: ReadTable, row: CsvRow) => {
    const code = cell(table, row, 'study_code');
    if (code === undefined) return;
    if (code === '') run.report(locatedProblem(table.file, row.row, 'study_code', 'is required (the cell is empty)'));
    else if (studyCode !== undefined && code !== studyCode) {
      run.report(locatedProblem(table.file, row.row, 'study_code', `is "${code}" but study.csv describes study "${studyCode}"`));
    }
  };

  const listOf = (name: string) => {
    const table = tables.get(name);
    if (table === undefined) return [];
    return table.csv.rows.map((row, index) => {
      checkStudyCode(table, row);
      return readRecord(table, row, `${name}[${index}]`);
    });
  };
  const sites = listOf('sites');
  const practitioners = listOf('practitioners');
  const participants = listOf('participants').map((p) => ({ ...p, sessions: [], adverseEvents: [], fadingAssessments: [], surveys: [] }));

  // Rows of the other tables join their participant by code (the first row of a duplicated code).
  const participantIndex = new Map<string, number>();
  const participantTable = tables.get('participants');
  const unread = (name: string) => !tables.has(name);
  participantTable?.csv.rows.forEach((row, index) => {
    const code = cell(participantTable, row, 'participant_code');
    if (code !== undefined && code !== '' && !participantIndex.has(code)) participantIndex.set(code, index);
  });
  for (const [name, list] of Object.entries(CHILD_LISTS)) {
    const table = tables.get(name);
    if (table === undefined) continue;
    for (const row of table.csv.rows) {
      checkStudyCode(table, row);
      const code = cell(table, row, 'participant_code');
      if (code === undefined) continue;
      const at = participantIndex.get(code);
      if (at === undefined && unread('participants')) continue;
      if (at === undefined) {
        const message = code === '' ? 'is required (the cell is empty)' : `participant "${code}" is not in participants.csv`;
        run.report(locatedProblem(table.file, row.row, 'participant_code', message));
        continue;
      }
      const items = (participants[at] as Record<string, unknown[]>)[list]!;
      items.push(readRecord(table, row, `participants[${at}].${list}[${items.length}]`));
    }
  }

  const input = { format: BUNDLE_FORMAT, ...(study === undefined ? {} : { study }), sites, practitioners, participants };
  // A missing or unreadable table is reported once, not again at every reference to its records.
  const consequence = (problem: { path: string; message: string }) =>
    (unread('study') && problem.path.startsWith('study')) ||
    (unread('sites') && / is not defined in sites$/.test(problem.message)) ||
    (unread('practitioners') && / is not defined in practitioners$/.test(problem.message));
  return run.finish(input, consequence);
}
