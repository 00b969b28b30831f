// A REDCap project → a bundle: a data dictionary, a records export in REDCap's flat layout for
// repeating instruments, the study-level data (study.json, or the mapping's `study`), and
// optionally a mapping file for a project of other field names and choice codes. Each problem
// is reported where it is: a dictionary row, a mapping path, a records row and field. Fields
// that hold data but are mapped to nothing, rows of instruments mapped to nothing, fields filled
// on another instrument's row: all are reported rather than dropped.
import { BUNDLE_FORMAT } from '../../schemas/bundle.ts';
import { issueMessage, problemsFromZod } from '../../schemas/problems.ts';
import { readCsv, type CsvRow } from '../csv-text.ts';
import { LocationIndex } from '../locations.ts';
import { LocatedProblems } from '../located-problems.ts';
import { TableImport } from '../table-import.ts';
import { fileText, locatedProblem, type FormatFile, type FormatImport, type LocatedProblem } from '../types.ts';
import { checkboxColumn, readDictionary } from './dictionary.ts';
import { BUNDLE_FIELDS, LIST_OF, REPEAT_INSTANCE, REPEAT_INSTRUMENT, type RecordKind, type RepeatingKind } from './layout.ts';
import { StudyFile, decodeValue, decodeYear, defaultMapping, parseMapping, resolveMapping, type ResolvedMapping } from './mapping.ts';

export interface RedcapFiles {
  dictionary: FormatFile;
  data: FormatFile;
  /** study.json of an export (`smp-redcap-study/1`); wins over a mapping's `study`. */
  study?: FormatFile;
  /** A mapping file (`smp-redcap-mapping/1`); without one, our own layout is read. */
  mapping?: FormatFile;
}

/** Columns REDCap adds to a records export that hold no study data. */
const SYSTEM_COLUMNS = new Set(['redcap_data_access_group', 'redcap_survey_identifier']);

interface RepeatingRow {
  kind: RepeatingKind;
  instance: number;
  row: CsvRow;
}

/**
 * Read a REDCap project into a validated bundle, or its problems with their locations (the first
 * 1,000 and a count of the rest).
 */
export function readRedcap(files: RedcapFiles): FormatImport {
  const fileOrder = [files.dictionary.name, files.data.name, files.study?.name, files.mapping?.name].filter((name): name is string => name !== undefined);
  // Problems of the dictionary, mapping, study part and the records file's layout, as found.
  const early = new LocatedProblems('as found');
  const reportEarly = (problem: LocatedProblem) => early.add(problem);

  const dictionary = readDictionary(files.dictionary, reportEarly);

  let mapping = defaultMapping();
  let mappingStudy: unknown;
  let mappingRead = true;
  if (files.mapping !== undefined) {
    const text = fileText(files.mapping);
    mappingRead = false;
    if (!text.ok) early.add(text.problem);
    else {
      mappingRead = true;
      const parsed = parseMapping(files.mapping.name, text.text);
      parsed.problems.forEach(reportEarly);
      if (parsed.mapping !== null) mapping = parsed.mapping;
      else mappingRead = false;
      mappingStudy = parsed.study;
    }
  }
  const studyPart = readStudyPart(files, mappingStudy, mappingRead, reportEarly);

  let resolved: ResolvedMapping | null = null;
  if (dictionary !== null && early.total === 0) {
    const origin = files.mapping === undefined ? { file: files.dictionary.name, builtIn: true } : { file: files.mapping.name, builtIn: false };
    const result = resolveMapping(mapping, dictionary, origin);
    result.problems.forEach(reportEarly);
    resolved = result.resolved;
  }
  const table = readCsv(files.data, reportEarly);
  // Rows cannot be read without a sound dictionary and mapping: report what is wrong with those.
  if (dictionary === null || resolved === null || table === null || early.total > 0 || studyPart === null) {
    return early.failure();
  }

  const dataFile = files.data.name;
  const studyFile = studyPart.file;
  const run = new TableImport(
    new LocationIndex((path) => {
      if (/^(study|sites|practitioners)\b/.test(path)) return { file: studyFile, row: null, column: studyPart.prefix + path };
      return { file: dataFile, row: null };
    }),
    fileOrder,
    (file) => (file === dataFile ? table.header : []),
  );
  const at = new Map(table.header.map((column, index) => [column, index]));
  const cell = (row: CsvRow, column: string) => {
    const index = at.get(column);
    return index === undefined ? '' : (row.cells[index] ?? '');
  };

  // The header: every column a dictionary field (or one REDCap adds), every mapped field present.
  const formOfColumn = new Map<string, string>();
  for (const field of dictionary.fields) {
    if (field.type === 'descriptive') continue;
    if (field.type === 'checkbox') for (const choice of field.choices ?? []) formOfColumn.set(checkboxColumn(field.name, choice.code), field.form);
    else formOfColumn.set(field.name, field.form);
  }
  const fieldOfColumn = (column: string) => (formOfColumn.has(column) && dictionary.byName.has(column) ? column : column.replace(/___[a-z0-9_]+$/, ''));
  const statusColumns = new Set(dictionary.forms.flatMap((form) => [`${form}_complete`, `${form}_timestamp`]));
  const dataColumns: string[] = [];
  for (const column of table.header) {
    if (column === REPEAT_INSTRUMENT || column === REPEAT_INSTANCE || SYSTEM_COLUMNS.has(column) || statusColumns.has(column)) continue;
    if (column === 'redcap_event_name') {
      run.report(locatedProblem(dataFile, 1, column, 'the records come from a longitudinal project (events); export them without events, one arm at a time'));
    } else if (!formOfColumn.has(column)) {
      run.report(locatedProblem(dataFile, 1, column, 'is not a field of the data dictionary'));
    } else dataColumns.push(column);
  }
  for (const name of resolved.mapped) {
    if (!at.has(name)) run.columnMissing(locatedProblem(dataFile, 1, name, 'column is missing (the mapping reads this field)'));
  }
  if (resolved.instruments.size > 0) {
    for (const column of [REPEAT_INSTRUMENT, REPEAT_INSTANCE]) {
      if (!at.has(column)) run.report(locatedProblem(dataFile, 1, column, 'column is missing (REDCap writes it for projects with repeating instruments)'));
    }
  }
  if (!at.has(resolved.recordId)) run.report(locatedProblem(dataFile, 1, resolved.recordId, 'column is missing: it holds the record ID (the participant code)'));

  // Fields that hold data but are read by nothing are reported, never dropped.
  const unmapped = new Map<string, number>();
  const isIgnored = (column: string) => {
    const field = fieldOfColumn(column);
    return resolved.ignored.has(field) || resolved.ignored.has(formOfColumn.get(column) ?? '');
  };

  // The rows: one per record without an instrument (the participant), one per repeating instance.
  const participantRows = new Map<string, CsvRow>();
  const repeating = new Map<string, RepeatingRow[]>();
  const seenInstance = new Map<string, number>();
  const unmappedInstrument = new Map<string, { first: number; count: number }>();
  for (const row of table.rows) {
    const recordId = cell(row, resolved.recordId);
    if (recordId === '') {
      run.report(locatedProblem(dataFile, row.row, resolved.recordId, 'is required (the cell is empty)'));
      continue;
    }
    const instrument = cell(row, REPEAT_INSTRUMENT);
    const instanceText = cell(row, REPEAT_INSTANCE);
    let rowForm: string | null = null;
    if (instrument === '') {
      if (instanceText !== '') run.report(locatedProblem(dataFile, row.row, REPEAT_INSTANCE, 'is given but redcap_repeat_instrument is empty'));
      const earlier = participantRows.get(recordId);
      if (earlier !== undefined) {
        run.report(locatedProblem(dataFile, row.row, resolved.recordId, `record "${recordId}" already has its non-repeating row (row ${earlier.row})`));
        continue;
      }
      participantRows.set(recordId, row);
    } else {
      const kind = resolved.instruments.get(instrument);
      if (kind === undefined) {
        if (resolved.ignored.has(instrument)) continue;
        if (!dictionary.forms.includes(instrument)) {
          run.report(locatedProblem(dataFile, row.row, REPEAT_INSTRUMENT, `"${instrument}" is not an instrument of the data dictionary`));
        } else {
          const seen = unmappedInstrument.get(instrument);
          if (seen === undefined) unmappedInstrument.set(instrument, { first: row.row, count: 1 });
          else seen.count += 1;
        }
        continue;
      }
      rowForm = instrument;
      if (!/^[1-9]\d*$/.test(instanceText)) {
        run.report(locatedProblem(dataFile, row.row, REPEAT_INSTANCE, `must be a whole number from 1 (got ${JSON.stringify(instanceText)})`));
        continue;
      }
      const key = `${recordId}\u0000${instrument}\u0000${instanceText}`;
      const earlier = seenInstance.get(key);
      if (earlier !== undefined) {
        run.report(locatedProblem(dataFile, row.row, REPEAT_INSTANCE, `instance ${instanceText} of ${instrument} for record "${recordId}" is already on row ${earlier}`));
        continue;
      }
      seenInstance.set(key, row.row);
      const list = repeating.get(recordId) ?? [];
      list.push({ kind, instance: Number(instanceText), row });
      repeating.set(recordId, list);
    }
    for (const column of dataColumns) {
      if (column === resolved.recordId || cell(row, column) === '') continue;
      const form = formOfColumn.get(column)!;
      const belongsHere = rowForm === null ? !resolved.instruments.has(form) : form === rowForm;
      if (!belongsHere) {
        const where = rowForm === null ? "the record's non-repeating row" : `a row of instrument ${rowForm}`;
        run.report(locatedProblem(dataFile, row.row, column, `is a field of instrument ${form}, but is filled on ${where}`));
      } else if (!resolved.mapped.has(fieldOfColumn(column)) && !isIgnored(column)) {
        unmapped.set(column, (unmapped.get(column) ?? 0) + 1);
      }
    }
  }
  for (const [column, count] of unmapped) {
    run.report(
      locatedProblem(dataFile, 1, column, `holds data in ${count} row${count === 1 ? '' : 's'} but is mapped to no bundle field; map it, or list it under "ignore" in the mapping`),
    );
  }
  for (const [instrument, { first, count }] of unmappedInstrument) {
    run.report(
      locatedProblem(dataFile, first, REPEAT_INSTRUMENT, `instrument ${instrument} (${count} row${count === 1 ? '' : 's'}) is mapped to no kind of record; map it under "instruments", or list it under "ignore"`),
    );
  }

  // Build the participants: fields from their row, then their instances in instance order.
  const readRecord = (kind: RecordKind, row: CsvRow, instance: number | null, path: string): Record<string, unknown> => {
    const record: Record<string, unknown> = {};
    const columns: Record<string, string> = {};
    for (const { target, source } of resolved.fields[kind]) {
      if (source.kind === 'constant') {
        record[target] = source.value;
      } else if (source.kind === 'instance') {
        record[target] = instance;
        columns[target] = REPEAT_INSTANCE;
      } else {
        columns[target] = source.field.name;
        if (!at.has(source.field.name)) continue;
        const raw = cell(row, source.field.name);
        const value = source.kind === 'year' ? decodeYear(BUNDLE_FIELDS[kind][target]!, raw) : decodeValue(source, BUNDLE_FIELDS[kind][target]!, raw);
        if (value.ok) record[target] = value.value;
        else {
          if (raw !== '') record[target] = raw;
          run.report(locatedProblem(dataFile, row.row, source.field.name, value.message), `${path}.${target}`);
        }
      }
    }
    run.index.add(path, { file: dataFile, row: row.row, columns });
    return record;
  };
  const participants: Array<Record<string, unknown>> = [];
  for (const [recordId, row] of participantRows) {
    const path = `participants[${participants.length}]`;
    const participant: Record<string, unknown> = { ...readRecord('participant', row, null, path), sessions: [], adverseEvents: [], fadingAssessments: [], surveys: [] };
    for (const item of (repeating.get(recordId) ?? []).sort((a, b) => a.instance - b.instance)) {
      const list = participant[LIST_OF[item.kind]] as unknown[];
      list.push(readRecord(item.kind, item.row, item.instance, `${path}.${LIST_OF[item.kind]}[${list.length}]`));
    }
    participants.push(participant);
  }
  for (const [recordId, items] of repeating) {
    if (participantRows.has(recordId)) continue;
    const first = items.reduce((a, b) => (a.row.row < b.row.row ? a : b));
    run.report(locatedProblem(dataFile, first.row.row, resolved.recordId, `record "${recordId}" has no non-repeating row with its participant fields`));
  }

  const input = { format: BUNDLE_FORMAT, ...studyPart.content, participants };
  return run.finish(input);
}

/** The study-level data, from study.json or the mapping, with where its problems are reported. */
function readStudyPart(
  files: RedcapFiles,
  mappingStudy: unknown,
  mappingRead: boolean,
  report: (problem: LocatedProblem) => void,
): { file: string; prefix: string; content: { study: unknown; sites: unknown; practitioners: unknown } } | null {
  if (files.study !== undefined) {
    const name = files.study.name;
    const text = fileText(files.study);
    if (!text.ok) {
      report(text.problem);
      return null;
    }
    let json: unknown;
    try {
      json = JSON.parse(text.text);
    } catch (error) {
      report(locatedProblem(name, null, null, `is not valid JSON: ${(error as Error).message}`));
      return null;
    }
    const parsed = StudyFile.safeParse(json, { error: issueMessage });
    if (!parsed.success) {
      for (const problem of problemsFromZod(parsed.error)) report(locatedProblem(name, null, problem.path, problem.message));
      return null;
    }
    const { study, sites, practitioners } = parsed.data;
    return { file: name, prefix: '', content: { study, sites, practitioners } };
  }
  if (mappingStudy !== undefined && files.mapping !== undefined) {
    const { study, sites, practitioners } = mappingStudy as { study: unknown; sites: unknown; practitioners: unknown };
    return { file: files.mapping.name, prefix: 'study.', content: { study, sites, practitioners } };
  }
  // An unreadable mapping is reported already; its study section may be what is missing.
  if (!mappingRead) return null;
  report(
    locatedProblem(
      files.data.name,
      null,
      null,
      'REDCap holds no study title, protocol, sites or practitioners: give study.json (written beside a REDCap export) or a mapping file with a "study" section',
    ),
  );
  return null;
}
