// Export and import of a study in the interchange formats (csv, redcap, sdtm, fhir, and the
// bundle itself as json), for the command line and the HTTP API alike. Export converts a
// validated bundle, de-identified first when asked (with the one de-identification of
// deidentify.ts), into files, and packs several files into a zip. Import reads a folder's files
// or a zip into a bundle, or throws a validation error listing the problems with their file, row
// and column (the first 1,000 and a count of the rest, as for a bundle); the caller then loads
// the bundle with importBundle, in one transaction. For the API, a stored study is exported in
// the caller's view (exportStoredStudy: scope, and de-identification done here, once), and large
// uploads are read on a worker thread.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AnalysisSummary } from '../../analysis/types.ts';
import type { Db } from '../../db/kysely.ts';
import { AppError } from '../errors.ts';
import { bytesOf, zipFiles } from '../formats/archive.ts';
import { analysisCsv } from '../formats/analysis-csv.ts';
import { writeCsvTables } from '../formats/csv/export.ts';
import { writeFhir } from '../formats/fhir/export.ts';
import { IMPORT_FORMATS, readImport, type ImportFormat, type ImportSource } from '../formats/read-import.ts';
import { DEIDENTIFICATION_REPORT_FILE, formatDeidentificationReport, type ExportFormat } from './export-formats.ts';
import { writeRedcapProject } from '../formats/redcap/export.ts';
import { writeSdtm } from '../formats/sdtm/export.ts';
import { sdtmWarnings } from '../formats/sdtm/domains.ts';
import type { ExportWarning, FormatFile, LocatedProblem } from '../formats/types.ts';
import type { StudyBundle } from '../schemas/bundle.ts';
import { canonicalOrder } from '../schemas/bundle-order.ts';
import { countOf } from '../schemas/problems.ts';
import type { ImportResult } from '../schemas/responses.ts';
import { JsonBodyBytes } from '../json-input.ts';
import { commandLineChange, requireImportRole, type Actor } from './access.ts';
import { deidentifyBundle, type DeidentificationReport } from './deidentify.ts';
import { importSourceBytes, readImportOffThread } from './workers/format-import-off-thread.ts';
import { importBundle, readStudyView, type ImportOptions, type StudyView } from './study-bundle-service.ts';

export { EXPORT_FORMATS, formatDeidentificationReport, isExportFormat, type ExportFormat } from './export-formats.ts';

export { damagedZipPointer, detectFile, detectFiles, unreadablePointer, wrongFilePointer, type DetectedFile } from '../formats/detect-format.ts';
export { IMPORT_FORMATS, readImport, redcapRoles, type ImportFormat, type ImportSource } from '../formats/read-import.ts';

export const isImportFormat = (value: string): value is ImportFormat => (IMPORT_FORMATS as readonly string[]).includes(value);

export interface ExportOptions {
  /** De-identify first, with the study's secret key (pseudonyms, date shift, no free text, lots pseudonymised). */
  deidentify?: { secret: Uint8Array } | null;
  /** The creation time SDTM and FHIR files and zip entries carry; now unless given. */
  createdAt?: Date;
}

export interface StudyExport {
  format: ExportFormat;
  /** Name of the folder (or archive, without `.zip`) the files go in: `SMP-2021-csv`, `SMP-2021-sdtm-deidentified`. */
  name: string;
  files: FormatFile[];
  createdAt: Date;
  /** What de-identification changed; null for an identified export. */
  deidentification: DeidentificationReport | null;
  /** What the format requires but the study lacks (SDTM: sites without a country); the files are written all the same. */
  warnings: ExportWarning[];
}

/** The study in `format`, de-identified first when asked. */
export function exportStudy(bundle: StudyBundle, format: ExportFormat, options: ExportOptions = {}): StudyExport {
  const createdAt = options.createdAt ?? new Date();
  let source = bundle;
  let deidentification: DeidentificationReport | null = null;
  if (options.deidentify) {
    const result = deidentifyBundle(bundle, options.deidentify.secret);
    source = result.bundle;
    deidentification = result.report;
  }
  const code = bundle.study.code;
  const files = ((): FormatFile[] => {
    switch (format) {
      case 'json':
        return [{ name: `${code}.json`, content: `${JSON.stringify(canonicalOrder(source), null, 2)}\n` }];
      case 'csv':
        return writeCsvTables(source);
      case 'redcap':
        return writeRedcapProject(source);
      case 'sdtm':
        return writeSdtm(source, { createdAt });
      case 'fhir':
        return writeFhir(source, { createdAt });
    }
  })();
  const name = `${code}-${format}${deidentification ? '-deidentified' : ''}`;
  if (deidentification && files.length === 1) files[0] = { ...files[0]!, name: files[0]!.name.replace(code, `${code}-deidentified`) };
  const warnings = format === 'sdtm' ? sdtmWarnings(source) : [];
  return { format, name, files, createdAt, deidentification, warnings };
}

/**
 * A study view (api/services/study-bundle-service.ts) in `format`. The view is still identified;
 * when it must be de-identified, this is where it happens, once, so the report comes with it.
 */
export function exportStudyView(view: StudyView, format: ExportFormat, options: Pick<ExportOptions, 'createdAt'> = {}): StudyExport {
  return exportStudy(view.bundle, format, { ...options, deidentify: view.deidentifyWith === null ? null : { secret: view.deidentifyWith } });
}

/**
 * A stored study in `format`, as the actor may see it: a clinic's sites only; de-identified, once,
 * for a reviewer or when `deidentify` is set (the export then carries the report).
 */
export async function exportStoredStudy(
  db: Db,
  code: string,
  format: ExportFormat,
  options: { actor?: Actor; deidentify?: boolean; createdAt?: Date } = {},
): Promise<StudyExport> {
  const { createdAt, ...viewOptions } = options;
  return exportStudyView(await readStudyView(db, code, viewOptions), format, createdAt ? { createdAt } : {});
}

const CONTENT_TYPES: Readonly<Record<string, string>> = { json: 'application/json', fhir: 'application/fhir+json', zip: 'application/zip' };

/** The media types a download can have, for the API's description. */
export const DOWNLOAD_CONTENT_TYPES = ['application/json', 'application/fhir+json', 'application/zip'] as const;

/** The file a de-identified zip carries its report in (with `withReport`); imports leave it aside. */
export { DEIDENTIFICATION_REPORT_FILE };

/**
 * An export as one download: its file when it has one (json, fhir), else a zip of its folder.
 * With `withReport`, a de-identified zip also holds the de-identification report as
 * `deidentification-report.txt`.
 */
export function exportDownload(exported: StudyExport, options: { withReport?: boolean } = {}): { name: string; contentType: string; bytes: Uint8Array } {
  const [only] = exported.files;
  if (exported.files.length === 1 && only !== undefined) {
    return { name: only.name, contentType: CONTENT_TYPES[exported.format] ?? 'application/octet-stream', bytes: bytesOf(only.content) };
  }
  const report = options.withReport && exported.deidentification ? [{ name: DEIDENTIFICATION_REPORT_FILE, content: `${formatDeidentificationReport(exported.deidentification)}\n` }] : [];
  return { name: `${exported.name}.zip`, contentType: CONTENT_TYPES.zip!, bytes: zipFiles(exported.name, [...exported.files, ...report], exported.createdAt) };
}

/**
 * The validation error of an import's problems, each with its file, row and column: worded and
 * capped as a bundle's (the message counts every problem; the first 1,000 are listed).
 */
function importProblemsError(format: ImportFormat, problems: LocatedProblem[], problemsOmitted: number): AppError {
  const count = problems.length + problemsOmitted;
  return new AppError('validation', `the ${format} import has ${countOf(count, 'problem')}`, problems, { problemsOmitted, summarizes: true });
}

/** Read an import, or throw a validation AppError whose problems carry file, row and column. */
export function parseImport(format: ImportFormat, source: ImportSource): StudyBundle {
  const result = readImport(format, source);
  if (result.ok) return result.bundle;
  throw importProblemsError(format, result.problems, result.problemsOmitted);
}

export interface ImportStudyOptions extends ImportOptions {
  /**
   * Read the files on a worker thread when they are large (the server, so that it keeps
   * answering other requests); the bundle is then validated by importBundle off the thread too.
   */
  readOffThread?: boolean;
}

/** Sources above this many bytes are read on a worker thread when `readOffThread` is set. */
const OFF_THREAD_BYTES = 64 * 1024;

/**
 * Read an import and load it as one transaction; on any problem nothing is written. The role is
 * checked before any file is read, so a clinic or a reviewer is refused whatever it sends.
 */
export async function importStudy(db: Db, format: ImportFormat, source: ImportSource, options: ImportStudyOptions = {}): Promise<ImportResult> {
  const { readOffThread, ...importOptions } = options;
  requireImportRole((options.change ?? commandLineChange()).actor);
  if (readOffThread && importSourceBytes(source) > OFF_THREAD_BYTES) {
    const answer = await readImportOffThread(format, source);
    if (!answer.ok) throw importProblemsError(format, answer.problems, answer.problemsOmitted);
    return importBundle(db, new JsonBodyBytes(bytesOf(answer.json)), importOptions);
  }
  return importBundle(db, parseImport(format, source), importOptions);
}

/**
 * The files of an import path for the command line: a zip archive, or a folder's files (not its
 * subfolders, which no format has). Names are the files' base names.
 */
export async function readImportPath(target: string): Promise<ImportSource> {
  if (target.toLowerCase().endsWith('.zip')) return { zip: new Uint8Array(await readFile(target)), name: path.basename(target) };
  const entries = await readdir(target, { withFileTypes: true });
  const files: FormatFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    files.push({ name: entry.name, content: new Uint8Array(await readFile(path.join(target, entry.name))) });
  }
  return { files };
}

/** `smp analyze --format csv`: the summary as one tidy table. */
export function analysisAsCsv(summary: AnalysisSummary): string {
  return analysisCsv(summary);
}
