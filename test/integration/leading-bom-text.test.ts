// A leading U+FEFF in text: PGlite stores it but its driver drops it when reading the value
// back, so a bundle could export differently from how it was imported. It is refused at
// validation on both databases, and U+FEFF anywhere else round-trips exactly.
import { expect } from 'chai';
import { sql } from 'kysely';
import { AppError } from '../../api/errors.ts';
import { exportBundle, importBundle } from '../../api/services/study-bundle-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';

const MESSAGE = 'starts with U+FEFF (a byte order mark), which the embedded database cannot return unchanged';

describe(`leading byte order mark in text (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  before(async () => {
    db = await freshDb();
  });
  after(async () => {
    await db?.dispose();
  });

  it(`reads a stored leading U+FEFF back ${DRIVER === 'pglite' ? 'without it (the reason for the rule)' : 'as stored'}`, async () => {
    const { rows } = await sql<{ value: string; length: number }>`select ${'\uFEFFabc'}::text as value, length(${'\uFEFFabc'}::text) as length`.execute(db.kysely);
    expect(Number(rows[0]!.length)).to.equal(4); // stored with it on both
    expect(rows[0]!.value).to.equal(DRIVER === 'pglite' ? 'abc' : '\uFEFFabc');
  });

  it('refuses text that starts with U+FEFF in every free-text field, writing nothing', async () => {
    const before = await tableCounts(db);
    const bundle = smallBundle('BOM-TEXT');
    bundle.study.title = '\uFEFF';
    bundle.sites[0].name = '\uFEFFLondon';
    bundle.participants[0].sessions[0].pigmentLot = '\uFEFFLOT-1';
    bundle.participants[0].adverseEvents[0].term = '\uFEFF\uFEFFitch';
    bundle.participants[1].withdrawalReason = '\uFEFFmoved';
    const error = (await importBundle(db, bundle).catch((e: unknown) => e)) as AppError;
    expect(error).to.be.instanceOf(AppError);
    expect(error.problems).to.deep.equal([
      { path: 'participants[0].adverseEvents[0].term', message: MESSAGE },
      { path: 'participants[0].sessions[0].pigmentLot', message: MESSAGE },
      { path: 'participants[1].withdrawalReason', message: MESSAGE },
      { path: 'sites[0].name', message: MESSAGE },
      { path: 'study.title', message: MESSAGE },
    ]);
    expect(await tableCounts(db)).to.deep.equal(before);
  });

  it('keeps U+FEFF that does not start the text exactly, so the export imports again', async () => {
    const bundle = smallBundle('BOM-INNER');
    bundle.study.title = 'Title\uFEFF with a zero-width no-break space\uFEFF';
    bundle.sites[0].name = ' \uFEFF';
    await importBundle(db, bundle);
    const exported = await exportBundle(db, 'BOM-INNER');
    expect(exported.study.title).to.equal('Title\uFEFF with a zero-width no-break space\uFEFF');
    expect(exported.sites[0]!.name).to.equal(' \uFEFF');
    await importBundle(db, exported, { replace: true });
    expect(await exportBundle(db, 'BOM-INNER')).to.deep.equal(exported);
  });
});
