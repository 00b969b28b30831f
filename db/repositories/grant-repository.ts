// The studies and sites granted to users (user_grant). SQL only; who may grant what, and which
// sites a grant may name, live in api/services/user-service.ts.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';

export async function selectGrants(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom('user_grant')
    .select(['study_code', 'site_code'])
    .where('user_id', '=', userId)
    .orderBy('study_code')
    .orderBy(sql`site_code nulls first`)
    .execute();
}

/** The grants of many users at once, for the user list. */
export async function selectAllGrants(db: Kysely<Database>) {
  return db
    .selectFrom('user_grant')
    .select(['user_id', 'study_code', 'site_code'])
    .orderBy('user_id')
    .orderBy('study_code')
    .orderBy(sql`site_code nulls first`)
    .execute();
}

/** Insert a grant; false when the user has it already. */
export async function insertGrant(trx: Kysely<Database>, userId: number, studyCode: string, siteCode: string | null): Promise<boolean> {
  const { rows } = await sql<{ user_id: number }>`
    insert into user_grant (user_id, study_code, site_code) values (${userId}, ${studyCode}, ${siteCode})
    on conflict (user_id, study_code, coalesce(site_code, '')) do nothing
    returning user_id`.execute(trx);
  return rows.length === 1;
}

/** Delete a grant; false when the user did not have it. */
export async function deleteGrant(trx: Kysely<Database>, userId: number, studyCode: string, siteCode: string | null): Promise<boolean> {
  const rows = await trx
    .deleteFrom('user_grant')
    .where('user_id', '=', userId)
    .where('study_code', '=', studyCode)
    .where(siteCode === null ? sql<boolean>`site_code is null` : sql<boolean>`site_code = ${siteCode}`)
    .returning('user_id')
    .execute();
  return rows.length === 1;
}
