// Backup and restore of the whole store (smp-backup/1). A store moved PGlite → archive →
// the configured database (PostgreSQL in the server run) → archive gives the same archive byte
// for byte apart from its time stamp and source, and the same studies; a damaged archive is
// refused whole and writes nothing; a store with data is never restored into; and users, their
// grants and tokens and the append-only audit trail are carried over, their numbers continuing.
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { sql } from 'kysely';
import type { Db } from '../../db/kysely.ts';
import { openDb } from '../../db/kysely.ts';
import { migrateTo } from '../../db/migrate.ts';
import { migrations } from '../../db/migrations/index.ts';
import { isAppError } from '../../api/errors.ts';
import { createBackup, restoreBackup } from '../../api/services/backup-service.ts';
import { loadDemo } from '../../api/services/demo-service.ts';
import { exportBundle, importBundle } from '../../api/services/study-bundle-service.ts';
import { listStudies } from '../../api/services/study-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { createServerDatabase, DRIVER, freshDb, freshPgliteDb, SERVER_URL, tableCounts, type TestDb } from '../support/database.ts';
import { createTestUser } from '../support/users.ts';
import { recordDeviceFailure } from '../../db/repositories/sign-in-repository.ts';
import { deviceCookieValue, newDeviceId, readDeviceCookie } from '../../api/services/sign-in-guard.ts';
import { insertFeed } from '../../db/repositories/worklist-repository.ts';
import { endLock, insertLock, insertSignature, invalidateParticipantSignatures } from '../../db/repositories/signature-repository.ts';
import { commandLineChange } from '../../api/services/access.ts';
import { createFreeze } from '../../api/services/freeze-service.ts';
import { raiseQuery } from '../../api/services/data-query-service.ts';
import { verifyRecords } from '../../api/services/verification-service.ts';

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
/** The tables and their columns of a store migrated up to `name` (an older version's schema). */
async function previousSchema(name: string): Promise<Map<string, Set<string>>> {
  const db = await openDb({});
  try {
    await migrateTo(db.kysely, name);
    const { rows } = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns where table_schema = 'public'`.execute(db.kysely);
    const tables = new Map<string, Set<string>>();
    for (const row of rows) tables.set(row.table_name, (tables.get(row.table_name) ?? new Set()).add(row.column_name));
    return tables;
  } finally {
    await db.close();
  }
}

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
    // A calendar feed of the worklist: its table is carried like every other.
    const feedUser = await createTestUser(source, 'clinic', [{ studyCode: 'SMP-2021', siteCode: 'LON' }], 'feed-owner');
    await insertFeed(source.kysely, feedUser.userId, 'SMP-2021', new Uint8Array(32).fill(7));
    // Sign-off: a signature (invalidated later), a lock with its unlock, and a freeze travel too.
    const signature = await insertSignature(source.kysely, {
      study_code: 'AWK-1', participant_code: 'P01', user_id: feedUser.userId, username: 'feed-owner', full_name: 'Dr Feed Owner',
      meaning: 'approve', data_sha256: new Uint8Array(32).fill(9),
    });
    await invalidateParticipantSignatures(source.kysely, 'AWK-1', 'P01', 'someone');
    const lock = await insertLock(source.kysely, 'AWK-1', 'P01', 'feed-owner');
    await endLock(source.kysely, lock.lock_id, 'admin', 'a date was wrong');
    await insertLock(source.kysely, 'AWK-1', 'P02', 'feed-owner');
    await createFreeze(source, commandLineChange(), 'SMP-2021', { label: 'before the paper' });
    expect(signature.signature_id).to.equal(1);
    // A query with its message, and a participant's records verified: the tracker's records about the data travel too.
    const at = new Date('2026-12-06T12:00:00Z');
    await raiseQuery(source, commandLineChange(), at, 'AWK-1', 'P01', { path: 'adverseEvents[0].term', message: 'Is "\\." the term?' });
    await verifyRecords(source, commandLineChange(), at, 'AWK-1', 'P01', '');
    archive = await backupBytes(source);
  });
  after(async () => {
    await source?.dispose();
  });

  it('restores into an empty store and backs up to the same archive, apart from time stamp and source', async () => {
    const target = await emptyTarget();
    try {
      const summary = await restoreBackup(target, 'archive', fromBytes(archive));
      expect(summary.tables).to.deep.include({ study: 2, participant: 24, treatment_session: 93, data_query: 1, data_query_message: 1, record_verification: 8 });
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
      expect((await exportBundle(target, 'SMP-2021')).sites.map((site) => [site.code, site.country])).to.deep.equal([
        ['LON', 'GBR'],
        ['MAN', 'GBR'],
      ]);
      expect(await listStudies(target)).to.deep.equal(await listStudies(source));
      // The demo's scheduled visits and the calendar feed come back as they were.
      expect((await exportBundle(target, 'SMP-2021')).study.protocol.visits?.map((v) => v.code)).to.deep.equal(['FU8', 'FU18', 'FU30']);
      const feeds = (db: Db) => db.kysely.selectFrom('calendar_feed').select(['feed_id', 'user_id', 'study_code', 'token_hash', 'created_at']).execute();
      expect(await feeds(target)).to.deep.equal(await feeds(source));
      expect(await feeds(target)).to.have.length(1);
      for (const table of ['participant_signature', 'participant_lock', 'study_freeze'] as const) {
        const rows = (db: Db) => db.kysely.selectFrom(table).selectAll().execute();
        expect(await rows(target), table).to.deep.equal(await rows(source));
      }
      expect(summary.tables).to.deep.include({ participant_signature: 1, participant_lock: 2, study_freeze: 1 });
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

  it('restores an archive made before sites had a country: the schema is brought up to date, every country null', async () => {
    // The archive the previous version wrote: its schema ends at the live-data-capture migration,
    // so it has none of the later tables and columns (site country, visits, sign-in trust, …).
    const PREVIOUS = '2026-11-24-01-live-data-capture';
    const lines = gunzipSync(archive).toString('utf8').split('\n');
    const header = JSON.parse(lines[0]!);
    expect(header.migrations).to.include(PREVIOUS);
    header.migrations = header.migrations.slice(0, header.migrations.indexOf(PREVIOUS) + 1);
    const then = await previousSchema(PREVIOUS);
    const older: string[] = [JSON.stringify(header)];
    // The columns each kept line keeps, by index; undefined while skipping a table it did not have.
    let keep: number[] | undefined = [];
    for (const line of lines.slice(1, -2)) {
      if (line.startsWith('{"table"')) {
        const section = JSON.parse(line);
        const columns = then.get(section.table);
        keep = columns === undefined ? undefined : section.columns.flatMap((column: string, index: number) => (columns.has(column) ? [index] : []));
        if (keep === undefined) continue;
        section.columns = keep.map((index) => section.columns[index]);
        older.push(JSON.stringify(section));
      } else if (keep === undefined) continue;
      else if (line === '\\.') older.push(line);
      else {
        const cells = line.split('\t');
        older.push(keep.map((index) => cells[index]).join('\t'));
      }
    }
    const body = `${older.join('\n')}\n`;
    const closing = JSON.parse(lines.at(-2)!);
    const tables = Object.fromEntries(Object.entries(closing.tables as Record<string, number>).filter(([table]) => then.has(table)));
    const rows = Object.values(tables).reduce((sum, n) => sum + n, 0);
    const end = { ...closing, tables, rows, sha256: createHash('sha256').update(body).digest('hex') };
    const previous = gzipSync(Buffer.from(`${body}${JSON.stringify(end)}\n`));
    expect(gunzipSync(previous).toString('utf8')).to.not.contain('"country"');

    const target = await emptyTarget();
    try {
      await restoreBackup(target, 'previous.smpbackup', fromBytes(previous));
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(target.kysely);
      expect(applied.rows.map((row) => row.name)).to.deep.equal(Object.keys(migrations));
      const demo = await exportBundle(target, 'SMP-2021');
      expect(demo.sites.map((site) => [site.code, site.country])).to.deep.equal([
        ['LON', null],
        ['MAN', null],
      ]);
      // The older archive had no scheduled visits either; the rest is as it was.
      const { visits, ...protocol } = (await exportBundle(source, 'SMP-2021')).study.protocol;
      expect(visits).to.have.length(3);
      expect(demo.study.protocol.visits).to.equal(undefined);
      expect({ ...demo, sites: [] }).to.deep.equal({ ...(await exportBundle(source, 'SMP-2021')), study: { ...demo.study, protocol }, sites: [] });
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

  it('carries the users, their grants, tokens, sessions and trusted browsers, and the audit trail, whose numbers continue after a restore', async () => {
    const withPeople = await freshPgliteDb();
    const target = await emptyTarget();
    try {
      await importBundle(withPeople, smallBundle('PPL-1'));
      const clinic = await createTestUser(withPeople, 'clinic', [{ studyCode: 'PPL-1', siteCode: 'LON' }], 'lon-coordinator');
      await importBundle(withPeople, smallBundle('PPL-1'), { replace: true, change: { actor: { userId: null, username: 'cli:ana', role: 'admin', grants: [] }, reason: 'Re-import', requestId: null } });
      // A trusted browser of the clinic user (its cookie signed with the store's key), with a failed sign-in.
      const now = new Date('2026-12-06T09:00:00Z');
      const guard = { signInMaxFailures: 5, signInLockMinutes: 15, deviceTrustDays: 30 };
      const deviceId = newDeviceId();
      const deviceCookie = await deviceCookieValue(withPeople, 'lon-coordinator', deviceId, now);
      await recordDeviceFailure(withPeople.kysely, deviceId, clinic.userId, 5, 15, now);
      await withPeople.kysely.updateTable('auth_session').set({ user_agent: 'Mozilla/5.0 (clinic PC)' }).where('user_id', '=', clinic.userId).execute();
      const auditBefore = await sql<{ n: string; max: string }>`select count(*)::text as n, max(audit_id)::text as max from audit_event`.execute(withPeople.kysely);
      const archived = await backupBytes(withPeople);
      const lines = gunzipSync(archived).toString('utf8').split('\n');
      const tables = lines.filter((line) => line.startsWith('{"table"')).map((line) => JSON.parse(line).table);
      for (const table of ['app_user', 'user_grant', 'api_token', 'auth_session', 'audit_event', 'study_secret', 'server_secret', 'device_sign_in']) {
        expect(tables, table).to.include(table);
      }
      expect(tables.indexOf('user_grant')).to.be.greaterThan(tables.indexOf('app_user'));

      await restoreBackup(target, 'archive', fromBytes(archived));
      const audit = await sql<{ n: string; max: string }>`select count(*)::text as n, max(audit_id)::text as max from audit_event`.execute(target.kysely);
      expect(audit.rows).to.deep.equal(auditBefore.rows);
      const replaced = await sql<{ action: string; username: string; reason: string; kept: boolean }>`
        select action, username, reason, replaced_bundle is not null as kept from audit_event order by audit_id`.execute(target.kysely);
      expect(replaced.rows).to.deep.equal([
        { action: 'import', username: replaced.rows[0]!.username, reason: null, kept: false },
        { action: 'replace', username: 'cli:ana', reason: 'Re-import', kept: true },
      ]);
      // The same people, who can still sign in with what they had, and whose studies are the same.
      const { actorForToken } = await import('../../api/services/auth-service.ts');
      expect(await actorForToken(target, clinic.token)).to.deep.include({ username: 'lon-coordinator', role: 'clinic' });
      // Their browser is still trusted, with its failure counted; their session keeps its number and browser.
      expect((await readDeviceCookie(target, guard, 'lon-coordinator', deviceCookie, now))?.deviceId).to.deep.equal(deviceId);
      const failures = await target.kysely.selectFrom('device_sign_in').select(['user_id', 'failed_sign_ins']).execute();
      expect(failures).to.deep.equal([{ user_id: clinic.userId, failed_sign_ins: 1 }]);
      const sessions = (kysely: typeof target.kysely) =>
        kysely.selectFrom('auth_session').select(['session_id', 'user_agent']).where('user_id', '=', clinic.userId).execute();
      expect(await sessions(target.kysely)).to.deep.equal(await sessions(withPeople.kysely));
      expect(await exportBundle(target, 'PPL-1')).to.deep.equal(await exportBundle(withPeople, 'PPL-1'));
      // Identity numbers continue after the restored ones; the trail still refuses changes.
      await importBundle(target, smallBundle('PPL-2'));
      const next = await sql<{ max: string }>`select max(audit_id)::text as max from audit_event`.execute(target.kysely);
      expect(Number(next.rows[0]!.max)).to.equal(Number(auditBefore.rows[0]!.max) + 1);
      const refused = await sql`delete from audit_event`.execute(target.kysely).then(() => null, (e: unknown) => e as Error);
      expect(refused?.message).to.contain('append-only');
      expect((await createTestUser(target, 'admin')).userId).to.be.greaterThan(clinic.userId);
    } finally {
      await withPeople.dispose();
      await target.dispose();
    }
  });
});
