// What the command-line commands share: argument parsing, usage errors, opening the
// configured database, and reading JSON files with located syntax errors.
import fs from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Db } from '../db/kysely.ts';
import { configFromEnv, dbOptions } from './config.ts';
import { AppError } from './errors.ts';

/** A mistake in how the command was called: exit status 2 with the usage. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<const O extends Options>(args: string[], options: O) {
  try {
    return parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>({
      args,
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** How this process names itself in the embedded database's lock, e.g. `smp import big.json`. */
export const commandLine = () => ['smp', ...process.argv.slice(2)].join(' ');

export async function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const config = configFromEnv();
  // Loaded on use, so `smp --help` and argument errors never load the database drivers.
  const { openMigratedDb } = await import('../db/migrate.ts');
  const db = await openMigratedDb({ ...dbOptions(config), lockHolder: { command: commandLine() } });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** Read and parse a JSON file, turning syntax errors into a located, plain message. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError('validation', `${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    let where = '';
    if (position) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      where = ` (line ${line}, column ${column})`;
    }
    throw new AppError('validation', `${file}: not valid JSON${where}: ${message}`);
  }
}


/** "1 site", "4 sites", "2 studies": a count with its noun. */
export const plural = (count: number, noun: string, nounPlural = `${noun}s`) =>
  `${count.toLocaleString('en')} ${count === 1 ? noun : nounPlural}`;
