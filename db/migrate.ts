// Brings a database to the latest schema. Safe to run at every start and from several
// processes at once: Kysely's migrator takes a lock and skips what has already run.
import { Migrator, sql, type Kysely } from 'kysely';
import { openDb, type Db, type DbOptions } from './kysely.ts';
import { migrations } from './migrations/index.ts';
import { saveStoreTemplate } from './store-template.ts';

const UNDEFINED_TABLE = '42P01';

/**
 * Whether every migration has run, and no other: one small query, where the migrator's own check
 * (its tables, its lock, the catalogue) takes a dozen. Anything else goes to the migrator.
 */
async function isUpToDate(db: Kysely<any>): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    const known = Object.keys(migrations);
    const done = new Set(rows.map((row) => row.name));
    return done.size === known.length && known.every((name) => done.has(name));
  } catch (error) {
    if ((error as { code?: string }).code === UNDEFINED_TABLE) return false; // a new database
    throw error;
  }
}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  if (await isUpToDate(db)) return [];
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const which = failed ? `migration ${failed}` : 'migration';
    throw new Error(`the database could not be brought to the current schema (${which}): ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Bring the schema to exactly the migration `name`, up or down (down only ever runs on a store
 * that is empty: restore checks that first).
 */
export async function migrateTo(db: Kysely<any>, name: string): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateTo(name);
  if (error) {
    throw new Error(`the database could not be brought to the schema of migration ${name}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

/**
 * Open the database and bring it to the latest schema. A new embedded data directory starts as
 * a copy of the migrated empty store in the cache; one made the long way (initdb, then every
 * migration) becomes that copy for the next (store-template.ts).
 */
export async function openMigratedDb(options: DbOptions): Promise<Db> {
  const db = await openDb({ ...options, fromStoreTemplate: true });
  let applied: string[];
  try {
    applied = await migrateToLatest(db.kysely);
  } catch (error) {
    await db.close();
    throw error;
  }
  const dataDir = options.dataDir;
  if (db.driver === 'pglite' && dataDir !== undefined && !dataDir.includes('://') && db.location === dataDir && applied.length === Object.keys(migrations).length) {
    // Every migration ran: the cluster was made just now, and nothing else is in it yet. Closed,
    // it is shut down cleanly, so that a copy opens without a recovery; then it is opened again.
    await db.close();
    saveStoreTemplate(dataDir);
    return openDb(options);
  }
  return db;
}
