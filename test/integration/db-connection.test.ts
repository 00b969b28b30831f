// Connecting to a PostgreSQL server, as users get it wrong: a DATABASE_URL that is not a
// postgres:// URL, a closed port, a server that never answers (the connect timeout), a database
// that does not exist. Each is one sentence naming DATABASE_URL, the host and the port, exit 1,
// at once or within the timeout, and no stack trace. All on loopback addresses.
import net from 'node:net';
import { expect } from 'chai';
import { configFromEnv } from '../../api/config.ts';
import { openDb } from '../../db/kysely.ts';
import { runSmp } from '../support/cli-workspace.ts';
import { DRIVER, SERVER_URL } from '../support/database.ts';

function smp(env: NodeJS.ProcessEnv, ...args: string[]) {
  const started = performance.now();
  const result = runSmp({ ...process.env, ...env }, args);
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/** A TCP server on 127.0.0.1 that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe(`database connection errors (${DRIVER})`, function () {
  this.timeout(60_000);

  it('refuses a DATABASE_URL that is not postgres:// or postgresql://, naming DATABASE_URL', () => {
    for (const url of ['mysql://root@127.0.0.1/smp', 'file:./data', 'sqlite:///tmp/x.db']) {
      const run = smp({ DATABASE_URL: url }, 'studies');
      expect(run.status, url).to.equal(1);
      expect(run.stderr.trim(), url).to.equal(
        `smp studies: DATABASE_URL must be a postgres:// or postgresql:// URL (got ${new URL(url).protocol}//…); ` +
          'unset it to use the embedded database in SMP_DATA_DIR',
      );
    }
    const notUrl = smp({ DATABASE_URL: '127.0.0.1:5432/test' }, 'studies');
    expect(notUrl.status).to.equal(1);
    expect(notUrl.stderr.trim()).to.equal('smp studies: DATABASE_URL is not a URL; it must look like postgres://user@host:5432/database');
    // postgresql:// is accepted as well as postgres:// (the check is on the scheme only).
    expect(() => configFromEnv({ DATABASE_URL: 'postgresql://u@127.0.0.1:1/x' })).not.to.throw();
  });

  it('names DATABASE_URL, the host and the port when the connection is refused', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve)); // now nothing listens there
    const run = smp({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/none` }, 'studies');
    expect(run.status).to.equal(1);
    expect(run.stderr).to.equal(
      `smp studies: cannot connect to the PostgreSQL server at 127.0.0.1:${port} (DATABASE_URL): the connection was refused; ` +
        `is the server running and listening on port ${port}?\n`,
    );
  });

  it('gives up on a server that never answers after SMP_DB_CONNECT_TIMEOUT seconds', async () => {
    const silent = await silentServer();
    try {
      const run = smp({ DATABASE_URL: `postgres://postgres@127.0.0.1:${silent.port}/x`, SMP_DB_CONNECT_TIMEOUT: '0.5' }, 'studies');
      expect(run.status).to.equal(1);
      expect(run.stderr).to.equal(
        `smp studies: cannot connect to the PostgreSQL server at 127.0.0.1:${silent.port} (DATABASE_URL): no answer within 0.5 s ` +
          '(SMP_DB_CONNECT_TIMEOUT sets the limit in seconds)\n',
      );
      expect(run.seconds).to.be.above(0.5).and.below(10);

      // In-process too, and the pool is closed: nothing keeps the process alive afterwards.
      const started = performance.now();
      const error = await openDb({ databaseUrl: `postgres://postgres@127.0.0.1:${silent.port}/x`, connectTimeoutMs: 300 }).then(
        () => null,
        (e: Error) => e,
      );
      expect(error?.message).to.match(/no answer within 0\.3 s/);
      expect(performance.now() - started).to.be.above(290).and.below(5000);
    } finally {
      await silent.close();
    }
  });

  it('waits 10 seconds by default, and refuses a timeout that is not a positive number', () => {
    expect(configFromEnv({}).connectTimeoutMs).to.equal(10_000);
    expect(configFromEnv({ SMP_DB_CONNECT_TIMEOUT: '2.5' }).connectTimeoutMs).to.equal(2_500);
    for (const value of ['0', '-1', 'soon']) {
      expect(() => configFromEnv({ SMP_DB_CONNECT_TIMEOUT: value })).to.throw(
        `SMP_DB_CONNECT_TIMEOUT must be a number of seconds above 0 (got "${value}")`,
      );
    }
  });

  const serverUrl = SERVER_URL;
  if (serverUrl) {
    it('survives the server ending an idle connection: says so, and the next query reconnects', async () => {
      const { sql } = await import('kysely');
      const db = await openDb({ databaseUrl: serverUrl });
      const logged: string[] = [];
      const consoleError = console.error;
      console.error = (...args: unknown[]) => logged.push(args.join(' '));
      try {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely);
        const admin = await openDb({ databaseUrl: serverUrl });
        await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(admin.kysely);
        await admin.close();
        for (let wait = 0; wait < 50 && logged.length === 0; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(logged).to.have.length(1);
        expect(logged[0]).to.match(/^the PostgreSQL server at .* ended an idle connection: terminating connection due to administrator command$/);
        const again = await sql<{ one: number }>`select 1 as one`.execute(db.kysely);
        expect(again.rows).to.deep.equal([{ one: 1 }]);
      } finally {
        console.error = consoleError;
        await db.close();
      }
    });

    it("turns PostgreSQL's JIT compilation off on every connection (it costs more than it saves here)", async () => {
      const db = await openDb({ databaseUrl: serverUrl });
      try {
        const { sql } = await import('kysely');
        const shown = await Promise.all([1, 2, 3].map(() => sql<{ jit: string }>`show jit`.execute(db.kysely)));
        expect(shown.map((result) => result.rows[0]!.jit)).to.deep.equal(['off', 'off', 'off']);
        const inTransaction = await db.transaction(async (trx) => (await sql<{ jit: string }>`show jit`.execute(trx.kysely)).rows[0]!.jit);
        expect(inTransaction).to.equal('off');
      } finally {
        await db.close();
      }
    });

    it('says which database does not exist on a reachable server', () => {
      const url = new URL(serverUrl);
      url.pathname = '/smp_no_such_database';
      const run = smp({ DATABASE_URL: url.toString() }, 'studies');
      expect(run.status).to.equal(1);
      expect(run.stderr).to.equal(
        `smp studies: the database "smp_no_such_database" does not exist on the PostgreSQL server at ${url.hostname}:${url.port || 5432} ` +
          '(DATABASE_URL); create it first (createdb smp_no_such_database)\n',
      );
    });
  }
});
