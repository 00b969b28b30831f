// Every export format written as a stream: the study's own records (its sites, practitioners,
// protocol) first, then the participants batch by batch, each batch's text written before the
// next batch is read. The text is byte for byte what the whole-file writers give for the same
// study: the same row and resource functions write it, and the JSON documents are written as
// JSON.stringify would indent them. A format that writes several tables, or needs a figure of
// the whole study before its rows (SDTM's record counts and column lengths), reads the
// participants once per table or figure, so memory holds one batch whatever the study's size.
import type { Participant, StudyBundle } from '../schemas/bundle.ts';
import { CODEBOOK_FILE, CSV_TABLES, fileOf, participantsTable, sessionsTable, adverseEventsTable, fadingAssessmentsTable, surveysTable, type TableSpec } from './csv/tables.ts';
import { tableHeader, tableRows, writeCodebook, writeTable } from './csv/export.ts';
import { visitsTable } from './csv/visits-table.ts';
import { csvRecords, writeCsv } from './csv-text.ts';
import type { ExportTarget, TextOut } from './export-sink.ts';
import { fhirParts } from './fhir/export.ts';
import { writeDictionary } from './redcap/dictionary.ts';
import { recordsHeader, redcapRowWriter, redcapStudyJson, REDCAP_FILES } from './redcap/export.ts';
import { layoutDictionaryRows } from './redcap/layout.ts';
import { datasetJsonHead, measureRows, type DatasetValue } from './sdtm/dataset-json.ts';
import { SDTM_DOMAINS, type SdtmDomain } from './sdtm/domains.ts';

/** Which records a pass over the participants needs besides the participants' own fields. */
export interface RecordKinds {
  sessions?: boolean;
  adverseEvents?: boolean;
  fadingAssessments?: boolean;
  surveys?: boolean;
}

export const ALL_KINDS: RecordKinds = { sessions: true, adverseEvents: true, fadingAssessments: true, surveys: true };

/**
 * A study to stream: `head` is the bundle without participants (its sites and practitioners, in
 * canonical order, de-identified when the export is); `batches` reads the participants in
 * canonical order, each with its records in canonical order (the kinds not asked for are empty
 * lists), as many times as asked, from one snapshot.
 */
export interface StudySource {
  head: StudyBundle;
  batches(kinds: RecordKinds): AsyncIterable<Participant[]>;
  /** Whether any participant in view answered a survey. */
  hasSurveys: boolean;
  createdAt: Date;
}

export type StreamFormat = 'json' | 'csv' | 'redcap' | 'sdtm' | 'fhir';

/**
 * A JSON document `head` whose last key, `key`, holds the items of `batches`, written as
 * `JSON.stringify(document, null, indent)` writes it. Each item is written as it comes, indented
 * by JSON.stringify itself (as the one item of a list under `key`), so no text is re-indented.
 */
async function writeJsonDocument(
  out: TextOut,
  head: object,
  key: string,
  indent: number,
  batches: AsyncIterable<readonly unknown[]>,
  itemsOf: (item: unknown) => readonly unknown[] = (item) => [item],
): Promise<void> {
  const whole = JSON.stringify({ ...head, [key]: [0] }, null, indent);
  const pad = ' '.repeat(indent);
  const marker = `[\n${pad}${pad}0\n${pad}]`;
  const at = whole.lastIndexOf(marker);
  const open = whole.slice(0, at + 1);
  const close = `\n${pad}]${whole.slice(at + marker.length)}\n`;
  // `{"key": [item]}` indented puts the item at the depth it has in the document.
  const itemStart = `{\n${pad}${JSON.stringify(key)}: [\n`.length;
  const itemEnd = `\n${pad}]\n}`.length;
  let first = true;
  for await (const batch of batches) {
    for (const source of batch) {
      for (const item of itemsOf(source)) {
        const text = JSON.stringify({ [key]: [item] }, null, indent);
        await out.write(`${first ? open : ','}\n${text.slice(itemStart, text.length - itemEnd)}`);
        first = false;
      }
    }
  }
  await out.write(first ? `${JSON.stringify({ ...head, [key]: [] }, null, indent)}\n` : close);
}

const withBatch = (head: StudyBundle, participants: Participant[]): StudyBundle => ({ ...head, participants });

async function oneFile(target: ExportTarget, name: string, write: (out: TextOut) => Promise<void>): Promise<void> {
  const out = await target.file(name);
  await write(out);
  await out.close();
}

async function streamJson(source: StudySource, target: ExportTarget, name: string): Promise<void> {
  await oneFile(target, name, (out) => writeJsonDocument(out, source.head, 'participants', 2, source.batches(ALL_KINDS)));
}

/** The records each participant table of the csv format derives its columns from. */
const CSV_KINDS: ReadonlyMap<string, RecordKinds> = new Map([
  [participantsTable.name, { sessions: true }],
  [sessionsTable.name, { sessions: true }],
  [adverseEventsTable.name, { sessions: true, adverseEvents: true }],
  [fadingAssessmentsTable.name, { sessions: true, fadingAssessments: true }],
  [surveysTable.name, { sessions: true, surveys: true }],
]);

async function streamCsv(source: StudySource, target: ExportTarget): Promise<void> {
  const { head } = source;
  const tables: Array<TableSpec<unknown>> = [...CSV_TABLES] as Array<TableSpec<unknown>>;
  if (head.study.protocol.visits) tables.splice(1, 0, visitsTable as TableSpec<unknown>);
  for (const table of tables) {
    const kinds = CSV_KINDS.get(table.name);
    await oneFile(target, fileOf(table), async (out) => {
      if (kinds === undefined) return out.write(writeTable(table, head));
      await out.write(tableHeader(table));
      for await (const batch of source.batches(kinds)) await out.write(tableRows(table, withBatch(head, batch)));
    });
  }
  await oneFile(target, CODEBOOK_FILE, (out) => out.write(writeCodebook()));
}

async function streamRedcap(source: StudySource, target: ExportTarget): Promise<void> {
  const { head } = source;
  await oneFile(target, REDCAP_FILES.dictionary, (out) => out.write(writeDictionary(layoutDictionaryRows(head))));
  const rowsOf = redcapRowWriter(head);
  await oneFile(target, REDCAP_FILES.records, async (out) => {
    await out.write(writeCsv(recordsHeader(), []));
    for await (const batch of source.batches(ALL_KINDS)) await out.write(csvRecords(batch.flatMap(rowsOf)));
  });
  await oneFile(target, REDCAP_FILES.study, (out) => out.write(redcapStudyJson(head)));
}

/** The records each SDTM domain reads. */
const SDTM_KINDS: Readonly<Record<string, RecordKinds>> = {
  DM: ALL_KINDS,
  EX: { sessions: true },
  AE: { sessions: true, adverseEvents: true },
  QS: { sessions: true, surveys: true },
  FA: { sessions: true, fadingAssessments: true },
};

async function streamSdtm(source: StudySource, target: ExportTarget): Promise<void> {
  const { head } = source;
  const domains = SDTM_DOMAINS as ReadonlyArray<SdtmDomain<unknown>>;
  const rowsOf = (domain: SdtmDomain<unknown>, batch: Participant[]): DatasetValue[][] =>
    domain.rows(withBatch(head, batch)).map((row) => domain.variables.map((variable) => variable.value(row)));
  // First pass: each domain's record count and the longest text of each column, which the
  // Dataset-JSON files state before their rows.
  const measures = domains.map(() => ({ records: 0, lengths: [] as number[] }));
  for await (const batch of source.batches(ALL_KINDS)) {
    domains.forEach((domain, index) => {
      const rows = rowsOf(domain, batch);
      measures[index]!.records += rows.length;
      measureRows(measures[index]!.lengths, rows);
    });
  }
  for (const [index, domain] of domains.entries()) {
    const kinds = SDTM_KINDS[domain.name] ?? ALL_KINDS;
    const columns = domain.variables.map(({ name, label, dataType, keySequence }) => ({ name, label, dataType, ...(keySequence === undefined ? {} : { keySequence }) }));
    const spec = { name: domain.name, label: domain.label, studyCode: head.study.code, createdAt: source.createdAt, columns };
    const document = datasetJsonHead(spec, measures[index]!.records, measures[index]!.lengths);
    const stem = domain.name.toLowerCase();
    await oneFile(target, `${stem}.json`, async (out) => {
      const whole = JSON.stringify(document);
      await out.write(whole.slice(0, -2));
      let first = true;
      for await (const batch of source.batches(kinds)) {
        const rows = rowsOf(domain, batch);
        if (rows.length === 0) continue;
        await out.write(`${first ? '' : ','}${rows.map((row) => JSON.stringify(row)).join(',')}`);
        first = false;
      }
      await out.write(']}\n');
    });
    await oneFile(target, `${stem}.csv`, async (out) => {
      await out.write(writeCsv(columns.map((column) => column.name), []));
      for await (const batch of source.batches(kinds)) await out.write(csvRecords(rowsOf(domain, batch)));
    });
  }
}

async function streamFhir(source: StudySource, target: ExportTarget, name: string): Promise<void> {
  const parts = fhirParts(source.head, source.hasSurveys);
  // The study's own entries, then each participant's: one participant's resources at a time.
  async function* participantsAfterHead(): AsyncIterable<ReadonlyArray<Participant | null>> {
    yield [null];
    yield* source.batches(ALL_KINDS);
  }
  const entriesOf = (item: unknown) => (item === null ? parts.headEntries() : parts.participantEntries(item as Participant));
  const { entry: _entries, ...document } = parts.document(source.createdAt, []);
  await oneFile(target, name, (out) => writeJsonDocument(out, document, 'entry', 1, participantsAfterHead(), entriesOf));
}

/**
 * Write the study in `format` to `target`, file by file; `name` is the file of a one-file
 * format (json, fhir). The target is finished after the last file.
 */
export async function streamExport(format: StreamFormat, source: StudySource, target: ExportTarget, name: string): Promise<void> {
  switch (format) {
    case 'json':
      await streamJson(source, target, name);
      break;
    case 'csv':
      await streamCsv(source, target);
      break;
    case 'redcap':
      await streamRedcap(source, target);
      break;
    case 'sdtm':
      await streamSdtm(source, target);
      break;
    case 'fhir':
      await streamFhir(source, target, name);
      break;
  }
}

/** Extra text files written after the format's own (a de-identification report). */
export async function writeExtraFiles(target: ExportTarget, files: ReadonlyArray<{ name: string; content: string }>): Promise<void> {
  for (const file of files) await oneFile(target, file.name, (out) => out.write(file.content));
}
