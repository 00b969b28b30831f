// Backup and restore of the whole store as one portable archive, `smp-backup/1`: every table the
// migrations made (found in the catalogue, so tables added later are included unchanged), read
// in one snapshot, in foreign-key order, each in COPY text format and primary-key order, so the
// same data gives the same bytes from PGlite and from a PostgreSQL server. The format:
//
//   gzip of UTF-8 lines:
//   {"format":"smp-backup/1","createdAt":…,"source":{"driver","server"},"migrations":[…]}
//   {"table":"study","columns":["study_id",…]}      one section per table:
//   <one line per row, COPY text format>             its rows,
//   \.                                               and the end of the section
//   …
//   {"end":"smp-backup/1","tables":{"study":2,…},"rows":N,"sha256":"…"}
//
// The SHA-256 covers every byte before the last line. Restore checks the whole archive first
// (format, structure, row counts, checksum, the audit trail's hash chains) and writes nothing
// unless it is intact; then loads it into an empty store in one transaction and resets the
// identity sequences. Participants' contacts stay sealed in the archive; a restore of an archive
// holding any needs the key they were sealed under (SMP_CONTACT_KEY).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/kysely.ts';
import { migrateTo, migrateToLatest } from '../../db/migrate.ts';
import { migrations } from '../../db/migrations/index.ts';
import {
  orderedRowsQuery,
  resetSequences,
  selectAppliedMigrations,
  selectNonEmptyTables,
  selectTableShapes,
  type TableShape,
} from '../../db/repositories/backup-repository.ts';
import { AppError } from '../errors.ts';
import { checkContactKey } from './participant-contact-service.ts';
import { describeBreak } from './audit-chain.ts';
import { ArchiveChainCheck } from './audit-chain-archive.ts';

export const BACKUP_FORMAT = 'smp-backup/1';
const SECTION_END = '\\.';
/** Rows handed to one COPY on restore: bounds memory (PGlite loads each batch as one blob). */
const RESTORE_BATCH_BYTES = 8 * 1024 * 1024;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  source: { driver: string; server: string };
  migrations: string[];
}

export interface BackupSummary {
  header: BackupHeader;
  /** Row count of each table, in the archive's (foreign-key) order. */
  tables: Record<string, number>;
  rows: number;
}

/** Output settings that make COPY text identical on every server (and its input unambiguous). */
async function portableSession(kysely: Kysely<any>): Promise<void> {
  await sql`set local timezone = 'UTC'`.execute(kysely);
  await sql`set local datestyle = 'ISO, YMD'`.execute(kysely);
  await sql`set local intervalstyle = 'postgres'`.execute(kysely);
  await sql`set local extra_float_digits = 1`.execute(kysely);
  await sql`set local bytea_output = 'hex'`.execute(kysely);
}

/** Tables with every table before those that reference it; ties by name, so the order is fixed. */
export function foreignKeyOrder(shapes: TableShape[]): TableShape[] {
  const byName = new Map(shapes.map((shape) => [shape.name, shape]));
  const ordered: TableShape[] = [];
  const placed = new Set<string>();
  const remaining = shapes.map((shape) => shape.name).sort();
  while (remaining.length > 0) {
    const next = remaining.find((name) => byName.get(name)!.references.every((ref) => placed.has(ref) || !byName.has(ref)));
    if (next === undefined) throw new Error(`the foreign keys of tables ${remaining.join(', ')} form a cycle; they cannot be loaded in order`);
    remaining.splice(remaining.indexOf(next), 1);
    placed.add(next);
    ordered.push(byName.get(next)!);
  }
  return ordered;
}

/** Write the whole store to `output` as an `smp-backup/1` archive, from one consistent snapshot. */
export async function createBackup(db: Db, output: Writable): Promise<BackupSummary> {
  const gzip = createGzip();
  const written = pipeline(gzip, output);
  const hash = createHash('sha256');
  const write = async (chunk: string | Uint8Array) => {
    hash.update(chunk);
    if (!gzip.write(chunk)) await once(gzip, 'drain');
  };
  try {
    const summary = await db.transaction(
      async (trx) => {
        await portableSession(trx.kysely);
        const { rows } = await sql<{ server_version: string }>`show server_version`.execute(trx.kysely);
        const header: BackupHeader = {
          format: BACKUP_FORMAT,
          createdAt: new Date().toISOString(),
          source: { driver: db.driver, server: `PostgreSQL ${rows[0]!.server_version}` },
          migrations: await selectAppliedMigrations(trx.kysely),
        };
        await write(`${JSON.stringify(header)}\n`);
        const tables: Record<string, number> = {};
        let total = 0;
        for (const shape of foreignKeyOrder(await selectTableShapes(trx.kysely))) {
          await write(`${JSON.stringify({ table: shape.name, columns: shape.columns })}\n`);
          let count = 0;
          for await (const chunk of trx.copyOut(orderedRowsQuery(shape))) {
            for (const byte of chunk) if (byte === 0x0a) count++;
            await write(chunk);
          }
          await write(`${SECTION_END}\n`);
          tables[shape.name] = count;
          total += count;
        }
        return { header, tables, rows: total };
      },
      { readOnlySnapshot: true },
    );
    gzip.end(`${JSON.stringify({ end: BACKUP_FORMAT, tables: summary.tables, rows: summary.rows, sha256: hash.digest('hex') })}\n`);
    await written;
    return summary;
  } catch (error) {
    gzip.destroy();
    await written.catch(() => {});
    throw error;
  }
}

type ArchiveEvent =
  | { kind: 'header'; header: BackupHeader }
  | { kind: 'table'; name: string; columns: string[] }
  | { kind: 'rows'; text: string }
  | { kind: 'table-end'; name: string; rows: number }
  | { kind: 'end'; summary: BackupSummary };

const refused = (file: string, why: string) => new AppError('validation', `${file} is not an intact ${BACKUP_FORMAT} archive: ${why}; nothing was restored`);

/** The lines of a gzip stream, as bytes without their newline. */
async function* lines(input: Readable): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  const gunzip = createGunzip();
  input.on('error', (error) => gunzip.destroy(error));
  for await (const chunk of input.pipe(gunzip) as AsyncIterable<Buffer>) {
    let data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    let start = 0;
    for (let newline = data.indexOf(0x0a, start); newline !== -1; newline = data.indexOf(0x0a, start)) {
      yield data.subarray(start, newline);
      start = newline + 1;
    }
    pending = Buffer.from(data.subarray(start));
    data = pending;
  }
  if (pending.length > 0) yield pending; // a last line without its newline: the archive was cut short
}

function parseJson(line: Buffer): Record<string, unknown> | null {
  try {
    const value = JSON.parse(line.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** Read an archive as events, checking its structure, row counts and checksum as it goes. */
async function* readArchive(file: string, input: Readable): AsyncGenerator<ArchiveEvent> {
  const hash = createHash('sha256');
  const counted: Record<string, number> = {};
  let header: BackupHeader | undefined;
  let section: { name: string; rows: number; batch: string[]; bytes: number } | undefined;
  let end: Record<string, unknown> | undefined;
  let lineNumber = 0;
  try {
    for await (const line of lines(input)) {
      lineNumber++;
      if (end) throw refused(file, `line ${lineNumber} follows the closing line`);
      if (section) {
        hash.update(line).update('\n');
        if (line.length === 2 && line[0] === 0x5c && line[1] === 0x2e) {
          if (section.batch.length > 0) yield { kind: 'rows', text: section.batch.join('') };
          yield { kind: 'table-end', name: section.name, rows: section.rows };
          counted[section.name] = section.rows;
          section = undefined;
          continue;
        }
        section.rows++;
        const text = `${line.toString('utf8')}\n`;
        section.batch.push(text);
        section.bytes += text.length;
        if (section.bytes >= RESTORE_BATCH_BYTES) {
          yield { kind: 'rows', text: section.batch.join('') };
          section.batch = [];
          section.bytes = 0;
        }
        continue;
      }
      const record = parseJson(line);
      if (!header) {
        if (record?.format !== BACKUP_FORMAT) {
          const format = typeof record?.format === 'string' ? record.format : undefined;
          throw refused(file, format?.startsWith('smp-backup/') ? `its format ${format} is newer than this version of smp reads` : 'it does not start with an smp-backup header');
        }
        if (!Array.isArray(record.migrations) || !record.migrations.every((m) => typeof m === 'string')) {
          throw refused(file, 'its header lists no migrations');
        }
        header = record as unknown as BackupHeader;
        hash.update(line).update('\n');
        yield { kind: 'header', header };
      } else if (typeof record?.table === 'string' && Array.isArray(record.columns)) {
        if (record.table in counted) throw refused(file, `table ${record.table} appears twice`);
        hash.update(line).update('\n');
        section = { name: record.table, rows: 0, batch: [], bytes: 0 };
        yield { kind: 'table', name: record.table, columns: record.columns.map(String) };
      } else if (record?.end === BACKUP_FORMAT) {
        end = record;
      } else {
        throw refused(file, `line ${lineNumber} is neither a table nor the closing line`);
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw refused(file, `it cannot be read (${(error as Error).message})`);
  }
  if (!header) throw refused(file, 'it is empty');
  if (section || !end) throw refused(file, 'it is cut short (no closing line)');
  if (end.sha256 !== hash.digest('hex')) throw refused(file, 'its checksum does not match its content (the file is damaged or was changed)');
  const tables = end.tables as Record<string, number> | undefined;
  if (JSON.stringify(tables) !== JSON.stringify(counted) || end.rows !== Object.values(counted).reduce((a, b) => a + b, 0)) {
    throw refused(file, 'its row counts do not match its content');
  }
  yield { kind: 'end', summary: { header, tables: counted, rows: end.rows as number } };
}

/**
 * Check a whole archive (structure, row counts, checksum, and the audit trail's hash chains)
 * without touching any database.
 */
export async function verifyBackup(file: string, open: () => Readable): Promise<BackupSummary & { columns: Record<string, string[]> }> {
  const columns: Record<string, string[]> = {};
  const chains = new ArchiveChainCheck();
  for await (const event of readArchive(file, open())) {
    try {
      if (event.kind === 'table') chains.table(event.name, event.columns);
      if (event.kind === 'rows') chains.rows(event.text);
    } catch (error) {
      throw refused(file, `its audit trail cannot be read (${(error as Error).message})`);
    }
    if (event.kind === 'table') columns[event.name] = event.columns;
    if (event.kind === 'end') {
      const breaks = chains.finish()?.breaks ?? [];
      if (breaks.length > 0) throw refused(file, `its audit trail was changed: ${breaks.map(describeBreak).join('; ')}`);
      return { ...event.summary, columns };
    }
  }
  throw refused(file, 'it is cut short');
}

/**
 * Load an archive into an empty store: checked whole first, then the schema brought to the
 * archive's migrations, every table loaded in one transaction in the archive's (foreign-key)
 * order, the identity sequences reset, and the schema brought to this version's latest.
 */
export async function restoreBackup(db: Db, file: string, open: () => Readable, contactKey?: Buffer): Promise<BackupSummary> {
  const archive = await verifyBackup(file, open);
  const known = Object.keys(migrations);
  const unknown = archive.header.migrations.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new AppError('validation', `${file} was made by a later version of smp (its schema has migration ${unknown[0]}); restore it with that version or a newer one`);
  }
  const last = archive.header.migrations.at(-1);
  if (!last || archive.header.migrations.join('\n') !== known.slice(0, archive.header.migrations.length).join('\n')) {
    throw new AppError('validation', `${file} lists migrations this version did not make in that order; it cannot be restored`);
  }

  const present = (await selectTableShapes(db.kysely)).map((shape) => shape.name);
  const filled = await selectNonEmptyTables(db.kysely, present);
  if (filled.length > 0) {
    throw new AppError(
      'conflict',
      `the store at ${db.location} is not empty (rows in ${filled.join(', ')}); restore loads into an empty store only: ` +
        'a new PostgreSQL database (createdb) with DATABASE_URL, or a new SMP_DATA_DIR',
    );
  }
  const applied = await selectAppliedMigrations(db.kysely);
  if (applied.join('\n') !== archive.header.migrations.join('\n')) await migrateTo(db.kysely, last);

  const target = new Map((await selectTableShapes(db.kysely)).map((shape) => [shape.name, shape]));
  for (const [name, columns] of Object.entries(archive.columns)) {
    const shape = target.get(name);
    const missing = columns.filter((column) => !shape?.columns.includes(column));
    if (!shape || missing.length > 0) {
      throw new AppError('validation', `${file} holds ${shape ? `columns ${missing.join(', ')} of table ${name}` : `table ${name}`}, which this store's schema lacks`);
    }
  }

  await db.transaction(async (trx) => {
    await portableSession(trx.kysely);
    const events = readArchive(file, open());
    const next = async () => (await events.next()).value as ArchiveEvent | undefined;
    const counts: Record<string, number> = {};
    for (let event = await next(); event; event = await next()) {
      if (event.kind === 'table') {
        const rows = async function* () {
          for (let inner = await next(); inner; inner = await next()) {
            if (inner.kind === 'rows') yield inner.text;
            else if (inner.kind === 'table-end') return;
          }
        };
        counts[event.name] = await trx.copyText(event.name, event.columns, rows());
      } else if (event.kind === 'end') {
        // Read again for loading: the same bytes as checked, or the transaction rolls back.
        if (JSON.stringify(event.summary.tables) !== JSON.stringify(archive.tables)) throw refused(file, 'it changed while it was read');
      }
    }
    if (JSON.stringify(counts) !== JSON.stringify(archive.tables)) {
      throw new Error(`restore loaded ${JSON.stringify(counts)} rows where the archive holds ${JSON.stringify(archive.tables)}`);
    }
    await resetSequences(trx.kysely);
    // Contacts stay sealed in the archive: they load only where the same key opens them.
    if ((archive.tables.participant_contact ?? 0) > 0) await checkContactKey(trx.kysely, contactKey, `${file} was not restored`, true);
  });
  await migrateToLatest(db.kysely);
  return archive;
}
