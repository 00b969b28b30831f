// The embedded database's socket for local commands: a command's transaction and the server's
// own never interleave (each waits for the other's COMMIT or ROLLBACK), a command that vanishes
// mid-transaction is rolled back, and COPY FROM STDIN arrives whole. PGlite only: the socket is
// how the embedded database is shared; a PostgreSQL server shares itself.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { sql } from 'kysely';
import pg from 'pg';
import { openDb, type Db } from '../../db/kysely.ts';
import { copyFromStdinTarget, SOCKET_PORT, socketFolderOf } from '../../db/local-socket.ts';

describe('the embedded database shared over its socket', function () {
  this.timeout(60_000);
  let work: string;
  let server: Db;
  let dataDir: string;

  const client = async () => {
    const connection = new pg.Client({ host: socketFolderOf(dataDir), port: SOCKET_PORT, user: 'postgres', database: 'postgres' });
    await connection.connect();
    return connection;
  };
  const values = async () => (await sql<{ n: number }>`select n from probe order by n`.execute(server.kysely)).rows.map((row) => row.n);
  /** Whether `promise` has settled once every pending callback has run. */
  const settled = async (promise: Promise<unknown>) => {
    let done = false;
    void promise.then(
      () => (done = true),
      () => (done = true),
    );
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    return done;
  };

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-socket-'));
    dataDir = path.join(work, 'data');
    server = await openDb({ dataDir, serveLocalCommands: true, lockHolder: { command: 'smp serve' } });
    await sql`create table probe (n int not null)`.execute(server.kysely);
  });
  beforeEach(async () => {
    await sql`delete from probe`.execute(server.kysely);
  });
  after(async () => {
    await server?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("holds the server's writes while a command's transaction is open, and its rollback undoes only its own", async () => {
    const command = await client();
    try {
      await command.query('begin');
      await command.query('insert into probe values (1)');
      const serverWrite = sql`insert into probe values (2)`.execute(server.kysely);
      expect(await settled(serverWrite)).to.equal(false);
      await command.query('rollback');
      await serverWrite;
      expect(await values()).to.deep.equal([2]);
    } finally {
      await command.end();
    }
  });

  it("holds a command's statements while the server's transaction is open", async () => {
    let commit!: () => void;
    const gate = new Promise<void>((resolve) => (commit = resolve));
    const serverTransaction = server.transaction(async (trx) => {
      await sql`insert into probe values (10)`.execute(trx.kysely);
      await gate;
      await sql`insert into probe values (11)`.execute(trx.kysely);
    });
    const command = await client();
    try {
      const read = command.query<{ n: number }>('select n from probe order by n');
      expect(await settled(read)).to.equal(false);
      commit();
      await serverTransaction;
      expect((await read).rows.map((row) => row.n)).to.deep.equal([10, 11]);
    } finally {
      await command.end();
    }
  });

  it('rolls back a transaction left open by a command that disconnects, and serves on', async () => {
    const command = await client();
    command.on('error', () => {});
    await command.query('begin');
    await command.query('insert into probe values (20)');
    const serverWrite = sql`insert into probe values (21)`.execute(server.kysely);
    (command as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await serverWrite;
    expect(await values()).to.deep.equal([21]);
    const next = await client();
    try {
      expect((await next.query('select count(*)::int as n from probe')).rows[0].n).to.equal(1);
    } finally {
      await next.end();
    }
  });

  it('loads COPY FROM STDIN through the socket inside a command transaction', async () => {
    const command = await openDb({ dataDir });
    try {
      expect(command.location).to.equal(`${dataDir} (through the server, pid ${process.pid})`);
      const loaded = await command.transaction((trx) =>
        trx.copyRows('probe' as never, ['n'], [[30], [31], [32]]),
      );
      expect(loaded).to.equal(3);
      expect(await values()).to.deep.equal([30, 31, 32]);
      // A COPY that fails rolls its transaction back whole.
      const failing = command.transaction(async (trx) => {
        await trx.copyRows('probe' as never, ['n'], [[33]]);
        await trx.copyText('probe', ['n'], ['not a number\n']);
      });
      let failure: unknown;
      await failing.catch((error: unknown) => (failure = error));
      expect(String((failure as Error).message)).to.match(/invalid input syntax for type integer/);
      expect(await values()).to.deep.equal([30, 31, 32]);
    } finally {
      await command.close();
    }
  });

  it('recognises COPY FROM STDIN statements and nothing else', () => {
    expect(copyFromStdinTarget('copy "probe" ("n") from stdin')).to.equal('"probe" ("n")');
    expect(copyFromStdinTarget('COPY probe FROM STDIN;')).to.equal('probe');
    expect(copyFromStdinTarget("copy probe from '/dev/blob'")).to.equal(null);
    expect(copyFromStdinTarget('select 1')).to.equal(null);
  });
});
