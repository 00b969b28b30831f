// The Kysely `Database` interface. It follows db/migrations: change a migration, change this.
// Dates come back as `YYYY-MM-DD` strings and int8/numeric as strings from both drivers (db/kysely.ts).
import type { ColumnType, Generated } from 'kysely';

export interface Database {
  study: StudyTable;
  site: SiteTable;
  practitioner: PractitionerTable;
  participant: ParticipantTable;
  treatment_session: TreatmentSessionTable;
  adverse_event: AdverseEventTable;
  fading_assessment: FadingAssessmentTable;
  satisfaction_survey: SatisfactionSurveyTable;
  study_secret: StudySecretTable;
  app_user: AppUserTable;
  user_grant: UserGrantTable;
  auth_session: AuthSessionTable;
  api_token: ApiTokenTable;
  sign_in_link: SignInLinkTable;
  audit_event: AuditEventTable;
  audit_chain: AuditChainTable;
  server_secret: ServerSecretTable;
  device_sign_in: DeviceSignInTable;
  calendar_feed: CalendarFeedTable;
  survey_link: SurveyLinkTable;
  participant_contact: ParticipantContactTable;
  survey_message: SurveyMessageTable;
  rate_limit_count: RateLimitCountTable;
  access_generation: AccessGenerationTable;
  participant_signature: ParticipantSignatureTable;
  participant_lock: ParticipantLockTable;
  study_freeze: StudyFreezeTable;
  data_query: DataQueryTable;
  data_query_message: DataQueryMessageTable;
  record_verification: RecordVerificationTable;
}

/** A record's version: bigint from record_version_seq, returned as a string. */
type Version = Generated<string>;

interface StudyTable {
  study_id: Generated<number>;
  code: string;
  title: string;
  initial_sessions: number;
  session_interval_days: number;
  interval_tolerance_days: number;
  touch_up_after_days: number | null;
  touch_up_tolerance_days: number;
  follow_up_from_months: number;
  follow_up_to_months: number;
  /** The scheduled follow-up visits as the bundle writes them (jsonb, read back as objects); null: none. Written as JSON text. */
  visits: ColumnType<StoredVisit[] | null, string | null, string | null>;
  imported_at: Generated<string>;
  version: Version;
  /** How many days a new survey link works. */
  survey_link_days: Generated<number>;
  /** Days after the invitation on which reminders go out (7 and 14 unless changed). */
  survey_reminder_days: Generated<number[]>;
}

/** A scheduled visit as stored in `study.visits` (jsonb: its keys come back in jsonb's own order). */
export interface StoredVisit {
  code: string;
  label: string;
  monthsAfterFinalSession: number;
  windowBeforeDays: number;
  windowAfterDays: number;
  expects: Array<'fadingAssessment' | 'survey'>;
}

interface SiteTable {
  study_id: number;
  site_no: number;
  code: string;
  name: string;
  /** ISO 3166-1 alpha-3 code; null where it was not recorded. */
  country: string | null;
  version: Version;
}

interface PractitionerTable {
  study_id: number;
  practitioner_no: number;
  code: string;
  site_no: number;
  years_experience: number;
  /** Keyed-hash pseudonym of `code` (api/services/deidentify.ts). */
  pseudonym: string;
  version: Version;
}

interface ParticipantTable {
  study_id: number;
  participant_no: number;
  code: string;
  site_no: number;
  sex: string;
  birth_year: number;
  indication: string;
  fitzpatrick: number | null;
  keloid_history: boolean;
  enrolled_on: string;
  withdrawn_on: string | null;
  withdrawal_cause: string | null;
  withdrawal_reason: string | null;
  /** numeric(12,2), returned as a string */
  cost_usd: string | null;
  /** Keyed-hash pseudonym of `code` (api/services/deidentify.ts). */
  pseudonym: string;
  /** The highest adverse-event, assessment and survey numbers ever given: numbers are never reused. */
  last_event_no: Generated<number>;
  last_assessment_no: Generated<number>;
  last_survey_no: Generated<number>;
  /** Grows with every change of the participant's records: a reader can tell its copy is stale. */
  records_version: Generated<string>;
  version: Version;
}

interface TreatmentSessionTable {
  study_id: number;
  participant_no: number;
  session_number: number;
  kind: string;
  session_date: string;
  duration_minutes: number;
  practitioner_no: number;
  pigment_lot: string;
  anesthesia: string;
  version: Version;
}

interface AdverseEventTable {
  study_id: number;
  participant_no: number;
  event_no: number;
  category: string;
  term: string;
  onset_date: string;
  resolved_date: string | null;
  grade: number;
  serious: boolean;
  relatedness: string;
  outcome: string;
  session_number: number | null;
  solicited: boolean;
  version: Version;
}

interface FadingAssessmentTable {
  study_id: number;
  participant_no: number;
  assessment_no: number;
  assessed_on: string;
  grade: number;
  /** numeric(3,1), returned as a string */
  density_score: string | null;
  needs_touch_up: boolean | null;
  assessor: string;
  version: Version;
}

interface SatisfactionSurveyTable {
  study_id: number;
  participant_no: number;
  survey_no: number;
  surveyed_on: string;
  satisfaction: number;
  would_recommend: boolean | null;
  version: Version;
}

interface StudySecretTable {
  study_id: number;
  /** 32 random bytes: the key of the study's pseudonyms and date shifts. */
  deid_key: Uint8Array;
}

interface AppUserTable {
  user_id: Generated<number>;
  username: string;
  role: string;
  /** `scrypt$…`; null until the user sets a password. */
  password_hash: string | null;
  failed_sign_ins: Generated<number>;
  locked_until: string | null;
  disabled_at: string | null;
  created_at: Generated<string>;
  version: Version;
  /** Device cookies issued before this no longer count (a password change, a new invite). */
  devices_trusted_from: string | null;
  /** The name a signature shows; null until set. */
  full_name: string | null;
  /** The right to sign participants' casebooks (api/services/signature-service.ts). */
  may_sign: Generated<boolean>;
}

interface UserGrantTable {
  user_id: number;
  study_code: string;
  /** Null: the whole study. */
  site_code: string | null;
  granted_at: Generated<string>;
}

interface AuthSessionTable {
  /** SHA-256 of the cookie's value: the value itself is never stored. */
  session_hash: Uint8Array;
  user_id: number;
  created_at: Generated<string>;
  last_seen_at: Generated<string>;
  revoked_at: string | null;
  /** The session's number, to name it in the API (never its hash). */
  session_id: Generated<number>;
  /** The browser's User-Agent when it signed in, shortened, for its user to recognise it. */
  user_agent: string | null;
}

interface ApiTokenTable {
  token_id: Generated<number>;
  user_id: number;
  /** SHA-256 of the token: the token itself is never stored. */
  token_hash: Uint8Array;
  created_at: Generated<string>;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

interface SignInLinkTable {
  link_hash: Uint8Array;
  user_id: number;
  purpose: 'invite' | 'sign-in';
  created_at: Generated<string>;
  expires_at: string;
  used_at: string | null;
}

/** Keys the server made for itself, such as the one that signs device cookies. */
interface ServerSecretTable {
  name: string;
  secret: Uint8Array;
  created_at: Generated<string>;
}

/** A trusted browser's failed sign-ins in a row, and its lock. */
interface DeviceSignInTable {
  device_id: Uint8Array;
  user_id: number;
  failed_sign_ins: Generated<number>;
  locked_until: string | null;
  last_failure_at: string;
}

interface AuditEventTable {
  audit_id: Generated<string>;
  occurred_at: Generated<string>;
  request_id: string | null;
  user_id: number | null;
  username: string;
  role: string;
  action: 'create' | 'update' | 'delete' | 'import' | 'replace';
  entity: string;
  entity_key: string;
  study_code: string | null;
  site_codes: string[];
  participant_code: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  /** gzip of the replaced or deleted study's bundle. */
  replaced_bundle: Uint8Array | null;
  /** SHA-256 over the previous entry's hash and this entry's canonical content (api/services/audit-chain.ts). */
  chain_hash: Uint8Array;
}

/** The head of each audit hash chain (a study's code, or '' for changes outside any study). */
interface AuditChainTable {
  chain: string;
  last_audit_id: string | null;
  last_hash: Uint8Array | null;
}

interface CalendarFeedTable {
  feed_id: Generated<number>;
  user_id: number;
  study_code: string;
  /** SHA-256 of the feed's secret: the secret itself is never stored. */
  token_hash: Uint8Array;
  created_at: Generated<string>;
  revoked_at: string | null;
  last_used_at: string | null;
}

interface SurveyLinkTable {
  link_id: Generated<number>;
  study_id: number;
  participant_no: number;
  /** The scheduled visit the survey is for, or null for a link made by hand. */
  visit_code: string | null;
  /** SHA-256 of the link's secret: the secret itself is never stored. */
  link_hash: Uint8Array;
  /** The user who made the link; null from the command line or the outbox. */
  created_by: number | null;
  created_at: Generated<string>;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
  /** The survey the answer became (set with used_at). */
  survey_no: number | null;
  /** The language the participant answered in (set with used_at). */
  language: string | null;
}

/** A participant's contact details, each sealed with AES-256-GCM under SMP_CONTACT_KEY. */
interface ParticipantContactTable {
  study_id: number;
  participant_no: number;
  email_sealed: Uint8Array;
  phone_sealed: Uint8Array | null;
  updated_at: Generated<string>;
}

/** One invitation (step 0) or reminder (step K) of a scheduled survey, sent at most once. */
interface SurveyMessageTable {
  message_no: Generated<number>;
  study_id: number;
  participant_no: number;
  visit_code: string;
  step: number;
  status: ColumnType<'pending' | 'sent' | 'failed' | 'cancelled', 'pending' | 'sent' | 'failed' | 'cancelled' | undefined>;
  /** The Message-ID's unique part: the same for every attempt at the message. */
  message_key: string;
  created_at: string;
  next_attempt_at: string;
  attempts: Generated<number>;
  /** Why the last attempt failed, or why the message was cancelled; never an address. */
  last_error: string | null;
  sent_at: string | null;
  /** The link the sent message carries. */
  link_id: number | null;
}

/** A client's failed attempts at a rate-limited route, counted by every server process alike. */
interface RateLimitCountTable {
  limit_name: string;
  /** The client: `address:…` or `device:…` (api/http/rate-limit.ts). */
  client_key: string;
  hits: number;
  resets_at: string;
}

/** One row: raised by a trigger on every change of users, grants, tokens and sessions. */
interface AccessGenerationTable {
  only_row: Generated<boolean>;
  generation: Generated<string>;
}

/** An investigator's e-signature of a participant's casebook: kept for ever, invalidated by a later change. */
interface ParticipantSignatureTable {
  signature_id: Generated<number>;
  study_code: string;
  participant_code: string;
  user_id: number | null;
  username: string;
  full_name: string;
  meaning: 'approve' | 'review';
  signed_at: Generated<string>;
  /** SHA-256 of the participant's canonical data when signed (api/services/signed-content.ts). */
  data_sha256: Uint8Array;
  invalidated_at: string | null;
  /** What invalidated it: the username of the change's author. */
  invalidated_by: string | null;
}

/** A lock of a participant: current while unlocked_at is null. */
interface ParticipantLockTable {
  lock_id: Generated<number>;
  study_code: string;
  participant_code: string;
  locked_by: string;
  locked_at: Generated<string>;
  unlocked_by: string | null;
  unlocked_at: string | null;
  unlock_reason: string | null;
}

/** A study's canonical bundle frozen at one moment: kept for ever. */
interface StudyFreezeTable {
  freeze_id: Generated<number>;
  study_code: string;
  label: string;
  created_by: string;
  created_at: Generated<string>;
  /** gzip of the bundle's canonical JSON. */
  bundle_gz: Uint8Array;
  /** SHA-256 of the uncompressed canonical JSON. */
  bundle_sha256: Uint8Array;
}

/** The lists of records a query or a verification names, by their name in the bundle. */
export type ReviewedList = 'sessions' | 'adverseEvents' | 'fadingAssessments' | 'surveys';

/** A query (discrepancy) on a participant, one of its records, or one field of a record. */
interface DataQueryTable {
  query_id: Generated<number>;
  study_id: number;
  /** The participant's code (a query outlives the records it names). */
  participant_code: string;
  /** The participant's site when the query was raised; the current one is read from the participant. */
  site_code: string;
  record_list: ReviewedList | null;
  /** The record's session number or record number; null for a query on the participant. */
  record_no: number | null;
  field: string | null;
  /** The JSON path as raised, e.g. `adverseEvents[2].outcome`. */
  path: string;
  state: 'open' | 'answered' | 'closed';
  /** The edit check that raised it; null for a query a person raised. */
  rule_id: string | null;
  /** What the rule found, e.g. `adverseEvents#3` or `visit:FU8`: one open query per finding. */
  rule_key: string | null;
  raised_by: number | null;
  raised_by_name: string;
  raised_role: string;
  raised_at: string;
  updated_at: string;
}

interface DataQueryMessageTable {
  query_id: number;
  message_no: number;
  kind: 'raise' | 'answer' | 'close' | 'reopen' | 'system';
  body: string;
  author_id: number | null;
  author_name: string;
  author_role: string;
  written_at: string;
}

/** A record verified against the source, at the record's version then. */
interface RecordVerificationTable {
  study_id: number;
  participant_no: number;
  record_list: ReviewedList;
  record_no: number;
  record_version: string;
  verified_by: number | null;
  verified_by_name: string;
  verified_at: string;
}
