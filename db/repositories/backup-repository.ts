// What a backup needs to know of the store, read from PostgreSQL's catalogue so that every table
// a migration adds is included with no change here: the tables, their columns, primary keys and
// foreign keys, and the identity sequences to reset after a restore. SQL only.
import { sql, type Kysely } from 'kysely';

/** Kysely's own bookkeeping: not data, and recreated by the migrator. */
const MIGRATOR_TABLES = ['kysely_migration', 'kysely_migration_lock'];
/** The running servers' shared state (rate-limit counts, the access generation): not data, and made again by use. */
const SERVER_STATE_TABLES = ['rate_limit_count', 'access_generation'];

export interface TableShape {
  name: string;
  /** Columns a COPY can write, in table order (stored generated columns are left out). */
  columns: string[];
  /** Primary key columns, in key order; text ones are compared byte-wise (COLLATE "C"). */
  key: Array<{ column: string; collatable: boolean }>;
  /** Tables this one's foreign keys reference (itself excluded). */
  references: string[];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Every base table of the current schema except the migrator's and the servers' state, with its shape. */
export async function selectTableShapes(db: Kysely<any>): Promise<TableShape[]> {
  const columns = await sql<{ table: string; column: string; generated: string; collatable: boolean }>`
    select c.relname as table, a.attname as column, a.attgenerated::text as generated, a.attcollation <> 0 as collatable
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid
    where n.nspname = current_schema() and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
    order by c.relname, a.attnum`.execute(db);
  const keys = await sql<{ table: string; column: string }>`
    select tc.relname as table, a.attname as column
    from pg_constraint con
    join pg_class tc on tc.oid = con.conrelid
    join pg_namespace n on n.oid = tc.relnamespace
    cross join lateral unnest(con.conkey) with ordinality as k(attnum, position)
    join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
    where con.contype = 'p' and n.nspname = current_schema()
    order by tc.relname, k.position`.execute(db);
  const references = await sql<{ table: string; referenced: string }>`
    select distinct tc.relname as table, rc.relname as referenced
    from pg_constraint con
    join pg_class tc on tc.oid = con.conrelid
    join pg_class rc on rc.oid = con.confrelid
    join pg_namespace n on n.oid = tc.relnamespace
    where con.contype = 'f' and n.nspname = current_schema()`.execute(db);

  const shapes = new Map<string, TableShape>();
  const collatable = new Map<string, boolean>();
  for (const row of columns.rows) {
    if (MIGRATOR_TABLES.includes(row.table) || SERVER_STATE_TABLES.includes(row.table)) continue;
    const shape = shapes.get(row.table) ?? { name: row.table, columns: [], key: [], references: [] };
    shapes.set(row.table, shape);
    if (row.generated === '') shape.columns.push(row.column);
    collatable.set(`${row.table}.${row.column}`, row.collatable);
  }
  for (const row of keys.rows) {
    shapes.get(row.table)?.key.push({ column: row.column, collatable: collatable.get(`${row.table}.${row.column}`) ?? false });
  }
  for (const row of references.rows) {
    if (row.referenced !== row.table) shapes.get(row.table)?.references.push(row.referenced);
  }
  return [...shapes.values()];
}

/** `select` of a table's rows in primary-key order (every column when it has no key): one order on every server. */
export function orderedRowsQuery(shape: TableShape): string {
  const order = shape.key.length > 0 ? shape.key : shape.columns.map((column) => ({ column, collatable: false }));
  const orderBy = order.map(({ column, collatable }) => `${quote(column)}${collatable ? ' collate "C"' : ''}`).join(', ');
  return `select ${shape.columns.map(quote).join(', ')} from ${quote(shape.name)}${orderBy ? ` order by ${orderBy}` : ''}`;
}

/** The tables among `names` that hold at least one row. */
export async function selectNonEmptyTables(db: Kysely<any>, names: string[]): Promise<string[]> {
  const filled: string[] = [];
  for (const name of names) {
    const { rows } = await sql<{ filled: boolean }>`select exists (select 1 from ${sql.table(name)}) as filled`.execute(db);
    if (rows[0]?.filled) filled.push(name);
  }
  return filled;
}

/** Names of the migrations that have run, in order; empty for a database never migrated. */
export async function selectAppliedMigrations(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ exists: boolean }>`select to_regclass('kysely_migration') is not null as exists`.execute(db);
  if (!rows[0]?.exists) return [];
  const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return applied.rows.map((row) => row.name);
}

/**
 * Set every sequence that feeds a column (identity or serial) past the largest value stored, so
 * the next generated key does not collide with a restored one.
 */
export async function resetSequences(db: Kysely<any>): Promise<number> {
  const { rows } = await sql<{ table: string; column: string; sequence: string }>`
    select c.relname as table, a.attname as column, pg_get_serial_sequence(quote_ident(c.relname), a.attname) as sequence
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid
    where n.nspname = current_schema() and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
      and pg_get_serial_sequence(quote_ident(c.relname), a.attname) is not null`.execute(db);
  for (const { table, column, sequence } of rows) {
    await sql`select setval(${sequence}, coalesce((select max(${sql.ref(column)}) from ${sql.table(table)}), 0) + 1, false)`.execute(db);
  }
  return rows.length;
}
