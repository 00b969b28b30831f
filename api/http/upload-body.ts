// Request bodies of files, for routes that accept more than JSON (RouteRequirements.bodyKinds):
// a zip archive (application/zip) or multipart/form-data file parts, read with busboy as they
// stream in. Both are bounded by one byte limit, checked against Content-Length before anything
// is read and counted as the bytes arrive; multipart also by how many files, fields and parts it
// may have. Anything odd is a 4xx problem: a body over the limit is 413, one of another type 415,
// a malformed form, a non-file field or a nameless part 400 with each problem listed.
import busboy from 'busboy';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { AppError } from '../errors.ts';
import type { Problem } from '../schemas/problems.ts';
import type { BodyKind } from './route.ts';

/** An application/zip body, unread. */
export class UploadedZip {
  constructor(readonly bytes: Uint8Array) {}
}

/** One file part of a multipart/form-data body: its form field name, file name and bytes. */
export interface UploadedPart {
  field: string;
  filename: string;
  bytes: Uint8Array;
}

/** The file parts of a multipart/form-data body, in the order they were sent. */
export class UploadedParts {
  constructor(readonly parts: readonly UploadedPart[]) {}
}

export type UploadedBody = UploadedZip | UploadedParts;

export const isUpload = (body: unknown): body is UploadedBody => body instanceof UploadedZip || body instanceof UploadedParts;

/** Most file parts one multipart body may hold: a csv import has nine files, REDCap four. */
export const MAX_UPLOAD_FILES = 32;
/** Most non-file fields tolerated before reading stops (each is refused anyway). */
const MAX_UPLOAD_FIELDS = 16;
const MAX_UPLOAD_PARTS = MAX_UPLOAD_FILES + MAX_UPLOAD_FIELDS;

const JSON_TYPE = /^application\/(?:json|[^\s/;]+\+json)$/;
const ZIP_TYPES = new Set(['application/zip', 'application/x-zip-compressed']);
const MEDIA_TYPES: Record<BodyKind, string> = { json: 'application/json', zip: 'application/zip', multipart: 'multipart/form-data' };

const bodyProblem = (path: string, message: string): Problem => ({ path, message });

function tooLarge(limit: number): AppError {
  const message = `the request body is larger than the ${limit.toLocaleString('en')}-byte import limit`;
  return new AppError('payload_too_large', message, [bodyProblem('(body)', `is over the ${limit.toLocaleString('en')}-byte limit`)]);
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

const declaredLength = (req: Request) => Number(req.headers['content-length'] ?? Number.NaN);

/** The kind of body a Content-Type names, or null for a type no route reads. */
function kindOf(contentType: string): BodyKind | null {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (JSON_TYPE.test(type)) return 'json';
  if (ZIP_TYPES.has(type)) return 'zip';
  if (type === 'multipart/form-data') return 'multipart';
  return null;
}

/** An application/zip body as an UploadedZip, up to `limit` bytes (decompressed if sent with a Content-Encoding). */
function zipBody(limit: number): RequestHandler {
  const readRaw = express.raw({ type: () => true, limit, inflate: true });
  return (req, res, next) => {
    readRaw(req, res, (error?: unknown) => {
      if (error) {
        const failure = error as { type?: string; status?: number; message: string };
        if (failure.type === 'entity.too.large') return next(tooLarge(limit));
        const status = failure.status === 415 ? 'unsupported_media_type' : 'validation';
        return next(new AppError(status, `the zip body could not be read: ${failure.message}`, [bodyProblem('(body)', failure.message)]));
      }
      req.body = new UploadedZip(new Uint8Array(req.body as Buffer));
      next();
    });
  };
}

/**
 * A multipart/form-data body as UploadedParts: file parts only, each with a field name and a
 * file name. Empty file inputs (no file name, no bytes: what a browser sends for a file input
 * left empty) are skipped.
 */
function multipartBody(limit: number): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.headers['content-encoding'] !== undefined && req.headers['content-encoding'] !== 'identity') {
      return next(
        new AppError('unsupported_media_type', 'multipart bodies are read as sent: send them without a Content-Encoding (zip the files instead)', [
          bodyProblem('(header) Content-Encoding', 'is not supported on multipart/form-data'),
        ]),
      );
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { fileSize: limit, files: MAX_UPLOAD_FILES, fields: MAX_UPLOAD_FIELDS, parts: MAX_UPLOAD_PARTS, fieldNameSize: 200, fieldSize: 1024 },
      });
    } catch (error) {
      return next(
        new AppError('validation', `the multipart body cannot be read: ${(error as Error).message}`, [
          bodyProblem('(header) Content-Type', 'multipart/form-data needs a boundary parameter'),
        ]),
      );
    }

    const parts: UploadedPart[] = [];
    const problems: Problem[] = [];
    let total = 0;
    let done = false;
    const pending = new Set<Promise<void>>();
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      if (error) {
        // Stop parsing; the rest of the body is read and dropped so that the answer reaches the client.
        req.unpipe(parser);
        parser.removeAllListeners();
        parser.on('error', () => {});
        parser.destroy();
        req.resume();
        return next(error);
      }
      if (problems.length > 0) {
        const count = problems.length;
        return next(new AppError('validation', `the multipart body has ${count} problem${count === 1 ? '' : 's'}`, problems, { summarizes: true }));
      }
      req.body = new UploadedParts(parts);
      next();
    };
    const stop = (path: string, message: string) => finish(new AppError('validation', `the multipart body ${message}`, [bodyProblem(path, message)]));

    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      const filename = info.filename ?? '';
      stream.on('data', (chunk: Buffer) => {
        if (done) return;
        total += chunk.length;
        if (total > limit) return finish(tooLarge(limit));
        chunks.push(chunk);
      });
      pending.add(
        new Promise<void>((resolve) => {
          // Destroyed when reading stops early: nothing more to keep.
          stream.on('error', () => resolve());
          stream.on('close', () => {
            if (done) return resolve();
            const bytes = Buffer.concat(chunks);
            if (filename === '' && bytes.length === 0) return resolve();
            if (field === undefined || field === '') problems.push(bodyProblem(`(part) ${filename}`, 'has no field name'));
            else if (filename === '') problems.push(bodyProblem(`(part) ${field}`, 'has no file name: send each file with its name'));
            else parts.push({ field, filename, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
            resolve();
          });
        }),
      );
    });
    parser.on('field', (field) => {
      problems.push(bodyProblem(`(part) ${field}`, 'is not a file: send files only (the options go in the query)'));
    });
    parser.on('filesLimit', () => stop('(body)', `has more than ${MAX_UPLOAD_FILES} files`));
    parser.on('fieldsLimit', () => stop('(body)', `has more than ${MAX_UPLOAD_FIELDS} fields that are not files`));
    parser.on('partsLimit', () => stop('(body)', `has more than ${MAX_UPLOAD_PARTS} parts`));
    parser.on('error', (error: Error) => stop('(body)', `is not well-formed multipart/form-data (${error.message})`));
    parser.on('close', () => {
      void Promise.all(pending).then(() => finish());
    });
    req.on('error', (error) => finish(error));
    req.pipe(parser);
  };
}

/**
 * The body reader of a route that takes the given kinds: by Content-Type, JSON goes to `json`
 * (the strict reader), a zip and multipart form data are read here up to `limit` bytes. Any
 * other type is refused (415) with the accepted ones.
 */
export function bodyOfKinds(kinds: readonly BodyKind[], options: { json: RequestHandler; limit: number }): RequestHandler {
  const readers: Record<BodyKind, RequestHandler> = { json: options.json, zip: zipBody(options.limit), multipart: multipartBody(options.limit) };
  const accepted = kinds.map((kind) => MEDIA_TYPES[kind]).join(', ');
  return (req, res, next) => {
    if (!hasBody(req)) return options.json(req, res, next);
    const type = req.headers['content-type'] ?? '';
    const kind = kindOf(type);
    if (kind === null || !kinds.includes(kind)) {
      const named = type.split(';')[0]!.trim() || 'untyped';
      return next(
        new AppError('unsupported_media_type', `the request body must be one of ${accepted}, not ${named}`, [
          bodyProblem('(header) Content-Type', `must be one of ${accepted}`),
        ]),
      );
    }
    if (kind !== 'json' && declaredLength(req) > options.limit) {
      req.resume();
      return next(tooLarge(options.limit));
    }
    readers[kind](req, res, next);
  };
}
