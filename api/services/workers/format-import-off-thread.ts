// Reads an upload of csv or REDCap files on a worker thread, so that a large import does not hold
// up every other request (the same reason as validate-off-thread.ts for bundles). The worker
// answers with the bundle as JSON text, or with the problems and their locations (the first
// 1,000, and how many more).
import type { ImportFormat, ImportSource } from '../../formats/read-import.ts';
import type { LocatedProblem } from '../../formats/types.ts';
import { today } from '../../schemas/today.ts';
import { runOnWorker } from './run-on-worker.ts';

export type FormatWorkerAnswer = { ok: true; json: string } | { ok: false; problems: LocatedProblem[]; problemsOmitted: number };

const ENTRY = new URL('./format-import-worker.mjs', import.meta.url);

/** The files of a source, whatever its shape. */
function filesOf(source: ImportSource): Array<{ content: string | Uint8Array }> {
  if ('zip' in source) return [{ content: source.zip }];
  if ('redcap' in source) return [source.dictionary, source.data, ...(source.study ? [source.study] : []), ...(source.mapping ? [source.mapping] : [])];
  return [...source.files];
}

/** How many bytes (or characters) an import source holds. */
export function importSourceBytes(source: ImportSource): number {
  return filesOf(source).reduce((sum, file) => sum + file.content.length, 0);
}

/**
 * The buffers the worker can take over: each byte array that is the whole of its buffer (a view
 * into a shared pool would take the pool with it, so those are copied by the clone instead).
 */
function transferable(source: ImportSource): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { content } of filesOf(source)) {
    if (typeof content !== 'string' && content.byteOffset === 0 && content.byteLength === content.buffer.byteLength) {
      buffers.add(content.buffer as ArrayBuffer);
    }
  }
  return [...buffers];
}

/** Read an import on a worker thread; the source's byte arrays are handed over to it. */
export function readImportOffThread(format: ImportFormat, source: ImportSource): Promise<FormatWorkerAnswer> {
  // The worker judges dates against this thread's "today", which tests may have fixed.
  return runOnWorker<FormatWorkerAnswer>(ENTRY, { format, source, today: today() }, transferable(source), 'reading the import');
}
