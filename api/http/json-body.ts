// The body parser of every JSON route: the strict reader of api/json-input.ts behind HTTP's own
// checks. A body that is not JSON, or in another charset, is refused before it is read (415);
// one that cannot be decompressed is a bad request (400); one over the limit, 413. Invalid
// UTF-8, duplicate keys and syntax errors are 400 with their location, as on the command line.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { JsonBodyBytes, jsonFailureError, parseJsonBytes } from '../json-input.ts';

export interface StrictJsonBodyOptions {
  /** Largest body accepted, in bytes or as text such as "200mb" (after decompression). */
  limit: number | string;
  /**
   * Bodies larger than this many bytes are not parsed here: `req.body` becomes a JsonBodyBytes
   * for the route to read off the event loop. Only for routes that accept one.
   */
  keepAsBytesAbove?: number;
}

/** A refusal with an HTTP status of its own (413, 415), shaped like express's errors. */
export class RequestBodyError extends Error {
  readonly expose = true;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RequestBodyError';
  }
}

const JSON_TYPE = /^application\/(?:json|[^\s/;]+\+json)$/;
const bodyRead = Symbol('strict JSON body read');

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The media type and charset of a Content-Type header, lower-cased. */
function contentType(header: string): { type: string; charset: string | undefined } {
  const [type = '', ...parameters] = header.split(';');
  let charset: string | undefined;
  for (const parameter of parameters) {
    const equals = parameter.indexOf('=');
    if (equals !== -1 && parameter.slice(0, equals).trim().toLowerCase() === 'charset') {
      charset = parameter.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    }
  }
  return { type: type.trim().toLowerCase(), charset };
}

/** Errors of express's raw reader as ours: a problem for a body that could not be read, else its status. */
function readError(error: { status?: number; type?: string; message: string; limit?: number }, encoding: string): Error {
  if (error.type === 'entity.too.large') {
    return new RequestBodyError(413, `the request body is larger than the ${(error.limit ?? 0).toLocaleString('en')}-byte limit`);
  }
  if (error.type === 'encoding.unsupported') return new RequestBodyError(415, `${error.message}; use gzip, deflate or br`);
  if (error.status === 400 || error.status === undefined) {
    return jsonFailureError(
      { kind: 'syntax', detail: `not readable as ${encoding} data: ${error.message}`, problems: [], problemsOmitted: 0 },
      'the request body',
      '(body)',
    );
  }
  return error as Error;
}

/** Parse a JSON request body strictly (see the module comment); `req.body` is undefined without one. */
export function strictJsonBody(options: StrictJsonBodyOptions): RequestHandler {
  const readRaw = express.raw({ type: () => true, limit: options.limit, inflate: true });
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req as { [bodyRead]?: true })[bodyRead] || !hasBody(req)) return next();
    const { type, charset } = contentType(req.headers['content-type'] ?? '');
    if (!JSON_TYPE.test(type)) {
      return next(new RequestBodyError(415, `the request body must be JSON (Content-Type: application/json), not ${type === '' ? 'untyped' : type}`));
    }
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return next(new RequestBodyError(415, `unsupported charset "${charset}": JSON request bodies are UTF-8`));
    }
    (req as { [bodyRead]?: true })[bodyRead] = true;
    readRaw(req, res, (error?: unknown) => {
      if (error) return next(readError(error as { message: string }, req.headers['content-encoding'] ?? 'identity'));
      const bytes = req.body as Buffer;
      if (options.keepAsBytesAbove !== undefined && bytes.length > options.keepAsBytesAbove) {
        req.body = new JsonBodyBytes(bytes);
        return next();
      }
      const result = parseJsonBytes(bytes);
      if (!result.ok) return next(jsonFailureError(result.failure, 'the request body', '(body)'));
      req.body = result.value;
      next();
    });
  };
}
