// Investigator e-signatures, participant locks and study freezes. Users gain a full name (what a
// signature shows) and the right to sign. A signature keeps who signed, when, what it means and
// the SHA-256 of the participant's canonical data; a later change marks it invalid but never
// removes it. A lock stops writes to a participant until an administrator unlocks it with a
// reason; every lock is kept with its unlock. A freeze keeps the study's canonical bundle,
// compressed, with its hash. Signatures and freezes are never deleted (triggers refuse it), and
// name their study and participant by code so that they outlive a replaced study.
// Frozen: change the schema with a new migration, never by editing this one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table app_user add column full_name text check (length(full_name) between 1 and 200)`.execute(db);
  await sql`alter table app_user add column may_sign boolean not null default false`.execute(db);
  await sql`
    create table participant_signature (
      signature_id integer generated always as identity primary key,
      study_code text not null,
      participant_code text not null,
      user_id integer references app_user (user_id),
      username text not null,
      full_name text not null check (length(full_name) between 1 and 200),
      meaning text not null check (meaning in ('approve', 'review')),
      signed_at timestamptz not null default now(),
      data_sha256 bytea not null check (length(data_sha256) = 32),
      invalidated_at timestamptz,
      invalidated_by text,
      check ((invalidated_at is null) = (invalidated_by is null))
    )`.execute(db);
  await sql`create index participant_signature_participant_idx on participant_signature (study_code, participant_code, signature_id)`.execute(db);
  await sql`
    create table participant_lock (
      lock_id integer generated always as identity primary key,
      study_code text not null,
      participant_code text not null,
      locked_by text not null,
      locked_at timestamptz not null default now(),
      unlocked_by text,
      unlocked_at timestamptz,
      unlock_reason text check (length(unlock_reason) between 1 and 2000),
      check ((unlocked_at is null) = (unlocked_by is null) and (unlocked_at is null) = (unlock_reason is null))
    )`.execute(db);
  await sql`
    create unique index participant_lock_current_idx on participant_lock (study_code, participant_code)
      where unlocked_at is null`.execute(db);
  await sql`
    create table study_freeze (
      freeze_id integer generated always as identity primary key,
      study_code text not null,
      label text not null check (length(label) between 1 and 200),
      created_by text not null,
      created_at timestamptz not null default now(),
      bundle_gz bytea not null,
      bundle_sha256 bytea not null check (length(bundle_sha256) = 32)
    )`.execute(db);
  await sql`create index study_freeze_study_idx on study_freeze (study_code, freeze_id)`.execute(db);
  await sql`
    create function keep_signatures_and_freezes() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and tg_table_name = 'participant_signature' and old.invalidated_at is null
        and new.invalidated_at is not null and (to_jsonb(new) - 'invalidated_at' - 'invalidated_by')
          = (to_jsonb(old) - 'invalidated_at' - 'invalidated_by') then
        return new;
      end if;
      raise exception 'signatures and freezes are kept as made: % on % is not allowed', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  for (const table of ['participant_signature', 'study_freeze']) {
    await sql`
      create trigger ${sql.raw(`${table}_kept`)} before update or delete on ${sql.table(table)}
        for each row execute function keep_signatures_and_freezes()`.execute(db);
    await sql`
      create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
        for each statement execute function keep_signatures_and_freezes()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table study_freeze`.execute(db);
  await sql`drop table participant_lock`.execute(db);
  await sql`drop table participant_signature`.execute(db);
  await sql`drop function keep_signatures_and_freezes()`.execute(db);
  await sql`alter table app_user drop column may_sign`.execute(db);
  await sql`alter table app_user drop column full_name`.execute(db);
}
