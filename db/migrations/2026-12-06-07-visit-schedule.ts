// The follow-up schedule: the protocol's scheduled visits, kept with the study as a JSON list
// (the bundle's `protocol.visits`, checked by the bundle schema before it is written), and the
// calendar feeds of the worklist, each a per-user secret stored only as its hash.
// Frozen: change the schema with a new migration, never by editing this one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table study add column visits jsonb
      check (visits is null or (jsonb_typeof(visits) = 'array' and jsonb_array_length(visits) between 1 and 1000))`.execute(db);
  await sql`
    create table calendar_feed (
      feed_id integer generated always as identity primary key,
      user_id integer not null references app_user (user_id),
      study_code text not null,
      token_hash bytea not null unique,
      created_at timestamptz not null default now(),
      revoked_at timestamptz,
      last_used_at timestamptz
    )`.execute(db);
  await sql`create index calendar_feed_user_idx on calendar_feed (user_id, study_code)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table calendar_feed`.execute(db);
  await sql`alter table study drop column visits`.execute(db);
}
