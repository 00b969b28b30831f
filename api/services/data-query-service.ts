// Queries (discrepancies) between reviewers and clinics. Researchers, reviewers and
// administrators raise them on a participant, a record or one field; the participant's clinic
// (or an administrator) answers; the raiser (or an administrator) closes or re-opens them. Every
// step is a message and an audit entry. A reviewer names the participant by pseudonym and reads
// each thread de-identified: pseudonyms, no times, and no other role's free text.
import type { Kysely } from 'kysely';
import {
  countQueriesByState,
  findQuery,
  insertMessage,
  insertQuery,
  selectMessages,
  selectQueries,
  setQueryState,
  type DataQueryListed,
  type DataQueryMessageRow,
  type QueryFilter,
} from '../../db/repositories/data-query-repository.ts';
import { findParticipant, loadParticipant } from '../../db/repositories/participant-repository.ts';
import { findStudyByCode, selectStudySecret, type StudyRow } from '../../db/repositories/study-repository.ts';
import type { Database, Db } from '../../db/kysely.ts';
import { AppError } from '../errors.ts';
import type { DataQuery, RaiseQueryBody } from '../schemas/data-queries.ts';
import { participantNotFound, reachesSite, requireStudyScope, studyNotFound, type Actor, type ChangeContext, type StudyScope } from './access.ts';
import { recordChange } from './audit-service.ts';
import { pseudonym } from './deidentify.ts';
import { LISTS, loadedOf } from './participant-views.ts';
import { currentPath, resolvePath } from './record-paths.ts';

/** The most queries one listing returns. */
const LIST_LIMIT = 500;

function requireRole(actor: Actor, roles: readonly Actor['role'][], action: string): void {
  if (!roles.includes(actor.role)) throw new AppError('forbidden', `your role may not ${action}`);
}

async function studyOf(kysely: Kysely<Database>, studyCode: string): Promise<StudyRow> {
  const study = await findStudyByCode(kysely, studyCode);
  if (!study) throw studyNotFound(studyCode);
  return study;
}

/** The audit key of a query: under its participant, as a record's is. */
const auditKey = (participantCode: string, queryId: number) => `${participantCode}/queries/${queryId}`;

/** The audit key of the record a query names, to find its history (even after its deletion). */
function recordAuditKey(row: Pick<DataQueryListed, 'participant_code' | 'record_list' | 'record_no'>): string | null {
  return row.record_list === null ? null : `${row.participant_code}/${LISTS[row.record_list].segment}/${row.record_no}`;
}

/** A query as `actor` may read it: identified, or de-identified for a reviewer. */
function viewOf(row: DataQueryListed, messages: readonly DataQueryMessageRow[], actor: Actor, key: Uint8Array | null): DataQuery {
  const deidentified = key !== null;
  const record =
    row.record_list === null ? null : { list: row.record_list, no: row.record_no!, exists: row.record_index !== null };
  return {
    id: row.query_id,
    participant: deidentified ? pseudonym(key, 'participant', row.participant_code) : row.participant_code,
    site: row.current_site,
    path: currentPath(row.record_list, row.record_index, row.field, row.path),
    record,
    recordAuditKey: deidentified ? null : recordAuditKey(row),
    field: row.field,
    state: row.state,
    rule: row.rule_id,
    raisedBy: deidentified && row.raised_role !== 'reviewer' ? row.raised_role : row.raised_by_name,
    raisedByMe: actor.userId !== null && row.raised_by === actor.userId,
    messages: messages.map((m) => {
      // What a reviewer may read: edit checks' messages (declared text) and reviewers' own.
      const readable = !deidentified || m.author_role === 'reviewer' || m.author_role === 'system';
      return {
        no: m.message_no,
        kind: m.kind,
        text: readable ? m.body : null,
        author: deidentified && m.author_role !== 'reviewer' ? m.author_role : m.author_name,
        at: deidentified ? null : new Date(m.written_at).toISOString(),
      };
    }),
  };
}

async function viewsOf(kysely: Kysely<Database>, rows: DataQueryListed[], actor: Actor, key: Uint8Array | null): Promise<DataQuery[]> {
  const messages = await selectMessages(kysely, rows.map((r) => r.query_id));
  const byQuery = new Map<number, DataQueryMessageRow[]>();
  for (const m of messages) byQuery.set(m.query_id, [...(byQuery.get(m.query_id) ?? []), m]);
  return rows.map((row) => viewOf(row, byQuery.get(row.query_id) ?? [], actor, key));
}

/** Raise a query on a participant (named by pseudonym in a reviewer's view), a record or a field. */
export async function raiseQuery(
  db: Db,
  change: ChangeContext,
  now: Date,
  studyCode: string,
  participantName: string,
  body: RaiseQueryBody,
): Promise<DataQuery> {
  const { actor } = change;
  const scope = requireStudyScope(actor, studyCode);
  requireRole(actor, ['admin', 'researcher', 'reviewer'], `raise queries in study ${studyCode}: clinics answer them`);
  return db.transaction(async ({ kysely: trx }) => {
    const rows = await loadParticipant(trx, studyCode, participantName, { by: scope.identified ? 'code' : 'pseudonym', withKey: false });
    if (!rows || !reachesSite(scope, rows.participant.site_code)) {
      if (!rows) await studyOf(trx, studyCode);
      throw participantNotFound(participantName);
    }
    const loaded = loadedOf(rows);
    const target = resolvePath(loaded, body.path);
    const code = loaded.fields.code;
    const at = now.toISOString();
    const query = await insertQuery(trx, {
      study_id: loaded.study.study_id,
      participant_code: code,
      site_code: loaded.fields.site,
      record_list: target.list,
      record_no: target.no,
      field: target.field,
      path: target.path,
      state: 'open',
      rule_id: null,
      rule_key: null,
      raised_by: actor.userId,
      raised_by_name: actor.username,
      raised_role: actor.role,
      raised_at: at,
      updated_at: at,
    });
    await insertMessage(trx, { query_id: query.query_id, kind: 'raise', body: body.message, author_id: actor.userId, author_name: actor.username, author_role: actor.role, written_at: at });
    await recordChange(trx, change, {
      action: 'create',
      entity: 'data_query',
      key: auditKey(code, query.query_id),
      studyCode,
      siteCodes: [loaded.fields.site],
      participantCode: code,
      before: null,
      after: { path: target.path, state: 'open', message: body.message },
    });
    const key = scope.identified ? null : await selectStudySecret(trx, loaded.study.study_id);
    return (await readQueries(trx, actor, key, { studyId: loaded.study.study_id, queryId: query.query_id, states: ['open'], limit: 1 }))[0]!;
  });
}

async function readQueries(kysely: Kysely<Database>, actor: Actor, key: Uint8Array | null, filter: QueryFilter): Promise<DataQuery[]> {
  return viewsOf(kysely, await selectQueries(kysely, filter), actor, key);
}

const ALL_STATES = ['open', 'answered', 'closed'] as const;

/** One query in the caller's reach, or 404. */
async function reachableQuery(kysely: Kysely<Database>, scope: StudyScope, study: StudyRow, queryId: number): Promise<DataQueryListed> {
  const [row] = await selectQueries(kysely, { studyId: study.study_id, queryId, states: ALL_STATES, limit: 1 });
  if (!row || !reachesSite(scope, row.current_site)) throw new AppError('not_found', `query ${queryId} does not exist in study ${study.code}`);
  return row;
}

/** One query with its thread. */
export async function getQuery(db: Db, actor: Actor, studyCode: string, queryId: number): Promise<DataQuery> {
  const scope = requireStudyScope(actor, studyCode);
  return db.readSnapshot(async (kysely) => {
    const study = await studyOf(kysely, studyCode);
    const row = await reachableQuery(kysely, scope, study, queryId);
    const key = scope.identified ? null : await selectStudySecret(kysely, study.study_id);
    return (await viewsOf(kysely, [row], actor, key))[0]!;
  });
}

export interface QueryListOptions {
  state: 'active' | 'open' | 'answered' | 'closed' | 'all';
  participant?: string | undefined;
  mine: boolean;
}

/**
 * The caller's query inbox: the queries of the participants in reach (a clinic's own sites), or
 * only those the caller raised, with how many are in each state.
 */
export async function listQueries(db: Db, actor: Actor, studyCode: string, options: QueryListOptions) {
  const scope = requireStudyScope(actor, studyCode);
  return db.readSnapshot(async (kysely) => {
    const study = await studyOf(kysely, studyCode);
    const key = scope.identified ? null : await selectStudySecret(kysely, study.study_id);
    let participantCode: string | undefined;
    if (options.participant !== undefined) {
      const found = await findParticipant(kysely, study.study_id, options.participant, scope.identified ? 'code' : 'pseudonym');
      if (!found || !reachesSite(scope, found.site_code)) throw participantNotFound(options.participant);
      participantCode = found.code;
    }
    const filter = {
      studyId: study.study_id,
      participantCode,
      siteCodes: scope.sites === 'all' ? undefined : [...scope.sites],
      raisedBy: options.mine ? (actor.userId ?? -1) : undefined,
    };
    const states = options.state === 'all' ? ALL_STATES : options.state === 'active' ? (['open', 'answered'] as const) : [options.state];
    const counts = { open: 0, answered: 0, closed: 0 };
    for (const { state, count } of await countQueriesByState(kysely, filter)) counts[state] = count;
    return { counts, items: await readQueries(kysely, actor, key, { ...filter, states, limit: LIST_LIMIT }) };
  });
}

type Step = 'answer' | 'close' | 'reopen';

/** The states each step may start from, and the state it leaves. */
const STEPS: Record<Step, { from: ReadonlyArray<DataQuery['state']>; to: DataQuery['state'] }> = {
  answer: { from: ['open', 'answered'], to: 'answered' },
  close: { from: ['open', 'answered'], to: 'closed' },
  reopen: { from: ['closed'], to: 'open' },
};

/**
 * Answer, close or re-open a query with a message. The participant's clinic and administrators
 * answer; the raiser and administrators close and re-open (an edit check's query: researchers
 * and administrators).
 */
export async function stepQuery(db: Db, change: ChangeContext, now: Date, studyCode: string, queryId: number, step: Step, message: string): Promise<DataQuery> {
  const { actor } = change;
  const scope = requireStudyScope(actor, studyCode);
  if (step === 'answer') requireRole(actor, ['admin', 'clinic'], `answer queries in study ${studyCode}: the participant's clinic does`);
  else requireRole(actor, ['admin', 'researcher', 'reviewer'], `${step === 'close' ? 'close' : 're-open'} queries in study ${studyCode}: the raiser does`);
  return db.transaction(async ({ kysely: trx }) => {
    const study = await studyOf(trx, studyCode);
    const row = await reachableQuery(trx, scope, study, queryId);
    await findQuery(trx, study.study_id, queryId, true);
    const locked = (await selectQueries(trx, { studyId: study.study_id, queryId, states: ALL_STATES, limit: 1 }))[0]!;
    if (step !== 'answer' && actor.role !== 'admin') {
      const mayClose = locked.rule_id !== null ? actor.role === 'researcher' : locked.raised_by !== null && locked.raised_by === actor.userId;
      if (!mayClose) {
        throw new AppError('forbidden', `only the user who raised query ${queryId}${locked.rule_id !== null ? ' (an edit check: a researcher)' : ''} or an administrator may ${step === 'close' ? 'close' : 're-open'} it`);
      }
    }
    const { from, to } = STEPS[step];
    if (!from.includes(locked.state)) {
      throw new AppError('conflict', `query ${queryId} is ${locked.state}: it cannot be ${step === 'answer' ? 'answered' : step === 'close' ? 'closed' : 're-opened'}`, [
        { path: 'state', message: `is ${locked.state}` },
      ]);
    }
    const at = now.toISOString();
    await setQueryState(trx, queryId, to, at);
    await insertMessage(trx, { query_id: queryId, kind: step, body: message, author_id: actor.userId, author_name: actor.username, author_role: actor.role, written_at: at });
    await recordChange(trx, change, {
      action: 'update',
      entity: 'data_query',
      key: auditKey(row.participant_code, queryId),
      studyCode,
      siteCodes: [row.current_site],
      participantCode: row.participant_code,
      before: { state: locked.state },
      after: { state: to, step, message },
    });
    const key = scope.identified ? null : await selectStudySecret(trx, study.study_id);
    return (await readQueries(trx, actor, key, { studyId: study.study_id, queryId, states: ALL_STATES, limit: 1 }))[0]!;
  });
}
