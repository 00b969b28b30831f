// Upgrading a store made before live data capture: the second migration gives every study a
// key, every participant and practitioner the pseudonym the application computes, every record
// a version, and record numbers that continue after the stored ones; the third gives sites a
// country column, null for the sites already stored.
import { Migrator, type Kysely } from 'kysely';
import { expect } from 'chai';
import { openDb } from '../../db/kysely.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { migrations } from '../../db/migrations/index.ts';
import { pseudonym } from '../../api/services/deidentify.ts';
import { smallBundle } from '../support/bundles.ts';
import { createServerDatabase, DRIVER, SERVER_URL } from '../support/database.ts';

const FIRST = '2026-11-23-01-study-data-store';

describe(`migrations (${DRIVER})`, function () {
  this.timeout(60_000);

  it('upgrades a store holding a study, keeping every row and adding pseudonyms, versions and counters', async () => {
    const server = SERVER_URL ? await createServerDatabase() : null;
    const db = await openDb(server ? { databaseUrl: server.url } : {});
    try {
      const kysely = db.kysely as unknown as Kysely<any>;
      const first = new Migrator({ db: kysely, provider: { getMigrations: async () => ({ [FIRST]: migrations[FIRST]! }) } });
      expect((await first.migrateToLatest()).error).to.equal(undefined);
      // A study as the first version stored it.
      const bundle = smallBundle('OLD-1');
      const { study_id } = await kysely
        .insertInto('study')
        .values({
          code: 'OLD-1', title: bundle.study.title, initial_sessions: 3, session_interval_days: 7, interval_tolerance_days: 3,
          touch_up_after_days: 30, touch_up_tolerance_days: 7, follow_up_from_months: 7, follow_up_to_months: 32,
        })
        .returning('study_id')
        .executeTakeFirstOrThrow();
      await kysely.insertInto('site').values([{ study_id, site_no: 1, code: 'LON', name: 'London' }]).execute();
      await kysely.insertInto('practitioner').values([{ study_id, practitioner_no: 1, code: 'PR-A', site_no: 1, years_experience: 3 }]).execute();
      await kysely.insertInto('participant').values([
        { study_id, participant_no: 1, code: 'P01', site_no: 1, sex: 'male', birth_year: 1980, indication: 'scar', keloid_history: false, enrolled_on: '2020-01-01' },
        { study_id, participant_no: 2, code: 'P02', site_no: 1, sex: 'female', birth_year: 1981, indication: 'scar', keloid_history: false, enrolled_on: '2020-01-01' },
      ]).execute();
      await kysely.insertInto('treatment_session').values({
        study_id, participant_no: 1, session_number: 1, kind: 'initial', session_date: '2020-01-02', duration_minutes: 60,
        practitioner_no: 1, pigment_lot: 'L', anesthesia: 'none',
      }).execute();
      for (const event_no of [1, 3]) {
        await kysely.insertInto('adverse_event').values({
          study_id, participant_no: 1, event_no, category: 'other', term: 'x', onset_date: '2020-01-03', grade: 1, serious: false,
          relatedness: 'unlikely', outcome: 'recovered', solicited: false,
        }).execute();
      }

      // Every migration after the first runs, in order.
      expect(await migrateToLatest(kysely)).to.deep.equal(Object.keys(migrations).slice(1));

      const key = (await kysely.selectFrom('study_secret').select('deid_key').where('study_id', '=', study_id).executeTakeFirstOrThrow()).deid_key;
      expect(key).to.have.length(32);
      const participants = await kysely.selectFrom('participant').select(['code', 'pseudonym', 'last_event_no', 'version']).orderBy('code').execute();
      expect(participants.map((p) => [p.code, p.pseudonym, p.last_event_no])).to.deep.equal([
        ['P01', pseudonym(key, 'participant', 'P01'), 3],
        ['P02', pseudonym(key, 'participant', 'P02'), 0],
      ]);
      expect(participants.every((p) => Number(p.version) > 0)).to.equal(true);
      const practitioner = await kysely.selectFrom('practitioner').select('pseudonym').executeTakeFirstOrThrow();
      expect(practitioner.pseudonym).to.equal(pseudonym(key, 'practitioner', 'PR-A'));
      expect((await kysely.selectFrom('adverse_event').select('event_no').execute()).map((e) => e.event_no).sort()).to.deep.equal([1, 3]);
      // Sites stored before they had a country have none; the column takes three capital letters only.
      expect(await kysely.selectFrom('site').select(['code', 'country']).execute()).to.deep.equal([{ code: 'LON', country: null }]);
      const lowerCase = await kysely.updateTable('site').set({ country: 'gbr' }).execute().then(() => null, (e: unknown) => e as Error);
      expect(lowerCase?.message).to.match(/site_country_check/);
      // Running the migrations again changes nothing.
      expect(await migrateToLatest(kysely)).to.deep.equal([]);
    } finally {
      await db.close();
      await server?.drop();
    }
  });

  it('steps down and up again', async () => {
    const server = SERVER_URL ? await createServerDatabase() : null;
    const db = await openDb(server ? { databaseUrl: server.url } : {});
    try {
      const migrator = new Migrator({ db: db.kysely as unknown as Kysely<any>, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateToLatest()).error).to.equal(undefined);
      const down = await migrator.migrateDown();
      expect(down.error).to.equal(undefined);
      expect(down.results?.map((r) => r.migrationName)).to.deep.equal([Object.keys(migrations).at(-1)]);
      expect((await migrator.migrateToLatest()).results?.map((r) => r.status)).to.deep.equal(['Success']);
    } finally {
      await db.close();
      await server?.drop();
    }
  });
});
