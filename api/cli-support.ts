// What the command-line commands share: argument parsing, usage errors, opening the
// configured database, reading JSON files strictly, and printing problems.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Db } from '../db/kysely.ts';
import { openMigratedDb } from '../db/migrate.ts';
import { configFromEnv } from './config.ts';
import type { AppError } from './errors.ts';
import { countOf, formatProblem } from './schemas/problems.ts';

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

export async function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const config = configFromEnv();
  const db = await openMigratedDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

// The strict JSON reader lives with the HTTP body parser's; commands import it from here too.
export { readJsonFile } from './json-input.ts';

/** An AppError as a command prints it: the message, and under a count of problems the problems, one a line. */
export function errorReport(error: AppError): string {
  if (!error.summarizes) return error.message;
  const lines = [`${error.message}:`, ...error.problems.map(formatProblem)];
  if (error.problemsOmitted > 0) lines.push(`… and ${countOf(error.problemsOmitted, 'more problem')}`);
  return lines.join('\n');
}
