// Export and import of a study in the interchange formats (csv, redcap, sdtm, fhir, and the
// bundle itself as json), for the command line and the HTTP API alike. Export converts a
// validated bundle, de-identified first when asked (with the one de-identification of
// deidentify.ts), into files, and packs several files into a zip. Import reads a folder's files
// or a zip into a bundle, or throws a validation error listing every problem with its file, row
// and column; the caller then loads the bundle with importBundle, in one transaction.
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { AnalysisSummary } from '../../analysis/types.ts';
import type { Db } from '../../db/kysely.ts';
import { AppError } from '../errors.ts';
import { bytesOf, unzipFiles, zipFiles } from '../formats/archive.ts';
import { analysisCsv } from '../formats/analysis-csv.ts';
import { writeCsvTables } from '../formats/csv/export.ts';
import { readCsvTables } from '../formats/csv/import.ts';
import { writeFhir } from '../formats/fhir/export.ts';
import { REDCAP_FILES, writeRedcapProject } from '../formats/redcap/export.ts';
import { readRedcap, type RedcapFiles } from '../formats/redcap/import.ts';
import { writeSdtm } from '../formats/sdtm/export.ts';
import { locatedProblem, type FormatFile, type FormatImport, type LocatedProblem } from '../formats/types.ts';
import type { StudyBundle } from '../schemas/bundle.ts';
import { canonicalOrder } from '../schemas/bundle-order.ts';
import { formatProblem } from '../schemas/problems.ts';
import type { ImportResult } from '../schemas/responses.ts';
import { deidentifyBundle, type DeidentificationReport } from './deidentify.ts';
import { importBundle, type ImportOptions } from './study-bundle-service.ts';

export const EXPORT_FORMATS = ['json', 'csv', 'redcap', 'sdtm', 'fhir'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const IMPORT_FORMATS = ['csv', 'redcap'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const isExportFormat = (value: string): value is ExportFormat => (EXPORT_FORMATS as readonly string[]).includes(value);
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
  return { format, name, files, createdAt, deidentification };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = { json: 'application/json', fhir: 'application/fhir+json', zip: 'application/zip' };

/** An export as one download: its file when it has one (json, fhir), else a zip of its folder. */
export function exportDownload(exported: StudyExport): { name: string; contentType: string; bytes: Uint8Array } {
  const [only] = exported.files;
  if (exported.files.length === 1 && only !== undefined) {
    return { name: only.name, contentType: CONTENT_TYPES[exported.format] ?? 'application/octet-stream', bytes: bytesOf(only.content) };
  }
  return { name: `${exported.name}.zip`, contentType: CONTENT_TYPES.zip!, bytes: zipFiles(exported.name, exported.files, exported.createdAt) };
}

/**
 * Write an export for the command line: to `out` as a zip when it ends in `.zip`, as the single
 * file when the format has one and `out` is not a folder, else into the folder `out` (made if
 * needed; files of the export are overwritten, nothing else is touched).
 *
 * @returns the paths written
 */
export async function writeExport(exported: StudyExport, out: string): Promise<string[]> {
  if (out.toLowerCase().endsWith('.zip')) {
    await writeFile(out, exportDownload(exported).bytes);
    return [out];
  }
  const [only] = exported.files;
  if (exported.files.length === 1 && only !== undefined && !out.endsWith(path.sep) && !(await isDirectory(out))) {
    await writeFile(out, only.content);
    return [out];
  }
  await mkdir(out, { recursive: true });
  const written: string[] = [];
  for (const file of exported.files) {
    const target = path.join(out, file.name);
    await writeFile(target, file.content);
    written.push(target);
  }
  return written;
}

async function isDirectory(target: string): Promise<boolean> {
  try {
    await readdir(target);
    return true;
  } catch {
    return false;
  }
}

/** The report `--deidentify` prints: what was removed or transformed. */
export function formatDeidentificationReport(report: DeidentificationReport): string {
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const shift = report.shiftDays === null ? 'no dates' : `by ${report.shiftDays.min} to ${report.shiftDays.max} days`;
  return [
    'De-identified with the study\'s key:',
    `- codes replaced by pseudonyms: ${plural(report.participantCodes, 'participant')}, ${plural(report.practitionerCodes, 'practitioner')}`,
    `- pigment lots replaced by pseudonyms: ${report.pigmentLots}`,
    `- dates moved back ${shift}, one shift per participant: ${plural(report.datesShifted, 'date')}`,
    `- free text removed: ${plural(report.termsReplaced, 'adverse-event term')} replaced by the category, ${plural(report.withdrawalReasonsRemoved, 'withdrawal reason')} removed`,
    `- birth years top-coded (age 90 or over): ${report.birthYearsTopCoded}`,
    '- kept: study code and title, protocol, site codes and names, practitioners\' experience, every coded value and number',
  ].join('\n');
}

/** Files for an import: a folder's or zip's files, or (REDCap) the files by role. */
export type ImportSource =
  | { files: readonly FormatFile[] }
  | { zip: Uint8Array; name?: string }
  | ({ redcap: true } & RedcapFiles);

/** Read an import into a validated bundle, or every problem with its location. Writes nothing. */
export function readImport(format: ImportFormat, source: ImportSource): FormatImport {
  if ('redcap' in source) {
    if (format !== 'redcap') return fail(locatedProblem('(import)', null, null, 'REDCap files were given for a csv import'));
    return readRedcap(source);
  }
  let files: readonly FormatFile[];
  if ('zip' in source) {
    const unpacked = unzipFiles(source.name ?? 'upload.zip', source.zip);
    if (unpacked.problems.length > 0) return { ok: false, problems: unpacked.problems };
    files = unpacked.files;
  } else files = source.files;
  if (format === 'csv') return readCsvTables(files);
  const roles = redcapRoles(files);
  return 'problems' in roles ? { ok: false, problems: roles.problems } : readRedcap(roles);
}

const fail = (problem: LocatedProblem): FormatImport => ({ ok: false, problems: [problem] });

/**
 * Which file of a REDCap folder or zip is which: our export's names, or REDCap's own
 * (`…_DataDictionary_….csv`, `…_DATA_….csv`); `study.json`, and a `.json` file whose name holds "mapping".
 */
export function redcapRoles(files: readonly FormatFile[]): RedcapFiles | { problems: LocatedProblem[] } {
  const problems: LocatedProblem[] = [];
  const roles: Partial<Record<keyof RedcapFiles, FormatFile>> = {};
  const roleOf = (name: string): keyof RedcapFiles | null => {
    const base = name.toLowerCase();
    if (base === REDCAP_FILES.dictionary || /datadictionary.*\.csv$/.test(base)) return 'dictionary';
    if (base === REDCAP_FILES.records || /_data_.*\.csv$/.test(base)) return 'data';
    if (base === REDCAP_FILES.study) return 'study';
    if (/mapping[^/]*\.json$/.test(base)) return 'mapping';
    return null;
  };
  for (const file of files) {
    const role = roleOf(file.name);
    if (role === null) {
      problems.push(locatedProblem(file.name, null, null, `is not a file of a REDCap import (expected ${REDCAP_FILES.dictionary}, ${REDCAP_FILES.records}, ${REDCAP_FILES.study}, and optionally mapping.json)`));
    } else if (roles[role] !== undefined) {
      problems.push(locatedProblem(file.name, null, null, `is a second ${role} file, besides ${roles[role]!.name}`));
    } else roles[role] = file;
  }
  if (roles.dictionary === undefined) problems.push(locatedProblem(REDCAP_FILES.dictionary, null, null, 'is missing: the REDCap data dictionary is needed'));
  if (roles.data === undefined) problems.push(locatedProblem(REDCAP_FILES.records, null, null, 'is missing: the REDCap records export is needed'));
  if (problems.length > 0 || roles.dictionary === undefined || roles.data === undefined) return { problems };
  return {
    dictionary: roles.dictionary,
    data: roles.data,
    ...(roles.study ? { study: roles.study } : {}),
    ...(roles.mapping ? { mapping: roles.mapping } : {}),
  };
}

/** Read an import, or throw a validation AppError whose problems carry file, row and column. */
export function parseImport(format: ImportFormat, source: ImportSource): StudyBundle {
  const result = readImport(format, source);
  if (result.ok) return result.bundle;
  const count = result.problems.length;
  throw new AppError(
    'validation',
    `the ${format} import has ${count} problem${count === 1 ? '' : 's'}:\n${result.problems.map(formatProblem).join('\n')}`,
    result.problems,
  );
}

/** Read an import and load it as one transaction; on any problem nothing is written. */
export async function importStudy(db: Db, format: ImportFormat, source: ImportSource, options: ImportOptions = {}): Promise<ImportResult> {
  return importBundle(db, parseImport(format, source), options);
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
