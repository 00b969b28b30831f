// A reviewer reaches only de-identified data, on every route: this test reads everything a
// reviewer can read and scans each response for the source's participant and practitioner
// codes, adverse-event terms, withdrawal reasons, pigment lots and participants' date tuples.
// The reviewer's bundle is still a valid bundle whose analysis equals the original's.
import { expect } from 'chai';
import { unzipSync } from 'fflate';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { validateBundle } from '../../api/schemas/validate-bundle.ts';
import { analyzeStudy } from '../../api/services/analysis-service.ts';
import { EXPORT_FORMATS } from '../../api/services/format-service.ts';
import { participantDeidentifier } from '../../api/services/deidentify.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { commandLineChange } from '../../api/services/access.ts';
import { createFreeze } from '../../api/services/freeze-service.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { leaks, participantDates } from '../support/leaks.ts';
import { createTestUser } from '../support/users.ts';

const CODE = 'DEID-1';

/** Every date of one participant, sorted: what must not be seen together again. */
function dateTuple(p: StudyBundle['participants'][number]): string {
  return participantDates(p)
    .filter((d): d is string => d !== null)
    .sort()
    .join('|');
}

describe(`reviewer: de-identified on every route (${DRIVER})`, function () {
  this.timeout(180_000);
  let db: TestDb;
  let server: TestServer;
  let reviewer: ApiClient;
  let reviewerHeaders: Record<string, string>;
  let original: StudyBundle;
  /** Every body a reviewer received, with the path it came from. */
  const bodies: Array<{ path: string; text: string }> = [];

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    const source = generateCohort({ participants: 120, seed: 23, code: CODE, withdrawalRate: 0.2, adverseEventRate: 0.6 });
    // A follow-up schedule, so that the worklist and retention by visit are read too.
    source.study.protocol.visits = [
      { code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 45, expects: ['fadingAssessment'] },
      { code: 'FU24', label: '24-month review', monthsAfterFinalSession: 24, windowBeforeDays: 90, windowAfterDays: 90, expects: ['fadingAssessment', 'survey'] },
    ];
    const checked = validateBundle(source);
    if (!checked.ok) throw new Error('generated cohort is invalid');
    original = checked.bundle;
    await importBundle(db, source);
    reviewerHeaders = (await createTestUser(db, 'reviewer', [{ studyCode: CODE, siteCode: null }])).headers;
    reviewer = apiClient(server.base, reviewerHeaders);
    // Query threads in which the staff write identifiers, and verified records: what a reviewer
    // reads of them is scanned with the rest. An edit check's query opens on a bad write too.
    const admin = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
    for (const p of original.participants.filter((q) => q.adverseEvents.length > 0).slice(0, 6)) {
      const base = `/studies/${CODE}/participants/${p.code}`;
      const e = p.adverseEvents[0]!;
      const raised = await admin.post(`${base}/queries`, { path: 'adverseEvents[0].term', message: `${p.code}: is "${e.term}" from ${e.onsetDate} right?` });
      expect(raised.status).to.equal(201);
      const answer = `${p.code} confirmed "${e.term}" on ${e.onsetDate}; ${p.withdrawalReason ?? ''} ${p.sessions[0]?.pigmentLot ?? ''}`;
      expect((await admin.post(`/studies/${CODE}/queries/${raised.body.id}/answer`, { message: answer })).status).to.equal(200);
      expect((await admin.post(`${base}/verification`, {})).status).to.equal(200);
      const read = await admin.get(`${base}/adverse-events/1`);
      const patched = await admin.patch(`${base}/adverse-events/1`, { serious: true, outcome: 'unknown' }, { ifMatch: read.etag!, reason: 'edit check' });
      expect(patched.status).to.equal(200);
    }
    const read = async (path: string) => {
      const reply = await reviewer.get(path);
      expect(reply.status, path).to.equal(200);
      bodies.push({ path, text: typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body) });
      return reply.body;
    };
    const all = async (path: string) => {
      let cursor: string | null = null;
      const items: any[] = [];
      do {
        const page: { items: any[]; nextCursor: string | null } = await read(`${path}${path.includes('?') ? '&' : '?'}limit=40${cursor ? `&cursor=${cursor}` : ''}`);
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      return items;
    };

    await read('/studies');
    // The reviewer's own account: who they are, their sessions and their tokens.
    await read('/auth/me');
    await read('/account/sessions');
    await read('/account/tokens');
    await read(`/studies/${CODE}`);
    await read(`/studies/${CODE}/bundle`);
    for (const by of ['', '?by=site', '?by=indication', '?by=practitioner-experience']) await read(`/studies/${CODE}/analysis${by}`);
    await read(`/studies/${CODE}/report`);
    await read(`/studies/${CODE}/charts`);
    await read(`/studies/${CODE}/charts?by=site`);
    // A freeze whose label names a participant: the reviewer sees its id, time and hash only.
    const frozen = await createFreeze(db, commandLineChange(), CODE, { label: `before the paper, ${original.participants[0]!.code} checked` });
    await read(`/studies/${CODE}/freezes`);
    await read(`/studies/${CODE}/analysis?freeze=${frozen.id}`);
    await read(`/studies/${CODE}/report?freeze=${frozen.id}`);
    for (const by of ['category', 'grade', 'serious', 'relatedness', 'site']) await read(`/studies/${CODE}/adverse-events/rates?by=${by}`);
    await all(`/studies/${CODE}/sites`);
    for (const practitioner of await all(`/studies/${CODE}/practitioners`)) {
      await read(`/studies/${CODE}/practitioners/${practitioner.code}`);
    }
    await all(`/studies/${CODE}/worklist?asOf=2020-06-01`);
    await all(`/studies/${CODE}/worklist`);
    await read(`/studies/${CODE}/worklist.csv?asOf=2020-06-01`);
    await read(`/studies/${CODE}/worklist.ics?asOf=2020-06-01`);
    const feed = await reviewer.post(`/studies/${CODE}/worklist/feeds`, {});
    const feedUrl = new URL(feed.body.url);
    bodies.push({ path: feedUrl.pathname, text: await (await fetch(`${server.base}${feedUrl.pathname}${feedUrl.search}`)).text() });
    await all(`/studies/${CODE}/adverse-events`);
    await all(`/studies/${CODE}/adverse-events?unresolved=true`);
    await read(`/studies/${CODE}/adverse-events.csv`);
    // Queries: the inbox, each thread, and the share verified.
    const inbox = await read(`/studies/${CODE}/queries?state=all`);
    expect(inbox.items.length).to.be.greaterThan(11);
    for (const query of inbox.items) await read(`/studies/${CODE}/queries/${query.id}`);
    await read(`/studies/${CODE}/verification`);
    // Every export format, a zip read file by file.
    for (const format of EXPORT_FORMATS) {
      const path = `/studies/${CODE}/export?format=${format}`;
      const response = await fetch(`${server.base}/api${path}`, { headers: reviewerHeaders });
      expect(response.status, path).to.equal(200);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const text = (response.headers.get('content-type') ?? '').includes('zip')
        ? Object.entries(unzipSync(bytes)).map(([name, file]) => `${name}\n${new TextDecoder().decode(file)}`).join('\n')
        : new TextDecoder().decode(bytes);
      bodies.push({ path, text });
    }
    for (const participant of await all(`/studies/${CODE}/participants`)) {
      const base = `/studies/${CODE}/participants/${participant.code}`;
      await read(base);
      for (const segment of ['sessions', 'adverse-events', 'fading-assessments', 'surveys']) {
        for (const item of await all(`${base}/${segment}`)) await read(`${base}/${segment}/${item.number ?? item.no}`);
      }
      await read(`${base}/schedule?asOf=2020-06-01`);
      await read(`${base}/verification`);
      await read(`/studies/${CODE}/queries?participant=${participant.code}&state=all`);
    }
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  it('read every kind of route, every participant and every record', () => {
    const records = original.participants.reduce(
      (n, p) => n + p.sessions.length + p.adverseEvents.length + p.fadingAssessments.length + p.surveys.length,
      0,
    );
    expect(bodies.length).to.be.greaterThan(original.participants.length + records);
  });

  it('shows no participant or practitioner code, term, withdrawal reason or pigment lot of the source, quoted or not', () => {
    const scan = leaks(
      bodies.map(({ path, text }) => ({ name: path, content: text })),
      original,
    );
    expect(scan.lookedFor.total).to.be.greaterThan(200);
    expect(scan.found).to.deep.equal([]);
    expect(original.participants.some((p) => p.withdrawalReason !== null)).to.equal(true);
    // The scan finds the codes of the source unquoted, as in a CSV cell or an HTML table.
    const probe = leaks([{ name: 'probe', content: `x,${original.participants[0]!.code},y <td>${original.practitioners[0]!.code}</td>` }], original);
    expect([probe.participants.size, probe.practitioners.size]).to.deep.equal([1, 1]);
    expect(bodies.filter((b) => b.path.includes('/export?format=')).map((b) => b.path)).to.have.length(EXPORT_FORMATS.length);
  });

  it("moves every date of every participant by that participant's shift, in the bundle and the json export", async () => {
    const { deid_key: key } = await db.kysely
      .selectFrom('study_secret as k')
      .innerJoin('study as s', 's.study_id', 'k.study_id')
      .select('k.deid_key')
      .where('s.code', '=', CODE)
      .executeTakeFirstOrThrow();
    const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
    const datesOf = participantDates;
    for (const path of [`/studies/${CODE}/bundle`, `/studies/${CODE}/export?format=json`]) {
      const bundle = JSON.parse(bodies.find((b) => b.path === path)!.text) as StudyBundle;
      let moved = 0;
      for (const p of original.participants) {
        const deidentifier = participantDeidentifier(key, p);
        expect(deidentifier.shift, p.code).to.not.equal(0);
        const shown = bundle.participants.find((q) => q.code === deidentifier.code)!;
        const before = datesOf(p);
        const after = datesOf(shown);
        expect(after.map((d) => d === null), `${path} ${p.code}`).to.deep.equal(before.map((d) => d === null));
        before.forEach((date, i) => {
          if (date === null) return;
          expect(dayOf(date) - dayOf(after[i]!), `${path} ${p.code} date ${i}`).to.equal(deidentifier.shift);
          moved++;
        });
      }
      expect(moved).to.be.greaterThan(original.participants.length * 3);
    }
  });

  it("shows no participant's dates as they were: each participant's dates all moved", async () => {
    const bundle = JSON.parse(bodies.find((b) => b.path === `/studies/${CODE}/bundle`)!.text) as StudyBundle;
    const originalTuples = new Set(original.participants.map(dateTuple));
    const seen = bundle.participants.map(dateTuple).filter((tuple) => originalTuples.has(tuple));
    expect(seen).to.deep.equal([]);
    // And the participant pages say the same as the bundle.
    const page = JSON.parse(bodies.find((b) => /\/participants\/P-[^/]+$/.test(b.path))!.text);
    const inBundle = bundle.participants.find((p) => p.code === page.code)!;
    expect(page.enrolledOn).to.equal(inBundle.enrolledOn);
    expect(page.withdrawalReason).to.equal(null);
  });

  it("gives a valid bundle whose analysis equals the original's, figure for figure", async () => {
    const bundle = JSON.parse(bodies.find((b) => b.path === `/studies/${CODE}/bundle`)!.text) as StudyBundle;
    expect(validateBundle(bundle).ok).to.equal(true);
    await importBundle(db, { ...bundle, study: { ...bundle.study, code: 'DEID-2' } });
    for (const by of [undefined, 'site', 'indication', 'practitioner-experience'] as const) {
      const expected = await analyzeStudy(db, CODE, { by });
      const actual = await analyzeStudy(db, 'DEID-2', { by });
      expect({ ...actual, study: expected.study }, `by ${by ?? 'nothing'}`).to.deep.equal(expected);
    }
    const served = JSON.parse(bodies.find((b) => b.path === `/studies/${CODE}/analysis`)!.text);
    expect(served).to.deep.equal(await analyzeStudy(db, CODE));
  });

  it("dates the worklist from each participant's shifted dates, never its true ones", async () => {
    const { deid_key: key } = await db.kysely
      .selectFrom('study_secret as k')
      .innerJoin('study as s', 's.study_id', 'k.study_id')
      .select('k.deid_key')
      .where('s.code', '=', CODE)
      .executeTakeFirstOrThrow();
    const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
    let checked = 0;
    for (const p of original.participants) {
      const deidentifier = participantDeidentifier(key, p);
      const body = bodies.find((b) => b.path === `/studies/${CODE}/participants/${deidentifier.code}/schedule?asOf=2020-06-01`);
      const schedule = JSON.parse(body!.text);
      if (p.sessions.length === 0) {
        expect(schedule.steps).to.deep.equal([]);
        continue;
      }
      const trueFinal = p.sessions.at(-1)!.date;
      expect(schedule.finalSession, p.code).to.not.equal(trueFinal);
      expect(dayOf(trueFinal) - dayOf(schedule.finalSession), p.code).to.equal(deidentifier.shift);
      checked++;
    }
    expect(checked).to.be.greaterThan(100);
  });

  it('refuses date filters and date order, which would find true dates out', async () => {
    const byDate = await reviewer.get(`/studies/${CODE}/participants?enrolledFrom=2019-01-01&sort=-enrolledOn`);
    expect(byDate.status).to.equal(400);
    expect(byDate.body.problems.map((p: { path: string }) => p.path)).to.deep.equal(['query.enrolledFrom', 'query.sort']);
    const onset = await reviewer.get(`/studies/${CODE}/adverse-events?onsetTo=2020-01-01`);
    expect(onset.body.problems.map((p: { path: string }) => p.path)).to.deep.equal(['query.onsetTo']);
  });

  it('finds no participant by its real code, and changes nothing', async () => {
    const code = original.participants[0]!.code;
    expect((await reviewer.get(`/studies/${CODE}/participants/${code}`)).status).to.equal(404);
    const write = await reviewer.post(`/studies/${CODE}/participants/${code}/surveys`, { date: '2024-01-01', satisfaction: 5 });
    expect(write.status).to.equal(403);
    expect((await reviewer.get(`/studies/${CODE}/audit`)).status).to.equal(403);
    // Survey links are made and listed by those who may write: a reviewer reads none, by either code.
    const pseudonymous = (await reviewer.get(`/studies/${CODE}/participants?limit=1`)).body.items[0].code;
    for (const name of [code, pseudonymous]) {
      expect((await reviewer.get(`/studies/${CODE}/participants/${name}/survey-links`)).status).to.equal(403);
      expect((await reviewer.post(`/studies/${CODE}/participants/${name}/survey-links`, {})).status).to.equal(403);
    }
  });
});
