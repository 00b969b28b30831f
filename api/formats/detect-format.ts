// What an import file is, told from its bytes and names rather than from the format the user
// chose: a zip (and which export it holds), a gzip, a JSON bundle or another JSON document, a
// csv table or a REDCap file. An import given the wrong kind of file then says what the file is
// and which format to use, instead of failing in a parser ("not valid JSON", "not valid UTF-8").
// The command line and the HTTP API word the pointer the same way; only the "how" differs.
import { damagedZipMessage, unzipFiles } from './archive.ts';
import { CSV_TABLES, fileOf } from './csv/tables.ts';
import { REDCAP_FILES } from './redcap/export.ts';
import type { FormatFile } from './types.ts';

/** Formats an import reads. */
export type DetectableImport = 'json' | 'csv' | 'redcap';

/** What a file (or a set of files) is: the import format that reads it, if any, and a description. */
export interface DetectedFile {
  /** The import format that reads it; null when none does (an SDTM or FHIR export, a backup, anything else). */
  format: DetectableImport | null;
  /** What it is, as a noun phrase: `a zip archive of a csv export`, `a REDCap export (records.csv)`. */
  what: string;
  /** For a file no import reads: what to do instead. */
  advice?: string;
  /** For a zip archive that cannot be read: the zip reader's reason. */
  damaged?: string;
}

const CSV_TABLE_FILES = new Set(CSV_TABLES.map((table) => fileOf(table)));
const SDTM_FILES = /^(dm|ex|ae|fa|qs|ts|ta|te|tv|sv|ds|suppdm|suppae|co|se)\.(json|csv)$/;
const NOT_IMPORTABLE = 'import the json, csv or redcap export of the study instead';

const isZip = (bytes: Uint8Array) => bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05);
const isGzip = (bytes: Uint8Array) => bytes[0] === 0x1f && bytes[1] === 0x8b;

const bytesOf = (content: string | Uint8Array) => (typeof content === 'string' ? new TextEncoder().encode(content) : content);
const baseName = (name: string) => name.split('/').pop()!.toLowerCase();

/** The first `limit` characters of the text, without a byte order mark; undecodable bytes become U+FFFD. */
function head(bytes: Uint8Array, limit = 4096): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, limit));
  return text.replace(/^\uFEFF/, '');
}

/** The first line's cells, unquoted and lower-cased, when the text looks like a CSV header. */
function csvHeader(text: string): string[] | null {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  if (!line.includes(',')) return null;
  return line.split(',').map((cell) => cell.trim().replace(/^"|"$/g, '').trim().toLowerCase());
}

/** What a JSON document is, from its first few kilobytes. */
function detectJson(text: string): DetectedFile {
  if (/"format"\s*:\s*"smp-study-bundle\/1"/.test(text)) return { format: 'json', what: 'a study bundle (smp-study-bundle/1 JSON)' };
  if (/"format"\s*:\s*"smp-backup\/1"/.test(text)) return { format: null, what: 'an smp backup', advice: 'restore it with `smp restore`' };
  if (/"format"\s*:\s*"smp-redcap-mapping\/1"/.test(text)) return { format: 'redcap', what: 'a REDCap mapping (smp-redcap-mapping/1)' };
  if (/"resourceType"\s*:\s*"Bundle"/.test(text)) return { format: null, what: 'a FHIR export', advice: NOT_IMPORTABLE };
  if (/"datasetJSONVersion"/.test(text)) return { format: null, what: 'an SDTM dataset (Dataset-JSON)', advice: NOT_IMPORTABLE };
  if (/^\s*\{\s*"study"\s*:/.test(text) && /"sites"/.test(text) && !/"participants"/.test(text)) {
    return { format: 'redcap', what: 'the study.json of a REDCap export' };
  }
  return { format: 'json', what: 'a JSON document' };
}

/** What one file is, from its name and first bytes (a zip is opened and its files looked at). */
export function detectFile(file: FormatFile): DetectedFile {
  const bytes = bytesOf(file.content);
  if (isZip(bytes)) {
    const { files, problems, damaged } = unzipFiles(file.name, bytes);
    if (damaged !== undefined) return { format: null, what: 'a damaged zip archive', damaged };
    // An archive too large to unpack is left to the zip reader, which says so.
    if (problems.length > 0) return { format: null, what: 'a zip archive that cannot be read' };
    const inside = detectFiles(files);
    if (inside.format === null && inside.advice === undefined) return { format: null, what: 'a zip archive that holds no study export', advice: NOT_IMPORTABLE };
    // A zipped bundle: the json import reads the bundle itself, not an archive of it.
    if (inside.format === 'json') return { format: null, what: `a zip archive of ${inside.what}`, advice: 'unzip it and import the .json file' };
    return { ...inside, what: `a zip archive of ${inside.what}` };
  }
  if (isGzip(bytes)) return { format: null, what: 'a gzip-compressed file (an smp backup is one)', advice: 'restore a backup with `smp restore`; unpack anything else first' };
  const text = head(bytes);
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') return detectJson(text);
  const name = baseName(file.name);
  const header = csvHeader(text);
  if (header !== null) {
    if (header.includes('record_id') || header.includes('redcap_repeat_instrument')) return { format: 'redcap', what: `a REDCap export (${name})` };
    if (header.includes('variable / field name') || header.includes('field_name')) return { format: 'redcap', what: `a REDCap data dictionary (${name})` };
    if (header.includes('study_code')) return { format: 'csv', what: `a table of a csv export (${name})` };
    if (header.includes('studyid') || header.includes('usubjid')) return { format: null, what: `an SDTM dataset (${name})`, advice: NOT_IMPORTABLE };
    return { format: null, what: `a CSV file that is none of the csv or REDCap export's files (${name})` };
  }
  // Nothing known: the chosen format's reader says what is wrong with it.
  return { format: null, what: 'a file of none of the export formats' };
}

/** What a set of files (a folder, a zip's contents, an upload's parts) is, from their names, else their contents. */
export function detectFiles(files: readonly FormatFile[]): DetectedFile {
  if (files.length === 0) return { format: null, what: 'nothing (no files)' };
  const names = files.map((file) => baseName(file.name)).filter((name) => name !== 'deidentification-report.txt');
  if (names.some((name) => CSV_TABLE_FILES.has(name) && name !== 'study.csv') || names.includes('study.csv')) {
    return { format: 'csv', what: 'a csv export' };
  }
  if (names.some((name) => name === REDCAP_FILES.dictionary || name === REDCAP_FILES.records || /datadictionary.*\.csv$/.test(name) || /_data_.*\.csv$/.test(name))) {
    return { format: 'redcap', what: 'a REDCap export' };
  }
  if (names.some((name) => SDTM_FILES.test(name))) return { format: null, what: 'an SDTM export', advice: NOT_IMPORTABLE };
  if (files.length === 1) return detectFile(files[0]!);
  const kinds = files.map(detectFile);
  const known = kinds.find((kind) => kind.format !== null) ?? kinds[0]!;
  return known.format === null ? known : { format: known.format, what: `files of ${known.format === 'csv' ? 'a csv export' : 'a REDCap export'}` };
}

/** How a surface asks for a format: the command line's option, or the web page's and the API's choice. */
export type FormatChoice = 'command-line' | 'http';

function useFormat(format: DetectableImport, how: FormatChoice): string {
  if (how === 'command-line') return format === 'json' ? 'import it without --format (or with --format json)' : `use the ${format} format (--format ${format})`;
  return `choose the ${format} format`;
}

/**
 * The pointer for a file that the chosen format does not read, or null when the file is what was
 * chosen (or nothing is known of it, and the format's own reader reports the problems): `This is
 * a zip archive of a csv export: choose the csv format`.
 */
export function wrongFilePointer(detected: DetectedFile, chosen: DetectableImport, how: FormatChoice): string | null {
  if (detected.format === chosen) return null;
  // Nothing certain is known of it: the chosen format's reader lists its problems.
  if (detected.format === null) return detected.advice === undefined ? null : unreadablePointer(detected);
  // A JSON document that is not a bundle is left to the bundle's own validation, which lists its problems.
  if (chosen === 'json' && detected.what === 'a JSON document') return null;
  const looks = /^a (zip|folder|study bundle)/.test(detected.what) ? 'This is' : 'This looks like';
  return `${looks} ${detected.what}: ${useFormat(detected.format, how)}`;
}

/** What a file no import reads is, and what to do instead: for a format to be detected. */
export function unreadablePointer(detected: DetectedFile): string {
  return `This is ${detected.what}, which no import reads: ${detected.advice ?? 'import a study bundle (JSON), or the csv or redcap export (a zip, or its files)'}`;
}

/**
 * What an import answers for a zip archive that cannot be read, naming it: `SMP-2021-csv.zip is
 * damaged: it cannot be read as a zip archive (invalid zip data); export the study again, …`; null
 * for anything else.
 */
export function damagedZipPointer(name: string, detected: DetectedFile | null): string | null {
  return detected?.damaged === undefined ? null : `${name} ${damagedZipMessage(detected.damaged)}`;
}
