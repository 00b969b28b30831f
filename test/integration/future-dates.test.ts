// Dates that cannot be true: a record or enrolment dated after today (with one day of grace) is
// refused on every write path (record-level HTTP writes, bundle import over HTTP and on the
// command line) and in every importer (csv, REDCap), naming the field, and nothing is written.
// "Today" is fixed with setToday, so the tests do not depend on the calendar.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { writeCsvTables } from '../../api/formats/csv/export.ts';
import { readImport } from '../../api/formats/read-import.ts';
import { writeRedcapProject } from '../../api/formats/redcap/export.ts';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { setToday } from '../../api/schemas/today.ts';
import { validateBundle } from '../../api/schemas/validate-bundle.ts';
import { smallBundle } from '../support/bundles.ts';
import { runSmp } from '../support/cli-workspace.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

// smallBundle's latest date is participants[0].fadingAssessments[1].date, 2020-06-01.
const LATEST = { path: 'participants[0].fadingAssessments[1].date', date: '2020-06-01' };
const futureMessage = (date: string, today: string) => `${date} is after today (${today}): a record cannot be dated in the future`;

describe(`dates after today are refused (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  let server: TestServer;
  let api: ApiClient;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    api = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
  });
  afterEach(() => setToday(null));
  after(async () => {
    setToday(null);
    await server?.close();
    await db?.dispose();
  });

  it('refuses a bundle with a date two days after today, and takes it the day before (one day of grace)', async () => {
    setToday('2020-05-30');
    const before = await tableCounts(db);
    const refused = await api.post('/studies', smallBundle('FUT-1'));
    expect(refused.status).to.equal(400);
    expect(refused.body.problems).to.deep.equal([{ path: LATEST.path, message: futureMessage(LATEST.date, '2020-05-30') }]);
    expect(await tableCounts(db)).to.deep.equal(before);
    setToday('2020-05-31');
    expect((await api.post('/studies', smallBundle('FUT-1'))).status).to.equal(201);
  });

  it('refuses an enrolment and a session dated after today through the record-level API', async () => {
    setToday('2026-12-06');
    expect((await api.post('/studies', smallBundle('FUT-2'))).status).to.equal(201);
    const before = await tableCounts(db);
    const enrolment = await api.post('/studies/FUT-2/participants', {
      code: 'P09',
      site: 'LON',
      sex: 'female',
      birthYear: 1980,
      indication: 'alopecia_areata',
      fitzpatrick: 3,
      keloidHistory: false,
      enrolledOn: '2062-10-01',
      costUsd: 3000,
    });
    expect(enrolment.status).to.equal(400);
    expect(enrolment.body.problems).to.deep.equal([{ path: 'enrolledOn', message: futureMessage('2062-10-01', '2026-12-06') }]);
    const session = await api.post('/studies/FUT-2/participants/P01/sessions', {
      kind: 'touch_up',
      date: '2062-11-03',
      durationMinutes: 90,
      practitioner: 'PR-A',
      pigmentLot: 'LOT-9',
      anesthesia: 'none',
    });
    expect(session.status).to.equal(400);
    expect(session.body.problems).to.deep.equal([{ path: 'date', message: futureMessage('2062-11-03', '2026-12-06') }]);
    expect(await tableCounts(db)).to.deep.equal(before);
  });

  it('refuses the date in the csv and REDCap importers, located in their files', () => {
    const bundle = validateBundle(smallBundle('FUT-3'));
    if (!bundle.ok) throw new Error('smallBundle is valid');
    setToday('2020-05-30');
    const csv = readImport('csv', { files: writeCsvTables(bundle.bundle as StudyBundle) });
    expect(csv.ok).to.equal(false);
    if (csv.ok) return;
    expect(csv.problems.map((p) => [p.file, p.message])).to.deep.equal([['fading_assessments.csv', futureMessage(LATEST.date, '2020-05-30')]]);
    const redcap = readImport('redcap', { files: writeRedcapProject(bundle.bundle as StudyBundle) });
    expect(redcap.ok).to.equal(false);
    if (redcap.ok) return;
    expect(redcap.problems.map((p) => [p.file, p.message])).to.deep.equal([['records.csv', futureMessage(LATEST.date, '2020-05-30')]]);
  });

  it('refuses a bundle dated in 2062 on the command line (exit 2), naming the field', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-future-'));
    try {
      const bundle = smallBundle('FUT-4');
      bundle.participants[0].enrolledOn = '2062-10-01';
      const file = path.join(work, 'future.json');
      fs.writeFileSync(file, JSON.stringify(bundle));
      const run = runSmp({ ...process.env, SMP_DATA_DIR: path.join(work, 'data'), DATABASE_URL: '', SMP_TIME_ZONE: 'UTC' }, ['import', file]);
      expect(run.status).to.equal(2);
      expect(run.stderr).to.match(/participants\[0\]\.enrolledOn: 2062-10-01 is after today \(\d{4}-\d{2}-\d{2}\): a record cannot be dated in the future/);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
