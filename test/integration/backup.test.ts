// Backup and restore of the whole store (smp-backup/1). A store moved PGlite → archive →
// the configured database (PostgreSQL in the server run) → archive gives the same archive byte
// for byte apart from its time stamp and source, and the same studies; a damaged archive is
// refused whole and writes nothing; a store with data is never restored into; and a table that
// a later migration adds (here an insert-only audit table) is carried with no change to the code.
import { PassThrough, Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { sql, type Kysely, type Migration } from 'kysely';
import type { Db } from '../../db/kysely.ts';
import { openDb } from '../../db/kysely.ts';
import { migrations } from '../../db/migrations/index.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { isAppError } from '../../api/errors.ts';
import { createBackup, restoreBackup } from '../../api/services/backup-service.ts';
import { loadDemo } from '../../api/services/demo-service.ts';
import { exportBundle, importBundle } from '../../api/services/study-bundle-service.ts';
import { listStudies } from '../../api/services/study-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { createServerDatabase, DRIVER, freshDb, freshPgliteDb, SERVER_URL, tableCounts, type TestDb } from '../support/database.ts';

/** Text that COPY must escape and give back exactly. */
function awkwardBundle() {
  const bundle = smallBundle('AWK-1');
  bundle.study.title = 'Tabs\there, a newline\nthere, a backslash \\ and \\N, quotes "\' and ünïcödé 頭皮 🙂';
  bundle.participants[1].withdrawalReason = 'line one\r\nline two\\.\n\\.';
  bundle.participants[0].adverseEvents[0].term = '\\.';
  return bundle;
}

async function backupBytes(db: Db): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  await createBackup(db, sink);
  return Buffer.concat(chunks);
}

const fromBytes = (bytes: Buffer) => () => Readable.from([bytes]);

/** An archive's lines, with the header's time stamp and source and the closing checksum set aside. */
function comparable(archive: Buffer) {
  const lines = gunzipSync(archive).toString('utf8').split('\n');
  const { createdAt, source, ...header } = JSON.parse(lines[0]!);
  const { sha256, ...end } = JSON.parse(lines.at(-2)!);
  expect(createdAt).to.match(/^\d{4}-\d\d-\d\dT/);
  expect(source.server).to.match(/^PostgreSQL \d+/);
  expect(sha256).to.match(/^[0-9a-f]{64}$/);
  return { header, body: lines.slice(1, -2).join('\n'), end, lastLine: lines.at(-1) };
}

/** A database with no tables at all (the target a user makes with createdb), or an empty PGlite. */
async function emptyTarget(): Promise<TestDb> {
  if (!SERVER_URL) return freshDb();
  const database = await createServerDatabase();
  const db = await openDb({ databaseUrl: database.url });
  return Object.assign(db, {
    async dispose() {
      await db.close();
      await database.drop();
    },
  });
}

async function refusal(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal');
}

describe(`backup and restore of the whole store (PGlite → ${DRIVER})`, function () {
  this.timeout(120_000);
  let source: TestDb;
  let archive: Buffer;

  before(async () => {
    source = await freshPgliteDb();
    await loadDemo(source);
    await importBundle(source, awkwardBundle());
    archive = await backupBytes(source);
  });
  after(async () => {
    await source?.dispose();
  });

  it('restores into an empty store and backs up to the same archive, apart from time stamp and source', async () => {
    const target = await emptyTarget();
    try {
      const summary = await restoreBackup(target, 'archive', fromBytes(archive));
      expect(summary.tables).to.deep.include({ study: 2, participant: 24, treatment_session: 93 });
      const again = comparable(await backupBytes(target));
      const first = comparable(archive);
      expect(again.header).to.deep.equal(first.header);
      expect(again.end).to.deep.equal(first.end);
      expect(again.body).to.equal(first.body);
      expect(again.lastLine).to.equal('');
      // Same studies, byte for byte, and the same import times.
      for (const code of ['SMP-2021', 'AWK-1']) {
        expect(await exportBundle(target, code), code).to.deep.equal(await exportBundle(source, code));
      }
      expect(await listStudies(target)).to.deep.equal(await listStudies(source));
      expect(await tableCounts(target)).to.deep.equal(await tableCounts(source));
      // Identity sequences continue after the restored keys.
      await importBundle(target, smallBundle('AFTER-1'));
      const ids = await target.kysely.selectFrom('study').select(['code', 'study_id']).orderBy('study_id').execute();
      expect(ids.map((row) => [row.code, row.study_id])).to.deep.equal([
        ['SMP-2021', 1],
        ['AWK-1', 2],
        ['AFTER-1', 3],
      ]);
    } finally {
      await target.dispose();
    }
  });

  it('refuses a damaged archive whole and writes nothing', async () => {
    const text = gunzipSync(archive).toString('utf8');
    const changedRow = gzipSync(Buffer.from(text.replace('\tP01\t', '\tP0l\t')));
    const changedCount = gzipSync(Buffer.from(text.replace('"rows":', '"rows":1')));
    const cases: Array<[string, Buffer, RegExp]> = [
      ['one changed byte', changedRow, /its checksum does not match its content/],
      ['a changed row count', changedCount, /its row counts do not match its content/],
      ['a cut-off file', archive.subarray(0, archive.length - 40), /it cannot be read \(unexpected end of file\)/],
      ['a file cut at a line', gzipSync(Buffer.from(text.slice(0, text.indexOf('{"table":"participant"')))), /it is cut short/],
      ['a bundle, not an archive', gzipSync(Buffer.from(JSON.stringify(smallBundle()))), /it does not start with an smp-backup header/],
      ['a later format', gzipSync(Buffer.from(text.replace('"format":"smp-backup/1"', '"format":"smp-backup/2"'))), /its format smp-backup\/2 is newer/],
    ];
    expect(text).to.contain('\tP01\t');
    const target = await emptyTarget();
    try {
      const before = await sql<{ n: number }>`select count(*)::int as n from pg_tables where schemaname = current_schema()`.execute(target.kysely);
      for (const [name, bytes, message] of cases) {
        const error = await refusal(restoreBackup(target, 'x.smpbackup', fromBytes(bytes)));
        expect(isAppError(error), `${name}: ${error.message}`).to.equal(true);
        expect(error.message, name).to.match(/^x\.smpbackup is not an intact smp-backup\/1 archive: /);
        expect(error.message, name).to.match(message);
        expect(error.message, name).to.match(/; nothing was restored$/);
      }
      // Nothing written: not even the schema of an untouched database.
      const after = await sql<{ n: number }>`select count(*)::int as n from pg_tables where schemaname = current_schema()`.execute(target.kysely);
      expect(after.rows[0]!.n).to.equal(before.rows[0]!.n);
      if (!SERVER_URL) expect(Object.values(await tableCounts(target)).every((n) => n === 0)).to.equal(true);
    } finally {
      await target.dispose();
    }
  });

  it('refuses a store that has data, and leaves it as it was', async () => {
    const target = await freshDb();
    try {
      await importBundle(target, smallBundle('KEEP-1'));
      const before = await tableCounts(target);
      const error = await refusal(restoreBackup(target, 'archive', fromBytes(archive)));
      expect(error.message).to.match(/^the store at .* is not empty \(rows in .*participant.*study.*\); restore loads into an empty store only/);
      expect(await tableCounts(target)).to.deep.equal(before);
      expect((await listStudies(target)).map((s) => s.code)).to.deep.equal(['KEEP-1']);
    } finally {
      await target.dispose();
    }
  });

  it('carries a table that a later migration adds, with no change to the code (an insert-only audit trail)', async () => {
    const name = '2099-01-01-01-test-audit-trail';
    const auditTrail: Migration = {
      async up(db: Kysely<any>) {
        await sql`create table audit_event (
          event_id bigint generated always as identity primary key,
          study_id integer references study (study_id),
          action text not null,
          detail jsonb,
          at timestamptz not null default now())`.execute(db);
        await sql`create function audit_event_refuse() returns trigger language plpgsql as $$
          begin raise exception 'audit_event is append-only'; end $$`.execute(db);
        await sql`create trigger audit_event_append_only before update or delete or truncate on audit_event
          for each statement execute function audit_event_refuse()`.execute(db);
      },
      async down(db: Kysely<any>) {
        await sql`drop table audit_event`.execute(db);
        await sql`drop function audit_event_refuse()`.execute(db);
      },
    };
    migrations[name] = auditTrail;
    const withAudit = await freshPgliteDb();
    const target = await emptyTarget();
    try {
      await migrateToLatest(withAudit.kysely);
      await loadDemo(withAudit);
      await sql`insert into audit_event (study_id, action, detail, at) values
        (1, 'import', '{"by": "ana", "rows": 189}', '2026-11-24 09:00:00+00'),
        (null, 'sign-in', null, '2026-11-24 09:05:00.123456+00')`.execute(withAudit.kysely);
      const withAuditArchive = await backupBytes(withAudit);
      const lines = gunzipSync(withAuditArchive).toString('utf8').split('\n');
      const tables = lines.filter((line) => line.startsWith('{"table"')).map((line) => JSON.parse(line).table);
      expect(tables.indexOf('audit_event')).to.be.greaterThan(tables.indexOf('study'));
      expect(JSON.parse(lines[0]!).migrations).to.deep.equal(Object.keys(migrations));

      await restoreBackup(target, 'archive', fromBytes(withAuditArchive));
      const restored = await sql<{ event_id: string; action: string; detail: unknown; at: string }>`
        select event_id::text, action, detail, to_char(at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as at from audit_event order by event_id`.execute(target.kysely);
      expect(restored.rows).to.deep.equal([
        { event_id: '1', action: 'import', detail: { by: 'ana', rows: 189 }, at: '2026-11-24 09:00:00.000000' },
        { event_id: '2', action: 'sign-in', detail: null, at: '2026-11-24 09:05:00.123456' },
      ]);
      await sql`insert into audit_event (action) values ('after restore')`.execute(target.kysely);
      const next = await sql<{ event_id: string }>`select max(event_id)::text as event_id from audit_event`.execute(target.kysely);
      expect(next.rows[0]!.event_id).to.equal('3');
      expect(comparable(await backupBytes(target)).body.split('\n').filter((l) => l.includes('after restore'))).to.have.length(1);
    } finally {
      delete migrations[name];
      await withAudit.dispose();
      await target.dispose();
    }
  });
});
