// State that every server process on the database shares: the counts of the per-address rate
// limits on the sign-in routes, and the number of changes of access (users, grants, tokens,
// sessions), which a trigger raises on every such change, so that each process knows when its
// remembered look-ups of who a token or session belongs to are out of date.
// Frozen: change the schema with a new migration, never by editing this one.
import { sql, type Kysely } from 'kysely';

/** The changes that alter who a token or session belongs to, or what they may do. */
const ACCESS_TRIGGERS: Array<[table: string, events: string]> = [
  ['app_user', 'insert or delete or update of username, role, disabled_at'],
  ['user_grant', 'insert or delete or update'],
  ['auth_session', 'delete or update of revoked_at, user_id'],
  ['api_token', 'delete or update of revoked_at, expires_at, user_id'],
];

export async function up(db: Kysely<any>): Promise<void> {
  // One row per rate limit and client (its address or trusted browser): failures in the window.
  await sql`
    create table rate_limit_count (
      limit_name text not null check (limit_name ~ '^[a-z][a-z0-9-]{0,63}$'),
      client_key text not null check (length(client_key) <= 200),
      hits integer not null check (hits >= 0),
      resets_at timestamptz not null,
      primary key (limit_name, client_key)
    )`.execute(db);
  await sql`create index rate_limit_count_resets_idx on rate_limit_count (resets_at)`.execute(db);
  // One row: the number of access changes so far. Neither table is part of a backup.
  await sql`
    create table access_generation (
      only_row boolean primary key default true check (only_row),
      generation bigint not null default 0
    )`.execute(db);
  await sql`insert into access_generation default values`.execute(db);
  await sql`
    create function access_generation_raise() returns trigger language plpgsql as $$
    begin
      insert into access_generation (only_row, generation) values (true, 1)
        on conflict (only_row) do update set generation = access_generation.generation + 1;
      return null;
    end
    $$`.execute(db);
  for (const [table, events] of ACCESS_TRIGGERS) {
    await sql`
      create trigger ${sql.raw(`${table}_access_change`)} after ${sql.raw(events)} on ${sql.table(table)}
        for each statement execute function access_generation_raise()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [table] of ACCESS_TRIGGERS) await sql`drop trigger ${sql.raw(`${table}_access_change`)} on ${sql.table(table)}`.execute(db);
  await sql`drop function access_generation_raise()`.execute(db);
  await sql`drop table access_generation`.execute(db);
  await sql`drop table rate_limit_count`.execute(db);
}
