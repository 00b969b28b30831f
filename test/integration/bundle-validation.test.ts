// Every bad-input rule of the bundle format: the import is refused with a message naming the
// field, and nothing at all is written.
import { expect } from 'chai';
import { sql } from 'kysely';
import { errorReport } from '../../api/cli/cli-support.ts';
import { AppError } from '../../api/errors.ts';
import { exportBundle, importBundle } from '../../api/services/study-bundle-service.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { bundleRuleCases } from '../support/bundle-rule-cases.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';

describe(`bundle validation refuses bad input and writes nothing (${DRIVER})`, function () {
  let db: TestDb;
  before(async () => {
    db = await freshDb();
  });
  after(async () => {
    await db?.dispose();
  });

  const nothing = {
    study: 0, site: 0, practitioner: 0, participant: 0, treatment_session: 0,
    adverse_event: 0, fading_assessment: 0, satisfaction_survey: 0,
  };

  it('accepts the unbent base bundle (so each case below fails only for its own rule)', async () => {
    const test = await freshDb();
    try {
      const result = await importBundle(test, smallBundle());
      expect(result.counts).to.deep.equal({
        site: 2, practitioner: 2, participant: 2, treatment_session: 5,
        adverse_event: 1, fading_assessment: 2, satisfaction_survey: 1,
      });
    } finally {
      await test.dispose();
    }
  });

  for (const { rule, bend, problems } of bundleRuleCases) {
    it(`refuses ${rule}`, async () => {
      const bundle = smallBundle();
      bend(bundle);
      const error = await importBundle(db, bundle).then(
        () => expect.fail('the import was accepted'),
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(AppError);
      expect((error as AppError).kind).to.equal('validation');
      expect((error as AppError).problems).to.deep.equal(problems);
      expect((error as AppError).message).to.equal(`the bundle has ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
      expect(errorReport(error as AppError)).to.contain(`\n${problems[0]!.path}: ${problems[0]!.message}`);
      expect(await tableCounts(db)).to.deep.equal(nothing);
    });
  }

  it('reports every problem at once, across records and rules', async () => {
    const bundle = smallBundle();
    bundle.participants[0].sessions[0].date = '2021-02-30';
    bundle.participants[0].sessions[1].practitioner = 'NOBODY';
    bundle.participants[0].colour = 'brown';
    bundle.participants[0].adverseEvents[0].resolvedDate = '2019-01-01';
    bundle.participants[1].code = 'P01';
    bundle.participants[1].withdrawnOn = '2018-01-01';
    const error = (await importBundle(db, bundle).catch((e: unknown) => e)) as AppError;
    expect(error.problems).to.deep.equal([
      { path: 'participants[0].adverseEvents[0].resolvedDate', message: '2019-01-01 is before onset on 2019-01-08' },
      { path: 'participants[0].colour', message: 'is not a field of this format' },
      { path: 'participants[0].sessions[0].date', message: '2021-02-30 is not a calendar date' },
      { path: 'participants[0].sessions[1].practitioner', message: 'practitioner "NOBODY" is not defined in practitioners' },
      { path: 'participants[1].code', message: 'participant code "P01" is already used by participants[0]' },
      { path: 'participants[1].sessions[0].date', message: '2019-02-04 is after withdrawal on 2018-01-01' },
      { path: 'participants[1].withdrawnOn', message: '2018-01-01 is before enrolment on 2019-02-01' },
    ]);
    expect(error.message).to.equal('the bundle has 7 problems');
    expect(errorReport(error)).to.match(/^the bundle has 7 problems:\nparticipants\[0\]\.adverseEvents\[0\]\.resolvedDate: /);
    expect(await tableCounts(db)).to.deep.equal(nothing);
  });

  it("says a bundle's problems before its code being taken, and a valid bundle's taken code, changing nothing", async () => {
    const test = await freshDb();
    try {
      await importBundle(test, smallBundle('TAKEN-1'));
      const before = await tableCounts(test);
      const invalid = smallBundle('TAKEN-1');
      invalid.participants[1].sessions[0].practitioner = 'NOBODY';
      const problems = (await importBundle(test, invalid).catch((e: unknown) => e)) as AppError;
      expect(problems.kind).to.equal('validation');
      expect(problems.problems).to.deep.equal([
        { path: 'participants[1].sessions[0].practitioner', message: 'practitioner "NOBODY" is not defined in practitioners' },
      ]);
      const conflict = (await importBundle(test, smallBundle('TAKEN-1')).catch((e: unknown) => e)) as AppError;
      expect(conflict.kind).to.equal('conflict');
      expect(conflict.message).to.equal('study TAKEN-1 already exists; import with --replace to replace it');
      expect(await tableCounts(test)).to.deep.equal(before);
    } finally {
      await test.dispose();
    }
  });

  it('numbers participants listed out of code order by code, each with its own records', async () => {
    const test = await freshDb();
    try {
      const bundle = smallBundle('ORDER-1');
      bundle.participants.reverse();
      await importBundle(test, bundle);
      const exported = await exportBundle(test, 'ORDER-1');
      expect(exported.participants.map((p) => [p.code, p.sessions.length, p.adverseEvents.length, p.fadingAssessments.length])).to.deep.equal(
        [
          ['P01', 4, 1, 2],
          ['P02', 1, 0, 0],
        ],
      );
      const { rows } = await sql<{ code: string; participant_no: number; last_event_no: number }>`
        select code, participant_no, last_event_no from participant order by participant_no`.execute(test.kysely);
      expect(rows.map((r) => [r.code, Number(r.participant_no), Number(r.last_event_no)])).to.deep.equal([
        ['P01', 1, 1],
        ['P02', 2, 0],
      ]);
    } finally {
      await test.dispose();
    }
  });

  it('refuses a large bundle for a problem in a late participant, found while the sessions before it are written; the next import is whole', async () => {
    const test = await freshDb();
    try {
      // 1,000 participants in code order: on a PostgreSQL server their sessions stream while the
      // later participants' lists are still being checked.
      const bundle = generateCohort({ seed: 7, participants: 1000, code: 'LATE-1' });
      const late = bundle.participants[900]!;
      expect(late.sessions.length).to.be.greaterThan(0);
      const good = late.sessions[0]!.durationMinutes;
      late.sessions[0]!.durationMinutes = 0;
      const error = (await importBundle(test, bundle).catch((e: unknown) => e)) as AppError;
      expect(error).to.be.instanceOf(AppError);
      expect(error.message).to.equal('the bundle has 1 problem');
      expect(error.problems).to.deep.equal([{ path: 'participants[900].sessions[0].durationMinutes', message: 'must be at least 1 (got 0)' }]);
      expect(await tableCounts(test)).to.deep.equal(nothing);

      late.sessions[0]!.durationMinutes = good;
      // Each participant's sessions listed last-first: they are stored, and exported, in number order.
      for (const participant of bundle.participants) participant.sessions.reverse();
      const result = await importBundle(test, bundle);
      const sum = (pick: (p: (typeof bundle.participants)[number]) => unknown[]) => bundle.participants.reduce((n, p) => n + pick(p).length, 0);
      expect(result.counts).to.deep.include({ participant: 1000, treatment_session: sum((p) => p.sessions), fading_assessment: sum((p) => p.fadingAssessments) });
      const exported = await exportBundle(test, 'LATE-1');
      for (const participant of bundle.participants) participant.sessions.sort((a, b) => a.number - b.number);
      expect(exported).to.deep.equal(bundle);
    } finally {
      await test.dispose();
    }
  });

  it('refuses a document that is not an object', async () => {
    const error = (await importBundle(db, [1, 2]).catch((e: unknown) => e)) as AppError;
    expect(error.problems).to.deep.equal([{ path: '(document)', message: 'must be an object (got a list)' }]);
    expect(await tableCounts(db)).to.deep.equal(nothing);
  });

  it('rolls the whole import back when the database fails part-way', async () => {
    // A trigger makes the last table's COPY fail after every other table was loaded.
    await sql
      .raw(`create function refuse_survey() returns trigger language plpgsql as $$ begin raise exception 'survey store offline'; end $$`)
      .execute(db.kysely);
    await sql.raw('create trigger refuse_survey before insert on satisfaction_survey for each row execute function refuse_survey()').execute(db.kysely);
    try {
      const error = await importBundle(db, smallBundle()).catch((e: unknown) => e);
      expect((error as Error).message).to.contain('survey store offline');
      expect(await tableCounts(db)).to.deep.equal(nothing);
    } finally {
      await sql.raw('drop trigger refuse_survey on satisfaction_survey').execute(db.kysely);
      await sql.raw('drop function refuse_survey').execute(db.kysely);
    }
  });
});
