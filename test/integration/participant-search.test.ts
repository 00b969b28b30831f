// Finding participants: the listing's search matches the participant code, a session's pigment
// lot or practitioner, and an adverse event's term, in the caller's scope; a clinic finds only its
// own sites' participants, and a reviewer searches pseudonyms only, so that a search cannot reveal
// the terms and codes the de-identified view replaces.
import { expect } from 'chai';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const CODE = 'FIND-1';
const P = `/studies/${CODE}/participants`;

/** The small bundle with a third participant at LON, seen by PR-B of MAN, whose lot holds _ and %. */
function searchBundle() {
  const bundle = smallBundle(CODE);
  bundle.participants.push({
    ...bundle.participants[1],
    code: 'P03',
    site: 'LON',
    withdrawnOn: null,
    withdrawalCause: null,
    withdrawalReason: null,
    sessions: [{ number: 1, kind: 'initial', date: '2019-02-04', durationMinutes: 90, practitioner: 'PR-B', pigmentLot: 'LOT_7%', anesthesia: 'none' }],
    adverseEvents: [
      {
        category: 'infection',
        term: 'Folliculitis',
        onsetDate: '2019-02-06',
        resolvedDate: null,
        grade: 2,
        serious: false,
        relatedness: 'possible',
        outcome: 'recovering',
        sessionNumber: 1,
        solicited: false,
      },
    ],
  });
  return bundle;
}

const codes = (reply: { body: { items: { code: string }[] } }) => reply.body.items.map((p) => p.code);

describe(`participant search (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;
  let clinic: ApiClient;
  let reviewer: ApiClient;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    admin = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
    expect((await admin.post('/studies', searchBundle())).status).to.equal(201);
    clinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: CODE, siteCode: 'LON' }])).headers);
    reviewer = apiClient(server.base, (await createTestUser(db, 'reviewer', [{ studyCode: CODE, siteCode: null }])).headers);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  it('finds by participant code, pigment lot, practitioner and adverse-event term, case-insensitively', async () => {
    expect(codes(await admin.get(`${P}?q=p0`))).to.deep.equal(['P01', 'P02', 'P03']);
    expect(codes(await admin.get(`${P}?q=P02`))).to.deep.equal(['P02']);
    expect(codes(await admin.get(`${P}?q=lot-2`))).to.deep.equal(['P01']);
    expect(codes(await admin.get(`${P}?q=LOT-1`))).to.deep.equal(['P01', 'P02']);
    expect(codes(await admin.get(`${P}?q=pr-b`))).to.deep.equal(['P02', 'P03']);
    expect(codes(await admin.get(`${P}?q=PR-A`))).to.deep.equal(['P01']);
    expect(codes(await admin.get(`${P}?q=ERYTHEMA`))).to.deep.equal(['P01']);
    expect(codes(await admin.get(`${P}?q=follicul`))).to.deep.equal(['P03']);
    expect(codes(await admin.get(`${P}?q=nothing-like-this`))).to.deep.equal([]);
  });

  it('takes % and _ in the text literally', async () => {
    // Unescaped, "T_" would match "T-" of LOT-1 and LOT-2, and "%" would match everyone.
    expect(codes(await admin.get(`${P}?q=${encodeURIComponent('T_')}`))).to.deep.equal(['P03']);
    expect(codes(await admin.get(`${P}?q=${encodeURIComponent('%')}`))).to.deep.equal(['P03']);
    expect(codes(await admin.get(`${P}?q=${encodeURIComponent('\\')}`))).to.deep.equal([]);
  });

  it('keeps the filters, the order and the keyset paging', async () => {
    expect(codes(await admin.get(`${P}?q=LOT&sort=-code`))).to.deep.equal(['P03', 'P02', 'P01']);
    expect(codes(await admin.get(`${P}?q=LOT&site=LON`))).to.deep.equal(['P01', 'P03']);
    const first = await admin.get(`${P}?q=lot&limit=2`);
    expect(codes(first)).to.deep.equal(['P01', 'P02']);
    expect(first.body.nextCursor).to.be.a('string');
    const second = await admin.get(`${P}?q=lot&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(codes(second)).to.deep.equal(['P03']);
    expect(second.body.nextCursor).to.equal(null);
  });

  it("finds only a clinic's own sites' participants", async () => {
    expect(codes(await clinic.get(`${P}?q=LOT-1`))).to.deep.equal(['P01']);
    expect(codes(await clinic.get(`${P}?q=PR-B`))).to.deep.equal(['P03']);
    expect(codes(await clinic.get(`${P}?q=P02`))).to.deep.equal([]);
  });

  it('lets a reviewer search by pseudonym only: terms, lots and practitioners find nobody', async () => {
    const everyone = (await reviewer.get(P)).body.items as { code: string }[];
    expect(everyone).to.have.length(3);
    const pseudonym = everyone[1]!.code;
    expect(pseudonym).to.not.match(/^P0/);
    expect(codes(await reviewer.get(`${P}?q=${encodeURIComponent(pseudonym.slice(1).toLowerCase())}`))).to.include(pseudonym);
    // Each of these finds a participant for the administrator (above).
    for (const text of ['erythema', 'Folliculitis', 'LOT-1', 'PR-A', 'PR-B', 'P01']) {
      const reply = await reviewer.get(`${P}?q=${encodeURIComponent(text)}`);
      expect(reply.status, text).to.equal(200);
      expect(codes(reply), text).to.deep.equal([]);
    }
  });

  it('refuses text the database cannot search with 400 naming the parameter', async () => {
    const reply = await admin.get(`${P}?q=LOT%00`);
    expect(reply.status).to.equal(400);
    expect(reply.body.problems.map((p: { path: string }) => p.path)).to.deep.equal(['query.q']);
    const long = await admin.get(`${P}?q=${'x'.repeat(65)}`);
    expect(long.status).to.equal(400);
    expect(long.body.problems.map((p: { path: string }) => p.path)).to.deep.equal(['query.q']);
  });
});
