// The one strict JSON reader for files and request bodies. JSON.parse alone would replace
// invalid UTF-8 with U+FFFD and let the last of two equal keys win; a clinical bundle that says
// two things, or whose text was altered on the way in, must be refused instead, with a location.
import fs from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { visit } from 'jsonc-parser';
import { AppError } from './errors.ts';
import { ProblemCollector, type PathSegment, type Problem } from './schemas/problems.ts';

/** Deeper nesting is refused: no format of ours nests beyond a handful of levels. */
export const MAX_JSON_DEPTH = 512;

/** Why a document could not be read, with what to show users. */
export interface JsonFailure {
  kind: 'encoding' | 'syntax' | 'duplicate-keys' | 'too-deep';
  /** What and where, e.g. `not valid UTF-8: byte 0xff at byte offset 12 (line 1, column 13)`; empty for duplicate keys. */
  detail: string;
  /** Duplicate keys: one problem each at its JSON path (the first 1,000 in document order). */
  problems: Problem[];
  problemsOmitted: number;
}

/**
 * A request body kept as bytes because it is large: whoever takes it reads it with
 * parseJsonBytes, off the event loop (see api/services/workers/validate-off-thread.ts).
 */
export class JsonBodyBytes {
  constructor(readonly bytes: Uint8Array) {}
}

export type JsonReadResult = { ok: true; value: unknown } | { ok: false; failure: JsonFailure };

const BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * Parse UTF-8 JSON bytes strictly: a leading byte order mark is skipped, invalid UTF-8 is refused
 * with its byte offset, syntax errors keep their line and column, duplicate keys are refused
 * with their JSON path.
 */
export function parseJsonBytes(bytes: Uint8Array): JsonReadResult {
  return checkedNow(parseJsonBytesKeysLater(bytes));
}

/** Parse JSON text strictly (syntax with line and column, duplicate keys, depth). */
export function parseJsonText(text: string): JsonReadResult {
  return checkedNow(parseJsonTextKeysLater(text));
}

/**
 * A document parsed, but for the check that no key repeats and nothing nests too deep: that
 * check is a pass over the whole text of its own, given as steps (each a slice of the text) for a
 * caller that runs it while it does other work, and acts on the value only once it has passed.
 */
export type JsonKeysLaterResult =
  | { ok: true; value: unknown; keyCheck: Generator<undefined, JsonFailure | undefined> }
  | { ok: false; failure: JsonFailure };

/** Characters of the text the key check scans in one step. */
const KEY_CHECK_STEP_CHARS = 1 << 20;

/** parseJsonBytes with the key check left to the caller (see JsonKeysLaterResult). */
export function parseJsonBytesKeysLater(bytes: Uint8Array): JsonKeysLaterResult {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buffer)) {
    return { ok: false, failure: simpleFailure('encoding', `not valid UTF-8: ${describeInvalidUtf8(buffer, firstInvalidUtf8(buffer))}`) };
  }
  const start = buffer[0] === BOM[0] && buffer[1] === BOM[1] && buffer[2] === BOM[2] ? 3 : 0;
  return parseJsonTextKeysLater(buffer.toString('utf8', start));
}

function parseJsonTextKeysLater(text: string): JsonKeysLaterResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, failure: simpleFailure('syntax', `not valid JSON${describeSyntaxError(text, (error as Error).message)}`) };
  }
  return { ok: true, value, keyCheck: keyCheck(text, value) };
}

/** The key check of text that JSON.parse has accepted as `value`, a slice of the text per step. */
function* keyCheck(text: string, value: unknown): Generator<undefined, JsonFailure | undefined> {
  // Only objects can hold duplicate keys; a scalar document needs no second pass.
  if (typeof value !== 'object' || value === null) return undefined;
  // The quick scan says only whether something is wrong; the full one says what and where.
  return (yield* mayHaveDuplicateKeys(text, KEY_CHECK_STEP_CHARS)) ? findDuplicateKeys(text) : undefined;
}

/** A parse whose key check runs at once. */
function checkedNow(result: JsonKeysLaterResult): JsonReadResult {
  if (!result.ok) return result;
  let step = result.keyCheck.next();
  while (!step.done) step = result.keyCheck.next();
  return step.value ? { ok: false, failure: step.value } : { ok: true, value: result.value };
}

function simpleFailure(kind: JsonFailure['kind'], detail: string): JsonFailure {
  return { kind, detail, problems: [], problemsOmitted: 0 };
}

class TooDeep extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** Objects with more keys than this keep them in a set rather than as offsets to compare. */
const KEYS_COMPARED_IN_PLACE = 16;

/**
 * False when `text`, which JSON.parse has accepted, repeats no key in any object and nests no
 * deeper than MAX_JSON_DEPTH; true when it may (findDuplicateKeys then says where). A scan of
 * the characters that skips string values whole and compares keys where they stand in the text,
 * several times faster than jsonc-parser's visit over a large bundle. A key written with an
 * escape counts as a possible repeat.
 */
function* mayHaveDuplicateKeys(text: string, stepChars: number): Generator<undefined, boolean> {
  // Per open container: an object's keys so far, as [start, end] offsets or as a set of keys
  // once it has many, or null for an array.
  const open: Array<number[] | Set<string> | null> = [];
  let keyNext = false;
  const n = text.length;
  let i = 0;
  let stepEnd = stepChars;
  while (i < n) {
    if (i >= stepEnd) {
      yield;
      stepEnd = i + stepChars;
    }
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = text.indexOf('"', i + 1);
      for (;;) {
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
        if (backslashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (keyNext) {
        keyNext = false;
        const start = i + 1;
        for (let k = start; k < end; k++) if (text.charCodeAt(k) === BACKSLASH) return true;
        const keys = open[open.length - 1]!;
        if (Array.isArray(keys)) {
          if (repeatsKey(text, keys, start, end)) return true;
          keys.push(start, end);
          if (keys.length > 2 * KEYS_COMPARED_IN_PLACE) {
            const set = new Set<string>();
            for (let k = 0; k < keys.length; k += 2) set.add(text.slice(keys[k], keys[k + 1]));
            open[open.length - 1] = set;
          }
        } else {
          const key = text.slice(start, end);
          if (keys.has(key)) return true;
          keys.add(key);
        }
      }
      i = end + 1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (open.length >= MAX_JSON_DEPTH) return true;
      open.push(c === OPEN_BRACE ? [] : null);
      keyNext = c === OPEN_BRACE;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      open.pop();
    } else if (c === COMMA) {
      keyNext = open[open.length - 1] !== null;
    }
    i++;
  }
  return false;
}

/** Whether text[start, end) equals one of the keys at `offsets` ([start, end] pairs). */
function repeatsKey(text: string, offsets: number[], start: number, end: number): boolean {
  const length = end - start;
  for (let k = 0; k < offsets.length; k += 2) {
    const other = offsets[k]!;
    if (offsets[k + 1]! - other !== length) continue;
    let same = true;
    for (let j = 0; j < length; j++) {
      if (text.charCodeAt(other + j) !== text.charCodeAt(start + j)) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  return false;
}

/**
 * Every key that repeats one before it in the same object, at its JSON path. JSON.parse has
 * accepted the text, so this pass only tracks keys; jsonc-parser decodes escaped keys, so
 * `"d\u0061te"` and `"date"` count as the same key, as JSON.parse takes them.
 */
function findDuplicateKeys(text: string): JsonFailure | undefined {
  const collector = new ProblemCollector();
  // Most objects have a few keys: a short array is faster than a Set until it grows.
  const keysOfOpenObjects: Array<string[] | Set<string>> = [];
  let depth = 0;
  const enter = () => {
    if (++depth > MAX_JSON_DEPTH) throw new TooDeep();
  };
  try {
    visit(
      text,
      {
        onObjectBegin() {
          enter();
          keysOfOpenObjects.push([]);
        },
        onObjectEnd() {
          depth--;
          keysOfOpenObjects.pop();
        },
        onArrayBegin: enter,
        onArrayEnd() {
          depth--;
        },
        onObjectProperty(key, _offset, _length, startLine, startCharacter, pathSupplier) {
          const keys = keysOfOpenObjects[keysOfOpenObjects.length - 1]!;
          let seen: boolean;
          if (Array.isArray(keys)) {
            seen = keys.includes(key);
            if (!seen) {
              keys.push(key);
              if (keys.length > 16) keysOfOpenObjects[keysOfOpenObjects.length - 1] = new Set(keys);
            }
          } else {
            seen = keys.has(key);
            keys.add(key);
          }
          if (seen) {
            const path: PathSegment[] = [...pathSupplier(), key];
            collector.add(path, `duplicate key ${JSON.stringify(key)} (line ${startLine + 1}, column ${startCharacter + 1})`);
          }
        },
      },
      { disallowComments: true, allowTrailingComma: false },
    );
  } catch (error) {
    if (error instanceof TooDeep) return simpleFailure('too-deep', `nested deeper than ${MAX_JSON_DEPTH} levels`);
    throw error;
  }
  if (collector.total === 0) return undefined;
  const { problems, omitted } = collector.result();
  return { kind: 'duplicate-keys', detail: '', problems, problemsOmitted: omitted };
}

/** ` (line 3, column 7): reason` or `: reason`: V8's position when its message has one, else jsonc-parser's. */
function describeSyntaxError(text: string, v8Message: string): string {
  let offset: number | undefined;
  const position = /at position (\d+)/.exec(v8Message);
  if (position) offset = Number(position[1]);
  else {
    try {
      visit(
        text,
        {
          onError(_code, errorOffset) {
            offset ??= errorOffset;
          },
          onObjectBegin: () => (offset === undefined ? undefined : false),
          onArrayBegin: () => (offset === undefined ? undefined : false),
        },
        { disallowComments: true, allowTrailingComma: false },
      );
    } catch {
      // Nested too deeply to scan: the message then goes without a location.
    }
  }
  // "Unexpected token 'o', "{"a": oops}" is not valid JSON" quotes raw text; the location says where.
  const reason = v8Message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/, ".*" is not valid JSON$/s, '');
  if (offset === undefined) return `: ${reason}`;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return ` (line ${line}, column ${column}): ${reason}`;
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min = 0x80;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) min = 0xa0; // overlong
      if (b === 0xed) max = 0x9f; // UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) min = 0x90; // overlong
      if (b === 0xf4) max = 0x8f; // beyond U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      const lo = k === 1 ? min : 0x80;
      const hi = k === 1 ? max : 0xbf;
      if (c < lo || c > hi) return i;
    }
    i += need + 1;
  }
  return n;
}

function describeInvalidUtf8(bytes: Buffer, offset: number): string {
  const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) line++;
  // Characters before it on its line; the bytes before it are valid UTF-8.
  const column = [...bytes.toString('utf8', lineStart, offset)].length + 1;
  const shown = offset < bytes.length ? `byte 0x${bytes[offset]!.toString(16).padStart(2, '0')}` : 'a truncated character';
  return `${shown} at byte offset ${offset} (line ${line}, column ${column})`;
}

/**
 * The error for a document that could not be read. `source` names it in messages (a file name,
 * or "the request body"); `path` locates document-wide problems (`(document)`, or `(body)`).
 */
export function jsonFailureError(failure: JsonFailure, source: string, path: string): AppError {
  if (failure.kind === 'duplicate-keys') {
    const count = failure.problems.length + failure.problemsOmitted;
    return new AppError('validation', `${source} has ${count.toLocaleString('en')} duplicate key${count === 1 ? '' : 's'}`, failure.problems, {
      problemsOmitted: failure.problemsOmitted,
      summarizes: true,
    });
  }
  return new AppError('validation', `${source}: ${failure.detail}`, [{ path, message: `is ${failure.detail}` }]);
}

/** Read a JSON file strictly (see parseJsonBytes), or throw a validation AppError naming the file. */
export async function readJsonFile(file: string): Promise<unknown> {
  const result = parseJsonBytes(await readFileBytes(file));
  if (!result.ok) throw jsonFailureError(result.failure, file, '(document)');
  return result.value;
}

/**
 * readJsonFile with the key check left to the caller (see JsonKeysLaterResult): the document,
 * and the check's steps, which end with the file's error (as readJsonFile would throw it) or
 * with undefined.
 */
export async function readJsonFileKeysLater(file: string): Promise<{ value: unknown; keyCheck: Generator<undefined, AppError | undefined> }> {
  const result = parseJsonBytesKeysLater(await readFileBytes(file));
  if (!result.ok) throw jsonFailureError(result.failure, file, '(document)');
  const { value, keyCheck } = result;
  return {
    value,
    keyCheck: (function* () {
      const failure = yield* keyCheck;
      return failure ? jsonFailureError(failure, file, '(document)') : undefined;
    })(),
  };
}

async function readFileBytes(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError('validation', `${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}
