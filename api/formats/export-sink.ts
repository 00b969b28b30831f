// Where a streamed export goes: a file, stdout, an HTTP response, a zip of files, or a folder.
// Every write waits while the destination is full (back-pressure), so at most one buffer of
// text is held at a time, and a destination that closes (a client that disconnects) makes the
// next write fail, which ends the export and frees its snapshot.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Zip, ZipDeflate } from 'fflate';

/** One file of an export being written: text in, in order. */
export interface TextOut {
  write(text: string): Promise<void>;
  /** UTF-8 bytes, after the text written before them: text that is bytes already is not decoded and encoded again. */
  writeBytes?(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** The files of an export, written one after the other. */
export interface ExportTarget {
  file(name: string): Promise<TextOut>;
  /**
   * Whether several files may be open and written at once (a folder), so that one pass over the
   * study writes them all without setting the later ones aside (a zip writes one entry at a time).
   */
  concurrentFiles?: boolean;
  /** After the last file. */
  finish(): Promise<void>;
}

/** Bytes out, with back-pressure. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
}

/** The destination went away before the export was written (a client that disconnected). */
export class OutputClosedError extends Error {
  constructor() {
    super('the destination of the export closed before it was written');
  }
}

/** Text held before it is encoded and written: large enough that writes are few, small beside any study. */
const TEXT_BUFFER_CHARS = 64 * 1024;

/** A writable stream as a byte sink: each write waits for 'drain' when the stream is full, and fails once it has closed. */
export function writableSink(stream: Writable): ByteSink {
  let closed = false;
  let failure: Error | null = null;
  stream.once('close', () => (closed = true));
  stream.on('error', (error) => (failure ??= error));
  return {
    write(bytes) {
      if (failure) return Promise.reject(failure);
      if (closed || stream.destroyed || stream.writableEnded) return Promise.reject(new OutputClosedError());
      if (stream.write(bytes)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          stream.off('drain', onDrain);
          stream.off('close', onClose);
          stream.off('error', onError);
          if (error) reject(error);
          else resolve();
        };
        const onDrain = () => done();
        const onClose = () => done(new OutputClosedError());
        const onError = (error: Error) => done(error);
        stream.on('drain', onDrain);
        stream.on('close', onClose);
        stream.on('error', onError);
      });
    },
  };
}

/** Text out through a buffer of TEXT_BUFFER_CHARS, as UTF-8 bytes; `final` marks the last bytes. */
export function bufferedText(out: (bytes: Uint8Array, final: boolean) => Promise<void>): TextOut {
  let parts: string[] = [];
  let size = 0;
  const flush = async (final: boolean) => {
    const text = parts.join('');
    parts = [];
    size = 0;
    if (text.length > 0 || final) await out(Buffer.from(text, 'utf8'), final);
  };
  return {
    async write(text) {
      parts.push(text);
      size += text.length;
      if (size >= TEXT_BUFFER_CHARS) await flush(false);
    },
    async writeBytes(bytes) {
      if (size > 0) await flush(false);
      if (bytes.length > 0) await out(bytes, false);
    },
    close: () => flush(true),
  };
}

/** Every file into one byte sink (an export of one file: json or fhir to a file, stdout or a response). */
export function singleFileTarget(sink: ByteSink): ExportTarget {
  return {
    file: async () => bufferedText((bytes) => (bytes.length > 0 ? sink.write(bytes) : Promise.resolve())),
    finish: async () => {},
  };
}

/**
 * A zip archive with every file inside `folder/`, deflated (level 6) entry by entry as the text
 * comes, every entry stamped with `mtime`.
 */
export function zipTarget(folder: string, mtime: Date, sink: ByteSink): ExportTarget & { names: string[] } {
  const names: string[] = [];
  const pending: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, chunk) => {
    if (error) failure ??= error;
    else pending.push(chunk);
  });
  const drain = async () => {
    while (pending.length > 0) await sink.write(pending.shift()!);
    if (failure) throw failure;
  };
  return {
    names,
    async file(name) {
      names.push(name);
      const entry = new ZipDeflate(`${folder}/${name}`, { level: 6 });
      entry.mtime = mtime;
      zip.add(entry);
      return bufferedText(async (bytes, final) => {
        entry.push(bytes, final);
        await drain();
      });
    },
    async finish() {
      zip.end();
      await drain();
    },
  };
}

/** Each file into `directory` (which exists), as it comes. */
export function folderTarget(directory: string): ExportTarget & { names: string[] } {
  const names: string[] = [];
  return {
    names,
    concurrentFiles: true,
    async file(name) {
      names.push(name);
      const stream = createWriteStream(path.join(directory, name));
      const sink = writableSink(stream);
      return bufferedText(async (bytes, final) => {
        if (bytes.length > 0) await sink.write(bytes);
        if (final) {
          stream.end();
          await finished(stream);
        }
      });
    },
    finish: async () => {},
  };
}

/**
 * Text set aside on disk while one pass over the study writes several files' rows, then copied
 * into each file in turn: a zip writes one entry after another, so the rows of the later files
 * wait here rather than in memory or in a second pass over the database.
 */
export interface Spool {
  /** The spooled text of `name`, written as it comes. */
  out(name: string): TextOut;
  /** Copy `name`'s text (once closed) into `out`. */
  copyInto(name: string, out: TextOut): Promise<void>;
  /** Remove the spool's files. */
  dispose(): Promise<void>;
}

export async function createSpool(): Promise<Spool> {
  const directory = await mkdtemp(path.join(tmpdir(), 'smp-export-'));
  let count = 0;
  const files = new Map<string, string>();
  return {
    out(name) {
      const file = path.join(directory, `${++count}.txt`);
      files.set(name, file);
      const stream = createWriteStream(file);
      const sink = writableSink(stream);
      return bufferedText(async (bytes, final) => {
        if (bytes.length > 0) await sink.write(bytes);
        if (final) {
          stream.end();
          await finished(stream);
        }
      });
    },
    async copyInto(name, out) {
      const file = files.get(name);
      if (file === undefined) return;
      for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: TEXT_BUFFER_CHARS })) await out.write(chunk as string);
    },
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
}
