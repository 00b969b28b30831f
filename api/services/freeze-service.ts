// Study freezes: the study's canonical bundle (as `smp export` writes it, compact JSON) stored
// compressed with an id, time, label and SHA-256, so that a published table can be traced to the
// exact data behind it. The summary of a freeze is worked out from its bundle (bundle-facts.ts,
// which the tests hold equal to the database's path), so it comes out byte for byte the same
// however the data changed since. Freezes are never deleted (a trigger refuses it).
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Db } from '../../db/kysely.ts';
import { insertFreeze, selectFreezeBundle, selectFreezes, type FreezeRow } from '../../db/repositories/freeze-repository.ts';
import { findStudyByCode } from '../../db/repositories/study-repository.ts';
import { AppError } from '../errors.ts';
import type { StudyBundle } from '../schemas/bundle.ts';
import type { FreezeCreate, FreezeRecord } from '../schemas/sign-off.ts';
import { requirePermission, requireStudyScope, studyNotFound, type Actor, type ChangeContext } from './access.ts';
import type { StudyFacts } from './analysis-service.ts';
import { recordChange } from './audit-service.ts';
import { studyFactsFromBundle } from './bundle-facts.ts';
import { sha256Hex } from './signed-content.ts';
import { readBundle } from './study-bundle-service.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** A freeze as the caller may see it: a reviewer gets neither its free-text label nor who made it. */
function freezeRecordOf(row: FreezeRow, identified: boolean): FreezeRecord {
  return {
    id: row.freeze_id,
    study: row.study_code,
    label: identified ? row.label : null,
    createdBy: identified ? row.created_by : null,
    createdAt: row.created_at,
    sha256: Buffer.from(row.bundle_sha256).toString('hex'),
  };
}

/** Freeze a study (administrators and researchers): its bundle as it is now, in one snapshot. */
export async function createFreeze(db: Db, change: ChangeContext, studyCode: string, input: FreezeCreate): Promise<FreezeRecord> {
  const scope = requireStudyScope(change.actor, studyCode);
  requirePermission(scope, 'writeStudy', 'freeze the study');
  const json = await db.readSnapshot(async (kysely) => {
    const study = await findStudyByCode(kysely, studyCode);
    if (!study) throw studyNotFound(studyCode);
    return JSON.stringify(await readBundle(kysely, study));
  });
  const sha256 = sha256Hex(json);
  const compressed = await gzipAsync(json);
  return db.transaction(async ({ kysely: trx }) => {
    const row = await insertFreeze(trx, {
      study_code: studyCode,
      label: input.label,
      created_by: change.actor.username,
      bundle_gz: compressed,
      bundle_sha256: Buffer.from(sha256, 'hex'),
    });
    const freeze = freezeRecordOf(row, true);
    await recordChange(trx, change, {
      action: 'create',
      entity: 'freeze',
      key: `freezes/${freeze.id}`,
      studyCode,
      before: null,
      after: { label: freeze.label, createdAt: freeze.createdAt, sha256: freeze.sha256 },
    });
    return freeze;
  });
}

export async function listFreezes(db: Db, actor: Actor, studyCode: string): Promise<FreezeRecord[]> {
  const scope = requireStudyScope(actor, studyCode);
  if (!(await findStudyByCode(db.kysely, studyCode))) throw studyNotFound(studyCode);
  return (await selectFreezes(db.kysely, studyCode)).map((row) => freezeRecordOf(row, scope.identified));
}

function freezeNotFound(studyCode: string, id: number): AppError {
  return new AppError('not_found', `study ${studyCode} has no freeze ${id} (GET /api/studies/${studyCode}/freezes lists them)`, [
    { path: 'freeze', message: `is not a freeze of study ${studyCode}` },
  ]);
}

/** A freeze and its bundle's exact JSON text (what its hash covers). */
async function readFreeze(db: Db, studyCode: string, id: number): Promise<{ row: FreezeRow; json: string }> {
  const row = await selectFreezeBundle(db.kysely, studyCode, id);
  if (!row) throw freezeNotFound(studyCode, id);
  return { row, json: (await gunzipAsync(row.bundle_gz)).toString('utf8') };
}

/** The frozen bundle's exact bytes (identified readers only: it holds the study's codes and dates). */
export async function frozenBundleJson(db: Db, actor: Actor, studyCode: string, id: number): Promise<string> {
  const scope = requireStudyScope(actor, studyCode);
  if (!scope.identified) throw new AppError('forbidden', `a frozen bundle is identified data: a reviewer reads the study de-identified`);
  if (scope.sites !== 'all') throw new AppError('forbidden', 'a frozen bundle holds every site: it is for administrators and researchers');
  return (await readFreeze(db, studyCode, id)).json;
}

export interface FrozenFacts {
  freeze: FreezeRecord;
  facts: StudyFacts;
}

/**
 * The analysis facts of a freeze, and the freeze as the caller may see it. Without an actor (the
 * command line), the whole study.
 */
export async function frozenStudyFacts(db: Db, actor: Actor | undefined, studyCode: string, id: number): Promise<FrozenFacts> {
  const scope = actor ? requireStudyScope(actor, studyCode) : undefined;
  const { row, json } = await readFreeze(db, studyCode, id);
  return { freeze: freezeRecordOf(row, scope?.identified ?? true), facts: studyFactsFromBundle(JSON.parse(json) as StudyBundle) };
}
