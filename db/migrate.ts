// Brings a database to the latest schema. Safe to run at every start and from several
// processes at once: Kysely's migrator takes a lock and skips what has already run.
import { Migrator, type Kysely } from 'kysely';
import { openDb, type Db, type DbOptions } from './kysely.ts';
import { migrations } from './migrations/index.ts';

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Open the database and bring it to the latest schema. */
export async function openMigratedDb(options: DbOptions): Promise<Db> {
  const db = await openDb(options);
  try {
    await migrateToLatest(db.kysely);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
