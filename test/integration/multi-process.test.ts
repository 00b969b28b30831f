// Two servers on one database behave as one service: a session made on one works on the other, a
// sign-out on one ends it on both at once, failed sign-ins and rate-limit counts add up across
// them, and a record written through one changes the other's next chart answer. On PostgreSQL the
// two are `smp serve` processes on two ports; on the embedded database (one process only) they are
// two apps in this process. Also `smp serve --workers N` and its refusals of bad input.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { hashPassword } from '../../api/services/password.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { openMigratedDb } from '../../db/migrate.ts';
import type { Db } from '../../db/kysely.ts';
import { createServerDatabase, DRIVER, freshDb, SERVER_URL } from '../support/database.ts';
import { httpRequester, startTestServer, type TestServer } from '../support/http-client.ts';
import { createTestUser, type TestUser } from '../support/users.ts';

const SMP = fileURLToPath(new URL('../../api/bin/smp.js', import.meta.url));
const demo = JSON.parse(readFileSync(new URL('../../fixtures/smp-2021.json', import.meta.url), 'utf8')) as StudyBundle;
const CODE = demo.study.code;
const PASSWORD = 'correct horse battery staple';

type Server = Pick<TestServer, 'base' | 'request'>;

/** `smp serve` with `args` on the database at `databaseUrl`: resolves with the child and the lines it printed once `ready` matches. */
function startSmp(args: string[], databaseUrl: string, ready: RegExp): Promise<{ child: ChildProcessWithoutNullStreams; out: () => string }> {
  const env = { ...process.env, DATABASE_URL: databaseUrl, SMP_TRUST_PROXY: '1', SMP_LOG_LEVEL: 'silent' };
  const child = spawn(process.execPath, [SMP, 'serve', ...args], { env });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (ready.test(out)) resolve({ child, out: () => out });
    });
    child.once('exit', (code) => reject(new Error(`smp serve exited with ${code}: ${err}`)));
  });
}

async function stopSmp(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe(`two servers on one database (${DRIVER})`, function () {
  this.timeout(300_000);
  let db: Db;
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  let a: Server;
  let b: Server;
  let admin: TestUser;
  const stops: Array<() => Promise<void>> = [];

  before(async () => {
    if (SERVER_URL) {
      const database = await createServerDatabase();
      databaseUrl = database.url;
      dropDatabase = database.drop;
      db = await openMigratedDb({ databaseUrl });
    } else {
      const fresh = await freshDb();
      db = fresh;
      dropDatabase = () => fresh.dispose();
    }
    await importBundle(db, demo);
    admin = await createTestUser(db, 'admin');
    if (databaseUrl !== undefined) {
      for (const name of ['a', 'b']) {
        const { child, out } = await startSmp(['--port', '0'], databaseUrl, /SMP outcomes tracker: (http:\/\/\S+)\//);
        stops.push(() => stopSmp(child));
        const base = /SMP outcomes tracker: (http:\/\/\S+)\//.exec(out())![1]!;
        const server = { base, request: httpRequester(base) };
        if (name === 'a') a = server;
        else b = server;
      }
    } else {
      for (const name of ['a', 'b']) {
        const server = await startTestServer(db, { trustProxyHops: 1 });
        stops.push(() => server.close());
        if (name === 'a') a = server;
        else b = server;
      }
    }
  });
  after(async () => {
    for (const stop of stops) await stop();
    if (databaseUrl !== undefined) await db?.close();
    await dropDatabase?.();
  });

  async function userWithPassword(): Promise<TestUser> {
    const user = await createTestUser(db, 'researcher', [{ studyCode: CODE, siteCode: null }]);
    await db.kysely.updateTable('app_user').set({ password_hash: await hashPassword(PASSWORD) }).where('user_id', '=', user.userId).execute();
    return user;
  }
  const signIn = (server: Server, username: string, password: string, address: string) =>
    server.request('POST', '/api/auth/sign-in', { body: { username, password }, headers: { 'x-forwarded-for': address } });

  it('takes a session made on one server on the other, and ends it on both at once when signed out on one', async () => {
    const user = await userWithPassword();
    const signedIn = await signIn(a, user.username, PASSWORD, '192.0.2.10');
    expect(signedIn.status).to.equal(200);
    const cookie = signedIn.cookie!;
    const me = await b.request('GET', '/api/auth/me', { cookie });
    expect(me.status).to.equal(200);
    expect(me.body).to.deep.include({ username: user.username, role: 'researcher', via: 'session' });
    // B remembers the session now (SMP_AUTH_CACHE_SECONDS, 5 by default); the sign-out on A still ends it there.
    expect((await b.request('GET', '/api/auth/me', { cookie })).status).to.equal(200);
    expect((await a.request('POST', '/api/auth/sign-out', { cookie })).status).to.equal(204);
    expect((await b.request('GET', '/api/auth/me', { cookie })).status).to.equal(401);
    expect((await a.request('GET', '/api/auth/me', { cookie })).status).to.equal(401);
  });

  it('ends on both servers at once an API token revoked on one', async () => {
    const user = await createTestUser(db, 'researcher', [{ studyCode: CODE, siteCode: null }]);
    const bearer = { authorization: `Bearer ${user.token}` };
    expect((await b.request('GET', '/api/studies', { headers: bearer })).status).to.equal(200);
    const tokens = await a.request('GET', `/api/users/${user.username}/tokens`, { headers: admin.headers });
    const revoked = await a.request('DELETE', `/api/users/${user.username}/tokens/${tokens.body.tokens[0].id}`, { headers: admin.headers });
    expect(revoked.status).to.equal(200);
    expect((await b.request('GET', '/api/studies', { headers: bearer })).status).to.equal(401);
  });

  it('locks an account after five failed sign-ins spread over both servers', async () => {
    const user = await userWithPassword();
    const servers = [a, b, a, b, a];
    for (const [i, server] of servers.entries()) {
      expect((await signIn(server, user.username, `guess ${i}`, '192.0.2.20')).status, `failure ${i + 1}`).to.equal(401);
    }
    // Three failures on one and two on the other: neither alone reached five.
    expect((await signIn(b, user.username, PASSWORD, '192.0.2.20')).status, 'locked, even with the right password').to.equal(401);
    expect((await signIn(a, user.username, PASSWORD, '192.0.2.21')).status, 'locked from another address too').to.equal(401);
    const row = await db.kysely.selectFrom('app_user').select(['locked_until']).where('user_id', '=', user.userId).executeTakeFirstOrThrow();
    expect(row.locked_until).to.not.equal(null);
  });

  it("adds up an address's failed sign-ins over both servers for the rate limit", async () => {
    for (let i = 0; i < 10; i++) {
      expect((await signIn(i % 2 === 0 ? a : b, `nobody-${i}`, PASSWORD, '198.51.100.7')).status, `attempt ${i + 1}`).to.equal(401);
    }
    expect((await signIn(a, 'nobody-10', PASSWORD, '198.51.100.7')).status).to.equal(429);
    expect((await signIn(b, 'nobody-11', PASSWORD, '198.51.100.7')).status).to.equal(429);
    // Another address is not held back.
    expect((await signIn(b, 'nobody-12', PASSWORD, '198.51.100.8')).status).to.equal(401);
  });

  it("changes the other server's chart answer at once when a session is added through one", async () => {
    const charts = async (server: Server) => {
      const reply = await server.request('GET', `/api/studies/${CODE}/charts`, { headers: admin.headers });
      expect(reply.status).to.equal(200);
      return reply.body.summary.sessions.total as number;
    };
    const sessions = demo.participants.reduce((total, participant) => total + participant.sessions.length, 0);
    expect(await charts(b)).to.equal(sessions);
    expect(await charts(b), 'asked again: the kept answer').to.equal(sessions);
    const first = demo.participants.find((participant) => participant.code === 'P01')!.sessions[0]!;
    const added = await a.request('POST', `/api/studies/${CODE}/participants/P01/sessions`, {
      headers: admin.headers,
      body: { kind: 'touch_up', date: '2018-09-20', durationMinutes: 30, practitioner: first.practitioner, pigmentLot: first.pigmentLot, anesthesia: first.anesthesia },
    });
    expect(added.status, JSON.stringify(added.body)).to.equal(201);
    expect(await charts(b)).to.equal(sessions + 1);
    expect(await charts(a)).to.equal(sessions + 1);
  });

  if (SERVER_URL) {
    it('serves with `smp serve --workers 2` on one port, and stops both processes on SIGTERM', async () => {
      const { child, out } = await startSmp(['--port', '0', '--workers', '2'], databaseUrl!, /smp serve: 2 server processes on one port \(pids \d+, \d+\)/);
      try {
        const pids = /\(pids (\d+), (\d+)\)/.exec(out())!.slice(1).map(Number);
        const base = /SMP outcomes tracker: (http:\/\/\S+)\//.exec(out())![1]!;
        const request = httpRequester(base);
        const replies = await Promise.all(Array.from({ length: 6 }, () => request('GET', '/api/studies', { headers: admin.headers })));
        expect(replies.map((reply) => reply.status)).to.deep.equal([200, 200, 200, 200, 200, 200]);
        expect(pids.map(isAlive)).to.deep.equal([true, true]);
        await stopSmp(child);
        expect(child.exitCode).to.equal(0);
        for (let wait = 0; wait < 50 && pids.some(isAlive); wait++) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(pids.map(isAlive)).to.deep.equal([false, false]);
      } finally {
        await stopSmp(child);
      }
    });
  }
});

describe('smp serve --workers: bad input', function () {
  this.timeout(120_000);
  const run = (args: string[], databaseUrl: string) =>
    spawnSync(process.execPath, [SMP, 'serve', '--port', '0', ...args], { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8', timeout: 60_000 });
  // Never reached: the options are refused before any connection.
  const SOME_SERVER = 'postgres://nobody@127.0.0.1:1/none';

  it('refuses --workers 0 and other counts that are not whole numbers of at least 1', () => {
    for (const value of ['0', '-1', 'two', '1.5']) {
      const refused = run([`--workers=${value}`], SOME_SERVER);
      expect(refused.status, value).to.equal(2);
      expect(refused.stderr, value).to.contain(`smp serve: --workers must be a whole number of processes, 1 or more (got "${value}")`);
    }
  });

  it('refuses --workers on the embedded database, which one process opens', () => {
    const refused = run(['--workers', '2'], '');
    expect(refused.status).to.equal(2);
    expect(refused.stderr).to.contain(
      'smp serve: --workers needs a PostgreSQL server (DATABASE_URL): the embedded database in SMP_DATA_DIR is opened by one process only; leave --workers out to serve it',
    );
  });

  it('refuses more workers than the machine has cores', () => {
    const cores = os.availableParallelism();
    const refused = run(['--workers', String(cores + 1)], SOME_SERVER);
    expect(refused.status).to.equal(2);
    expect(refused.stderr).to.contain(`smp serve: --workers ${cores + 1} is more than this machine's ${cores} core${cores === 1 ? '' : 's'}; use at most --workers ${cores}`);
  });
});
