// Reading an import's files into a bundle, whatever way they came: a folder's files, a zip, or
// REDCap's files by role. Pure and synchronous, so that it runs inline for the command line and
// on a worker thread for a large upload (api/services/workers/format-import-worker.ts).
import { unzipFiles } from './archive.ts';
import { readCsvTables } from './csv/import.ts';
import { REDCAP_FILES } from './redcap/export.ts';
import { readRedcap, type RedcapFiles } from './redcap/import.ts';
import { importFailure } from './located-problems.ts';
import { locatedProblem, type FormatFile, type FormatImport, type LocatedProblem } from './types.ts';

import { DEIDENTIFICATION_REPORT_FILE } from './report-file.ts';

export { DEIDENTIFICATION_REPORT_FILE };

export const IMPORT_FORMATS = ['csv', 'redcap'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Files for an import: a folder's or zip's files, or (REDCap) the files by role. */
export type ImportSource =
  | { files: readonly FormatFile[] }
  | { zip: Uint8Array; name?: string }
  | ({ redcap: true } & RedcapFiles);

/**
 * Read an import into a validated bundle, or its problems with their locations: the first 1,000
 * and a count of the rest, as for a bundle. Writes nothing.
 */
export function readImport(format: ImportFormat, source: ImportSource): FormatImport {
  if ('redcap' in source) {
    if (format !== 'redcap') return importFailure([locatedProblem('(import)', null, null, 'REDCap files were given for a csv import')]);
    return readRedcap(source);
  }
  let files: readonly FormatFile[];
  if ('zip' in source) {
    const unpacked = unzipFiles(source.name ?? 'upload.zip', source.zip);
    if (unpacked.problems.length > 0) return importFailure(unpacked.problems);
    files = unpacked.files;
  } else files = source.files;
  // A de-identified export's zip carries its report beside the data: it is read by people, not imported.
  files = files.filter((file) => file.name.split('/').pop() !== DEIDENTIFICATION_REPORT_FILE);
  if (format === 'csv') return readCsvTables(files);
  const roles = redcapRoles(files);
  return 'problems' in roles ? importFailure(roles.problems) : readRedcap(roles);
}

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

