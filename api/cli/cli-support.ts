// What the command-line commands share: argument parsing, usage errors, opening the
// configured database, reading JSON files strictly, and printing problems.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Db } from '../../db/kysely.ts';
import { configFromEnv, dbOptions } from '../config.ts';
import type { AppError } from '../errors.ts';
import { countOf, formatProblem } from '../schemas/problems.ts';

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
  const { openMigratedDb } = await import('../../db/migrate.ts');
  const db = await openMigratedDb({ ...dbOptions(config), lockHolder: { command: commandLine() } });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

// The strict JSON reader lives with the HTTP body parser's; commands import it from here too.
export { readJsonFile } from '../json-input.ts';

/** An AppError as a command prints it: the message, and under a count of problems the problems, one a line. */
export function errorReport(error: AppError): string {
  if (!error.summarizes) return error.message;
  const lines = [`${error.message}:`, ...error.problems.map(formatProblem)];
  if (error.problemsOmitted > 0) lines.push(`… and ${countOf(error.problemsOmitted, 'more problem')}`);
  return lines.join('\n');
}

/** "1 site", "4 sites", "2 studies": a count with its noun. */
export const plural = (count: number, noun: string, nounPlural = `${noun}s`) =>
  `${count.toLocaleString('en')} ${count === 1 ? noun : nounPlural}`;
