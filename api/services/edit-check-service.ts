// After every write of a participant, in the write's transaction: the edit checks run again over
// the participant as it now is. A finding without an open automatic query opens one; an automatic
// query whose finding is gone closes itself with a system message. A verified record whose
// version moved (changed or deleted) loses its verification. Each of these is an audit entry.
import type { Kysely } from 'kysely';
import { insertMessage, insertQueryWithMessage, setQueryState, type ReviewState } from '../../db/repositories/data-query-repository.ts';
import { deleteVerification } from '../../db/repositories/verification-repository.ts';
import type { Database } from '../../db/kysely.ts';
import type { QueryList as ReviewedList } from '../schemas/data-queries.ts';
import { QUERY_PATH } from '../schemas/data-queries.ts';
import { today } from '../schemas/today.ts';
import type { ChangeContext } from './access.ts';
import { recordChange } from './audit-service.ts';
import { runEditChecks } from './edit-check-rules.ts';
import { asBundleParticipant, LISTS, type WrittenParticipant } from './participant-views.ts';
import { protocolOf } from './record-mapping.ts';

/** The message an automatic query closes with. */
export const AUTO_CLOSE_MESSAGE = 'The data no longer meets this check: the query closed itself.';

/**
 * Only the API benchmark turns the checks off (SMP_BENCH_WITHOUT_EDIT_CHECKS=1), to measure what
 * they cost on the record write path; it is no setting of the tracker.
 */
const checksOff = () => process.env.SMP_BENCH_WITHOUT_EDIT_CHECKS === '1';

/** What a finding is about, stable while the record exists: `adverseEvents#3.outcome`, or the rule's own key. */
function findingKey(loaded: WrittenParticipant, path: string, key: string | undefined): { key: string; list: ReviewedList | null; no: number | null; field: string | null } {
  if (key !== undefined) return { key, list: null, no: null, field: null };
  const [, list, index, field] = QUERY_PATH.exec(path)!;
  const reviewed = list as ReviewedList;
  const no = loaded[reviewed][Number(index)]!.key;
  return { key: `${reviewed}#${no}${field ? `.${field}` : ''}`, list: reviewed, no, field: field ?? null };
}

/**
 * Re-run the edit checks and clear stale verifications for the participant just written, with
 * its review state as read in the write's transaction once the participant's row was held.
 */
export async function afterParticipantWrite(trx: Kysely<Database>, change: ChangeContext, written: WrittenParticipant, review: ReviewState): Promise<void> {
  if (checksOff()) return;
  await syncAutomaticQueries(trx, change, written, review.queries);
  await clearChangedVerifications(trx, change, written, review.verified);
}

async function syncAutomaticQueries(trx: Kysely<Database>, change: ChangeContext, loaded: WrittenParticipant, open: ReviewState['queries']): Promise<void> {
  const { study, fields } = loaded;
  const findings = runEditChecks({
    participant: asBundleParticipant(loaded),
    protocol: protocolOf(study),
    practitionerSites: new Map([...loaded.practitioners.values()].map((p) => [p.code, p.site])),
    today: today(),
  });
  const openKeys = new Set(open.map((q) => `${q.rule_id}\u0000${q.rule_key}`));
  const found = new Set<string>();
  const at = new Date().toISOString();
  const audit = (action: 'create' | 'update', queryId: number, before: unknown, after: unknown) =>
    recordChange(trx, change, {
      action,
      entity: 'data_query',
      key: `${fields.code}/queries/${queryId}`,
      studyCode: study.code,
      siteCodes: [fields.site],
      participantCode: fields.code,
      before,
      after,
    });
  for (const finding of findings) {
    const target = findingKey(loaded, finding.path, finding.key);
    const id = `${finding.rule.id}\u0000${target.key}`;
    if (found.has(id)) continue;
    found.add(id);
    if (openKeys.has(id)) continue;
    const message = finding.detail ? `${finding.rule.message} ${finding.detail}` : finding.rule.message;
    const queryId = await insertQueryWithMessage(trx, {
      study_id: study.study_id,
      participant_code: fields.code,
      site_code: fields.site,
      record_list: target.list,
      record_no: target.no,
      field: target.field,
      path: finding.path,
      state: 'open',
      rule_id: finding.rule.id,
      rule_key: target.key,
      raised_by: null,
      raised_by_name: 'system',
      raised_role: 'system',
      raised_at: at,
      updated_at: at,
    }, { kind: 'raise', body: message, author_id: null, author_name: 'system', author_role: 'system', written_at: at });
    await audit('create', queryId, null, { path: finding.path, state: 'open', rule: finding.rule.id, message });
  }
  for (const query of open) {
    if (found.has(`${query.rule_id}\u0000${query.rule_key}`)) continue;
    await setQueryState(trx, query.query_id, 'closed', at);
    await insertMessage(trx, { query_id: query.query_id, kind: 'system', body: AUTO_CLOSE_MESSAGE, author_id: null, author_name: 'system', author_role: 'system', written_at: at });
    await audit('update', query.query_id, { state: query.state }, { state: 'closed', rule: query.rule_id, message: AUTO_CLOSE_MESSAGE });
  }
}

async function clearChangedVerifications(trx: Kysely<Database>, change: ChangeContext, loaded: WrittenParticipant, verified: ReviewState['verified']): Promise<void> {
  for (const v of verified) {
    const current = loaded[v.record_list].find((r) => r.key === v.record_no);
    if (current && current.version === String(v.record_version)) continue;
    await deleteVerification(trx, { studyId: loaded.study.study_id, participantNo: loaded.row.participant_no, list: v.record_list, no: v.record_no });
    await recordChange(trx, change, {
      action: 'delete',
      entity: 'verification',
      key: `${loaded.fields.code}/${LISTS[v.record_list].segment}/${v.record_no}/verification`,
      studyCode: loaded.study.code,
      siteCodes: [loaded.fields.site],
      participantCode: loaded.fields.code,
      before: { verifiedBy: v.verified_by_name, verifiedAt: new Date(v.verified_at).toISOString(), version: Number(v.record_version) },
      after: { cleared: current ? 'the record changed after its verification' : 'the record was deleted' },
    });
  }
}
