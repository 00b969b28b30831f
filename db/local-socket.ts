// The embedded database shared with local commands: while `smp serve` holds a PGlite data
// directory, it answers the PostgreSQL protocol on a Unix socket inside that directory, so that
// `smp user add`, `smp backup` and the rest connect with `pg` instead of opening the directory.
// PGlite has one session. A command's statements take the server's one Kysely connection while
// they run, and keep it from BEGIN to COMMIT, so a command's transaction and the server's own
// never interleave: each is atomic relative to the other.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import type { Database } from './types.ts';

/** The folder of the socket inside a data directory (mode 0700: only its owner may enter). */
export const SOCKET_FOLDER = 'socket';
/** The port number in the socket's name, as `pg` and `psql` form it: `.s.PGSQL.5432`. */
export const SOCKET_PORT = 5432;

export const socketFolderOf = (dataDir: string) => path.join(dataDir, SOCKET_FOLDER);
export const socketPathOf = (dataDir: string) => path.join(socketFolderOf(dataDir), `.s.PGSQL.${SOCKET_PORT}`);

/** Longest Unix socket path the kernel takes (108 bytes with the terminating zero on Linux). */
const MAX_SOCKET_PATH = 107;

/** Whether the socket of `dataDir` has a path short enough for a Unix socket. */
export const socketPathFits = (dataDir: string) => Buffer.byteLength(socketPathOf(dataDir)) <= MAX_SOCKET_PATH;

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

/** A backend message: its type byte and body. */
function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const cString = (text: string) => Buffer.from(`${text}\0`, 'utf8');

/** The answer to a startup message: no authentication (the socket's mode is the check), ready. */
function startupAnswer(serverVersion: string): Buffer {
  const parameter = (name: string, value: string) => message('S', Buffer.concat([cString(name), cString(value)]));
  const key = Buffer.alloc(8);
  key.writeInt32BE(process.pid, 0);
  return Buffer.concat([
    message('R', Buffer.from([0, 0, 0, 0])),
    parameter('server_version', serverVersion),
    parameter('server_encoding', 'UTF8'),
    parameter('client_encoding', 'UTF8'),
    parameter('DateStyle', 'ISO, MDY'),
    parameter('integer_datetimes', 'on'),
    parameter('standard_conforming_strings', 'on'),
    message('K', key),
    message('Z', Buffer.from('I', 'latin1')),
  ]);
}

const query = (text: string) => message('Q', cString(text));

/** `copy "t" ("a", "b") from stdin`: the part before `from stdin`, or null for any other statement. */
export function copyFromStdinTarget(statement: string): string | null {
  const match = /^\s*copy\s+([\s\S]+?)\s+from\s+stdin\s*;?\s*$/i.exec(statement);
  return match ? match[1]! : null;
}

/** The text of a simple Query message. */
const queryText = (bytes: Buffer) => bytes.subarray(5, bytes.length - 1).toString('utf8');

const errorText = (error: unknown) =>
  error instanceof Error ? error.message : typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);

/**
 * Follows the backend's answer, chunk by chunk, for what decides the connection's hold:
 * the transaction status of the last ReadyForQuery, and whether a COPY FROM STDIN is under way.
 */
class AnswerReader {
  /** I idle, T in a transaction, E in a failed transaction. */
  status = 'I';
  /** Whether the last complete message was ReadyForQuery. */
  ready = true;
  copyIn = false;
  private header = Buffer.alloc(0);
  private remaining = 0;
  private type = '';

  read(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        if (this.type === 'Z') this.status = String.fromCharCode(chunk[offset + take - 1]!);
        offset += take;
        this.remaining -= take;
        continue;
      }
      const need = 5 - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + need)]);
      offset += Math.min(need, chunk.length - offset);
      if (this.header.length < 5) return;
      this.type = String.fromCharCode(this.header[0]!);
      this.remaining = this.header.readInt32BE(1) - 4;
      this.header = Buffer.alloc(0);
      this.ready = this.type === 'Z';
      if (this.type === 'G') this.copyIn = true;
      if (this.type === 'Z') this.copyIn = false;
    }
  }
}

interface Lease {
  release(): void;
}

export interface LocalSocketServer {
  /** The socket's path, `DATA_DIR/socket/.s.PGSQL.5432`. */
  path: string;
  /** Stop listening and end the connections (rolling back what they left open). */
  close(): Promise<void>;
}

/**
 * Answer local commands on `DATA_DIR/socket/.s.PGSQL.5432`. The caller holds the data
 * directory's lock, so a socket file found there was left by a process that has ended.
 * Returns null, with the reason in `onWarning`, when the path is too long for a Unix socket.
 */
export async function serveLocalCommands(
  pglite: PGlite,
  kysely: Kysely<Database>,
  dataDir: string,
  onWarning: (text: string) => void = (text) => console.error(text),
): Promise<LocalSocketServer | null> {
  const folder = socketFolderOf(dataDir);
  const socketPath = socketPathOf(dataDir);
  if (!socketPathFits(dataDir)) {
    onWarning(`other smp commands cannot reach this server: the socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes; use a shorter SMP_DATA_DIR`);
    return null;
  }
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  fs.chmodSync(folder, 0o700);
  fs.rmSync(socketPath, { force: true });
  const { rows } = await pglite.query<{ server_version: string }>('show server_version');
  const serverVersion = rows[0]?.server_version ?? '18';

  /** Take the server's one Kysely connection until released: the server's queries wait meanwhile. */
  const takeConnection = () =>
    new Promise<Lease>((leased, failed) => {
      kysely
        .connection()
        .execute(() => new Promise<void>((release) => leased({ release })))
        .catch(failed);
    });

  /** Each open connection, with its end: closed and cleaned up after. */
  const connections = new Map<net.Socket, Promise<void>>();

  const server = net.createServer((socket) => {
    let ended!: () => void;
    connections.set(socket, new Promise<void>((resolve) => (ended = resolve)));
    let buffered = Buffer.alloc(0);
    let started = false;
    let lease: Lease | null = null;
    let used = false;
    let chain = Promise.resolve();
    const reader = new AnswerReader();
    // COPY … FROM STDIN: PGlite reads COPY data from a blob, not from the protocol. The statement
    // is answered here, its data collected, and at CopyDone run as COPY … FROM '/dev/blob'.
    let copying: { target: string; chunks: Buffer[] } | null = null;
    const run = async (bytes: Uint8Array) => {
      lease ??= await takeConnection();
      used = true;
      await pglite.runExclusive(() =>
        pglite.execProtocolRawStream(bytes, {
          onRawData: (data) => {
            reader.read(data);
            if (!socket.destroyed) socket.write(Buffer.from(data));
          },
        }),
      );
    };
    const finishCopy = async (failure: string | null) => {
      const { target, chunks } = copying!;
      copying = null;
      if (failure !== null) {
        // Inside a dollar-quoted string: only a `$` could end it early.
        const reason = failure.replace(/\$/g, '').replace(/'/g, "''");
        await run(query(`do $$ begin raise exception 'COPY from stdin failed: %', '${reason}'; end $$`));
      } else {
        await pglite._handleBlob(new Blob(chunks.map((chunk) => new Uint8Array(chunk))));
        try {
          await run(query(`copy ${target} from '/dev/blob'`));
        } finally {
          await pglite._cleanupBlob();
        }
      }
      releaseIfIdle();
    };
    const releaseIfIdle = () => {
      if (lease && reader.ready && reader.status === 'I' && !reader.copyIn) {
        lease.release();
        lease = null;
      }
    };

    const pump = async () => {
      while (buffered.length >= 4) {
        if (!started) {
          const length = buffered.readInt32BE(0);
          if (length < 8) {
            socket.destroy(); // not the PostgreSQL protocol
            return;
          }
          if (buffered.length < length) return;
          const code = buffered.readInt32BE(4);
          buffered = buffered.subarray(length);
          if (code === SSL_REQUEST || code === GSS_REQUEST) socket.write('N');
          else if (code === CANCEL_REQUEST) socket.end();
          else if (code === PROTOCOL_3) {
            started = true;
            socket.write(startupAnswer(serverVersion));
          } else {
            socket.end(message('E', Buffer.concat([cString('SFATAL'), cString('C08P01'), cString('Munsupported protocol'), Buffer.from([0])])));
          }
          continue;
        }
        if (buffered.length < 5) return;
        const length = 1 + buffered.readInt32BE(1);
        if (buffered.length < length) return;
        const bytes = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        const type = String.fromCharCode(bytes[0]!);
        if (type === 'X') {
          socket.end();
          return;
        }
        if (copying) {
          if (type === 'd') copying.chunks.push(Buffer.from(bytes.subarray(5)));
          else if (type === 'c' || type === 'f') await finishCopy(type === 'c' ? null : bytes.subarray(5, bytes.length - 1).toString('utf8'));
          // Flush and Sync during COPY IN are ignored, as PostgreSQL does.
          continue;
        }
        const target = type === 'Q' ? copyFromStdinTarget(queryText(bytes)) : null;
        if (target !== null) {
          lease ??= await takeConnection();
          used = true;
          copying = { target, chunks: [] };
          socket.write(message('G', Buffer.from([0, 0, 0])));
          continue;
        }
        await run(bytes);
        releaseIfIdle();
      }
    };

    /** What a command left behind goes: an open COPY, a transaction, prepared statements, settings. */
    const cleanUp = async () => {
      if (!used) return;
      copying = null;
      try {
        if (!reader.ready) await run(message('S'));
        if (reader.status !== 'I') await run(query('rollback'));
        await run(query('discard all'));
      } finally {
        lease?.release();
        lease = null;
      }
    };

    socket.on('data', (data) => {
      buffered = Buffer.concat([buffered, data]);
      chain = chain.then(pump).catch((error: unknown) => {
        onWarning(`a local command's connection failed: ${errorText(error)}`);
        socket.destroy();
      });
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      void chain
        .then(cleanUp)
        .catch((error: unknown) => onWarning(`could not clean up after a local command: ${errorText(error)}`))
        .finally(() => {
          connections.delete(socket);
          ended();
        });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);

  return {
    path: socketPath,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const ends = [...connections.values()];
      for (const socket of connections.keys()) socket.destroy();
      await closed;
      await Promise.all(ends);
      fs.rmSync(socketPath, { force: true });
    },
  };
}
