// Study freezes (study_freeze): insert, list and read one with its compressed bundle. SQL only;
// the rules live in api/services/freeze-service.ts. Times come back as ISO 8601 UTC.
import type { Kysely } from 'kysely';
import type { Database } from '../types.ts';
import { iso } from './utc-text.ts';

export interface FreezeRow {
  freeze_id: number;
  study_code: string;
  label: string;
  created_by: string;
  created_at: string;
  bundle_sha256: Uint8Array;
}

function freezeQuery(db: Kysely<Database>) {
  return db
    .selectFrom('study_freeze')
    .select(['freeze_id', 'study_code', 'label', 'created_by', iso('created_at').as('created_at'), 'bundle_sha256']);
}

export async function insertFreeze(
  trx: Kysely<Database>,
  freeze: { study_code: string; label: string; created_by: string; bundle_gz: Uint8Array; bundle_sha256: Uint8Array },
): Promise<FreezeRow> {
  const { freeze_id } = await trx.insertInto('study_freeze').values(freeze).returning('freeze_id').executeTakeFirstOrThrow();
  return freezeQuery(trx).where('freeze_id', '=', freeze_id).executeTakeFirstOrThrow();
}

/** A study's freezes, oldest first. */
export async function selectFreezes(db: Kysely<Database>, studyCode: string): Promise<FreezeRow[]> {
  return freezeQuery(db).where('study_code', '=', studyCode).orderBy('freeze_id').execute();
}

/** One freeze of a study, with its compressed bundle. */
export async function selectFreezeBundle(
  db: Kysely<Database>,
  studyCode: string,
  freezeId: number,
): Promise<(FreezeRow & { bundle_gz: Uint8Array }) | undefined> {
  return freezeQuery(db).select('bundle_gz').where('study_code', '=', studyCode).where('freeze_id', '=', freezeId).executeTakeFirst();
}
