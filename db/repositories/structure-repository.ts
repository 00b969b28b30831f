// A study's sites and practitioners, one at a time. SQL only; the rules live in api/services.
import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { Database } from '../types.ts';

/** The next free local number of a study's sites, practitioners or participants. */
export async function nextLocalNo(
  trx: Kysely<Database>,
  table: 'site' | 'practitioner' | 'participant',
  column: 'site_no' | 'practitioner_no' | 'participant_no',
  studyId: number,
): Promise<number> {
  const row = await trx
    .selectFrom(table)
    .select(sql<number>`coalesce(max(${sql.ref(column)}), 0)::int + 1`.as('next'))
    .where('study_id', '=', studyId)
    .executeTakeFirstOrThrow();
  return row.next;
}

export async function lockSite(trx: Kysely<Database>, studyId: number, code: string) {
  return trx.selectFrom('site').selectAll().where('study_id', '=', studyId).where('code', '=', code).forUpdate().executeTakeFirst();
}

export async function lockPractitioner(trx: Kysely<Database>, studyId: number, code: string) {
  return trx
    .selectFrom('practitioner as pr')
    .innerJoin('site as s', (join) => join.onRef('s.study_id', '=', 'pr.study_id').onRef('s.site_no', '=', 'pr.site_no'))
    .selectAll('pr')
    .select('s.code as site_code')
    .where('pr.study_id', '=', studyId)
    .where('pr.code', '=', code)
    .forUpdate('pr')
    .executeTakeFirst();
}

export async function insertSite(trx: Kysely<Database>, row: Insertable<Database['site']>): Promise<void> {
  await trx.insertInto('site').values(row).execute();
}

export async function updateSite(trx: Kysely<Database>, studyId: number, siteNo: number, changes: Updateable<Database['site']>) {
  await trx.updateTable('site').set(changes).where('study_id', '=', studyId).where('site_no', '=', siteNo).execute();
}

export async function deleteSite(trx: Kysely<Database>, studyId: number, siteNo: number): Promise<void> {
  await trx.deleteFrom('site').where('study_id', '=', studyId).where('site_no', '=', siteNo).execute();
}

export async function insertPractitioner(trx: Kysely<Database>, row: Insertable<Database['practitioner']>): Promise<void> {
  await trx.insertInto('practitioner').values(row).execute();
}

export async function updatePractitioner(
  trx: Kysely<Database>,
  studyId: number,
  practitionerNo: number,
  changes: Updateable<Database['practitioner']>,
) {
  await trx.updateTable('practitioner').set(changes).where('study_id', '=', studyId).where('practitioner_no', '=', practitionerNo).execute();
}

export async function deletePractitioner(trx: Kysely<Database>, studyId: number, practitionerNo: number): Promise<void> {
  await trx.deleteFrom('practitioner').where('study_id', '=', studyId).where('practitioner_no', '=', practitionerNo).execute();
}

/** How many participants and practitioners a site has. */
export async function siteReferences(trx: Kysely<Database>, studyId: number, siteNo: number) {
  const row = await trx
    .selectNoFrom([
      sql<number>`(select count(*)::int from participant where study_id = ${studyId} and site_no = ${siteNo})`.as('participants'),
      sql<number>`(select count(*)::int from practitioner where study_id = ${studyId} and site_no = ${siteNo})`.as('practitioners'),
    ])
    .executeTakeFirstOrThrow();
  return row;
}

/** How many sessions a practitioner gave. */
export async function practitionerSessions(trx: Kysely<Database>, studyId: number, practitionerNo: number): Promise<number> {
  const row = await trx
    .selectFrom('treatment_session')
    .select(sql<number>`count(*)::int`.as('sessions'))
    .where('study_id', '=', studyId)
    .where('practitioner_no', '=', practitionerNo)
    .executeTakeFirstOrThrow();
  return row.sessions;
}

/** The site codes of a study, or undefined when there is no such study. */
export async function selectStudySiteCodes(db: Kysely<Database>, studyCode: string): Promise<string[] | undefined> {
  const study = await db.selectFrom('study').select('study_id').where('code', '=', studyCode).executeTakeFirst();
  if (!study) return undefined;
  const sites = await db.selectFrom('site').select('code').where('study_id', '=', study.study_id).orderBy('code').execute();
  return sites.map((s) => s.code);
}
