// The audit trail's hash chain in a real store: every entry the application writes is chained,
// also under simultaneous writers from two server processes on one database; an entry changed
// with the triggers switched off makes `smp audit verify` fail naming it; a store upgraded from
// before the chain is chained by its migration; `smp restore` refuses an archive whose trail was
// edited (its checksum made again) and writes nothing. On PostgreSQL, `smp db roles` splits the
// roles: the runtime role can append to the trail but not switch off its triggers, update,
// delete or truncate it; on the embedded database the command says roles do not apply.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { sql } from 'kysely';
import pg from 'pg';
import { openDb, type Db } from '../../db/kysely.ts';
import { redactedUrl } from '../../db/postgres-url.ts';
import { migrateTo, migrateToLatest, openMigratedDb } from '../../db/migrate.ts';
import { createBackup, restoreBackup } from '../../api/services/backup-service.ts';
import { verifyAuditTrail } from '../../api/services/audit-verify-service.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { selectNonEmptyTables, selectTableShapes } from '../../db/repositories/backup-repository.ts';
import { smallBundle } from '../support/bundles.ts';
import { runSmp } from '../support/cli-workspace.ts';
import { createServerDatabase, DRIVER, freshDb, SERVER_URL, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

/** A new empty store on the configured driver, not migrated, with its URL on PostgreSQL. */
async function emptyStore(): Promise<{ db: Db; url?: string; dispose(): Promise<void> }> {
  if (!SERVER_URL) {
    const db = await openDb({});
    return { db, dispose: () => db.close() };
  }
  const database = await createServerDatabase();
  const db = await openDb({ databaseUrl: database.url });
  return {
    db,
    url: database.url,
    async dispose() {
      await db.close();
      await database.drop();
    },
  };
}

async function backupBytes(db: Db): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  await createBackup(db, sink);
  return Buffer.concat(chunks);
}

/** The archive with one field of one audit entry changed and its checksum made again, as a forger would. */
function editedArchive(archive: Buffer, auditId: string, column: string, value: string): Buffer {
  const lines = gunzipSync(archive).toString('utf8').split('\n');
  const header = lines.findIndex((line) => line.startsWith('{"table":"audit_event"'));
  const columns = (JSON.parse(lines[header]!) as { columns: string[] }).columns;
  const row = lines.findIndex((line, i) => i > header && line.split('\t')[0] === auditId);
  expect(row, `entry ${auditId} in the archive`).to.be.greaterThan(header);
  const fields = lines[row]!.split('\t');
  fields[columns.indexOf(column)] = value;
  lines[row] = fields.join('\t');
  const closing = lines.length - 2;
  const body = lines.slice(0, closing).map((line) => `${line}\n`).join('');
  const end = JSON.parse(lines[closing]!);
  end.sha256 = createHash('sha256').update(body).digest('hex');
  return gzipSync(`${body}${JSON.stringify(end)}\n`);
}

const participant = (code: string) => ({
  code, site: 'MAN', sex: 'other', birthYear: 1970, indication: 'birthmark', fitzpatrick: 5,
  keloidHistory: true, enrolledOn: '2020-03-02', withdrawnOn: null, withdrawalCause: null, withdrawalReason: null, costUsd: 1234.5,
});

const auditCount = async (db: Db) =>
  Number((await db.kysely.selectFrom('audit_event').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

describe(`audit hash chain (${DRIVER})`, function () {
  this.timeout(180_000);

  it('chains every entry written through the application, also from two server processes writing at once', async () => {
    // Two server processes on one database: on PostgreSQL two pools and two HTTP servers; the
    // embedded database has one owner process, so there one server takes the same load.
    const first = await freshDbWithUrl();
    const second = first.url ? await openMigratedDb({ databaseUrl: first.url }) : first.db;
    const servers = [await startTestServer(first.db), ...(first.url ? [await startTestServer(second)] : [])];
    try {
      const admin = await createTestUser(first.db, 'admin');
      expect((await apiClient(servers[0]!.base, admin.headers).post('/studies', smallBundle('CH-1'))).status).to.equal(201);
      expect((await apiClient(servers[0]!.base, admin.headers).post('/studies', smallBundle('CH-2'))).status).to.equal(201);
      const researcher = await createTestUser(first.db, 'researcher', [
        { studyCode: 'CH-1', siteCode: null },
        { studyCode: 'CH-2', siteCode: null },
      ]);
      const before = await auditCount(first.db);
      const writes = Array.from({ length: 24 }, (_, i) => {
        const api = apiClient(servers[i % servers.length]!.base, researcher.headers);
        return api.post(`/studies/CH-${(i % 2) + 1}/participants`, participant(`W${i}`), { reason: `Enrolled ${i}` });
      });
      expect((await Promise.all(writes)).map((reply) => reply.status)).to.deep.equal(Array(24).fill(201));
      expect(await auditCount(first.db)).to.equal(before + 24);

      const verdict = await verifyAuditTrail(first.db);
      expect(verdict.breaks).to.deep.equal([]);
      expect(verdict.rowsVerified).to.equal(before + 24);
      expect(verdict.chains.map((chain) => [chain.studyCode, chain.rows])).to.deep.equal([
        ['CH-1', 13],
        ['CH-2', 13],
      ]);
      // Each head names its chain's last entry and hash.
      const heads = await first.db.kysely.selectFrom('audit_chain').select(['chain', 'last_audit_id', 'last_hash']).orderBy('chain').execute();
      expect(heads.map((head) => [head.chain, String(head.last_audit_id), Buffer.from(head.last_hash!).toString('hex')])).to.deep.equal(
        verdict.chains.map((chain) => [chain.studyCode, chain.lastAuditId, chain.lastHash]),
      );
      expect((await verifyAuditTrail(first.db, 'CH-2')).chains.map((chain) => [chain.studyCode, chain.rows])).to.deep.equal([['CH-2', 13]]);
    } finally {
      for (const server of servers) await server.close();
      if (second !== first.db) await second.close();
      await first.dispose();
    }
  });

  it('fails `smp audit verify` naming an entry changed with the triggers switched off, and holds for the other studies', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-audit-chain-'));
    const database = SERVER_URL ? await createServerDatabase() : undefined;
    const env = { ...process.env, SMP_DATA_DIR: path.join(work, 'data'), DATABASE_URL: database?.url ?? '' };
    const smp = (...args: string[]) => runSmp(env, args, { cwd: work });
    try {
      for (const code of ['TAM-1', 'TAM-2']) {
        fs.writeFileSync(path.join(work, `${code}.json`), JSON.stringify(smallBundle(code)));
        expect(smp('import', path.join(work, `${code}.json`)).status).to.equal(0);
      }
      expect(smp('user', 'add', 'rita', '--role', 'researcher', '--study', 'TAM-1').status).to.equal(0);
      const intact = smp('audit', 'verify');
      expect(intact.status, intact.stderr).to.equal(0);
      expect(intact.stdout.split('\n')[0]).to.equal('the audit trail holds: 4 entries verified in 3 chains');

      // The owner (here the superuser, or the embedded database's only user) rewrites history.
      const db = await openDb(database ? { databaseUrl: database.url } : { dataDir: env.SMP_DATA_DIR });
      let target: { audit_id: string; at: string };
      try {
        target = (
          await sql<{ audit_id: string; at: string }>`
            select audit_id::text as audit_id, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at
            from audit_event where study_code = 'TAM-1'`.execute(db.kysely)
        ).rows[0]!;
        await sql`alter table audit_event disable trigger user`.execute(db.kysely);
        await sql`update audit_event set username = 'someone-else' where audit_id = ${target.audit_id}::bigint`.execute(db.kysely);
        await sql`alter table audit_event enable trigger user`.execute(db.kysely);
      } finally {
        await db.close();
      }

      const broken = smp('audit', 'verify');
      expect(broken.status).to.equal(1);
      expect(broken.stderr.split('\n')[0]).to.equal(
        `smp audit: the audit trail of study TAM-1 breaks at entry ${target.audit_id} (${target.at}): ` +
          'its stored hash does not match its content and the entry before it: it, or an entry before it, was changed or removed',
      );
      expect(smp('audit', 'verify', '--study', 'TAM-1').status).to.equal(1);
      const other = smp('audit', 'verify', '--study', 'TAM-2');
      expect(other.status, other.stderr).to.equal(0);
      expect(other.stdout).to.match(/^the audit trail holds: 1 entry verified in 1 chain\nTAM-2 +1 entry +last entry \d+ +sha256 [0-9a-f]{64}\n$/);
      const unknown = smp('audit', 'verify', '--study', 'NOPE');
      expect([unknown.status, unknown.stderr.trim()]).to.deep.equal([2, 'smp audit: study NOPE has no audit trail (no entry names it)']);
    } finally {
      await database?.drop();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  it('notices an entry removed from the end of a chain, by its head', async () => {
    const db = await freshDb();
    try {
      await importBundle(db, smallBundle('END-1'));
      await importBundle(db, smallBundle('END-1'), { replace: true });
      const last = String((await db.kysely.selectFrom('audit_event').select('audit_id').orderBy('audit_id', 'desc').executeTakeFirstOrThrow()).audit_id);
      expect((await verifyAuditTrail(db, 'END-1')).rowsVerified).to.equal(2);
      await sql`alter table audit_event disable trigger user`.execute(db.kysely);
      await sql`delete from audit_event where audit_id = ${last}::bigint`.execute(db.kysely);
      await sql`alter table audit_event enable trigger user`.execute(db.kysely);
      const verdict = await verifyAuditTrail(db, 'END-1');
      expect(verdict.breaks.map((b) => [b.studyCode, b.auditId])).to.deep.equal([['END-1', String(BigInt(last) - 1n)]]);
      expect(verdict.breaks[0]!.why).to.equal(`the chain ends at this entry but its head names entry ${last}: entries were removed from its end, or its head was changed`);
    } finally {
      await db.dispose();
    }
  });

  it('chains the entries of a store made before the chain when it is upgraded, and appends after them', async () => {
    const store = await emptyStore();
    try {
      await migrateTo(store.db.kysely, '2026-12-06-01-site-country');
      const insert = (study: string | null, entity: string, before: string | null, after: string | null, bundle: Buffer | null) => sql`
        insert into audit_event (username, role, action, entity, entity_key, study_code, site_codes, before, after, reason, replaced_bundle)
        values ('admin', 'admin', 'update', ${entity}, 'K', ${study}, ${study ? ['LON', 'MAN'] : []}::text[], ${before}::jsonb, ${after}::jsonb,
          ${study ? 'Corrected' : null}, ${bundle})`.execute(store.db.kysely);
      // jsonb that JSON.stringify would write otherwise (1.50, 1E2, members out of order, escapes).
      await insert('OLD-1', 'participant', '{"b": 1.50, "a": [1E2, "x\\ty"], "é": null}', '{"b": 2}', null);
      await insert(null, 'user', null, '{"role": "admin"}', null);
      await insert('OLD-2', 'study', null, null, gzipSync('{"format":"smp-study-bundle/1"}'));
      await insert('OLD-1', 'participant', '{"b": 2}', '{"b": 3, "nested": {"z": 1, "y": [true, false]}}', null);
      // Past ten entries, so that an order by the ids' text (10 before 2) would break the chain.
      for (let n = 0; n < 10; n++) await insert('OLD-2', 'site', `{"n": ${n}}`, `{"n": ${n + 1}}`, null);

      expect(await migrateToLatest(store.db.kysely)).to.include('2026-12-06-02-audit-hash-chain');
      const upgraded = await verifyAuditTrail(store.db);
      expect(upgraded.breaks).to.deep.equal([]);
      expect(upgraded.chains.map((chain) => [chain.studyCode, chain.rows, chain.lastAuditId])).to.deep.equal([
        [null, 1, '2'],
        ['OLD-1', 2, '4'],
        ['OLD-2', 11, '14'],
      ]);
      // The first entry's hash, computed apart from the application: SHA-256 of 32 zero bytes and its canonical content.
      const first = await store.db.kysely.selectFrom('audit_event').select(['chain_hash', sql<string>`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('at')]).where('audit_id', '=', '1').executeTakeFirstOrThrow();
      const content =
        '{"action":"update","after":{"b":2},"audit_id":"1","before":{"a":[100,"x\\ty"],"b":1.5,"é":null},"entity":"participant","entity_key":"K",' +
        `"occurred_at":"${first.at}","participant_code":null,"reason":"Corrected","replaced_bundle_sha256":null,"request_id":null,"role":"admin",` +
        '"site_codes":["LON","MAN"],"study_code":"OLD-1","user_id":null,"username":"admin"}';
      expect(Buffer.from(first.chain_hash).toString('hex')).to.equal(createHash('sha256').update(Buffer.alloc(32)).update(content).digest('hex'));

      await importBundle(store.db, smallBundle('OLD-1'));
      const appended = await verifyAuditTrail(store.db, 'OLD-1');
      expect([appended.breaks, appended.rowsVerified]).to.deep.equal([[], 3]);
    } finally {
      await store.dispose();
    }
  });

  it('refuses to restore an archive whose audit entry was edited, and writes nothing; restores an intact one whose chains go on', async () => {
    const source = await freshDb();
    const targets: Array<{ db: Db; dispose(): Promise<void> }> = [];
    try {
      await importBundle(source, smallBundle('ARC-1'));
      await importBundle(source, smallBundle('ARC-2'));
      await importBundle(source, smallBundle('ARC-1'), { replace: true });
      const archive = await backupBytes(source);
      const entry = (await source.kysely.selectFrom('audit_event').select(['audit_id']).where('study_code', '=', 'ARC-2').executeTakeFirstOrThrow()).audit_id;
      const at = (await sql<{ at: string }>`select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at from audit_event where audit_id = ${entry}::bigint`.execute(source.kysely)).rows[0]!.at;

      const target = await emptyStore();
      targets.push(target);
      const edited = editedArchive(archive, String(entry), 'username', 'someone-else');
      const refusal = await restoreBackup(target.db, 'edited.smpbackup', () => Readable.from([edited])).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(refusal?.message).to.equal(
        'edited.smpbackup is not an intact smp-backup/1 archive: its audit trail was changed: ' +
          `the audit trail of study ARC-2 breaks at entry ${entry} (${at}): its stored hash does not match its content and the entry before it: ` +
          'it, or an entry before it, was changed or removed; nothing was restored',
      );
      // Nothing written: no table made, none filled.
      const tables = (await selectTableShapes(target.db.kysely)).map((shape) => shape.name);
      expect(await selectNonEmptyTables(target.db.kysely, tables)).to.deep.equal([]);
      expect(tables).to.deep.equal([]);

      const restored = await emptyStore();
      targets.push(restored);
      await restoreBackup(restored.db, 'intact.smpbackup', () => Readable.from([archive]));
      await importBundle(restored.db, smallBundle('ARC-2'), { replace: true });
      const verdict = await verifyAuditTrail(restored.db);
      expect([verdict.breaks, verdict.rowsVerified]).to.deep.equal([[], 4]);
    } finally {
      for (const target of targets) await target.dispose();
      await source.dispose();
    }
  });

  if (SERVER_URL) {
    it('splits the roles with `smp db roles`: the runtime role appends to the trail but cannot switch off its triggers, change or remove it', async () => {
      const database = await createServerDatabase();
      const owner = `smp_owner_${process.pid}`;
      const runtime = `smp_app_${process.pid}`;
      const as = (role: string) => Object.assign(new URL(database.url), { username: role }).toString();
      const smp = (url: string, ...args: string[]) => runSmp({ ...process.env, DATABASE_URL: url }, args);
      let app: Db | undefined;
      const client = new pg.Client({ connectionString: as(runtime) });
      try {
        const printed = smp(database.url, 'db', 'roles', '--print', '--owner', owner, '--runtime', runtime);
        expect(printed.status, printed.stderr).to.equal(0);
        expect(printed.stdout).to.contain(`revoke all on audit_event from ${runtime};\ngrant select, insert on audit_event to ${runtime};\n`);
        expect(printed.stdout).to.contain(`alter schema "public" owner to ${owner};`);
        const made = smp(database.url, 'db', 'roles', '--owner', owner, '--runtime', runtime);
        expect(made.status, made.stderr).to.equal(0);
        expect(made.stdout).to.match(new RegExp(`^made the roles on .*: ${owner} owns the schema`));
        const migrated = smp(as(owner), 'db', 'migrate');
        expect([migrated.status, migrated.stdout.trim()]).to.deep.equal([0, `the schema of postgres ${redactedUrl(as(owner))} is up to date`]);

        // A normal audited write through the application, as the runtime role.
        app = await openMigratedDb({ databaseUrl: as(runtime) });
        await importBundle(app, smallBundle('ROLE-1'));
        const verdict = await verifyAuditTrail(app);
        expect([verdict.breaks, verdict.rowsVerified]).to.deep.equal([[], 1]);

        await client.connect();
        const refused = async (statement: string) => {
          const error = await client.query(statement).then(
            () => undefined,
            (e: { code?: string; message: string }) => e,
          );
          return [error?.code, error?.message];
        };
        expect(await refused('alter table audit_event disable trigger user')).to.deep.equal(['42501', 'must be owner of table audit_event']);
        expect(await refused("update audit_event set username = 'someone-else'")).to.deep.equal(['42501', 'permission denied for table audit_event']);
        expect(await refused('delete from audit_event')).to.deep.equal(['42501', 'permission denied for table audit_event']);
        expect(await refused('truncate audit_event')).to.deep.equal(['42501', 'permission denied for table audit_event']);
        expect(await refused('drop table audit_event')).to.deep.equal(['42501', 'must be owner of table audit_event']);
        expect(await refused('delete from audit_chain')).to.deep.equal(['42501', 'permission denied for table audit_chain']);
        expect(await auditCount(app)).to.equal(1);
      } finally {
        await client.end().catch(() => {});
        await app?.close();
        await database.drop();
        const admin = new pg.Client({ connectionString: SERVER_URL });
        await admin.connect();
        await admin.query(`drop role if exists ${runtime}`);
        await admin.query(`drop role if exists ${owner}`);
        await admin.end();
      }
    });
  } else {
    it('says that roles do not apply to the embedded database', () => {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-db-roles-'));
      try {
        for (const args of [['db', 'roles'], ['db', 'roles', '--print']]) {
          const result = runSmp({ ...process.env, SMP_DATA_DIR: path.join(work, 'data'), DATABASE_URL: '' }, args, { cwd: work });
          expect([result.status, result.stdout, result.stderr.trim()]).to.deep.equal([
            2,
            '',
            'smp db: roles apply to a PostgreSQL server (DATABASE_URL); the embedded database has no roles to split: ' +
              "it is one process's own files, protected by the file system",
          ]);
        }
        expect(fs.existsSync(path.join(work, 'data')), 'no store made').to.equal(false);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    });
  }
});

/** A new migrated store on the configured driver, with its URL on PostgreSQL. */
async function freshDbWithUrl(): Promise<{ db: TestDb; url?: string; dispose(): Promise<void> }> {
  if (!SERVER_URL) {
    const db = await freshDb();
    return { db, dispose: () => db.dispose() };
  }
  const database = await createServerDatabase();
  const db = Object.assign(await openMigratedDb({ databaseUrl: database.url }), { dispose: async () => {} });
  return {
    db,
    url: database.url,
    async dispose() {
      await db.close();
      await database.drop();
    },
  };
}
