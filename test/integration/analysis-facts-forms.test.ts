// The analysis facts read row by row and read as one JSON value are the same facts, in the same
// order, with the same types, on either database (each driver uses the faster form; see
// FactsForm in db/repositories/analysis-facts-repository.ts).
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import {
  selectAssessmentFacts,
  selectParticipantFacts,
  selectSessionFacts,
  selectSurveyFacts,
} from '../../db/repositories/analysis-facts-repository.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';

const demo = JSON.parse(readFileSync(new URL('../../fixtures/smp-2021.json', import.meta.url), 'utf8')) as StudyBundle;

describe(`analysis facts as rows and as JSON (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;

  before(async () => {
    db = await freshDb();
    await importBundle(db, demo);
    await importBundle(db, smallBundle('FORMS-1'));
    await importBundle(db, generateCohort({ seed: 7, participants: 300, code: 'FORMS-300' }));
    await importBundle(db, { ...smallBundle('FORMS-EMPTY'), participants: [] });
  });
  after(async () => {
    await db?.dispose();
  });

  for (const code of [demo.study.code, 'FORMS-1', 'FORMS-300', 'FORMS-EMPTY']) {
    it(`reads the same facts of ${code} either way`, async () => {
      const { study_id: id } = await db.kysely.selectFrom('study').select('study_id').where('code', '=', code).executeTakeFirstOrThrow();
      for (const select of [selectParticipantFacts, selectSessionFacts, selectAssessmentFacts, selectSurveyFacts]) {
        const rows = await select(db.kysely, id, 'rows');
        const json = await select(db.kysely, id, 'json');
        expect(json, select.name).to.deep.equal(rows);
        if (code !== 'FORMS-EMPTY') expect(rows, select.name).to.not.be.empty;
      }
    });
  }

  it('gives costs as their text, density scores as numbers and dates as day numbers', async () => {
    const { study_id: id } = await db.kysely.selectFrom('study').select('study_id').where('code', '=', 'FORMS-1').executeTakeFirstOrThrow();
    for (const form of ['rows', 'json'] as const) {
      const [p01, p02] = await selectParticipantFacts(db.kysely, id, form);
      expect(p01, form).to.deep.include({ code: 'P01', site: 'LON', practitioner_years: 6, withdrawn_on: null, cost_usd: '2800.00' });
      expect(p02, form).to.deep.include({ code: 'P02', practitioner_years: 0.5, withdrawn_on: '2019-03-01', cost_usd: null });
      const [first] = await selectSessionFacts(db.kysely, id, form);
      expect(first, form).to.deep.include({ day: 17903, kind: 'initial', durationMinutes: 180 }); // 2019-01-07
      const assessments = await selectAssessmentFacts(db.kysely, id, form);
      expect(assessments[0], form).to.deep.include({ grade: 0, densityScore: 8.5, needsTouchUp: false });
      expect(assessments[1], form).to.deep.include({ needsTouchUp: null });
    }
  });
});
