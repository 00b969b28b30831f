// Opens the database: embedded PGlite by default, a PostgreSQL server through `pg` when a URL is
// given. Both return the same values (dates and int8 as strings) and offer the same transaction
// with a COPY loader, so everything above this file has one code path.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { CopyToStreamQuery } from 'pg-copy-streams';
import { lockDataDir, serverHolding, type LockHolder } from './data-dir-lock.ts';
import { copyStoreTemplate, holdsNoCluster } from './store-template.ts';
import { serveLocalCommands, SOCKET_PORT, socketFolderOf, socketPathFits, socketPathOf } from './local-socket.ts';
import { connectionFailure, DEFAULT_CONNECT_TIMEOUT_MS, parseDatabaseUrl, redactedUrl } from './postgres-url.ts';
import type { Database } from './types.ts';

/** The database's tables, for services that hand a connection or a transaction to repositories. */
export type { Database };

const PG_DATE = 1082;
const PG_INT8 = 20;
const PG_TIMESTAMPTZ = 1184;

/**
 * The embedded database's buffer pool. PGlite sets the pool up on every open, and PostgreSQL's
 * default of 128 MB took 0.4 s of each `smp` command's start. The pages are close by anyway: a
 * data directory's in the operating system's file cache, an in-memory database's in memory.
 * Measured with 16 MB against 128 MB: a warm `smp studies` 1.28 s against 1.70 s and 240 against
 * 355 MB; importing, analysing and exporting 20,000 participants no slower, with 130 MB less.
 */
const PGLITE_SHARED_BUFFERS = '16MB';

// Identical values from both drivers: no local-midnight Date objects, no lossy int8 numbers.
pg.types.setTypeParser(PG_DATE, (value: string) => value);
pg.types.setTypeParser(PG_INT8, (value: string) => value);
pg.types.setTypeParser(PG_TIMESTAMPTZ, (value: string) => value);

/** A value as it goes into a COPY row. */
export type CopyValue = string | number | boolean | null;

/** One transaction: a Kysely handle and COPY in and out, bound to the same connection. */
export interface DbTransaction {
  kysely: Kysely<Database>;
  /** Load rows into `table` with COPY; rows stream through in batches. Returns the row count. */
  copyRows(table: keyof Database, columns: readonly string[], rows: Iterable<readonly CopyValue[]>): Promise<number>;
  /** Lines of COPY text per chunk that suit this database (PGlite runs one COPY per chunk of copyText). */
  copyChunkRows: number;
  /**
   * Load text already in COPY's text format into `table`: each chunk holds whole lines, each
   * ending in a newline (on PGlite each chunk is one COPY, so chunks bound the memory used).
   */
  copyText(table: string, columns: readonly string[], chunks: AsyncIterable<string> | Iterable<string>): Promise<number>;
  /**
   * The rows of `query` in COPY's text format (`copy (query) to stdout`), or with `options` in
   * the format they name (`copy (query) to stdout with (options)`, e.g. `format csv, header`), in
   * chunks of bytes. A reader that stops early ends the query, and the connection is free for
   * the rollback that should follow: on PostgreSQL the query is cancelled, which aborts the
   * transaction.
   */
  copyOut(query: string, options?: string): AsyncIterable<Uint8Array>;
  /**
   * Another connection in this transaction's snapshot, for reads side by side with this one's
   * (a folder's csv tables, each COPY on its own connection). Only a read-only snapshot on a
   * PostgreSQL server has it; the connection is the transaction's until it ends, which must come
   * after every read on it has ended.
   */
  alongside?(): Promise<SnapshotReader>;
}

/** Reads in a transaction's snapshot on a connection of their own (DbTransaction.alongside). */
export type SnapshotReader = Pick<DbTransaction, 'kysely' | 'copyOut'>;

const copyOutStatement = (query: string, to: string, options: string | undefined) => `copy (${query}) to ${to}${options === undefined ? '' : ` with (${options})`}`;

export interface TransactionOptions {
  /** A REPEATABLE READ, READ ONLY transaction: one consistent snapshot for a long read. */
  readOnlySnapshot?: boolean;
}

export interface Db {
  kysely: Kysely<Database>;
  driver: 'pglite' | 'postgres';
  /** Where the data lives, for messages: a directory, `memory` or a server without password. */
  location: string;
  transaction<T>(work: (trx: DbTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Run a multi-query read in one snapshot (REPEATABLE READ, READ ONLY): every query sees the
   * database as of the first one, so a read that overlaps a replace sees the old study or the
   * new one whole, never a mix.
   */
  readSnapshot<T>(work: (kysely: Kysely<Database>) => Promise<T>, options?: SnapshotOptions): Promise<T>;
  /**
   * Call `onMessage` with the payload of every notification on `channel` (PostgreSQL's
   * LISTEN/NOTIFY), whichever process or connection sent it, once its transaction commits.
   * Resolves, once listening, to a function that stops.
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * A PostgreSQL server only: what opens another pool on the same database (openDb), for work on
   * a thread of its own. Absent for the embedded database, which one thread holds.
   */
  sameDatabase?: DbOptions;
  close(): Promise<void>;
}

export interface SnapshotOptions {
  /**
   * PostgreSQL: up to this many connections share the snapshot (one exports it, the others take
   * it), and queries started together run side by side, each on a free one (default 1). PGlite
   * has one session: its queries run in turn.
   */
  connections?: number | undefined;
}

export interface DbOptions {
  /** postgres://… to use a PostgreSQL server; otherwise PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data directory, or `memory://` (the default when no directory is given). */
  dataDir?: string | undefined;
  /** PGlite only: start from a dump made with `dumpDataDir`, much faster than a fresh cluster. */
  loadDataDir?: Blob | undefined;
  /** PGlite only: who takes the data directory, for the message a second process gets. */
  lockHolder?: LockHolder | undefined;
  /** PostgreSQL only: how long to wait for the server to accept a connection (default 10 s). */
  connectTimeoutMs?: number | undefined;
  /**
   * PGlite on disk only: answer other local `smp` commands on a Unix socket in the data directory
   * while this process holds it (`smp serve`).
   */
  serveLocalCommands?: boolean | undefined;
  /**
   * PGlite on disk only: when a server holding the data directory answers on its socket, use the
   * database through it (every command but `smp serve`). Default true.
   */
  throughServer?: boolean | undefined;
  /**
   * PGlite on disk only: a new data directory starts as a copy of the empty migrated store kept
   * in the cache (store-template.ts), when there is one: for openMigratedDb, which brings every
   * store to the latest schema anyway, and for restore, which brings an empty store to the
   * archive's schema from whichever it has.
   */
  fromStoreTemplate?: boolean | undefined;
}

/** Rows per COPY batch: bounds memory while keeping round trips few. */
const COPY_BATCH_ROWS = 5000;

const COPY_SPECIAL = /[\\\n\r\t]/;

/** Encode one value in COPY's text format. */
function copyField(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  if (!COPY_SPECIAL.test(value)) return value;
  return value.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

/**
 * One row as a line of COPY's text format, without its newline. Joined rather than added up, so
 * that the line is one flat string at once, not a tree of pieces the garbage collector copies
 * until the line is sent.
 */
export function copyTextLine(row: readonly CopyValue[]): string {
  const fields: string[] = new Array(row.length);
  for (let i = 0; i < row.length; i++) fields[i] = copyField(row[i]!);
  return fields.join('\t');
}

/** Rows in COPY text format, `batchRows` lines per string. */
export function* copyTextBatches(rows: Iterable<readonly CopyValue[]>, batchRows = COPY_BATCH_ROWS): Generator<string> {
  let lines: string[] = [];
  for (const row of rows) {
    lines.push(copyTextLine(row));
    if (lines.length === batchRows) {
      yield lines.join('\n') + '\n';
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}

/** One REPEATABLE READ, READ ONLY transaction on `kysely`, whatever the dialect. */
function readSnapshot<T>(kysely: Kysely<Database>, work: (kysely: Kysely<Database>) => Promise<T>): Promise<T> {
  return kysely
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      // kysely-pglite-dialect drops the access mode when it begins a transaction; saying it again
      // as the first statement makes the snapshot read-only on both drivers.
      await sql`set transaction read only`.execute(trx);
      return work(trx);
    });
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function copyStatement(table: string, columns: readonly string[], source: string): string {
  return `copy ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')}) from ${source}`;
}

export async function openDb(options: DbOptions = {}): Promise<Db> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  const onDisk = options.dataDir !== undefined && !options.dataDir.includes('://');
  if (onDisk && !options.serveLocalCommands && options.throughServer !== false) {
    const viaServer = await openThroughServer(options.dataDir!);
    if (viaServer) return viaServer;
  }
  return openPglite(options);
}

/** How long a command waits for a starting server to open its socket (PGlite opens in seconds). */
const SERVER_SOCKET_WAIT_MS = 60_000;

/**
 * The embedded database through the server that holds it, when one answers on the data
 * directory's socket; null when none does (no server, or a socket left by one that was killed),
 * and the caller opens the directory itself. A server that holds the directory but has not yet
 * opened its socket (it is still opening the database) is waited for.
 */
async function openThroughServer(dataDir: string): Promise<Db | null> {
  const socketPath = socketPathOf(dataDir);
  const giveUp = Date.now() + SERVER_SOCKET_WAIT_MS;
  for (;;) {
    const holder = serverHolding(dataDir);
    if (holder === null || Date.now() > giveUp) return null;
    if (fs.existsSync(socketPath)) {
      // No named statements (keepPlans): they would outlive the command in the one shared session.
      const pool = new pg.Pool({ host: socketFolderOf(dataDir), port: SOCKET_PORT, user: 'postgres', database: 'postgres', max: 4 });
      pool.on('error', () => {});
      try {
        (await pool.connect()).release();
        return postgresDb(pool, { driver: 'pglite', location: `${dataDir} (through the server, pid ${holder.pid})`, onClose: () => {} });
      } catch (error) {
        await pool.end().catch(() => {});
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ECONNREFUSED' && code !== 'ENOENT') throw error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function openPglite(options: DbOptions): Promise<Db> {
  // Loaded only when used: a server deployment never pays for the WASM build.
  const [{ PGlite, types: pgliteTypes }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
  ]);
  const onDisk = options.dataDir !== undefined && !options.dataDir.includes('://');
  const servesSocket = onDisk && options.serveLocalCommands === true && socketPathFits(options.dataDir!);
  const unlock = onDisk ? lockDataDir(options.dataDir!, { command: 'smp', ...options.lockHolder, servesSocket }) : () => {};
  if (onDisk && options.fromStoreTemplate && holdsNoCluster(options.dataDir!)) copyStoreTemplate(options.dataDir!);
  const pglite = await PGlite.create(options.dataDir ?? 'memory://', {
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    parsers: {
      [pgliteTypes.DATE]: (value: string) => value,
      [pgliteTypes.INT8]: (value: string) => value,
      [PG_TIMESTAMPTZ]: (value: string) => value,
    },
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  }).catch((error: unknown) => {
    unlock();
    throw error;
  });
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  let localSocket: { close(): Promise<void> } | null = null;
  if (onDisk && options.serveLocalCommands) {
    try {
      localSocket = await serveLocalCommands(pglite, kysely, options.dataDir!);
    } catch (error) {
      await kysely.destroy();
      unlock();
      throw error;
    }
  }

  return {
    kysely,
    driver: 'pglite',
    location: options.dataDir ?? 'memory',
    readSnapshot: (work) => readSnapshot(kysely, work),
    listen: async (channel, onMessage) => {
      const stop = await pglite.listen(channel, onMessage);
      return () => stop();
    },
    transaction: (work, options = {}) => {
      // The Kysely transaction holds PGlite's only session, so each COPY below runs inside it.
      const copyText: DbTransaction['copyText'] = async (table, columns, chunks) => {
        let count = 0;
        const statement = copyStatement(table, columns, `'/dev/blob'`);
        for await (const chunk of chunks) {
          const result = await pglite.query(statement, [], { blob: new Blob([chunk]) });
          count += result.affectedRows ?? 0;
        }
        return count;
      };
      const run = (trx: Kysely<Database>) =>
        work({
          kysely: trx,
          copyText,
          copyChunkRows: COPY_BATCH_ROWS * 10,
          copyRows: (table, columns, rows) => copyText(table, columns, copyTextBatches(rows, COPY_BATCH_ROWS * 10)),
          async *copyOut(query, copyOptions) {
            const result = await pglite.query(copyOutStatement(query, `'/dev/blob'`, copyOptions));
            if (result.blob) yield new Uint8Array(await result.blob.arrayBuffer());
          },
        });
      if (!options.readOnlySnapshot) return kysely.transaction().execute(run);
      return kysely
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          await sql`set transaction read only`.execute(trx);
          return run(trx);
        });
    },
    async close() {
      await localSocket?.close();
      await kysely.destroy();
      unlock();
    },
  };
}

/**
 * `work` in one REPEATABLE READ, READ ONLY snapshot held by `connections` connections of `pool`:
 * the first exports its snapshot and the others take it (`set transaction snapshot`), so every
 * query sees the same database whichever connection runs it. Each query takes a free connection,
 * or waits for one.
 */
async function readSharedSnapshot<T>(pool: pg.Pool, connections: number, work: (kysely: Kysely<Database>) => Promise<T>): Promise<T> {
  const clients: pg.PoolClient[] = [];
  const free: pg.PoolClient[] = [];
  const waiting: Array<{ resolve: (client: pg.PoolClient) => void; reject: (error: Error) => void }> = [];
  let ended = false;
  const giveBack = (client: pg.PoolClient) => {
    if (ended) return;
    const next = waiting.shift()?.resolve;
    if (next) next(client);
    else free.push(client);
  };
  const shared = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: {
        connect: async () => {
          if (ended) throw new Error('the snapshot read is over');
          const client = free.pop() ?? (await new Promise<pg.PoolClient>((resolve, reject) => waiting.push({ resolve, reject })));
          return { query: client.query.bind(client), release: () => giveBack(client) } as unknown as pg.PoolClient;
        },
        end: async () => {},
      },
    }),
  });
  let failed = false;
  try {
    const first = await pool.connect();
    clients.push(first);
    await first.query('start transaction isolation level repeatable read read only');
    const id = await exportSnapshot(first);
    const others = await Promise.all(Array.from({ length: connections - 1 }, () => joinSnapshot(pool, id, clients)));
    free.push(first, ...others);
    return await work(shared);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // A query still waiting for a connection (the work failed meanwhile) fails instead.
    ended = true;
    for (const { reject } of waiting.splice(0)) reject(new Error('the snapshot read is over'));
    // Read only: ending with a rollback or a commit is the same; a failed transaction needs the rollback.
    await Promise.all(clients.map((client) => client.query(failed ? 'rollback' : 'commit').catch(() => {})));
    for (const client of clients) client.release();
    await shared.destroy();
  }
}

/** The snapshot of the REPEATABLE READ transaction on `client`, for others to take (joinSnapshot). */
async function exportSnapshot(client: pg.PoolClient): Promise<string> {
  const { rows } = await client.query<{ id: string }>('select pg_export_snapshot() as id');
  return rows[0]!.id;
}

/**
 * A connection of `pool` in a read-only transaction that sees the exported snapshot `id`; it is
 * added to `held` as soon as it is taken, so that whoever holds the list ends it, also after a failure.
 */
async function joinSnapshot(pool: pg.Pool, id: string, held: pg.PoolClient[]): Promise<pg.PoolClient> {
  const client = await pool.connect();
  held.push(client);
  await client.query('start transaction isolation level repeatable read read only');
  await client.query(`set transaction snapshot '${id.replace(/'/g, "''")}'`);
  return client;
}

const statementNames = new Map<string, string>();

/** A statement's name on the server: the same text always gets the same name. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `smp_${createHash('sha1').update(text).digest('base64url').slice(0, 27)}`;
    if (statementNames.size < 10_000) statementNames.set(text, name);
  }
  return name;
}

/**
 * Make every statement with parameters on this connection a named prepared statement, so that
 * PostgreSQL plans it once per connection instead of at every execution. The tracker's
 * statements are few shapes executed many times, and planning was most of the server's work per
 * record write (a write's statements: 1,020 per second re-planned, 2,355 with their plans kept).
 */
function keepPlans(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0 && callback === undefined) {
      return query({ name: statementName(config), text: config, values });
    }
    return callback === undefined ? (values === undefined ? query(config) : query(config, values)) : query(config, values, callback);
  };
}

async function openPostgres(databaseUrl: string, connectTimeoutMs: number): Promise<Db> {
  const server = parseDatabaseUrl(databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: connectTimeoutMs });
  // The tracker's queries are short scans and sorts, where compiling them with LLVM (PostgreSQL's
  // JIT, on by default above a cost that a 20,000-participant study passes) costs more than it
  // saves: 100-150 ms on the study listing alone. Set on each new connection, before its first query.
  pool.on('connect', (client) => {
    client.query('set jit = off').catch(() => {});
    keepPlans(client);
  });
  // An idle connection that the server ends (a restart, a dropped database, pg_terminate_backend)
  // is an error event on the pool; unhandled, it would end the process. The pool drops that
  // connection and the next query opens a new one; a server says so in its log.
  let closed = false;
  pool.on('error', (error) => {
    if (!closed) console.error(`the PostgreSQL server at ${server.host}:${server.port} ended an idle connection: ${error.message}`);
  });
  // Connect now, so an unreachable server is reported as such (and the connection is reused).
  try {
    (await pool.connect()).release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw connectionFailure(error, server, connectTimeoutMs);
  }
  const db = await postgresDb(pool, { driver: 'postgres', location: redactedUrl(databaseUrl), onClose: () => (closed = true) });
  return { ...db, sameDatabase: { databaseUrl, connectTimeoutMs } };
}

/**
 * Bytes of COPY output read ahead while the reader writes what it has: the server goes on
 * sending while the reader waits on its destination (a disk, a client), and memory stays bounded.
 */
const COPY_OUT_BUFFER_BYTES = 1024 * 1024;

/**
 * The chunks of a COPY TO stream on `client`. A reader that stops early (a download the client
 * abandoned) would leave the query running and the connection stuck in COPY mode, its socket
 * full: the query is cancelled from another connection and the rest of its output read and
 * dropped until it ends, so the connection is free for the rollback that follows.
 */
async function* copyOutOf(pool: pg.Pool, client: pg.PoolClient, stream: CopyToStreamQuery): AsyncGenerator<Uint8Array> {
  client.query(stream);
  let ended = false;
  try {
    for await (const chunk of stream.iterator({ destroyOnReturn: false })) yield chunk as Uint8Array;
    ended = true;
  } finally {
    if (!ended) {
      const { processID } = client as unknown as { processID: number };
      await pool.query('select pg_cancel_backend($1)', [processID]).catch(() => {});
      stream.resume();
      await finished(stream).catch(() => {});
    }
    await untilReady(client);
  }
}

/** Once the server has said it is ready for the next query (its ReadyForQuery follows a COPY's end or error). */
function untilReady(client: pg.PoolClient): Promise<void> {
  if ((client as unknown as { readyForQuery: boolean }).readyForQuery) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      client.off('drain', done);
      client.off('end', done);
      client.off('error', done);
      resolve();
    };
    client.on('drain', done);
    client.on('end', done);
    client.on('error', done);
  });
}

/** A Kysely bound to one client, so that its queries and COPY share the client's transaction. */
function boundKysely(client: pg.PoolClient): Kysely<Database> {
  return new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: {
        connect: async () => ({ query: client.query.bind(client), release() {} }) as unknown as pg.PoolClient,
        end: async () => {},
      },
    }),
  });
}

/** A Db on a pg pool: a PostgreSQL server, or the embedded database through the server holding it. */
async function postgresDb(pool: pg.Pool, options: { driver: Db['driver']; location: string; onClose: () => void }): Promise<Db> {
  // A CommonJS package: its exports object is the default export under Node and in the bundle alike.
  const { from: copyFrom, to: copyTo } = (await import('pg-copy-streams')).default;
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  /** Whether a shared snapshot (readSharedSnapshot) is under way on this pool. */
  let sharing = false;
  /** COPY TO on `client`, in its transaction (DbTransaction.copyOut). */
  const copyOutOn =
    (client: pg.PoolClient): DbTransaction['copyOut'] =>
    (query, copyOptions) =>
      copyOutOf(pool, client, copyTo(copyOutStatement(query, 'stdout', copyOptions), { highWaterMark: COPY_OUT_BUFFER_BYTES }));

  return {
    kysely,
    driver: options.driver,
    location: options.location,
    // Only a server shares a snapshot: the embedded database through its server has one session,
    // where a second connection's transaction would wait for the first's, which waits for it. And
    // one shared snapshot at a time: several, each holding a connection while it waits for more,
    // could take the whole pool between them and wait on each other; the others read on one.
    readSnapshot: async (work, snapshotOptions = {}) => {
      if (options.driver !== 'postgres' || (snapshotOptions.connections ?? 1) <= 1 || sharing) return readSnapshot(kysely, work);
      sharing = true;
      try {
        return await readSharedSnapshot(pool, snapshotOptions.connections!, work);
      } finally {
        sharing = false;
      }
    },
    async listen(channel, onMessage) {
      // A connection of its own, held while listening: notifications arrive on the connection
      // that ran LISTEN, between the pool's queries.
      const client = await pool.connect();
      const onNotification = (message: pg.Notification) => {
        if (message.channel === channel) onMessage(message.payload ?? '');
      };
      client.on('notification', onNotification);
      await client.query(`listen ${quoteIdentifier(channel)}`);
      return async () => {
        client.off('notification', onNotification);
        await client.query(`unlisten ${quoteIdentifier(channel)}`).catch(() => {});
        client.release();
      };
    },
    async transaction(work, transactionOptions = {}) {
      const client = await pool.connect();
      const bound = boundKysely(client);
      /** The connections alongside this one in its snapshot (alongside), ended with the transaction. */
      const besides: pg.PoolClient[] = [];
      let snapshotId: Promise<string> | null = null;
      const alongside = async (): Promise<SnapshotReader> => {
        snapshotId ??= exportSnapshot(client);
        const other = await joinSnapshot(pool, await snapshotId, besides);
        return { kysely: boundKysely(other), copyOut: copyOutOn(other) };
      };
      const copyText: DbTransaction['copyText'] = async (table, columns, chunks) => {
        const stream = client.query(copyFrom(copyStatement(table, columns, 'stdin')));
        await pipeline(Readable.from(chunks), stream);
        return Number(stream.rowCount ?? 0);
      };
      try {
        await client.query(transactionOptions.readOnlySnapshot ? 'start transaction isolation level repeatable read read only' : 'begin');
        const result = await work({
          kysely: bound,
          copyText,
          copyChunkRows: COPY_BATCH_ROWS,
          copyRows: (table, columns, rows) => copyText(table, columns, copyTextBatches(rows)),
          copyOut: copyOutOn(client),
          // Only a server: the embedded database through its server has one session (see readSnapshot).
          ...(transactionOptions.readOnlySnapshot && options.driver === 'postgres' ? { alongside } : {}),
        });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        // Read only: a rollback ends them as a commit would, and also after an error.
        for (const other of besides) {
          await other.query('rollback').catch(() => {});
          other.release();
        }
        await bound.destroy();
        client.release();
      }
    },
    close: () => {
      options.onClose();
      return kysely.destroy();
    },
  };
}
