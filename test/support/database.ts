// Fresh, migrated databases for integration tests. Without DATABASE_URL: in-memory PGlite,
// restored from one migrated dump per run (a new cluster costs seconds). With DATABASE_URL:
// a new database on that server per call, named smp_test_<pid>_<n> and dropped afterwards,
// so concurrent runs never collide. freshDb() copies it from a migrated template database,
// smp_template_<hash of db/migrations>, made once by whichever run needs it first (under an
// advisory lock) and kept for later runs; migrations changed since make a new template.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { openDb, type Db } from '../../db/kysely.ts';
import { migrateToLatest, openMigratedDb } from '../../db/migrate.ts';

export const SERVER_URL = process.env.DATABASE_URL || undefined;
export const DRIVER = SERVER_URL ? 'postgres' : 'pglite';

let migratedDump: Promise<Blob> | undefined;
let migratedTemplate: Promise<string> | undefined;
let counter = 0;

const MIGRATIONS = new URL('../../db/migrations/', import.meta.url);
/** Any number, the same in every run: the advisory lock under which a template is made. */
const TEMPLATE_LOCK = 741_852_963;

async function pgliteDump(): Promise<Blob> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { Kysely } = await import('kysely');
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  const pglite = await PGlite.create();
  const kysely = new Kysely<any>({ dialect: new PGliteDialect(pglite) });
  await migrateToLatest(kysely);
  const dump = await pglite.dumpDataDir('none');
  await kysely.destroy();
  return dump;
}

function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The name of the template for the migrations as they are now, made (migrated) if missing; once per run. */
export function migratedServerTemplate(): Promise<string> {
  migratedTemplate ??= serverTemplate();
  return migratedTemplate;
}

async function serverTemplate(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(MIGRATIONS).sort()) hash.update(file).update(fs.readFileSync(new URL(file, MIGRATIONS)));
  const name = `smp_template_${hash.digest('hex').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    // Marked a template only once fully migrated: one left unmarked by a run that died is remade.
    const { rows } = await admin.query('select datistemplate from pg_database where datname = $1', [name]);
    if (rows[0]?.datistemplate !== true) {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.query(`create database ${name}`);
      const db = await openMigratedDb({ databaseUrl: databaseUrl(name) });
      await db.close();
      for (let wait = 0; wait < 50; wait++) {
        const active = await admin.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
        if (active.rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await admin.query(`alter database ${name} is_template true`);
    }
    return name;
  } finally {
    await admin.end();
  }
}

/**
 * A URL for a new database on the test server (PostgreSQL runs only): empty, or a copy of
 * `template` (nobody may be connected to it meanwhile).
 */
export async function createServerDatabase(template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (!SERVER_URL) throw new Error('createServerDatabase needs DATABASE_URL');
  const name = `smp_test_${process.pid}_${++counter}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    await admin.query(template ? `create database ${name} template ${template}` : `create database ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(name),
    async drop() {
      const client = new pg.Client({ connectionString: SERVER_URL });
      await client.connect();
      try {
        // pg's Pool.end() resolves before its closing connections are gone; forcing the drop
        // then would kill them and surface as an uncaught error in whichever test runs next.
        for (let wait = 0; wait < 50; wait++) {
          const { rows } = await client.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
          if (rows[0].n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestDb extends Db {
  /** Close the connection and drop the database. */
  dispose(): Promise<void>;
}

/** A new, migrated, empty database on the configured driver. */
export async function freshDb(): Promise<TestDb> {
  if (SERVER_URL) {
    const database = await createServerDatabase(await migratedServerTemplate());
    // Already at the latest migration: this checks it, as every server and command does.
    const db = await openMigratedDb({ databaseUrl: database.url });
    return Object.assign(db, {
      async dispose() {
        await db.close();
        await database.drop();
      },
    });
  }
  migratedDump ??= pgliteDump();
  const db = await openDb({ loadDataDir: await migratedDump });
  await migrateToLatest(db.kysely);
  return Object.assign(db, { dispose: () => db.close() });
}

/** A new, migrated, empty in-memory PGlite database, whatever the configured driver. */
export async function freshPgliteDb(): Promise<TestDb> {
  migratedDump ??= pgliteDump();
  const db = await openDb({ loadDataDir: await migratedDump });
  await migrateToLatest(db.kysely);
  return Object.assign(db, { dispose: () => db.close() });
}

/** Row counts of every study table, to prove that a refused import wrote nothing. */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const tables = [
    'study', 'site', 'practitioner', 'participant', 'treatment_session',
    'adverse_event', 'fading_assessment', 'satisfaction_survey',
  ] as const;
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = await db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.count);
  }
  return counts;
}
