// A participant's records one at a time: sessions, adverse events, fading assessments and
// surveys are created, changed with a JSON merge patch, and deleted; and a session that is not
// the last can be removed with the later ones renumbered. Every write locks the participant,
// checks the participant as it will be with the importer's rules (participant-check.ts), and
// commits with its audit records.
import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/kysely.ts';
import type { NewAuditRow } from '../../db/repositories/audit-repository.ts';
import { moveSession, writeRecordWithAudit, type ChildTable, type RecordWrite } from '../../db/repositories/participant-repository.ts';
import { AppError } from '../errors.ts';
import type { AdverseEvent, FadingAssessment, SatisfactionSurvey, TreatmentSession } from '../schemas/bundle.ts';
import type { ChangeContext } from './access.ts';
import { appendAuditRow, auditRowOf, chainAuditRow, holdsAuditRows } from './audit-service.ts';
import { mergePatch } from './merge-patch.ts';
import { checkParticipant, contextOf, keyChange, storedRecords, writeParticipant } from './participant-check.ts';
import {
  asBundleParticipant,
  LISTS,
  recordNotFound,
  withKey,
  withRecord,
  type Loaded,
  type RecordList,
  type RecordOf,
  type RecordResponse,
  type Stored,
} from './participant-views.ts';
import { adverseEventColumns, assessmentColumns, sessionColumns, surveyColumns } from './record-mapping.ts';
import { requireVersion } from './versions.ts';

/** The database columns of a record of `list` (sessions need their practitioner's number). */
function columnsOf(list: RecordList, record: RecordOf<RecordList>, practitionerNo: (code: string) => number) {
  switch (list) {
    case 'sessions': {
      const session = record as TreatmentSession;
      return sessionColumns(session, practitionerNo(session.practitioner));
    }
    case 'adverseEvents':
      return adverseEventColumns(record as AdverseEvent);
    case 'fadingAssessments':
      return assessmentColumns(record as FadingAssessment);
    case 'surveys':
      return surveyColumns(record as SatisfactionSurvey);
    default: {
      const unknown: never = list;
      throw new Error(`unknown list ${String(unknown)}`);
    }
  }
}

/** The audit row of a change of one of a participant's records; the record's number goes with it. */
function recordAudit<L extends RecordList>(
  change: ChangeContext,
  action: 'create' | 'update' | 'delete',
  loaded: Loaded,
  list: L,
  key: number,
  values: { before: RecordOf<L> | null; after: RecordOf<L> | null },
) {
  const withNo = (record: RecordOf<L> | null) => (record === null || list === 'sessions' ? record : { no: key, ...record });
  return auditRowOf(change, {
    action,
    entity: LISTS[list].entity,
    key: `${loaded.fields.code}/${LISTS[list].segment}/${key}`,
    studyCode: loaded.study.code,
    siteCodes: [loaded.fields.site],
    participantCode: loaded.fields.code,
    before: withNo(values.before),
    after: withNo(values.after),
  });
}

/**
 * Write a record and its audit row: in one statement, or, when the transaction appends its audit
 * rows last (audit-service.ts withAuditAppendedLast), the record now and its row held back.
 */
async function writeAudited(trx: Kysely<Database>, table: ChildTable, key: { studyId: number; participantNo: number }, write: RecordWrite, row: NewAuditRow) {
  if (!holdsAuditRows(trx)) return writeRecordWithAudit(trx, table, key, write, await chainAuditRow(trx, row));
  const version = await writeRecordWithAudit(trx, table, key, write, null);
  await appendAuditRow(trx, row);
  return version;
}

/** Add a record to a participant. A session without a number takes the next one. */
export async function createRecord<L extends RecordList>(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  code: string,
  list: L,
  input: Omit<RecordOf<L>, 'number'> & { number?: number | undefined },
): Promise<RecordResponse<L>> {
  return writeParticipant(db, change, studyCode, code, async ({ trx, loaded, written }) => {
    const spec = LISTS[list];
    const record = (list === 'sessions' && input.number === undefined ? { ...input, number: loaded.sessions.length + 1 } : input) as RecordOf<L>;
    const stored = loaded[list] as Stored<RecordOf<L>>[];
    const after = { ...loaded, [list]: [...stored, { key: 0, record, version: '0' }] };
    const context = contextOf(loaded);
    const checked = await checkParticipant(
      trx,
      context,
      asBundleParticipant(after),
      { kind: 'record', list, index: stored.length },
      spec.noun,
      storedRecords(loaded),
    );
    const created = checked.participant[list][stored.length] as RecordOf<L>;
    // The participant's row is held: its counter's next number is this writer's alone.
    const key = spec.counter ? loaded.row[spec.counter] + 1 : (created as TreatmentSession).number;
    const version = (await writeAudited(
      trx,
      spec.table,
      { studyId: loaded.study.study_id, participantNo: loaded.row.participant_no },
      { kind: 'insert', no: key, counter: spec.counter, columns: columnsOf(list, created, checked.practitionerNo) },
      recordAudit(change, 'create', loaded, list, key, { before: null, after: created }),
    ))!;
    written(withRecord(loaded, list, { key, record: created, version }, context.practitioners));
    return withKey(list, { key, record: created, version });
  });
}

/** Change a record with a JSON merge patch. */
export async function patchRecord<L extends RecordList>(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  code: string,
  list: L,
  key: number,
  patch: Record<string, unknown>,
  ifMatch: string,
): Promise<RecordResponse<L>> {
  return writeParticipant(db, change, studyCode, code, async ({ trx, loaded, written }) => {
    const spec = LISTS[list];
    const stored = loaded[list] as Stored<RecordOf<L>>[];
    const index = stored.findIndex((item) => item.key === key);
    if (index < 0) throw recordNotFound(list, code, key);
    const current = stored[index]!;
    requireVersion(ifMatch, current.version, `${spec.noun} ${key} of participant ${code}`, withKey(list, current));
    const merged = mergePatch(current.record, patch) as RecordOf<L>;
    if (list === 'sessions' && (merged as TreatmentSession).number !== key) throw keyChange('number', key);
    const items = stored.map((item, i) => (i === index ? { ...item, record: merged } : item));
    const context = contextOf(loaded);
    const checked = await checkParticipant(
      trx,
      context,
      asBundleParticipant({ ...loaded, [list]: items }),
      { kind: 'record', list, index },
      spec.noun,
      storedRecords(loaded),
    );
    const record = checked.participant[list][index] as RecordOf<L>;
    const version = (await writeAudited(
      trx,
      spec.table,
      { studyId: loaded.study.study_id, participantNo: loaded.row.participant_no },
      { kind: 'update', no: key, columns: columnsOf(list, record, checked.practitionerNo) },
      recordAudit(change, 'update', loaded, list, key, { before: current.record, after: record }),
    ))!;
    written(withRecord(loaded, list, { key, record, version }, context.practitioners));
    return withKey(list, { key, record, version });
  });
}

/**
 * Delete a record. A session can go only when it is the last one and no adverse event names
 * it: session numbers stay 1..n and nothing is cascaded.
 */
export async function deleteRecord(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  code: string,
  list: RecordList,
  key: number,
  ifMatch: string,
): Promise<void> {
  await writeParticipant(db, change, studyCode, code, async ({ trx, loaded }) => {
    const spec = LISTS[list];
    const stored = loaded[list] as Stored<RecordOf<RecordList>>[];
    const current = stored.find((item) => item.key === key);
    if (!current) throw recordNotFound(list, code, key);
    requireVersion(ifMatch, current.version, `${spec.noun} ${key} of participant ${code}`, withKey(list, current));
    if (list === 'sessions') refuseSessionDelete(loaded, key, code);
    const remaining = stored.filter((item) => item.key !== key);
    await checkParticipant(trx, contextOf(loaded), asBundleParticipant({ ...loaded, [list]: remaining }), { kind: 'elsewhere' }, 'participant');
    await writeAudited(
      trx,
      spec.table,
      { studyId: loaded.study.study_id, participantNo: loaded.row.participant_no },
      { kind: 'delete', no: key },
      recordAudit(change, 'delete', loaded, list, key, { before: current.record, after: null }),
    );
  });
}

/** The participant's sessions and adverse events after a session was removed and the later ones renumbered. */
export interface SessionRenumbering {
  sessions: RecordResponse<'sessions'>[];
  adverseEvents: RecordResponse<'adverseEvents'>[];
}

/**
 * Remove a session that is not the last (a duplicated visit, say) and renumber the later ones:
 * each takes its number less one, and the adverse events that name a later session follow it.
 * An adverse event naming the removed session itself is refused, as for a delete. The result
 * must still hold the protocol's rules (first session initial, touch-ups after), else nothing
 * is written. One transaction; one audit row per record changed: the removed session's delete,
 * then each renumbered session's and each followed adverse event's update.
 */
export async function removeAndRenumberSession(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  code: string,
  number: number,
  ifMatch: string,
): Promise<SessionRenumbering> {
  return writeParticipant(db, change, studyCode, code, async ({ trx, loaded }) => {
    const index = loaded.sessions.findIndex((s) => s.key === number);
    if (index < 0) throw recordNotFound('sessions', code, number);
    const removed = loaded.sessions[index]!;
    requireVersion(ifMatch, removed.version, `session ${number} of participant ${code}`, withKey('sessions', removed));
    refuseNamedSession(loaded, number, code);
    const renumber = (n: number | null | undefined) => (n !== null && n !== undefined && n > number ? n - 1 : n);
    const sessions = loaded.sessions
      .filter((s) => s.key !== number)
      .map((s) => ({ ...s, record: { ...s.record, number: renumber(s.record.number)! } }));
    const adverseEvents = loaded.adverseEvents.map((e) =>
      e.record.sessionNumber !== null && e.record.sessionNumber !== undefined && e.record.sessionNumber > number
        ? { ...e, record: { ...e.record, sessionNumber: renumber(e.record.sessionNumber)! } }
        : e,
    );
    const checked = await checkParticipant(
      trx,
      contextOf(loaded),
      asBundleParticipant({ ...loaded, sessions, adverseEvents }),
      { kind: 'elsewhere' },
      'participant after the renumbering',
    );
    const key = { studyId: loaded.study.study_id, participantNo: loaded.row.participant_no };
    await writeAudited(
      trx,
      LISTS.sessions.table,
      key,
      { kind: 'delete', no: number },
      recordAudit(change, 'delete', loaded, 'sessions', number, { before: removed.record, after: null }),
    );
    const eventVersions = new Map(loaded.adverseEvents.map((e) => [e.key, e.version]));
    const sessionVersions = new Map(sessions.map((s) => [s.key, s.version]));
    const followed: number[] = [];
    for (const later of loaded.sessions.slice(index + 1)) {
      const moved = await moveSession(trx, key, later.key, later.key - 1);
      sessionVersions.set(later.key, moved.version);
      for (const [no, version] of moved.events) eventVersions.set(no, version);
      const after = checked.participant.sessions.find((s) => s.number === later.key - 1)!;
      await appendAuditRow(trx, recordAudit(change, 'update', loaded, 'sessions', later.key, { before: later.record, after }));
      loaded.adverseEvents.forEach((e, i) => {
        if (e.record.sessionNumber === later.key) followed.push(i);
      });
    }
    for (const i of followed) {
      const e = loaded.adverseEvents[i]!;
      await appendAuditRow(
        trx,
        recordAudit(change, 'update', loaded, 'adverseEvents', e.key, { before: e.record, after: checked.participant.adverseEvents[i]! }),
      );
    }
    return {
      sessions: sessions.map((s, i) => withKey('sessions', { key: s.record.number, record: checked.participant.sessions[i]!, version: sessionVersions.get(s.key)! })),
      adverseEvents: loaded.adverseEvents.map((e, i) =>
        withKey('adverseEvents', { key: e.key, record: checked.participant.adverseEvents[i]!, version: eventVersions.get(e.key)! }),
      ),
    };
  });
}

function refuseSessionDelete(loaded: Loaded, number: number, code: string): void {
  refuseNamedSession(loaded, number, code);
  const last = loaded.sessions.at(-1)!.key;
  if (number !== last) {
    throw new AppError(
      'conflict',
      `only the last session (${last}) of participant ${code} can be deleted: session numbers stay 1..n; ` +
        `correct session ${number} instead, or remove it and renumber the later ones`,
      [{ path: 'number', message: `is not the last session (${last})` }],
    );
  }
}

/** A session that an adverse event names is not removed: the event would lose its session. */
function refuseNamedSession(loaded: Loaded, number: number, code: string): void {
  const naming = loaded.adverseEvents.flatMap((e, index) => (e.record.sessionNumber === number ? [{ e, index }] : []));
  if (naming.length > 0) {
    throw new AppError(
      'conflict',
      `session ${number} of participant ${code} is named by adverse event${naming.length === 1 ? '' : 's'} ` +
        `${naming.map(({ e }) => e.key).join(', ')}; change or delete ${naming.length === 1 ? 'that event' : 'those events'} first`,
      naming.map(({ e, index }) => ({
        path: `participant.adverseEvents[${index}].sessionNumber`,
        message: `adverse event ${e.key} (onset ${e.record.onsetDate}) follows session ${number}`,
      })),
    );
  }
}
