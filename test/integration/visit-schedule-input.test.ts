// Bad scheduled visits on every path that takes them: a change of the study over HTTP, a csv
// import (visits.csv) and a REDCap import (study.json), each as a zip through POST /studies.
// Every case is refused with the field named (its path, or its file, row and column) and writes
// nothing: no table changes, no audit entry, the study keeps its version.
import { expect } from 'chai';
import { sql } from 'kysely';
import { zipFiles } from '../../api/formats/archive.ts';
import type { FormatFile } from '../../api/formats/types.ts';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { exportStudy } from '../../api/services/format-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';
import { editCsv, setCell, textOf, valid } from '../unit/formats/helpers.ts';

const CODE = 'VIS-1';
// 8 × 30.4375 = 243.5 → 244 days: window days 214 to 289. 24 × 30.4375 = 730.5 → 731: days 671 to 791.
const VISITS = [
  { code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 45, expects: ['fadingAssessment'] },
  { code: 'FU24', label: '24-month review', monthsAfterFinalSession: 24, windowBeforeDays: 60, windowAfterDays: 60, expects: ['fadingAssessment', 'survey'] },
];
/** A third visit, 9 months (274 days: window 260 to 288), inside FU8's window. */
const FU9 = { code: 'FU9', label: '9-month review', monthsAfterFinalSession: 9, windowBeforeDays: 14, windowAfterDays: 14, expects: ['survey'] };

type Visit = Record<string, unknown>;
/** Each bad schedule: what is changed, and the field it breaks (a path inside the protocol's visits). */
const BAD: Array<{ what: string; change: (visits: Visit[]) => void }> = [
  { what: 'overlapping windows', change: (v) => v.push({ ...FU9 }) },
  { what: 'an unknown expects kind', change: (v) => (v[0]!.expects = ['photo']) },
  { what: 'a negative window', change: (v) => (v[1]!.windowBeforeDays = -1) },
  { what: 'monthsAfterFinalSession beyond followUpMonths', change: (v) => (v[1]!.monthsAfterFinalSession = 33) },
  { what: 'a duplicate code', change: (v) => (v[1]!.code = 'FU8') },
];

const bent = (change: (visits: Visit[]) => void): Visit[] => {
  const visits = structuredClone(VISITS) as Visit[];
  change(visits);
  return visits;
};

describe(`bad scheduled visits on every path, writing nothing (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;
  let adminHeaders: Record<string, string>;
  let bundle: StudyBundle;

  /** Everything a refused request could have written. */
  async function written() {
    const { rows } = await sql<{ n: string | number }>`select count(*) as n from audit_event`.execute(db.kysely);
    const study = await admin.get(`/studies/${CODE}`);
    return { ...(await tableCounts(db)), audit: Number(rows[0]!.n), version: study.body.version };
  }

  async function uploadZip(format: 'csv' | 'redcap', files: readonly FormatFile[]) {
    const response = await fetch(`${server.base}/api/studies?format=${format}&replace=true`, {
      method: 'POST',
      headers: { ...adminHeaders, 'content-type': 'application/zip', 'x-change-reason': 'bad schedule' },
      body: new Blob([Buffer.from(zipFiles('upload', files, new Date('2024-01-01T00:00:00Z')))]),
    });
    return { status: response.status, body: (await response.json()) as { problems: Array<{ path: string; message: string }> } };
  }

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    adminHeaders = (await createTestUser(db, 'admin')).headers;
    admin = apiClient(server.base, adminHeaders);
    const raw = smallBundle(CODE) as unknown as { study: { protocol: Record<string, unknown> } };
    raw.study.protocol.visits = VISITS;
    bundle = valid(raw);
    expect((await admin.post('/studies', bundle)).status).to.equal(201);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  it('a change of the study (PATCH) names the visit field and changes nothing', async () => {
    const expected = [
      'protocol.visits[2]: its window (days 260 to 288 after the final session) overlaps the window of visits[0] "FU8" (days 214 to 289 after the final session); windows must not overlap',
      'protocol.visits[0].expects[0]: must be fadingAssessment or survey (got "photo")',
      'protocol.visits[1].windowBeforeDays: must be at least 0 (got -1)',
      "protocol.visits[1].monthsAfterFinalSession: 33 is outside the protocol's follow-up window, followUpMonths 7 to 32",
      'protocol.visits[1].code: visit code "FU8" is already used by visits[0]',
    ];
    const before = await written();
    const study = await admin.get(`/studies/${CODE}`);
    for (const [index, { what, change }] of BAD.entries()) {
      const reply = await admin.patch(`/studies/${CODE}`, { protocol: { visits: bent(change) } }, { ifMatch: study.etag!, reason: 'Amendment' });
      expect(reply.status, what).to.equal(400);
      expect(reply.body.problems.map((p: { path: string; message: string }) => `${p.path}: ${p.message}`), what).to.deep.equal([expected[index]]);
    }
    expect(await written()).to.deep.equal(before);
    expect((await admin.get(`/studies/${CODE}`)).body.protocol.visits).to.deep.equal(VISITS);
  });

  it('a csv import names the file, row and column of visits.csv and writes nothing', async () => {
    const files = exportStudy(bundle, 'csv').files;
    const visitsCsv = files.find((f) => f.name === 'visits.csv')!;
    const withVisits = (edit: Parameters<typeof editCsv>[1]) => files.map((f) => (f === visitsCsv ? editCsv(f, edit) : f));
    const cases: Array<[string, FormatFile[], string[]]> = [
      [
        'overlapping windows',
        files.map((f) => (f === visitsCsv ? { name: f.name, content: `${textOf(f)}${CODE},FU9,9-month review,9,14,14,survey,274,260,288\r\n` } : f)),
        ['visits.csv:4: its window (days 260 to 288 after the final session) overlaps the window of visits[0] "FU8" (days 214 to 289 after the final session); windows must not overlap'],
      ],
      ['an unknown expects kind', withVisits((t) => setCell(t, 0, 'expects', 'photo')), ['visits.csv:2:expects: must be fadingAssessment or survey (got "photo")']],
      ['a negative window', withVisits((t) => setCell(t, 1, 'window_before_days', '-1')), ['visits.csv:3:window_before_days: must be at least 0 (got -1)']],
      [
        'monthsAfterFinalSession beyond followUpMonths',
        withVisits((t) => setCell(t, 1, 'months_after_final_session', '33')),
        ["visits.csv:3:months_after_final_session: 33 is outside the protocol's follow-up window, followUpMonths 7 to 32"],
      ],
      ['a duplicate code', withVisits((t) => setCell(t, 1, 'visit_code', 'FU8')), ['visits.csv:3:visit_code: visit code "FU8" is already used by visits[0]']],
    ];
    const before = await written();
    for (const [what, upload, expected] of cases) {
      const reply = await uploadZip('csv', upload);
      expect(reply.status, what).to.equal(400);
      expect(reply.body.problems.map((p) => `${p.path}: ${p.message}`), what).to.deep.equal(expected);
    }
    expect(await written()).to.deep.equal(before);
  });

  it('a REDCap import names the field of study.json and writes nothing', async () => {
    const files = exportStudy(bundle, 'redcap').files;
    const withStudy = (change: (visits: Visit[]) => void) =>
      files.map((f) => {
        if (f.name !== 'study.json') return f;
        const study = JSON.parse(textOf(f)) as { study: { protocol: { visits: Visit[] } } };
        study.study.protocol.visits = bent(change);
        return { name: f.name, content: JSON.stringify(study) };
      });
    const expected = [
      'study.json:study.protocol.visits[2]: its window (days 260 to 288 after the final session) overlaps the window of visits[0] "FU8" (days 214 to 289 after the final session); windows must not overlap',
      'study.json:study.protocol.visits[0].expects[0]: must be fadingAssessment or survey (got "photo")',
      'study.json:study.protocol.visits[1].windowBeforeDays: must be at least 0 (got -1)',
      "study.json:study.protocol.visits[1].monthsAfterFinalSession: 33 is outside the protocol's follow-up window, followUpMonths 7 to 32",
      'study.json:study.protocol.visits[1].code: visit code "FU8" is already used by visits[0]',
    ];
    const before = await written();
    for (const [index, { what, change }] of BAD.entries()) {
      const reply = await uploadZip('redcap', withStudy(change));
      expect(reply.status, what).to.equal(400);
      expect(reply.body.problems.map((p) => `${p.path}: ${p.message}`), what).to.deep.equal([expected[index]]);
    }
    expect(await written()).to.deep.equal(before);
  });
});
