// The survey outbox: every invitation and reminder the server sends a participant by email, one
// row per (participant, scheduled visit, step), so that each is sent at most once whatever the
// number of server processes. Step 0 is the invitation, step K the K-th reminder. Each study
// has its reminder days (after the invitation; 7 and 14 unless changed). The row holds no
// address and no link secret: both are read or made when the message is sent.
// Frozen: change the schema with a new migration, never by editing this one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table study add column survey_reminder_days integer[] not null default '{7,14}'
      check (cardinality(survey_reminder_days) <= 5 and 1 <= all (survey_reminder_days) and 365 >= all (survey_reminder_days))`.execute(db);
  await sql`
    create table survey_message (
      message_no integer generated always as identity primary key,
      study_id integer not null,
      participant_no integer not null,
      visit_code text not null check (length(visit_code) between 1 and 32),
      step integer not null check (step between 0 and 5),
      status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'cancelled')),
      message_key text not null unique check (length(message_key) between 8 and 64),
      created_at timestamptz not null,
      next_attempt_at timestamptz not null,
      attempts integer not null default 0 check (attempts >= 0),
      last_error text check (length(last_error) <= 500),
      sent_at timestamptz,
      link_id integer references survey_link (link_id) on delete set null,
      unique (study_id, participant_no, visit_code, step),
      foreign key (study_id, participant_no) references participant (study_id, participant_no) on delete cascade,
      check ((status = 'sent') = (sent_at is not null))
    )`.execute(db);
  await sql`create index survey_message_pending_idx on survey_message (next_attempt_at) where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table survey_message`.execute(db);
  await sql`alter table study drop column survey_reminder_days`.execute(db);
}
