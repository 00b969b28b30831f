// The interchange formats over HTTP: GET /studies/:code/export in json, csv, redcap, sdtm or fhir,
// and the imports of POST /studies (declared in studies.ts, which reads its body through
// importBody below): a bundle, csv or REDCap files, or whichever of them the body is (format=auto).
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { defineRoute, type RouteDeps } from '../http/route.ts';
import { UploadedZip, isUpload, type UploadedBody, type UploadedPart } from '../http/upload-body.ts';
import type { FormatFile } from '../formats/types.ts';
import type { Problem } from '../schemas/problems.ts';
import { ExportQuery, StudyCodeParams } from '../schemas/requests.ts';
import type { ImportResult } from '../schemas/responses.ts';
import type { ChangeContext } from '../services/access.ts';
import { sendStoredStudy } from '../services/export-stream-service.ts';
import { importBundle } from '../services/study-bundle-service.ts';
import { JsonBodyBytes } from '../json-input.ts';
import {
  damagedZipPointer,
  detectFile,
  detectFiles,
  DOWNLOAD_CONTENT_TYPES,
  importStudy,
  type ImportFormat,
  type DetectedFile,
  type ImportSource,
  unreadablePointer,
  wrongFilePointer,
} from '../services/format-service.ts';

/** The multipart part that carries a csv table; each is sent under its own file name. */
export const CSV_PART = 'files';
/** The multipart parts of a REDCap import, by role; dictionary and data are required. */
export const REDCAP_PARTS = ['dictionary', 'data', 'study', 'mapping'] as const;
type RedcapPart = (typeof REDCAP_PARTS)[number];

const file = (description: string) => z.string().meta({ contentMediaType: 'application/octet-stream' }).describe(description);

/** The multipart body of a csv or REDCap import, for the OpenAPI document. */
export const ImportParts = z
  .object({
    files: z
      .array(file('A table of the csv format'))
      .optional()
      .describe('csv: every table (study.csv, sites.csv, practitioners.csv, participants.csv, sessions.csv, adverse_events.csv, fading_assessments.csv, surveys.csv; codebook.csv may come along), each as a part named `files` under its file name; json: the bundle as the one part; redcap: its files may also come as parts named `files`, found by name; auto: any of these'),
    dictionary: file('redcap: the REDCap data dictionary CSV (required)').optional(),
    data: file("redcap: the REDCap records CSV, in REDCap's export layout (required)").optional(),
    study: file('redcap: study.json of an export (the study, sites and practitioners)').optional(),
    mapping: file("redcap: a mapping file (smp-redcap-mapping/1) for a project with other field names and codes").optional(),
  })
  .meta({ id: 'ImportParts' });

const partProblem = (part: string, message: string): Problem => ({ path: `(part) ${part}`, message });

function uploadProblems(problems: Problem[]): AppError {
  const count = problems.length;
  return new AppError('validation', `the upload has ${count} problem${count === 1 ? '' : 's'}`, problems, { summarizes: true });
}

const asFile = (part: UploadedPart): FormatFile => ({ name: part.filename, content: part.bytes });

/** A csv import's parts: every one named `files`, no file name twice. */
function csvSource(parts: readonly UploadedPart[]): ImportSource {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const part of parts) {
    if (part.field !== CSV_PART) problems.push(partProblem(part.field, `is not a part of a csv import: send each table as a part named ${CSV_PART}`));
    else if (seen.has(part.filename)) problems.push(partProblem(part.field, `${part.filename} is sent twice`));
    seen.add(part.filename);
  }
  if (parts.length === 0) problems.push({ path: '(body)', message: `has no files: send each table as a part named ${CSV_PART}` });
  if (problems.length > 0) throw uploadProblems(problems);
  return { files: parts.map(asFile) };
}

/** A REDCap import's parts: each role once, the dictionary and the data required. */
function redcapSource(parts: readonly UploadedPart[]): ImportSource {
  const problems: Problem[] = [];
  const roles: Partial<Record<RedcapPart, UploadedPart>> = {};
  for (const part of parts) {
    if (!(REDCAP_PARTS as readonly string[]).includes(part.field)) {
      problems.push(partProblem(part.field, `is not a part of a REDCap import (its parts are ${REDCAP_PARTS.join(', ')})`));
    } else if (roles[part.field as RedcapPart] !== undefined) {
      problems.push(partProblem(part.field, `is sent twice (${roles[part.field as RedcapPart]!.filename} and ${part.filename})`));
    } else roles[part.field as RedcapPart] = part;
  }
  if (roles.dictionary === undefined) problems.push(partProblem('dictionary', 'is missing: the REDCap data dictionary is needed'));
  if (roles.data === undefined) problems.push(partProblem('data', 'is missing: the REDCap records export is needed'));
  if (problems.length > 0 || roles.dictionary === undefined || roles.data === undefined) throw uploadProblems(problems);
  return {
    redcap: true,
    dictionary: asFile(roles.dictionary),
    data: asFile(roles.data),
    ...(roles.study ? { study: asFile(roles.study) } : {}),
    ...(roles.mapping ? { mapping: asFile(roles.mapping) } : {}),
  };
}

/** The files of an upload as an import source of `format`, or every problem with the upload's parts. */
export function uploadSource(format: ImportFormat, upload: UploadedBody): ImportSource {
  // A zip's problems name the body; its files are found by name (redcapRoles for REDCap).
  if (upload instanceof UploadedZip) return { zip: upload.bytes, name: '(body)' };
  // The web page sends every file as a part named `files`: REDCap's are then found by name too.
  if (format === 'redcap' && upload.parts.length > 0 && upload.parts.every((part) => part.field === CSV_PART)) return { files: upload.parts.map(asFile) };
  return format === 'csv' ? csvSource(upload.parts) : redcapSource(upload.parts);
}

/** The conflict's way out, in the API's words. */
export const HTTP_CONFLICT_HINT = 'import with replace=true to replace it, or with code=NEW-CODE as a new study';

/** A multipart body of one zip file is read as that zip. */
function unwrapUpload(upload: UploadedBody): UploadedBody {
  if (upload instanceof UploadedZip || upload.parts.length !== 1) return upload;
  const [only] = upload.parts;
  return isZipBytes(only!.bytes) ? new UploadedZip(only!.bytes) : upload;
}

const isZipBytes = (bytes: Uint8Array) => bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05);

/** What an upload is: the body's zip, or its parts' files. */
function detectUpload(upload: UploadedBody): DetectedFile {
  if (upload instanceof UploadedZip) return detectFile({ name: 'upload.zip', content: upload.bytes });
  return detectFiles(upload.parts.map(asFile));
}

/** A file the chosen format does not read: 415, saying what it is and which format to choose. */
function wrongFile(pointer: string): AppError {
  return new AppError('unsupported_media_type', pointer, [{ path: 'query.format', message: pointer }]);
}

/** A JSON body that is a bundle, for the pointer of a csv or REDCap import sent one. */
function isBundleBody(body: unknown): boolean {
  // A large JSON body is still bytes (read later, off the event loop): its first bytes tell.
  if (body instanceof JsonBodyBytes) return detectFile({ name: '(body)', content: body.bytes }).format === 'json';
  return typeof body === 'object' && body !== null && (body as { format?: unknown }).format === 'smp-study-bundle/1';
}

/**
 * The import of POST /studies: a bundle (a JSON body, or the one part of a form), or csv or
 * REDCap files (a zip, or multipart files). With format=auto the format is detected from the
 * body; with a chosen format, a body that is something else is refused (415) with a pointer to
 * the format that reads it.
 */
export async function importBody(
  db: RouteDeps['db'],
  chosen: 'json' | 'auto' | ImportFormat,
  body: unknown,
  options: { replace: boolean; change: ChangeContext; code?: string },
): Promise<ImportResult> {
  const importOptions = { ...options, conflictHint: HTTP_CONFLICT_HINT };
  if (body !== undefined && !isUpload(body)) {
    if (chosen === 'json' || chosen === 'auto') return importBundle(db, body, importOptions);
    if (isBundleBody(body)) throw wrongFile(wrongFilePointer({ format: 'json', what: 'a study bundle (smp-study-bundle/1 JSON)' }, chosen, 'http')!);
    throw new AppError('unsupported_media_type', `format=${chosen} takes the files as application/zip or multipart/form-data`, [
      { path: '(header) Content-Type', message: `must be application/zip or multipart/form-data for format=${chosen}` },
    ]);
  }
  if (body === undefined) {
    throw new AppError('validation', `format=${chosen} takes the files as application/zip or multipart/form-data`, [
      { path: '(body)', message: 'is missing: send the files as a zip or as multipart/form-data' },
    ]);
  }
  const upload = unwrapUpload(body);
  // A body sent as a zip that is none is left to the zip reader, which says so.
  const readable = upload instanceof UploadedZip ? isZipBytes(upload.bytes) : upload.parts.length > 0;
  const detected = readable ? detectUpload(upload) : null;
  // A damaged zip is named (the form's file, or the body), whichever format was chosen.
  const only = body instanceof UploadedZip ? null : body.parts.length === 1 ? body.parts[0]! : null;
  const damaged = damagedZipPointer(only ? only.filename : 'The request body', detected);
  if (damaged !== null) throw new AppError('validation', damaged, [{ path: only ? `(part) ${only.field}` : '(body)', message: damaged }]);
  if (chosen === 'auto') {
    if (detected?.format == null) {
      throw wrongFile(detected ? unreadablePointer(detected) : 'The format could not be detected: choose json, csv or redcap');
    }
    chosen = detected.format;
  } else {
    const pointer = detected ? wrongFilePointer(detected, chosen, 'http') : null;
    if (pointer !== null) throw wrongFile(pointer);
  }
  if (chosen === 'json') {
    if (upload instanceof UploadedZip || upload.parts.length !== 1) {
      throw wrongFile('A study bundle is one JSON file: send it alone (application/json, or as the one part of the form)');
    }
    return importBundle(db, new JsonBodyBytes(upload.parts[0]!.bytes), importOptions);
  }
  return importStudy(db, chosen, uploadSource(chosen, upload), { ...importOptions, readOffThread: true });
}

export const formatRoutes = [
  defineRoute({
    method: 'get',
    path: '/studies/:code/export',
    operationId: 'exportStudyFormat',
    tag: 'Studies',
    summary: 'The study in an interchange format (json, csv, redcap, sdtm, fhir): a clinic gets its own sites, a reviewer de-identified data',
    description:
      'Answers with one file (json: the bundle; fhir: a FHIR R4 Bundle) or a zip of the format’s folder (csv, redcap, sdtm), ' +
      'as an attachment. `deidentify=true` de-identifies the export (pseudonyms, a date shift per participant, no free text, ' +
      'pigment lots pseudonymised); a reviewer’s export is always de-identified. A de-identified export says what was changed ' +
      'in the X-Deidentification-Report header (JSON: counts, and the rule of the date shift but no figure of the shifts), ' +
      'and a zip also holds the report as deidentification-report.txt. What the format requires but the study lacks is listed ' +
      'in the X-Export-Warnings header (sdtm: each site with participants but no country, whose DM.COUNTRY is then empty); ' +
      'the export is written all the same.',
    auth: 'user',
    params: StudyCodeParams,
    query: ExportQuery,
    responses: {
      200: {
        description: 'The export, as an attachment: application/json (json), application/fhir+json (fhir) or application/zip (csv, redcap, sdtm)',
        contentType: DOWNLOAD_CONTENT_TYPES,
        headers: ['Content-Disposition', 'X-Deidentification-Report', 'X-Export-Warnings'],
      },
    },
    handler: async ({ deps, actor, params, query, res }) => {
      // Streamed: headers once the export's report and warnings are counted, then the files as they are written.
      await sendStoredStudy(deps.db, params.code, query.format, { actor: actor!, deidentify: query.deidentify }, res, (heading, download) => {
        if (heading.deidentification) res.setHeader('X-Deidentification-Report', JSON.stringify(heading.deidentification));
        if (heading.warnings.length > 0) res.setHeader('X-Export-Warnings', JSON.stringify(heading.warnings));
        // Study data: kept by no cache between the server and the user.
        res.setHeader('Cache-Control', 'no-store');
        res.attachment(download.name).type(download.contentType);
      });
    },
  }),
];
