// Participant survey links and contact details. A survey link is a one-time, expiring address a
// participant opens to fill in a satisfaction survey: only the SHA-256 of its secret is stored.
// Each study has its own link lifetime (30 days unless changed). Contact details live in their own
// table, outside the study data, encrypted by the server before they are written.
// Frozen: change the schema with a new migration, never by editing this one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table study add column survey_link_days integer not null default 30
      check (survey_link_days between 1 and 365)`.execute(db);
  await sql`
    create table survey_link (
      link_id integer generated always as identity primary key,
      study_id integer not null,
      participant_no integer not null,
      visit_code text check (length(visit_code) between 1 and 32),
      link_hash bytea not null unique,
      created_by integer references app_user (user_id),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz,
      revoked_at timestamptz,
      survey_no integer,
      language text check (length(language) between 2 and 8),
      foreign key (study_id, participant_no) references participant (study_id, participant_no) on delete cascade,
      check (expires_at > created_at),
      check ((used_at is null) = (survey_no is null)),
      check ((used_at is null) = (language is null))
    )`.execute(db);
  await sql`create index survey_link_participant_idx on survey_link (study_id, participant_no)`.execute(db);
  await sql`
    create table participant_contact (
      study_id integer not null,
      participant_no integer not null,
      email_sealed bytea not null,
      phone_sealed bytea,
      updated_at timestamptz not null default now(),
      primary key (study_id, participant_no),
      foreign key (study_id, participant_no) references participant (study_id, participant_no) on delete cascade
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table participant_contact`.execute(db);
  await sql`drop table survey_link`.execute(db);
  await sql`alter table study drop column survey_link_days`.execute(db);
}
