// Import then export gives the bundle back: same values, arrays in canonical order, text byte
// for byte. Also: replace is atomic, an existing code is refused, and the database enforces
// ranges and references itself.
import fs from 'node:fs/promises';
import { expect } from 'chai';
import { sql } from 'kysely';
import { AppError } from '../../api/errors.ts';
import { StudyBundle } from '../../api/schemas/bundle.ts';
import { canonicalOrder } from '../../api/schemas/bundle-order.ts';
import { exportBundle, importBundle } from '../../api/services/study-bundle-service.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';

const DEMO_FILE = new URL('../../fixtures/smp-2021.json', import.meta.url);

describe(`bundle round trip (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  before(async () => {
    db = await freshDb();
  });
  after(async () => {
    await db?.dispose();
  });

  it('exports the demo study as the very file it was imported from', async () => {
    const text = await fs.readFile(DEMO_FILE, 'utf8');
    await importBundle(db, JSON.parse(text));
    const exported = await exportBundle(db, 'SMP-2021');
    expect(JSON.stringify(exported, null, 2) + '\n').to.equal(text);
  });

  it('round-trips a generated 3,000-participant cohort exactly', async () => {
    const bundle = generateCohort({ seed: 2026, participants: 3000, code: 'GEN-3000' });
    const expected = structuredClone(bundle);
    const result = await importBundle(db, bundle);
    expect(result.counts.participant).to.equal(3000);
    const exported = await exportBundle(db, 'GEN-3000');
    expect(exported).to.deep.equal(expected);
  });

  it('keeps text exactly as given: quotes, backslashes, control characters, unicode, SQL', async () => {
    const awkward = [
      `'; DROP TABLE study; --`,
      `"double" and 'single' quotes`,
      'back\\slash \\N \\. \\\\ end\\',
      'tab\there\r\nnew line\nand\u000bvertical tab',
      '  leading and trailing spaces  ',
      'Ünïcödé — “curly” ‘quotes’ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🧑🏽‍🦲 عربى 中文',
      'e\u0301 (combining) vs \u00e9 (precomposed)',
      '\u200b zero width and \ufeff BOM',
    ];
    const bundle = smallBundle('TEXT-1');
    bundle.study.title = awkward.join(' | ');
    bundle.sites[0].name = awkward[0];
    bundle.participants[0].adverseEvents[0].term = awkward[3];
    bundle.participants[0].sessions[0].pigmentLot = awkward[2];
    bundle.participants[1].withdrawalReason = awkward[5];
    const expected = canonicalOrder(StudyBundle.parse(bundle));
    await importBundle(db, bundle);
    const exported = await exportBundle(db, 'TEXT-1');
    expect(exported).to.deep.equal(expected);
    expect(exported.study.title).to.equal(awkward.join(' | '));
    expect(exported.participants[0]!.adverseEvents[0]!.term).to.equal(awkward[3]);
    expect(Buffer.from(exported.participants[1]!.withdrawalReason!, 'utf8')).to.deep.equal(Buffer.from(awkward[5]!, 'utf8'));
  });

  it('writes absent optional fields as null and defaults, and any array order canonically', async () => {
    const bundle = smallBundle('ORDER-1');
    const [first] = bundle.participants;
    delete first.fitzpatrick;
    delete first.withdrawnOn;
    delete first.withdrawalCause;
    delete first.withdrawalReason;
    delete first.adverseEvents[0].solicited;
    delete first.adverseEvents[0].resolvedDate;
    delete bundle.study.protocol.intervalToleranceDays;
    bundle.participants.reverse();
    bundle.sites.reverse();
    first.sessions.reverse();
    first.fadingAssessments.reverse();
    await importBundle(db, bundle);
    const exported = await exportBundle(db, 'ORDER-1');
    expect(exported.sites.map((s) => s.code)).to.deep.equal(['LON', 'MAN']);
    expect(exported.participants.map((p) => p.code)).to.deep.equal(['P01', 'P02']);
    const p01 = exported.participants[0]!;
    expect(p01.sessions.map((s) => s.number)).to.deep.equal([1, 2, 3, 4]);
    expect(p01.fadingAssessments.map((a) => a.date)).to.deep.equal(['2019-10-01', '2020-06-01']);
    expect(p01.fitzpatrick).to.equal(null);
    expect(p01.withdrawnOn).to.equal(null);
    expect(p01.adverseEvents[0]!.solicited).to.equal(false);
    expect(p01.adverseEvents[0]!.resolvedDate).to.equal(null);
    expect(exported.study.protocol.intervalToleranceDays).to.equal(3);
    // Canonical order is reached from any order, and exporting again changes nothing.
    expect(exported).to.deep.equal(canonicalOrder(StudyBundle.parse(bundle)));
    expect(canonicalOrder(exported)).to.deep.equal(exported);
  });

  it('refuses a study code that exists and leaves the study as it was', async () => {
    await importBundle(db, smallBundle('KEEP-1'));
    const before = await exportBundle(db, 'KEEP-1');
    const changed = smallBundle('KEEP-1');
    changed.study.title = 'Changed';
    const error = (await importBundle(db, changed).catch((e: unknown) => e)) as AppError;
    expect(error).to.be.instanceOf(AppError);
    expect(error.kind).to.equal('conflict');
    expect(error.message).to.equal('study KEEP-1 already exists; import with --replace to replace it');
    expect(await exportBundle(db, 'KEEP-1')).to.deep.equal(before);
  });

  it('replaces a study atomically with --replace, leaving other studies alone', async () => {
    await importBundle(db, smallBundle('SWAP-1'));
    await importBundle(db, smallBundle('OTHER-1'));
    const other = await exportBundle(db, 'OTHER-1');
    const counts = await tableCounts(db);

    const replacement = smallBundle('SWAP-1');
    replacement.study.title = 'Second version';
    replacement.participants.pop();
    const result = await importBundle(db, replacement, { replace: true });
    expect(result.replaced).to.equal(true);
    expect((await exportBundle(db, 'SWAP-1')).study.title).to.equal('Second version');
    expect((await exportBundle(db, 'SWAP-1')).participants.map((p) => p.code)).to.deep.equal(['P01']);
    expect(await exportBundle(db, 'OTHER-1')).to.deep.equal(other);
    const after = await tableCounts(db);
    expect(after.participant).to.equal(counts.participant! - 1);
    expect(after.treatment_session).to.equal(counts.treatment_session! - 1);

    // A replacement that fails validation leaves the old version in place.
    const broken = smallBundle('SWAP-1');
    broken.participants[0].sessions[0].date = '2019-02-29';
    await importBundle(db, broken, { replace: true }).catch(() => undefined);
    expect((await exportBundle(db, 'SWAP-1')).study.title).to.equal('Second version');
  });

  it('says which study does not exist on export', async () => {
    const error = (await exportBundle(db, 'NOPE-1').catch((e: unknown) => e)) as AppError;
    expect(error.kind).to.equal('not_found');
    expect(error.message).to.equal('study NOPE-1 does not exist');
  });

  it('runs migrations idempotently', async () => {
    expect(await migrateToLatest(db.kysely)).to.deep.equal([]);
  });

  it('enforces ranges, references and codes in the database itself', async () => {
    const { study_id: studyId } = await db.kysely
      .selectFrom('study')
      .select('study_id')
      .where('code', '=', 'KEEP-1')
      .executeTakeFirstOrThrow();
    const refused = async (statement: string) => {
      const error = await sql.raw(statement.replaceAll('$STUDY', String(studyId))).execute(db.kysely).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error, statement).to.be.instanceOf(Error);
      return error!.message;
    };
    expect(await refused(`update fading_assessment set grade = 5 where study_id = $STUDY`)).to.match(/check constraint/);
    expect(await refused(`update satisfaction_survey set satisfaction = 0 where study_id = $STUDY`)).to.match(/check constraint/);
    expect(await refused(`update adverse_event set resolved_date = onset_date - 1 where study_id = $STUDY`)).to.match(/check constraint/);
    expect(await refused(`update participant set withdrawal_cause = 'other' where study_id = $STUDY and withdrawn_on is null`)).to.match(
      /check constraint/,
    );
    expect(await refused(`update adverse_event set session_number = 9 where study_id = $STUDY`)).to.match(/foreign key/);
    expect(await refused(`update treatment_session set practitioner_no = 99 where study_id = $STUDY`)).to.match(/foreign key/);
    expect(await refused(`update participant set code = 'P01' where study_id = $STUDY`)).to.match(/unique|duplicate key/);
    expect(await refused(`update study set code = 'lower-case' where study_id = $STUDY`)).to.match(/check constraint/);
  });
});
