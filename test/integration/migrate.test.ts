// Bringing the schema up to date at every start: an up-to-date database is recognised with one
// query (the start-up fast path), and a database that has migrations this version does not know
// still goes to the migrator, which refuses it rather than running on a schema it cannot read.
import { expect } from 'chai';
import { sql } from 'kysely';
import { migrateToLatest } from '../../db/migrate.ts';
import { migrations } from '../../db/migrations/index.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';

describe(`migrations at start-up (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;

  before(async () => {
    db = await freshDb();
  });
  after(async () => {
    await db?.dispose();
  });

  it('runs nothing on an up-to-date database', async () => {
    expect(await migrateToLatest(db.kysely)).to.deep.equal([]);
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db.kysely);
    expect(rows.map((row) => row.name)).to.deep.equal(Object.keys(migrations));
  });

  it('refuses a database migrated by a later version', async () => {
    await sql`insert into kysely_migration (name, timestamp) values ('2099-01-01-from-the-future', '2099-01-01T00:00:00Z')`.execute(db.kysely);
    let refused: unknown;
    try {
      await migrateToLatest(db.kysely);
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).to.match(/the database could not be brought to the current schema.*2099-01-01-from-the-future/);
  });
});
