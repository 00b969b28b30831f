// `smp backup FILE` and `smp restore FILE`: the whole store as one smp-backup/1 archive, and
// back into an empty store of either kind (the way from the embedded database to a PostgreSQL
// server, and across PGlite versions).
import fs from 'node:fs';
import { checkInputFile, checkOutputFile, withOutputFile } from './cli-files.ts';
import { commandLine, parse, plural, UsageError, withDb } from './cli-support.ts';
import { configFromEnv, dbOptions } from '../config.ts';

function fileArgument(args: string[], command: string, options: { force?: { type: 'boolean'; default: false } } = {}) {
  const { values, positionals } = parse(args, options);
  if (positionals.length !== 1) throw new UsageError(`${command} needs exactly one FILE`);
  const file = positionals[0]!;
  if (file.trim() === '') throw new UsageError(`${command} needs a file name (got an empty string)`);
  return { file, force: (values as { force?: boolean }).force ?? false };
}

export async function runBackupCommand(args: string[]): Promise<void> {
  const { file, force } = fileArgument(args, 'backup', { force: { type: 'boolean', default: false } });
  await checkOutputFile(file, force);
  const { createBackup } = await import('../services/backup-service.ts');
  await withDb(async (db) => {
    const summary = await withOutputFile(file, force, async (temporary) => {
      const output = fs.createWriteStream(temporary);
      return createBackup(db, output);
    });
    const studies = summary.tables.study ?? 0;
    console.error(
      `wrote ${file}: ${plural(studies, 'study', 'studies')}, ${plural(summary.rows, 'row')} in ${plural(Object.keys(summary.tables).length, 'table')} ` +
        `(${db.driver}, schema ${summary.header.migrations.at(-1)})`,
    );
  });
}

export async function runRestoreCommand(args: string[]): Promise<void> {
  const { file } = fileArgument(args, 'restore');
  await checkInputFile(file);
  const config = configFromEnv();
  const [{ openDb }, { restoreBackup }] = await Promise.all([import('../../db/kysely.ts'), import('../services/backup-service.ts')]);
  // Opened without bringing the schema up to date: restore brings it to the archive's first. A
  // new embedded store starts as the migrated empty one (db/store-template.ts), from which the
  // archive's schema is as near as from none.
  const db = await openDb({ ...dbOptions(config), lockHolder: { command: commandLine() }, fromStoreTemplate: true });
  try {
    const summary = await restoreBackup(db, file, () => fs.createReadStream(file), config.contactKey);
    const studies = summary.tables.study ?? 0;
    console.error(
      `restored ${file} into ${db.driver} ${db.location}: ${plural(studies, 'study', 'studies')}, ${plural(summary.rows, 'row')} in ` +
        `${plural(Object.keys(summary.tables).length, 'table')} (made ${summary.header.createdAt} on ${summary.header.source.driver})`,
    );
  } finally {
    await db.close();
  }
}
