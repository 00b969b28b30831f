// The analysis facts read row by row, as one JSON value and packed in one text are the same facts, in the same
// order, with the same types, on either database (each driver uses the faster form; see
// FactsForm in db/repositories/analysis-facts-repository.ts).
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { loadStudyFacts } from '../../api/services/analysis-service.ts';
import { studyFactsFromBundle } from '../../api/services/bundle-facts.ts';
import { importBundle, parseBundle } from '../../api/services/study-bundle-service.ts';
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

describe(`analysis facts as rows, as JSON and packed (${DRIVER})`, function () {
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
        expect(await select(db.kysely, id, 'packed'), select.name).to.deep.equal(rows);
        if (code !== 'FORMS-EMPTY') expect(rows, select.name).to.not.be.empty;
      }
    });
  }

  it('gives costs as their text, density scores as numbers and dates as day numbers', async () => {
    const { study_id: id } = await db.kysely.selectFrom('study').select('study_id').where('code', '=', 'FORMS-1').executeTakeFirstOrThrow();
    for (const form of ['rows', 'json', 'packed'] as const) {
      const [p01, p02] = await selectParticipantFacts(db.kysely, id, form);
      expect(p01, form).to.deep.include({ code: 'P01', site: 'LON', withdrawn_on: null, cost_usd: '2800.00' });
      expect(p02, form).to.deep.include({ code: 'P02', withdrawn_on: '2019-03-01', cost_usd: null });
      const [first, second] = await selectSessionFacts(db.kysely, id, form);
      expect(first, form).to.deep.include({ day: 17903, kind: 'initial', durationMinutes: 180 }); // 2019-01-07
      expect(first!.firstPractitionerNo, form).to.be.a('number');
      expect(second!.firstPractitionerNo, form).to.equal(null);
      const assessments = await selectAssessmentFacts(db.kysely, id, form);
      expect(assessments[0], form).to.deep.include({ grade: 0, densityScore: 8.5, needsTouchUp: false });
      expect(assessments[1], form).to.deep.include({ needsTouchUp: null });
    }
  });

  it('gives the facts a bundle gives: the practitioner of session 1, assessments in date order whatever order they were recorded in', async () => {
    const code = 'FORMS-ORDER';
    const bundle = smallBundle(code);
    await importBundle(db, bundle);
    const { study_id: id } = await db.kysely.selectFrom('study').select('study_id').where('code', '=', code).executeTakeFirstOrThrow();
    const { participant_no: p01 } = await db.kysely
      .selectFrom('participant')
      .select('participant_no')
      .where('study_id', '=', id)
      .where('code', '=', 'P01')
      .executeTakeFirstOrThrow();
    // Recorded after the others: an earlier day, then the same day as the first, by the participant and the panel.
    const later = [
      { date: '2019-09-01', assessor: 'clinician', grade: 2 },
      { date: '2019-10-01', assessor: 'participant', grade: 3 },
      { date: '2019-10-01', assessor: 'panel', grade: 4 },
    ] as const;
    await db.kysely
      .insertInto('fading_assessment')
      .values(
        later.map((a, i) => ({
          study_id: id,
          participant_no: p01,
          assessment_no: 10 + i,
          assessed_on: a.date,
          grade: a.grade,
          density_score: null,
          needs_touch_up: null,
          assessor: a.assessor,
        })),
      )
      .execute();
    const facts = await loadStudyFacts(db, code);
    const [first] = facts.participants;
    expect(first!.assessments.map((a) => [a.day, a.assessor, a.grade])).to.deep.equal([
      [18140, 'clinician', 2], // 2019-09-01
      [18170, 'clinician', 0], // 2019-10-01
      [18170, 'panel', 4],
      [18170, 'participant', 3],
      [18414, 'clinician', 1], // 2020-06-01
    ]);
    expect(facts.participants.map((p) => p.practitionerYears)).to.deep.equal([6, 0.5]);
    const edited = structuredClone(bundle);
    edited.participants[0]!.fadingAssessments.push(
      ...later.map((a) => ({ date: a.date, grade: a.grade, densityScore: null, needsTouchUp: null, assessor: a.assessor })),
    );
    const fromBundle = studyFactsFromBundle(await parseBundle(edited));
    expect(first!.assessments.map(({ day, assessor, grade, densityScore, needsTouchUp }) => ({ day, assessor, grade, densityScore, needsTouchUp }))).to.deep.equal(
      fromBundle.participants[0]!.assessments,
    );
  });
});
