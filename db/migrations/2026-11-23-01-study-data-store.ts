// The study data store. Every table carries study_id and every key includes it, so the schema
// can be distributed by study (Citus: `study` a reference table, the rest distributed on
// study_id and co-located). Ranges and references are enforced here as well as in the bundle
// schema. Frozen: change the schema with a new migration, never by editing this one.
import { sql, type Kysely } from 'kysely';

const inList = (values: string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table study (
      study_id integer generated always as identity primary key,
      code text not null unique check (code ~ '^[A-Z0-9-]{2,32}$'),
      title text not null check (length(title) between 1 and 500),
      initial_sessions integer not null check (initial_sessions between 1 and 50),
      session_interval_days integer not null check (session_interval_days between 1 and 365),
      interval_tolerance_days integer not null check (interval_tolerance_days between 0 and 365),
      touch_up_after_days integer check (touch_up_after_days between 1 and 3650),
      touch_up_tolerance_days integer not null check (touch_up_tolerance_days between 0 and 365),
      follow_up_from_months double precision not null check (follow_up_from_months between 0 and 600),
      follow_up_to_months double precision not null check (follow_up_to_months between 0 and 600),
      imported_at timestamptz not null default now(),
      check (follow_up_from_months <= follow_up_to_months)
    )`.execute(db);

  await sql`
    create table site (
      study_id integer not null references study (study_id),
      site_no integer not null check (site_no >= 1),
      code text not null,
      name text not null check (length(name) between 1 and 200),
      primary key (study_id, site_no),
      unique (study_id, code)
    )`.execute(db);

  await sql`
    create table practitioner (
      study_id integer not null,
      practitioner_no integer not null check (practitioner_no >= 1),
      code text not null,
      site_no integer not null,
      years_experience double precision not null check (years_experience between 0 and 80),
      primary key (study_id, practitioner_no),
      unique (study_id, code),
      foreign key (study_id, site_no) references site (study_id, site_no)
    )`.execute(db);
  await sql`create index practitioner_site_idx on practitioner (study_id, site_no)`.execute(db);

  await sql`
    create table participant (
      study_id integer not null,
      participant_no integer not null check (participant_no >= 1),
      code text not null,
      site_no integer not null,
      sex text not null check (sex in (${inList(['female', 'male', 'other', 'unknown'])})),
      birth_year integer not null check (birth_year between 1900 and 2100),
      indication text not null check (indication in (${inList([
        'androgenetic_alopecia', 'female_pattern_hair_loss', 'alopecia_areata', 'scar', 'birthmark',
        'chemotherapy_alopecia', 'hair_transplant_adjunct', 'other',
      ])})),
      fitzpatrick smallint check (fitzpatrick between 1 and 6),
      keloid_history boolean not null,
      enrolled_on date not null,
      withdrawn_on date check (withdrawn_on >= enrolled_on),
      withdrawal_cause text check (withdrawal_cause in (${inList(['adverse_event', 'lost_to_follow_up', 'participant_choice', 'other'])})),
      withdrawal_reason text check (length(withdrawal_reason) between 1 and 2000),
      cost_usd numeric(12, 2) check (cost_usd >= 0),
      primary key (study_id, participant_no),
      unique (study_id, code),
      foreign key (study_id, site_no) references site (study_id, site_no),
      check ((withdrawn_on is null) = (withdrawal_cause is null)),
      check (withdrawal_reason is null or withdrawn_on is not null),
      check (birth_year <= extract(year from enrolled_on))
    )`.execute(db);
  await sql`create index participant_site_idx on participant (study_id, site_no)`.execute(db);

  await sql`
    create table treatment_session (
      study_id integer not null,
      participant_no integer not null,
      session_number integer not null check (session_number >= 1),
      kind text not null check (kind in ('initial', 'touch_up')),
      session_date date not null,
      duration_minutes integer not null check (duration_minutes between 1 and 1440),
      practitioner_no integer not null,
      pigment_lot text not null check (length(pigment_lot) between 1 and 100),
      anesthesia text not null check (anesthesia in ('topical', 'local', 'none')),
      primary key (study_id, participant_no, session_number),
      foreign key (study_id, participant_no) references participant (study_id, participant_no),
      foreign key (study_id, practitioner_no) references practitioner (study_id, practitioner_no)
    )`.execute(db);
  await sql`create index treatment_session_practitioner_idx on treatment_session (study_id, practitioner_no)`.execute(db);

  await sql`
    create table adverse_event (
      study_id integer not null,
      participant_no integer not null,
      event_no integer not null check (event_no >= 1),
      category text not null check (category in (${inList([
        'infection', 'allergic_reaction', 'keloid', 'granuloma', 'mri_interference', 'pigment_migration', 'discoloration', 'other',
      ])})),
      term text not null check (length(term) between 1 and 500),
      onset_date date not null,
      resolved_date date check (resolved_date >= onset_date),
      grade smallint not null check (grade between 1 and 5),
      serious boolean not null,
      relatedness text not null check (relatedness in (${inList(['not_related', 'unlikely', 'possible', 'probable', 'definite'])})),
      outcome text not null check (outcome in (${inList([
        'recovered', 'recovering', 'not_recovered', 'recovered_with_sequelae', 'fatal', 'unknown',
      ])})),
      session_number integer,
      solicited boolean not null,
      primary key (study_id, participant_no, event_no),
      foreign key (study_id, participant_no) references participant (study_id, participant_no),
      foreign key (study_id, participant_no, session_number) references treatment_session (study_id, participant_no, session_number)
    )`.execute(db);

  await sql`
    create table fading_assessment (
      study_id integer not null,
      participant_no integer not null,
      assessment_no integer not null check (assessment_no >= 1),
      assessed_on date not null,
      grade smallint not null check (grade between 0 and 4),
      density_score numeric(3, 1) check (density_score between 0 and 10),
      needs_touch_up boolean,
      assessor text not null check (assessor in ('clinician', 'panel', 'participant')),
      primary key (study_id, participant_no, assessment_no),
      foreign key (study_id, participant_no) references participant (study_id, participant_no)
    )`.execute(db);

  await sql`
    create table satisfaction_survey (
      study_id integer not null,
      participant_no integer not null,
      survey_no integer not null check (survey_no >= 1),
      surveyed_on date not null,
      satisfaction smallint not null check (satisfaction between 1 and 5),
      would_recommend boolean,
      primary key (study_id, participant_no, survey_no),
      foreign key (study_id, participant_no) references participant (study_id, participant_no)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'satisfaction_survey', 'fading_assessment', 'adverse_event', 'treatment_session',
    'participant', 'practitioner', 'site', 'study',
  ]) {
    await sql`drop table ${sql.table(table)}`.execute(db);
  }
}
