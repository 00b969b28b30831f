// Live data capture: record versions for optimistic concurrency, per-participant record
// numbers that are never reused, de-identification keys and stored pseudonyms, users with their
// grants, sign-in sessions, API tokens and one-time links, and the append-only audit trail.
// Frozen: change the schema with a new migration, never by editing this one.
import { createHmac, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

const RECORD_TABLES = [
  'study', 'site', 'practitioner', 'participant', 'treatment_session',
  'adverse_event', 'fading_assessment', 'satisfaction_survey',
] as const;

// The pseudonym scheme as of this migration, frozen here with it: the application's copy is
// api/services/deidentify.ts, and test/integration/migrations.test.ts keeps the two equal.
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function frozenPseudonym(secret: Uint8Array, kind: 'participant' | 'practitioner', code: string): string {
  const digest = createHmac('sha256', secret).update(`${kind}\u0000${code}`, 'utf8').digest();
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of digest) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 13) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
    if (out.length === 13) break;
  }
  return (kind === 'participant' ? 'P-' : 'PR-') + out;
}

export async function up(db: Kysely<any>): Promise<void> {
  // One counter for every record's version, so that a version is never seen twice for one
  // record: not after a delete and re-create, not after a replace.
  await sql`create sequence record_version_seq`.execute(db);
  for (const table of RECORD_TABLES) {
    await sql`alter table ${sql.table(table)} add column version bigint not null default nextval('record_version_seq')`.execute(db);
  }

  // The next adverse-event, assessment and survey numbers: numbers are never reused. And a count
  // of changes to the participant's records, so that a writer can tell that what it read is stale.
  await sql`
    alter table participant
      add column last_event_no integer not null default 0 check (last_event_no >= 0),
      add column last_assessment_no integer not null default 0 check (last_assessment_no >= 0),
      add column last_survey_no integer not null default 0 check (last_survey_no >= 0),
      add column records_version bigint not null default 0`.execute(db);
  await sql`
    update participant p set
      last_event_no = coalesce((select max(event_no) from adverse_event e
        where e.study_id = p.study_id and e.participant_no = p.participant_no), 0),
      last_assessment_no = coalesce((select max(assessment_no) from fading_assessment a
        where a.study_id = p.study_id and a.participant_no = p.participant_no), 0),
      last_survey_no = coalesce((select max(survey_no) from satisfaction_survey s
        where s.study_id = p.study_id and s.participant_no = p.participant_no), 0)`.execute(db);

  // Each study's de-identification key, and the pseudonyms it gives, stored so that a
  // reviewer's request can find a participant by pseudonym.
  await sql`
    create table study_secret (
      study_id integer primary key references study (study_id) on delete cascade,
      deid_key bytea not null check (length(deid_key) = 32)
    )`.execute(db);
  await sql`alter table participant add column pseudonym text`.execute(db);
  await sql`alter table practitioner add column pseudonym text`.execute(db);
  const studies = await sql<{ study_id: number }>`select study_id from study`.execute(db);
  for (const { study_id } of studies.rows) {
    const key = randomBytes(32);
    await sql`insert into study_secret (study_id, deid_key) values (${study_id}, ${key})`.execute(db);
    for (const kind of ['participant', 'practitioner'] as const) {
      const table = sql.table(kind);
      const rows = await sql<{ code: string }>`select code from ${table} where study_id = ${study_id}`.execute(db);
      for (const { code } of rows.rows) {
        await sql`update ${table} set pseudonym = ${frozenPseudonym(key, kind, code)}
          where study_id = ${study_id} and code = ${code}`.execute(db);
      }
    }
  }
  for (const table of ['participant', 'practitioner']) {
    await sql`alter table ${sql.table(table)} alter column pseudonym set not null`.execute(db);
    await sql`alter table ${sql.table(table)} add unique (study_id, pseudonym)`.execute(db);
  }

  // Users. Never deleted (the audit trail names them): disabled instead.
  await sql`
    create table app_user (
      user_id integer generated always as identity primary key,
      username text not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
      role text not null check (role in ('admin', 'researcher', 'clinic', 'reviewer')),
      password_hash text,
      failed_sign_ins integer not null default 0 check (failed_sign_ins >= 0),
      locked_until timestamptz,
      disabled_at timestamptz,
      created_at timestamptz not null default now(),
      version bigint not null default nextval('record_version_seq')
    )`.execute(db);
  // Grants by code, not key: a grant outlives a replace of its study.
  await sql`
    create table user_grant (
      user_id integer not null references app_user (user_id),
      study_code text not null check (study_code ~ '^[A-Z0-9-]{2,32}$'),
      site_code text,
      granted_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index user_grant_unique on user_grant (user_id, study_code, coalesce(site_code, ''))`.execute(db);
  await sql`
    create table auth_session (
      session_hash bytea primary key,
      user_id integer not null references app_user (user_id),
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      revoked_at timestamptz
    )`.execute(db);
  await sql`create index auth_session_user_idx on auth_session (user_id)`.execute(db);
  await sql`
    create table api_token (
      token_id integer generated always as identity primary key,
      user_id integer not null references app_user (user_id),
      token_hash bytea not null unique,
      created_at timestamptz not null default now(),
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz
    )`.execute(db);
  await sql`create index api_token_user_idx on api_token (user_id)`.execute(db);
  await sql`
    create table sign_in_link (
      link_hash bytea primary key,
      user_id integer not null references app_user (user_id),
      purpose text not null check (purpose in ('invite', 'sign-in')),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz
    )`.execute(db);

  // The audit trail: one row per change, written in the change's transaction. Rows are only
  // ever inserted; the database itself refuses UPDATE, DELETE and TRUNCATE.
  await sql`
    create table audit_event (
      audit_id bigint generated always as identity primary key,
      occurred_at timestamptz not null default clock_timestamp(),
      request_id text,
      user_id integer,
      username text not null,
      role text not null,
      action text not null check (action in ('create', 'update', 'delete', 'import', 'replace')),
      entity text not null,
      entity_key text not null,
      study_code text,
      site_codes text[] not null default '{}',
      participant_code text,
      before jsonb,
      after jsonb,
      reason text,
      replaced_bundle bytea
    )`.execute(db);
  await sql`create index audit_event_study_idx on audit_event (study_code, audit_id)`.execute(db);
  await sql`create index audit_event_participant_idx on audit_event (study_code, participant_code, audit_id)`.execute(db);
  await sql`
    create function audit_event_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit trail is append-only: % on audit_event is not allowed', tg_op
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`
    create trigger audit_event_no_update_or_delete before update or delete on audit_event
      for each row execute function audit_event_refuse_change()`.execute(db);
  await sql`
    create trigger audit_event_no_truncate before truncate on audit_event
      for each statement execute function audit_event_refuse_change()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table audit_event`.execute(db);
  await sql`drop function audit_event_refuse_change()`.execute(db);
  for (const table of ['sign_in_link', 'api_token', 'auth_session', 'user_grant', 'app_user', 'study_secret']) {
    await sql`drop table ${sql.table(table)}`.execute(db);
  }
  for (const table of ['participant', 'practitioner']) {
    await sql`alter table ${sql.table(table)} drop column pseudonym`.execute(db);
  }
  await sql`
    alter table participant drop column last_event_no, drop column last_assessment_no, drop column last_survey_no,
      drop column records_version`.execute(db);
  for (const table of RECORD_TABLES) await sql`alter table ${sql.table(table)} drop column version`.execute(db);
  await sql`drop sequence record_version_seq`.execute(db);
}
