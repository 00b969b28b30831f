// Data review: queries (discrepancies) between reviewers and clinics, with their messages, and
// source-data verification of records. A query names its participant by code and its record by
// list and number, not by foreign key, so that it keeps its messages after the record is deleted.
// Frozen: change the schema with a new migration, never by editing this one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table data_query (
      query_id integer generated always as identity primary key,
      study_id integer not null references study (study_id) on delete cascade,
      participant_code text not null,
      site_code text not null,
      record_list text check (record_list in ('sessions', 'adverseEvents', 'fadingAssessments', 'surveys')),
      record_no integer,
      field text check (length(field) between 1 and 64),
      path text not null check (length(path) <= 200),
      state text not null check (state in ('open', 'answered', 'closed')),
      rule_id text check (length(rule_id) between 1 and 64),
      rule_key text check (length(rule_key) between 1 and 200),
      raised_by integer references app_user (user_id) on delete set null,
      raised_by_name text not null,
      raised_role text not null,
      raised_at timestamptz not null,
      updated_at timestamptz not null,
      check ((record_list is null) = (record_no is null)),
      check ((rule_id is null) = (rule_key is null))
    )`.execute(db);
  await sql`create index data_query_participant_idx on data_query (study_id, participant_code)`.execute(db);
  await sql`create index data_query_state_idx on data_query (study_id, state)`.execute(db);
  await sql`
    create unique index data_query_rule_idx on data_query (study_id, participant_code, rule_id, rule_key)
      where rule_id is not null and state <> 'closed'`.execute(db);
  await sql`
    create table data_query_message (
      query_id integer not null references data_query (query_id) on delete cascade,
      message_no integer not null,
      kind text not null check (kind in ('raise', 'answer', 'close', 'reopen', 'system')),
      body text not null check (length(body) between 1 and 2000),
      author_id integer references app_user (user_id) on delete set null,
      author_name text not null,
      author_role text not null,
      written_at timestamptz not null,
      primary key (query_id, message_no)
    )`.execute(db);
  await sql`
    create table record_verification (
      study_id integer not null,
      participant_no integer not null,
      record_list text not null check (record_list in ('sessions', 'adverseEvents', 'fadingAssessments', 'surveys')),
      record_no integer not null,
      record_version bigint not null,
      verified_by integer references app_user (user_id) on delete set null,
      verified_by_name text not null,
      verified_at timestamptz not null,
      primary key (study_id, participant_no, record_list, record_no),
      foreign key (study_id, participant_no) references participant (study_id, participant_no) on delete cascade
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table record_verification`.execute(db);
  await sql`drop table data_query_message`.execute(db);
  await sql`drop table data_query`.execute(db);
}
