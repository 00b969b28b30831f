// Every export format written as a stream: the study's own records (its sites, practitioners,
// protocol) first, then the participants batch by batch, each batch's text written before the
// next batch is read. The text is byte for byte what the whole-file writers give for the same
// study: the same row and resource functions write it, and the JSON documents are written as
// JSON.stringify would indent them. A format that writes several tables, or needs a figure of
// the whole study before its rows (SDTM's record counts and column lengths), reads the
// participants once and sets the later files' text aside on disk until their turn, so memory
// holds one batch whatever the study's size. On PostgreSQL the csv format's participant tables
// come instead from the database's COPY (StudySource.csvTable), side by side into a folder.
import type { Participant, StudyBundle } from '../schemas/bundle.ts';
import { CODEBOOK_FILE, CSV_TABLES, fileOf, participantsTable, sessionsTable, adverseEventsTable, fadingAssessmentsTable, surveysTable, type TableSpec } from './csv/tables.ts';
import { tableHeader, tableRows, writeCodebook, writeTable } from './csv/export.ts';
import { visitsTable } from './csv/visits-table.ts';
import { crlfRecordBytes, crlfRecords, csvRecords, writeCsv } from './csv-text.ts';
import { createSpool, type ExportTarget, type TextOut } from './export-sink.ts';
import type { DatasetValue } from './sdtm/dataset-json.ts';
import type { SdtmDomain } from './sdtm/domains.ts';

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
  /**
   * The csv format's participant tables (participants, sessions, …) by name, each as the
   * database's COPY writes it, header and rows in LF-ended CSV records, every cell as the csv
   * format writes it. Absent where this module writes the rows from the batches (PGlite, whose
   * COPY gives a table's output whole rather than as a stream, and de-identified exports). Several
   * tables may be read at once; each waits, if need be, for a connection to read on.
   */
  csvTable?: (name: string) => AsyncIterable<Uint8Array>;
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

/** The csv format's tables of participants and their records. */
const PARTICIPANT_TABLES = new Set([participantsTable.name, sessionsTable.name, adverseEventsTable.name, fadingAssessmentsTable.name, surveysTable.name]);

/**
 * One pass over the participants: participants.csv is written as it comes, the rows of the
 * record tables that follow it are spooled and copied in after.
 */
async function streamCsv(source: StudySource, target: ExportTarget): Promise<void> {
  const { head } = source;
  const tables: Array<TableSpec<unknown>> = [...CSV_TABLES] as Array<TableSpec<unknown>>;
  if (head.study.protocol.visits) tables.splice(1, 0, visitsTable as TableSpec<unknown>);
  const [first, ...later] = tables.filter((table) => PARTICIPANT_TABLES.has(table.name));
  if (source.csvTable) return streamCsvCopied(head, target, tables, source.csvTable);
  if (target.concurrentFiles) return streamCsvAtOnce(source, target, tables);
  const spool = await createSpool();
  try {
    for (const table of tables) {
      await oneFile(target, fileOf(table), async (out) => {
        if (!PARTICIPANT_TABLES.has(table.name)) return out.write(writeTable(table, head));
        await out.write(tableHeader(table));
        if (table !== first) return spool.copyInto(table.name, out);
        const spooled = later.map((other) => ({ table: other, out: spool.out(other.name) }));
        for await (const batch of source.batches(ALL_KINDS)) {
          const bundle = withBatch(head, batch);
          await out.write(tableRows(table, bundle));
          for (const other of spooled) await other.out.write(tableRows(other.table, bundle));
        }
        for (const other of spooled) await other.out.close();
      });
    }
  } finally {
    await spool.dispose();
  }
  await oneFile(target, CODEBOOK_FILE, (out) => out.write(writeCodebook()));
}

/**
 * A table copied from the database into `out`, its records' line ends made CRLF; it stops
 * early, which ends the COPY, once `stop()` says so.
 */
async function copyTableInto(out: TextOut, chunks: AsyncIterable<Uint8Array>, stop: () => boolean = () => false): Promise<void> {
  if (out.writeBytes) {
    const crlf = crlfRecordBytes();
    for await (const chunk of chunks) {
      if (stop()) return;
      await out.writeBytes(crlf(chunk));
    }
  } else {
    const crlf = crlfRecords();
    for await (const chunk of chunks) {
      if (stop()) return;
      await out.write(crlf(chunk));
    }
  }
}

/**
 * The csv format with its participant tables copied from the database's COPY: one after the
 * other into a zip, side by side into a target that takes several files at once (a folder; each
 * COPY on a connection of its own as the source has them).
 */
async function streamCsvCopied(
  head: StudyBundle,
  target: ExportTarget,
  tables: ReadonlyArray<TableSpec<unknown>>,
  copied: (name: string) => AsyncIterable<Uint8Array>,
): Promise<void> {
  if (!target.concurrentFiles) {
    for (const table of tables) {
      await oneFile(target, fileOf(table), (out) => (PARTICIPANT_TABLES.has(table.name) ? copyTableInto(out, copied(table.name)) : out.write(writeTable(table, head))));
    }
  } else {
    // Every file opened in the format's order, the study's own tables written at once, then the
    // participant tables copied side by side. The first to fail stops the others (each ends its
    // COPY), and the export fails only once every COPY has ended, so that no connection is left
    // in the middle of one.
    const copies: Array<{ name: string; out: TextOut }> = [];
    for (const table of tables) {
      const out = await target.file(fileOf(table));
      if (PARTICIPANT_TABLES.has(table.name)) copies.push({ name: table.name, out });
      else {
        await out.write(writeTable(table, head));
        await out.close();
      }
    }
    let failed = false;
    const ended = await Promise.allSettled(
      copies.map(async ({ name, out }) => {
        try {
          await copyTableInto(out, copied(name), () => failed);
          await out.close();
        } catch (error) {
          failed = true;
          throw error;
        }
      }),
    );
    const failure = ended.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }
  await oneFile(target, CODEBOOK_FILE, (out) => out.write(writeCodebook()));
}

/**
 * The csv format into a target that takes several files at once (a folder): one pass over the
 * participants writes every participant table as it comes, with nothing set aside.
 */
async function streamCsvAtOnce(source: StudySource, target: ExportTarget, tables: ReadonlyArray<TableSpec<unknown>>): Promise<void> {
  const { head } = source;
  for (const table of tables) {
    if (!PARTICIPANT_TABLES.has(table.name)) await oneFile(target, fileOf(table), (out) => out.write(writeTable(table, head)));
  }
  const open: Array<{ table: TableSpec<unknown>; out: TextOut }> = [];
  for (const table of tables.filter((table) => PARTICIPANT_TABLES.has(table.name))) {
    const out = await target.file(fileOf(table));
    open.push({ table, out });
    await out.write(tableHeader(table));
  }
  for await (const batch of source.batches(ALL_KINDS)) {
    const bundle = withBatch(head, batch);
    for (const { table, out } of open) await out.write(tableRows(table, bundle));
  }
  for (const { out } of open) await out.close();
  await oneFile(target, CODEBOOK_FILE, (out) => out.write(writeCodebook()));
}

// The REDCap, SDTM and FHIR writers are loaded when their format is exported: a csv or json
// export (a command that starts, exports and ends) does not load them.

async function streamRedcap(source: StudySource, target: ExportTarget): Promise<void> {
  const [{ writeDictionary }, { recordsHeader, redcapRowWriter, redcapStudyJson, REDCAP_FILES }, { layoutDictionaryRows }] = await Promise.all([
    import('./redcap/dictionary.ts'),
    import('./redcap/export.ts'),
    import('./redcap/layout.ts'),
  ]);
  const { head } = source;
  await oneFile(target, REDCAP_FILES.dictionary, (out) => out.write(writeDictionary(layoutDictionaryRows(head))));
  const rowsOf = redcapRowWriter(head);
  await oneFile(target, REDCAP_FILES.records, async (out) => {
    await out.write(writeCsv(recordsHeader(), []));
    for await (const batch of source.batches(ALL_KINDS)) await out.write(csvRecords(batch.flatMap(rowsOf)));
  });
  await oneFile(target, REDCAP_FILES.study, (out) => out.write(redcapStudyJson(head)));
}

/**
 * One pass over the participants: each domain's record count and the longest text of each
 * column, which the Dataset-JSON files state before their rows, while the rows are spooled (as
 * Dataset-JSON and as CSV); then each file is written from its spool.
 */
async function streamSdtm(source: StudySource, target: ExportTarget): Promise<void> {
  const [{ datasetJsonHead, measureRows }, { SDTM_DOMAINS }] = await Promise.all([import('./sdtm/dataset-json.ts'), import('./sdtm/domains.ts')]);
  const { head } = source;
  const domains = SDTM_DOMAINS as ReadonlyArray<SdtmDomain<unknown>>;
  const spool = await createSpool();
  try {
    const spooled = domains.map((domain) => ({
      records: 0,
      lengths: [] as number[],
      json: spool.out(`${domain.name}.json`),
      csv: spool.out(`${domain.name}.csv`),
    }));
    for await (const batch of source.batches(ALL_KINDS)) {
      const bundle = withBatch(head, batch);
      for (const [index, domain] of domains.entries()) {
        const rows: DatasetValue[][] = domain.rows(bundle).map((row) => domain.variables.map((variable) => variable.value(row)));
        if (rows.length === 0) continue;
        const into = spooled[index]!;
        await into.json.write(`${into.records === 0 ? '' : ','}${rows.map((row) => JSON.stringify(row)).join(',')}`);
        await into.csv.write(csvRecords(rows));
        into.records += rows.length;
        measureRows(into.lengths, rows);
      }
    }
    for (const into of spooled) {
      await into.json.close();
      await into.csv.close();
    }
    for (const [index, domain] of domains.entries()) {
      const { records, lengths } = spooled[index]!;
      const columns = domain.variables.map(({ name, label, dataType, keySequence }) => ({ name, label, dataType, ...(keySequence === undefined ? {} : { keySequence }) }));
      const spec = { name: domain.name, label: domain.label, studyCode: head.study.code, createdAt: source.createdAt, columns };
      const stem = domain.name.toLowerCase();
      await oneFile(target, `${stem}.json`, async (out) => {
        // `"rows":[]}` at the end: the rows go between the brackets.
        await out.write(JSON.stringify(datasetJsonHead(spec, records, lengths)).slice(0, -2));
        await spool.copyInto(`${domain.name}.json`, out);
        await out.write(']}\n');
      });
      await oneFile(target, `${stem}.csv`, async (out) => {
        await out.write(writeCsv(columns.map((column) => column.name), []));
        await spool.copyInto(`${domain.name}.csv`, out);
      });
    }
  } finally {
    await spool.dispose();
  }
}

async function streamFhir(source: StudySource, target: ExportTarget, name: string): Promise<void> {
  const { fhirParts } = await import('./fhir/export.ts');
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
