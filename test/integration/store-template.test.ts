// A new embedded data directory starts as a copy of the migrated empty store kept in the cache
// (db/store-template.ts): the copy is a whole, working store at the latest schema, the template
// holds PostgreSQL's files only, and a directory without a template, or one that already holds
// files of a cluster, is left to be made the long way.
import { expect } from 'chai';
import { sql } from 'kysely';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb, type Db } from '../../db/kysely.ts';
import { openMigratedDb } from '../../db/migrate.ts';
import { migrations } from '../../db/migrations/index.ts';
import { copyStoreTemplate, saveStoreTemplate, storeTemplatePath } from '../../db/store-template.ts';
import { tableCounts } from '../support/database.ts';

const systemIdentifier = async (db: Db) =>
  (await sql<{ id: string }>`select system_identifier::text as id from pg_control_system()`.execute(db.kysely)).rows[0]!.id;

const appliedMigrations = async (db: Db) =>
  (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db.kysely)).rows.map((row) => row.name);

const probeRows = async (db: Db) =>
  (await sql<{ note: string }>`select note from probe order by note`.execute(db.kysely).catch(() => ({ rows: null }))).rows?.map((row) => row.note) ?? null;

describe('new embedded stores from the migrated template', function () {
  this.timeout(120_000);
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-store-template-'));
  });
  afterEach(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('opens two new data directories as copies of one cluster, each migrated, empty, and written on its own', async () => {
    const [dirA, dirB] = [path.join(work, 'a'), path.join(work, 'b')];
    let a = await openMigratedDb({ dataDir: dirA });
    let b = await openMigratedDb({ dataDir: dirB });
    try {
      expect(fs.existsSync(path.join(storeTemplatePath()!, 'PG_VERSION')), 'the template is kept').to.equal(true);
      // Clusters made by initdb never share a system identifier; copies of one template do.
      expect(await systemIdentifier(b)).to.equal(await systemIdentifier(a));
      for (const db of [a, b]) {
        expect(await appliedMigrations(db)).to.deep.equal(Object.keys(migrations).sort());
        expect(Object.values(await tableCounts(db))).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0]);
      }
      await sql`create table probe (note text)`.execute(b.kysely);
      await sql`insert into probe values ('written in b')`.execute(b.kysely);
      await a.close();
      await b.close();
      a = await openMigratedDb({ dataDir: dirA });
      b = await openMigratedDb({ dataDir: dirB });
      expect(await probeRows(b)).to.deep.equal(['written in b']);
      expect(await probeRows(a)).to.equal(null);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("keeps PostgreSQL's files only, and a copy is the store as it was when kept", async () => {
    const source = path.join(work, 'source');
    const template = path.join(work, 'cache', 'empty-store-0123456789abcdef');
    const stale = path.join(work, 'cache', 'empty-store-fedcba9876543210');
    fs.mkdirSync(path.join(stale, 'base'), { recursive: true });
    const db = await openMigratedDb({ dataDir: source });
    try {
      await sql`create table probe (note text)`.execute(db.kysely);
      await sql`insert into probe values ('in the template')`.execute(db.kysely);
    } finally {
      await db.close();
    }
    // What a running store holds beside its cluster: PostgreSQL's lock, ours, and the server's socket folder.
    fs.writeFileSync(path.join(source, 'postmaster.pid'), '1\n');
    fs.writeFileSync(path.join(source, 'smp.lock'), '{"pid":1}\n');
    fs.mkdirSync(path.join(source, 'socket'));
    saveStoreTemplate(source, template);
    const kept = fs.readdirSync(template).sort();
    expect(kept).to.include.members(['PG_VERSION', 'base', 'global', 'pg_wal', 'pg_xact', 'postgresql.conf']);
    expect(fs.readdirSync(source).filter((name) => !kept.includes(name)).sort()).to.deep.equal(['postmaster.pid', 'smp.lock', 'socket']);
    expect(fs.existsSync(stale), 'a template of other migrations is removed').to.equal(false);

    const copy = path.join(work, 'copy');
    fs.mkdirSync(copy);
    expect(copyStoreTemplate(copy, template)).to.equal(true);
    const opened = await openDb({ dataDir: copy });
    try {
      expect(await probeRows(opened)).to.deep.equal(['in the template']);
      expect(await appliedMigrations(opened)).to.deep.equal(Object.keys(migrations).sort());
    } finally {
      await opened.close();
    }
  });

  it('copies nothing without a template, or into a directory that holds files of a cluster', () => {
    const empty = path.join(work, 'empty');
    fs.mkdirSync(empty);
    expect(copyStoreTemplate(empty, path.join(work, 'no-such-template'))).to.equal(false);
    expect(fs.readdirSync(empty)).to.deep.equal([]);

    const template = path.join(work, 'template');
    fs.mkdirSync(path.join(template, 'base'), { recursive: true });
    fs.writeFileSync(path.join(template, 'PG_VERSION'), '18\n');
    const occupied = path.join(work, 'occupied');
    fs.mkdirSync(path.join(occupied, 'base'), { recursive: true });
    fs.writeFileSync(path.join(occupied, 'base', 'mine'), 'a file of the user');
    expect(copyStoreTemplate(occupied, template)).to.equal(false);
    expect(fs.readdirSync(occupied)).to.deep.equal(['base']);
    expect(fs.readFileSync(path.join(occupied, 'base', 'mine'), 'utf8')).to.equal('a file of the user');
  });
});
