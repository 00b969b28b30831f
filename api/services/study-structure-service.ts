// A study's sites and practitioners, one at a time: read by anyone in the study (a reviewer sees
// practitioners by pseudonym), changed by administrators and researchers. Deleting one that
// participants, practitioners or sessions still name is refused, never cascaded.
import type { Db } from '../../db/kysely.ts';
import { findStudyByCode, lockStudy, nextVersion, selectStudySecret } from '../../db/repositories/study-repository.ts';
import { selectPractitioners, selectSites } from '../../db/repositories/listing-repository.ts';
import { practitionersByCode, sitesByCode } from '../../db/repositories/participant-repository.ts';
import {
  deletePractitioner,
  deleteSite,
  insertPractitioner,
  insertSite,
  lockPractitioner,
  lockSite,
  nextLocalNo,
  practitionerSessions,
  siteReferences,
  updatePractitioner,
  updateSite,
} from '../../db/repositories/structure-repository.ts';
import { AppError } from '../errors.ts';
import { Practitioner as PractitionerSchema, Site as SiteSchema, type Practitioner, type Site } from '../schemas/bundle.ts';
import { issueMessage, problemsFromZod } from '../schemas/problems.ts';
import type { PractitionerRecord, SiteRecord } from '../schemas/records.ts';
import { requirePermission, requireStudyScope, studyNotFound, type Actor, type ChangeContext } from './access.ts';
import { recordChange } from './audit-service.ts';
import { pseudonym } from './deidentify.ts';
import { mergePatch } from './merge-patch.ts';
import { practitionerFromRow, siteFromRow, siteRow } from './record-mapping.ts';
import { requireVersion } from './versions.ts';

const siteRecord = (row: { code: string; name: string; country: string | null; version: string }): SiteRecord => ({ ...siteFromRow(row), version: Number(row.version) });

/** A practitioner as the reader sees it: by pseudonym in the de-identified view. */
function practitionerRecord(
  row: { code: string; pseudonym: string; years_experience: number; version: string; site_code: string },
  deidentified: boolean,
): PractitionerRecord {
  const practitioner = practitionerFromRow(row, row.site_code);
  return { ...practitioner, code: deidentified ? row.pseudonym : row.code, version: Number(row.version) };
}

async function readScope(db: Db, actor: Actor, studyCode: string) {
  const scope = requireStudyScope(actor, studyCode);
  const study = await findStudyByCode(db.kysely, studyCode);
  if (!study) throw studyNotFound(studyCode);
  return { scope, study };
}

export async function listSites(db: Db, actor: Actor, studyCode: string): Promise<SiteRecord[]> {
  const { study } = await readScope(db, actor, studyCode);
  return (await selectSites(db.kysely, study.study_id)).map(siteRecord);
}

export async function getSite(db: Db, actor: Actor, studyCode: string, code: string): Promise<SiteRecord> {
  const { study } = await readScope(db, actor, studyCode);
  const [row] = await sitesByCode(db.kysely, study.study_id, [code]);
  if (!row) throw new AppError('not_found', `site ${code} does not exist in study ${studyCode}`);
  return siteRecord(row);
}

export async function listPractitioners(db: Db, actor: Actor, studyCode: string): Promise<PractitionerRecord[]> {
  const { scope, study } = await readScope(db, actor, studyCode);
  return (await selectPractitioners(db.kysely, study.study_id, scope.identified ? 'code' : 'pseudonym')).map((row) =>
    practitionerRecord(row, !scope.identified),
  );
}

export async function getPractitioner(db: Db, actor: Actor, studyCode: string, code: string): Promise<PractitionerRecord> {
  const { scope, study } = await readScope(db, actor, studyCode);
  const [row] = await practitionersByCode(db.kysely, study.study_id, [code], scope.identified ? 'code' : 'pseudonym');
  if (!row) throw new AppError('not_found', `practitioner ${code} does not exist in study ${studyCode}`);
  return practitionerRecord(row, !scope.identified);
}

/** Run a change of the study's structure: administrators and researchers, one at a time per study. */
async function changeStructure<T>(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  work: (trx: Parameters<Parameters<Db['transaction']>[0]>[0]['kysely'], studyId: number) => Promise<T>,
): Promise<T> {
  const scope = requireStudyScope(change.actor, studyCode);
  requirePermission(scope, 'writeStudy', 'change sites or practitioners');
  return db.transaction(async ({ kysely: trx }) => {
    const study = await lockStudy(trx, studyCode, 'no key update');
    if (!study) throw studyNotFound(studyCode);
    return work(trx, study.study_id);
  });
}

function parseWhole<T>(schema: typeof SiteSchema | typeof PractitionerSchema, value: unknown, what: string): T {
  const parsed = schema.safeParse(value, { error: issueMessage });
  if (!parsed.success) {
    const problems = problemsFromZod(parsed.error);
    throw new AppError('validation', `the ${what} has ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
  }
  return parsed.data as T;
}

function keyChange(code: string): AppError {
  return new AppError('validation', "code is the record's key and cannot be changed", [
    { path: 'code', message: `is the record's key and cannot be changed (it is ${JSON.stringify(code)})` },
  ]);
}

export async function createSite(db: Db, change: ChangeContext, studyCode: string, site: Site): Promise<SiteRecord> {
  return changeStructure(db, change, studyCode, async (trx, studyId) => {
    if ((await sitesByCode(trx, studyId, [site.code])).length > 0) {
      throw new AppError('conflict', `site ${site.code} already exists in study ${studyCode}`, [
        { path: 'code', message: `site code "${site.code}" is already used` },
      ]);
    }
    const version = await nextVersion(trx);
    await insertSite(trx, siteRow(site, { studyId, siteNo: await nextLocalNo(trx, 'site', 'site_no', studyId), version }));
    await recordChange(trx, change, { action: 'create', entity: 'site', key: site.code, studyCode, siteCodes: [site.code], before: null, after: site });
    return { ...site, version: Number(version) };
  });
}

export async function patchSite(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  code: string,
  patch: Record<string, unknown>,
  ifMatch: string,
): Promise<SiteRecord> {
  return changeStructure(db, change, studyCode, async (trx, studyId) => {
    const row = await lockSite(trx, studyId, code);
    if (!row) throw new AppError('not_found', `site ${code} does not exist in study ${studyCode}`);
    const before = siteFromRow(row);
    requireVersion(ifMatch, row.version, `site ${code}`, siteRecord(row));
    const after = parseWhole<Site>(SiteSchema, mergePatch(before, patch), 'site');
    if (after.code !== code) throw keyChange(code);
    const version = await nextVersion(trx);
    await updateSite(trx, studyId, row.site_no, { name: after.name, country: after.country, version });
    await recordChange(trx, change, { action: 'update', entity: 'site', key: code, studyCode, siteCodes: [code], before, after });
    return { ...after, version: Number(version) };
  });
}

export async function deleteSiteRecord(db: Db, change: ChangeContext, studyCode: string, code: string, ifMatch: string): Promise<void> {
  await changeStructure(db, change, studyCode, async (trx, studyId) => {
    const row = await lockSite(trx, studyId, code);
    if (!row) throw new AppError('not_found', `site ${code} does not exist in study ${studyCode}`);
    requireVersion(ifMatch, row.version, `site ${code}`, siteRecord(row));
    const references = await siteReferences(trx, studyId, row.site_no);
    if (references.participants > 0 || references.practitioners > 0) {
      throw new AppError(
        'conflict',
        `site ${code} still has ${references.participants} participant${references.participants === 1 ? '' : 's'} and ` +
          `${references.practitioners} practitioner${references.practitioners === 1 ? '' : 's'}; move or delete them first`,
        [{ path: 'code', message: 'is still named by participants or practitioners' }],
      );
    }
    await deleteSite(trx, studyId, row.site_no);
    await recordChange(trx, change, { action: 'delete', entity: 'site', key: code, studyCode, siteCodes: [code], before: siteFromRow(row), after: null });
  });
}

/** The site a practitioner names, or the importer's problem for a site that does not exist. */
async function siteNoOf(trx: Parameters<typeof sitesByCode>[0], studyId: number, site: string): Promise<number> {
  const [row] = await sitesByCode(trx, studyId, [site]);
  if (!row) {
    throw new AppError('validation', 'the practitioner has 1 problem', [{ path: 'site', message: `site "${site}" is not defined in sites` }]);
  }
  return row.site_no;
}

export async function createPractitioner(db: Db, change: ChangeContext, studyCode: string, practitioner: Practitioner): Promise<PractitionerRecord> {
  return changeStructure(db, change, studyCode, async (trx, studyId) => {
    if ((await practitionersByCode(trx, studyId, [practitioner.code])).length > 0) {
      throw new AppError('conflict', `practitioner ${practitioner.code} already exists in study ${studyCode}`, [
        { path: 'code', message: `practitioner code "${practitioner.code}" is already used` },
      ]);
    }
    const siteNo = await siteNoOf(trx, studyId, practitioner.site);
    const version = await nextVersion(trx);
    await insertPractitioner(trx, {
      study_id: studyId,
      practitioner_no: await nextLocalNo(trx, 'practitioner', 'practitioner_no', studyId),
      code: practitioner.code,
      site_no: siteNo,
      years_experience: practitioner.yearsExperience,
      pseudonym: pseudonym(await selectStudySecret(trx, studyId), 'practitioner', practitioner.code),
      version,
    });
    await recordChange(trx, change, {
      action: 'create',
      entity: 'practitioner',
      key: practitioner.code,
      studyCode,
      siteCodes: [practitioner.site],
      before: null,
      after: practitioner,
    });
    return { ...practitioner, version: Number(version) };
  });
}

export async function patchPractitioner(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  code: string,
  patch: Record<string, unknown>,
  ifMatch: string,
): Promise<PractitionerRecord> {
  return changeStructure(db, change, studyCode, async (trx, studyId) => {
    const row = await lockPractitioner(trx, studyId, code);
    if (!row) throw new AppError('not_found', `practitioner ${code} does not exist in study ${studyCode}`);
    const before = practitionerFromRow(row, row.site_code);
    requireVersion(ifMatch, row.version, `practitioner ${code}`, practitionerRecord(row, false));
    const after = parseWhole<Practitioner>(PractitionerSchema, mergePatch(before, patch), 'practitioner');
    if (after.code !== code) throw keyChange(code);
    const siteNo = await siteNoOf(trx, studyId, after.site);
    const version = await nextVersion(trx);
    await updatePractitioner(trx, studyId, row.practitioner_no, { site_no: siteNo, years_experience: after.yearsExperience, version });
    await recordChange(trx, change, {
      action: 'update',
      entity: 'practitioner',
      key: code,
      studyCode,
      siteCodes: [before.site, after.site],
      before,
      after,
    });
    return { ...after, version: Number(version) };
  });
}

export async function deletePractitionerRecord(db: Db, change: ChangeContext, studyCode: string, code: string, ifMatch: string): Promise<void> {
  await changeStructure(db, change, studyCode, async (trx, studyId) => {
    const row = await lockPractitioner(trx, studyId, code);
    if (!row) throw new AppError('not_found', `practitioner ${code} does not exist in study ${studyCode}`);
    requireVersion(ifMatch, row.version, `practitioner ${code}`, practitionerRecord(row, false));
    const sessions = await practitionerSessions(trx, studyId, row.practitioner_no);
    if (sessions > 0) {
      throw new AppError('conflict', `practitioner ${code} gave ${sessions} session${sessions === 1 ? '' : 's'} and cannot be deleted`, [
        { path: 'code', message: `is named by ${sessions} session${sessions === 1 ? '' : 's'}` },
      ]);
    }
    await deletePractitioner(trx, studyId, row.practitioner_no);
    await recordChange(trx, change, {
      action: 'delete',
      entity: 'practitioner',
      key: code,
      studyCode,
      siteCodes: [row.site_code],
      before: practitionerFromRow(row, row.site_code),
      after: null,
    });
  });
}
