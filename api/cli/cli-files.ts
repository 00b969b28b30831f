// The files the commands read and write: an input must be a file (not a directory), `--out ''`
// is refused the same way by every command, and an existing output is replaced only with
// --force, atomically, so a failed or refused write leaves the old file whole.
import fs from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './cli-support.ts';
import { AppError } from '../errors.ts';

/** The value of `--out`, refused when it is empty (it would name the current directory). */
export function outOption(value: string | undefined, kind: 'file' | 'directory'): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`--out needs a ${kind === 'file' ? 'file name' : 'directory'} (got an empty string)`);
  return value;
}

/** Refuse an input path that does not exist or is a directory, before any slow work. */
export async function checkInputFile(file: string): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('validation', `${file}: no such file`);
    throw error;
  }
  if (stat.isDirectory()) throw new AppError('validation', `${file} is a directory, not a file`);
}

/** Refuse an output path that is a directory, or an existing file without --force. */
export async function checkOutputFile(file: string, force: boolean): Promise<void> {
  const stat = await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (stat?.isDirectory()) throw new AppError('validation', `${file} is a directory; --out needs a file name`);
  if (stat && !force) throw new AppError('validation', `${file} exists; add --force to overwrite it`);
  const directory = path.dirname(path.resolve(file));
  const parent = await fs.stat(directory).catch(() => null);
  if (!parent?.isDirectory()) throw new AppError('validation', `${path.dirname(file)}: no such directory`);
}

/**
 * Write `data` to `file` whole or not at all: into a temporary file beside it, then moved into
 * place. Without `force`, linking refuses a file that appeared meanwhile.
 */
export async function writeOutputFile(file: string, data: string | Uint8Array, force: boolean): Promise<void> {
  await withOutputFile(file, force, (temporary) => fs.writeFile(temporary, data));
}

/** `writeOutputFile` for output written by `write` into the temporary file it is given. */
export async function withOutputFile<T>(file: string, force: boolean, write: (temporary: string) => Promise<T>): Promise<T> {
  await checkOutputFile(file, force);
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const result = await write(temporary);
    if (force) {
      await fs.rename(temporary, file);
    } else {
      await fs.link(temporary, file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') throw new AppError('validation', `${file} exists; add --force to overwrite it`);
        throw error;
      });
    }
    return result;
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

/**
 * Write `files` into the folder `folder`, made (with its parents) if needed. The files are
 * written into a temporary folder beside it first and then moved in, so a failed write leaves
 * no half-written file. Files of the same names are replaced only with `force`; other files in
 * the folder are left alone.
 *
 * @returns the paths written
 */
export async function writeOutputFolder(folder: string, files: readonly { name: string; content: string | Uint8Array }[], force: boolean): Promise<string[]> {
  return withOutputFolder(folder, force, async (temporary) => {
    for (const file of files) await fs.writeFile(path.join(temporary, file.name), file.content);
    return files.map((file) => file.name);
  });
}

/**
 * writeOutputFolder for files written by `write` into the temporary folder it is given (a
 * streamed export); `write` returns their names. Files that exist already are refused (without
 * `force`) before any of the new ones is moved in.
 */
export async function withOutputFolder(folder: string, force: boolean, write: (temporary: string) => Promise<readonly string[]>): Promise<string[]> {
  const stat = await fs.stat(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (stat && !stat.isDirectory()) throw new AppError('validation', `${folder} is a file; --out needs a folder for this format, or a name ending in .zip`);
  const parent = path.dirname(path.resolve(folder));
  await fs.mkdir(parent, { recursive: true });
  const temporary = path.join(parent, `.${path.basename(path.resolve(folder))}.${process.pid}.tmp`);
  await fs.rm(temporary, { recursive: true, force: true });
  await fs.mkdir(temporary);
  try {
    const names = await write(temporary);
    const files = names.map((name) => ({ name }));
    const targets = names.map((name) => path.join(folder, name));
    if (stat && !force) {
      const existing = [];
      for (const target of targets) if (await fs.stat(target).catch(() => null)) existing.push(path.basename(target));
      if (existing.length > 0) throw new AppError('validation', `${folder} holds ${existing.join(', ')} already; add --force to overwrite them`);
    }
    if (!stat) {
      // A new folder appears whole, with every file in it.
      await fs.rename(temporary, folder);
      return targets;
    }
    for (const [i, file] of files.entries()) {
      const from = path.join(temporary, file.name);
      if (force) await fs.rename(from, targets[i]!);
      else {
        await fs.link(from, targets[i]!).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST') throw new AppError('validation', `${targets[i]} exists; add --force to overwrite it`);
          throw error;
        });
      }
    }
    return targets;
  } finally {
    await fs.rm(temporary, { recursive: true, force: true });
  }
}
