// COPY TO read in part: a reader that stops early (a download the client abandoned) ends the
// query, and the transaction's connection answers the next statement at once. On PostgreSQL the
// COPY is cancelled (read to its end, its 50 million rows would take far longer than the test's
// timeout), which aborts the transaction: the next statement is refused, and it rolls back.
import { expect } from 'chai';
import { sql } from 'kysely';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';

describe(`COPY TO read in part (${DRIVER})`, function () {
  this.timeout(20_000);
  let db: TestDb;

  before(async () => {
    db = await freshDb();
  });
  after(() => db.dispose());

  it('stopping after the first chunk ends the query; the connection answers the next statement', async () => {
    // PGlite gives COPY's output whole, so its query stays small.
    const rows = DRIVER === 'postgres' ? 50_000_000 : 10_000;
    const result = await db.transaction(
      async (trx) => {
        let chunks = 0;
        let bytes = 0;
        for await (const chunk of trx.copyOut(`select generate_series(1, ${rows}) as g, repeat('x', 40)`, 'format csv, header')) {
          chunks += 1;
          bytes = chunk.length;
          break;
        }
        const next = await sql<{ one: number }>`select 1 as one`.execute(trx.kysely).then(
          ({ rows: answer }) => answer[0]!.one,
          (error: Error) => error.message,
        );
        return { chunks, read: bytes > 0, next };
      },
      { readOnlySnapshot: true },
    );
    // PGlite read the whole output before the first chunk: nothing to cancel, the transaction goes on.
    const next = DRIVER === 'postgres' ? 'current transaction is aborted, commands ignored until end of transaction block' : 1;
    expect(result).to.deep.equal({ chunks: 1, read: true, next });
    if (DRIVER === 'postgres') {
      const { rows: running } = await sql<{ query: string }>`
        select query from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`.execute(db.kysely);
      expect(running).to.deep.equal([]);
    }
  });

  it('read to the end, every row comes, header first', async () => {
    const text = await db.transaction(async (trx) => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of trx.copyOut('select g as n, g % 2 = 0 as even from generate_series(1, 3) g', 'format csv, header')) chunks.push(chunk);
      return Buffer.concat(chunks).toString('utf8');
    });
    expect(text).to.equal('n,even\n1,f\n2,t\n3,f\n');
  });
});
