// Studies as users see them: listings for the CLI, the API and the dashboard; one study's own
// fields, changed with a merge patch or deleted whole; and a stored study's protocol in the
// bundle's terms.
import { sql, type Kysely } from 'kysely';
import type { Database, Db } from '../../db/kysely.ts';
import {
  deleteStudy as deleteStudyRows,
  findStudyByCode,
  listStudiesWithCounts,
  lockStudy,
  lockStudyCode,
  nextVersion,
  updateStudy,
  type StudyRow,
} from '../../db/repositories/study-repository.ts';
import { AppError } from '../errors.ts';
import { Protocol as ProtocolSchema } from '../schemas/bundle.ts';
import { formatPath, issueMessage, problemsFromZod } from '../schemas/problems.ts';
import { visitsOutsideFollowUp } from '../schemas/visit-schedule.ts';
import type { StudyRecord, SurveySettings } from '../schemas/records.ts';
import type { StudyListing } from '../schemas/responses.ts';
import { requireAdmin, requirePermission, requireStudyScope, visibleStudyCodes, type Actor, type ChangeContext } from './access.ts';
import { recordChange } from './audit-service.ts';
import { mergePatch } from './merge-patch.ts';
import { protocolColumns, protocolOf } from './record-mapping.ts';
import { readBundle } from './study-bundle-service.ts';
import { requireVersion } from './versions.ts';
import { assertStudyUnlocked } from './participant-lock-service.ts';
import { invalidateStudySignatures } from './signature-service.ts';

export function studyRecordOf(study: StudyRow): StudyRecord {
  return {
    code: study.code,
    title: study.title,
    protocol: protocolOf(study),
    version: Number(study.version),
    importedAt: new Date(study.imported_at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    surveys: { linkDays: study.survey_link_days, reminderDays: [...study.survey_reminder_days] },
  };
}

/**
 * Studies with their record counts, those the actor may see (every study without an actor),
 * read in one snapshot. A clinic's counts are of its own sites' participants.
 */
export async function listStudies(db: Db, actor?: Actor): Promise<StudyListing[]> {
  const visible = actor ? visibleStudyCodes(actor) : 'all';
  return db.readSnapshot(async (kysely) => {
    const rows = await listStudiesWithCounts(kysely, visible === 'all' ? 'all' : [...visible]);
    const listings = rows.map((r) => ({
      code: r.code,
      title: r.title,
      importedAt: r.imported_at,
      sites: Number(r.sites),
      practitioners: Number(r.practitioners),
      participants: Number(r.participants),
      sessions: Number(r.sessions),
      adverseEvents: Number(r.adverse_events),
      fadingAssessments: Number(r.fading_assessments),
      surveys: Number(r.surveys),
    }));
    if (!actor || actor.role !== 'clinic') return listings;
    const scoped: StudyListing[] = [];
    for (const listing of listings) {
      const scope = requireStudyScope(actor, listing.code);
      scoped.push(scope.sites === 'all' ? listing : { ...listing, ...(await siteCounts(kysely, listing.code, [...scope.sites])) });
    }
    return scoped;
  });
}

/** A study's participant-level counts over some of its sites. */
async function siteCounts(kysely: Kysely<Database>, code: string, siteCodes: string[]) {
  const count = (table: string) => sql<string>`(select count(*) from ${sql.table(table)} r
      join mine m on m.study_id = r.study_id and m.participant_no = r.participant_no)`;
  const { rows } = await sql<Record<string, string>>`
    with mine as (
      select p.study_id, p.participant_no from participant p
      join study s on s.study_id = p.study_id
      join site t on t.study_id = p.study_id and t.site_no = p.site_no
      where s.code = ${code} and t.code in (${sql.join(siteCodes)})
    )
    select (select count(*) from mine) as participants,
      ${count('treatment_session')} as sessions, ${count('adverse_event')} as adverse_events,
      ${count('fading_assessment')} as fading_assessments, ${count('satisfaction_survey')} as surveys`.execute(kysely);
  const row = rows[0]!;
  return {
    participants: Number(row.participants),
    sessions: Number(row.sessions),
    adverseEvents: Number(row.adverse_events),
    fadingAssessments: Number(row.fading_assessments),
    surveys: Number(row.surveys),
  };
}

export async function getStudy(db: Db, actor: Actor, code: string): Promise<StudyRecord> {
  requireStudyScope(actor, code);
  const study = await findStudyByCode(db.kysely, code);
  if (!study) throw new AppError('not_found', `study ${code} does not exist`);
  return studyRecordOf(study);
}

/** Change a study's title or protocol with a JSON merge patch. */
export async function patchStudy(
  db: Db,
  change: ChangeContext,
  code: string,
  patch: { title?: string | undefined; protocol?: Record<string, unknown> | undefined; surveys?: Partial<SurveySettings> | undefined },
  ifMatch: string,
): Promise<StudyRecord> {
  const scope = requireStudyScope(change.actor, code);
  requirePermission(scope, 'writeStudy', 'change the study');
  return db.transaction(async (trx) => {
    const study = await lockStudy(trx.kysely, code, 'no key update');
    if (!study) throw new AppError('not_found', `study ${code} does not exist`);
    const before = studyRecordOf(study);
    requireVersion(ifMatch, before.version, `study ${code}`, before);
    const title = patch.title ?? study.title;
    const merged = mergePatch(before.protocol, patch.protocol ?? {});
    const parsed = ProtocolSchema.safeParse(merged, { error: issueMessage });
    const outside = parsed.success ? visitsOutsideFollowUp(parsed.data) : [];
    if (!parsed.success || outside.length > 0) {
      const problems = parsed.success
        ? outside.map((p) => ({ path: formatPath(['protocol', ...p.path]), message: p.message }))
        : problemsFromZod(parsed.error, ['protocol']);
      throw new AppError('validation', `the protocol has ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
    }
    const surveys = { ...before.surveys, ...patch.surveys };
    const row = await updateStudy(trx.kysely, study.study_id, {
      title,
      ...protocolColumns(parsed.data),
      survey_link_days: surveys.linkDays,
      survey_reminder_days: surveys.reminderDays,
      version: await nextVersion(trx.kysely),
    });
    const after = studyRecordOf(row);
    await recordChange(trx.kysely, change, {
      action: 'update',
      entity: 'study',
      key: code,
      studyCode: code,
      before: { title: before.title, protocol: before.protocol, surveys: before.surveys },
      after: { title: after.title, protocol: after.protocol, surveys: after.surveys },
    });
    return after;
  });
}

/** Delete a study and every record of it (administrators); the audit trail keeps the whole study. */
export async function deleteStudy(db: Db, change: ChangeContext, code: string, ifMatch: string): Promise<void> {
  requireAdmin(change.actor, 'delete a study');
  await db.transaction(async (trx) => {
    await lockStudyCode(trx.kysely, code);
    const study = await lockStudy(trx.kysely, code, 'update');
    if (!study) throw new AppError('not_found', `study ${code} does not exist`);
    requireVersion(ifMatch, Number(study.version), `study ${code}`, studyRecordOf(study));
    await assertStudyUnlocked(trx.kysely, code);
    const bundle = await readBundle(trx.kysely, study);
    await deleteStudyRows(trx.kysely, study.study_id);
    await invalidateStudySignatures(trx.kysely, change, code);
    await recordChange(trx.kysely, change, {
      action: 'delete',
      entity: 'study',
      key: code,
      studyCode: code,
      siteCodes: bundle.sites.map((s) => s.code),
      before: { title: bundle.study.title, protocol: bundle.study.protocol },
      after: null,
      replacedBundle: bundle,
    });
  });
}
