// Sign-in hardening: server secrets (the key that signs device cookies, shared by every server
// process on the database and kept across restarts), the failed sign-ins and locks of trusted
// browsers (device cookies), the time before which a user's device cookies no longer count, and
// for each sign-in session a number and the browser it came from, so that a user can see their
// sessions and end them. Frozen: change the schema with a new migration, never by editing this one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Made on first use (not here), so that a restore into a new store finds it empty.
  await sql`
    create table server_secret (
      name text primary key check (name ~ '^[a-z][a-z0-9-]{0,63}$'),
      secret bytea not null check (length(secret) = 32),
      created_at timestamptz not null default now()
    )`.execute(db);
  // One row per trusted browser that has failed to sign in: its failures in a row, and its lock.
  await sql`
    create table device_sign_in (
      device_id bytea primary key check (length(device_id) = 16),
      user_id integer not null references app_user (user_id),
      failed_sign_ins integer not null default 0 check (failed_sign_ins >= 0),
      locked_until timestamptz,
      last_failure_at timestamptz not null
    )`.execute(db);
  await sql`create index device_sign_in_user_idx on device_sign_in (user_id)`.execute(db);
  await sql`alter table app_user add column devices_trusted_from timestamptz`.execute(db);
  await sql`alter table auth_session add column session_id integer generated always as identity`.execute(db);
  await sql`alter table auth_session add constraint auth_session_session_id_key unique (session_id)`.execute(db);
  await sql`alter table auth_session add column user_agent text check (length(user_agent) <= 300)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table auth_session drop column user_agent`.execute(db);
  await sql`alter table auth_session drop column session_id`.execute(db);
  await sql`alter table app_user drop column devices_trusted_from`.execute(db);
  await sql`drop table device_sign_in`.execute(db);
  await sql`drop table server_secret`.execute(db);
}
