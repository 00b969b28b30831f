// The follow-up worklist end to end: scheduled visits in the protocol (refused when they break a
// rule, audited when they change), the worklist over HTTP in every scope and view, its CSV and
// iCalendar exports (read back by ical.js, a parser independent of the generator), calendar
// feeds and their revocation, and `smp worklist`. Expected rows were worked out by hand from the
// rule (see the dates below), not taken from the code.
import { expect } from 'chai';
import ICAL from 'ical.js';
import { participantDeidentifier } from '../../api/services/deidentify.ts';
import { smallBundle } from '../support/bundles.ts';
import { useCliWorkspace } from '../support/cli-workspace.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const CODE = 'WORK-1';

const VISITS = [
  // 8 × 30.4375 = 243.5 → 244 days; 24 × 30.4375 = 730.5 → 731 days.
  { code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 45, expects: ['fadingAssessment'] },
  { code: 'FU24', label: '24-month review', monthsAfterFinalSession: 24, windowBeforeDays: 60, windowAfterDays: 60, expects: ['fadingAssessment', 'survey'] },
];

function scheduledBundle(code = CODE) {
  const bundle = smallBundle(code);
  (bundle.study.protocol as Record<string, unknown>).visits = VISITS;
  return bundle;
}

const row = (participant: string, site: string, step: string, target: string, windowStart: string, windowEnd: string, status: string, missing: string[]) => ({
  participant,
  site,
  step,
  kind: step.startsWith('session-') ? 'initial_session' : step === 'touch-up' ? 'touch_up' : 'visit',
  label: { 'session-2': 'Initial session 2', 'session-3': 'Initial session 3', 'touch-up': 'Touch-up', FU8: '8-month review', FU24: '24-month review' }[step],
  target,
  windowStart,
  windowEnd,
  status,
  missing,
});

// As of 2021-01-10. P01 (LON): sessions 2019-01-07, -14, -21 and the touch-up 2019-02-20 (the final
// session); FU8 = 2019-02-20 + 244 = 2019-10-22 [-30, +45], done by the assessment of 2019-10-01;
// FU24 = 2019-02-20 + 731 = 2021-02-20 [2020-12-22, 2021-04-21], due, nothing recorded in it.
// P02 (MAN): one session 2019-02-04, withdrawn 2019-03-01: session 2 (2019-02-11 ± 3) and 3
// (2019-02-18 ± 3) were missed before withdrawing (overdue); the touch-up (2019-02-04 + 30 =
// 2019-03-06 ± 7) and both visits (from the final session 2019-02-04) are withdrawn.
const EXPECTED = [
  row('P02', 'MAN', 'session-2', '2019-02-11', '2019-02-08', '2019-02-14', 'overdue', ['session']),
  row('P02', 'MAN', 'session-3', '2019-02-18', '2019-02-15', '2019-02-21', 'overdue', ['session']),
  row('P01', 'LON', 'FU24', '2021-02-20', '2020-12-22', '2021-04-21', 'due', ['fadingAssessment', 'survey']),
  row('P02', 'MAN', 'touch-up', '2019-03-06', '2019-02-27', '2019-03-13', 'withdrawn', ['session']),
  row('P02', 'MAN', 'FU8', '2019-10-06', '2019-09-06', '2019-11-20', 'withdrawn', ['fadingAssessment']),
  row('P02', 'MAN', 'FU24', '2021-02-04', '2020-12-06', '2021-04-05', 'withdrawn', ['fadingAssessment', 'survey']),
  row('P01', 'LON', 'session-2', '2019-01-14', '2019-01-11', '2019-01-17', 'done', []),
  row('P01', 'LON', 'session-3', '2019-01-21', '2019-01-18', '2019-01-24', 'done', []),
  row('P01', 'LON', 'touch-up', '2019-02-20', '2019-02-13', '2019-02-27', 'done', []),
  row('P01', 'LON', 'FU8', '2019-10-22', '2019-09-22', '2019-12-06', 'done', []),
];
const AS_OF = '2021-01-10';

const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
const dateOf = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

describe(`follow-up worklist (${DRIVER})`, function () {
  this.timeout(180_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;
  let clinic: ApiClient;
  let reviewer: ApiClient;
  let anonymous: ApiClient;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    admin = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
    expect((await admin.post('/studies', scheduledBundle())).status).to.equal(201);
    expect((await admin.post('/studies', smallBundle('PLAIN-1'))).status).to.equal(201);
    clinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: CODE, siteCode: 'LON' }])).headers);
    reviewer = apiClient(server.base, (await createTestUser(db, 'reviewer', [{ studyCode: CODE, siteCode: null }])).headers);
    anonymous = apiClient(server.base);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  async function allPages(client: ApiClient, query: string) {
    const items: any[] = [];
    let cursor: string | null = null;
    do {
      const reply: any = await client.get(`/studies/${CODE}/worklist?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
      items.push(...reply.body.items);
      cursor = reply.body.nextCursor;
    } while (cursor !== null);
    return items;
  }

  describe('the worklist over HTTP', () => {
    it('lists every step of every participant as of a day, overdue first, a page at a time', async () => {
      const first = await admin.get(`/studies/${CODE}/worklist?asOf=${AS_OF}&limit=3`);
      expect(first.body.asOf).to.equal(AS_OF);
      expect(first.body.items).to.deep.equal(EXPECTED.slice(0, 3));
      expect(await allPages(admin, `asOf=${AS_OF}&limit=3`)).to.deep.equal(EXPECTED);
      expect(first.body.counts.find((c: any) => c.step === 'FU24' && c.site === 'MAN')).to.deep.equal({
        step: 'FU24', site: 'MAN', overdue: 0, due: 0, upcoming: 0, withdrawn: 1, done: 0,
      });
    });

    it('filters by status, site, step and horizon', async () => {
      expect(await allPages(admin, `asOf=${AS_OF}&status=due,overdue`)).to.deep.equal(EXPECTED.slice(0, 3));
      expect(await allPages(admin, `asOf=${AS_OF}&site=LON`)).to.deep.equal(EXPECTED.filter((r) => r.site === 'LON'));
      expect(await allPages(admin, `asOf=${AS_OF}&visit=FU8,touch-up`)).to.deep.equal(EXPECTED.filter((r) => ['FU8', 'touch-up'].includes(r.step)));
      // As of 2020-12-01, P01's FU24 opens in 21 days: upcoming, and kept only by a horizon of 21 days or more.
      const upcoming = await allPages(admin, 'asOf=2020-12-01&status=upcoming');
      expect(upcoming.map((r) => [r.participant, r.step, r.status])).to.deep.equal([['P01', 'FU24', 'upcoming']]);
      expect(await allPages(admin, 'asOf=2020-12-01&status=upcoming&horizonDays=20')).to.deep.equal([]);
      expect(await allPages(admin, 'asOf=2020-12-01&status=upcoming&horizonDays=21')).to.deep.equal(upcoming);
    });

    it('shows a record added since in the next worklist (a worklist is kept only while the study is unchanged)', async () => {
      expect((await admin.post('/studies', scheduledBundle('WORK-2'))).status).to.equal(201);
      const due = async () => (await admin.get(`/studies/WORK-2/worklist?asOf=${AS_OF}&status=due&limit=10`)).body.items.map((r: any) => [r.participant, r.step, r.missing]);
      expect(await due()).to.deep.equal([['P01', 'FU24', ['fadingAssessment', 'survey']]]);
      expect(await due(), 'asked again').to.deep.equal([['P01', 'FU24', ['fadingAssessment', 'survey']]]);
      // A survey inside FU24's window (2020-12-22 to 2021-04-21), then an assessment.
      const survey = await admin.post('/studies/WORK-2/participants/P01/surveys', { date: '2021-01-05', satisfaction: 4, wouldRecommend: true });
      expect(survey.status, JSON.stringify(survey.body)).to.equal(201);
      expect(await due()).to.deep.equal([['P01', 'FU24', ['fadingAssessment']]]);
      const assessment = await admin.post('/studies/WORK-2/participants/P01/fading-assessments', {
        date: '2021-01-06', grade: 1, densityScore: 8, needsTouchUp: false, assessor: 'clinician',
      });
      expect(assessment.status, JSON.stringify(assessment.body)).to.equal(201);
      expect(await due()).to.deep.equal([]);
      const done = (await admin.get(`/studies/WORK-2/worklist?asOf=${AS_OF}&visit=FU24&site=LON`)).body.items;
      expect(done.map((r: any) => [r.participant, r.status, r.missing])).to.deep.equal([['P01', 'done', []]]);
    });

    it('defaults asOf to today in the server’s time zone', async () => {
      const reply = await admin.get(`/studies/${CODE}/worklist?limit=1`);
      const today = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
      // Around midnight the test and the server may read different days.
      expect([today, dateOf(dayOf(today) - 1), dateOf(dayOf(today) + 1)]).to.include(reply.body.asOf);
    });

    it('gives a clinic its own sites only, and refuses another site', async () => {
      expect(await allPages(clinic, `asOf=${AS_OF}`)).to.deep.equal(EXPECTED.filter((r) => r.site === 'LON'));
      const other = await clinic.get(`/studies/${CODE}/worklist?site=MAN`);
      expect(other.status).to.equal(403);
      expect(other.body.problems).to.deep.equal([{ path: 'query.site', message: 'is not one of your sites' }]);
      expect((await clinic.get(`/studies/${CODE}/participants/P02/schedule`)).status).to.equal(404);
    });

    it('gives a reviewer pseudonyms, and each participant’s schedule from its shifted dates', async () => {
      const rows = await allPages(reviewer, `asOf=${AS_OF}`);
      const { rows: secrets } = await db.kysely
        .selectFrom('study_secret as k')
        .innerJoin('study as s', 's.study_id', 'k.study_id')
        .select('k.deid_key')
        .where('s.code', '=', CODE)
        .execute()
        .then((r) => ({ rows: r }));
      const key = secrets[0]!.deid_key;
      const bundle = scheduledBundle();
      for (const p of bundle.participants) {
        const deidentifier = participantDeidentifier(key, p);
        const mine = rows.filter((r) => r.participant === deidentifier.code);
        const real = EXPECTED.filter((r) => r.participant === p.code);
        expect(mine.map((r) => r.step).sort(), p.code).to.deep.equal(real.map((r) => r.step).sort());
        for (const r of mine) {
          const truth = real.find((x) => x.step === r.step)!;
          for (const field of ['target', 'windowStart', 'windowEnd'] as const) {
            expect(dayOf(truth[field]) - dayOf(r[field]), `${p.code} ${r.step} ${field}`).to.equal(deidentifier.shift);
          }
        }
      }
      const text = JSON.stringify(rows);
      for (const secret of ['"P01"', '"P02"', '2019-10-22', '2021-02-20']) expect(text).to.not.contain(secret);
    });

    it("gives one participant's whole schedule with the records in each window and those in none", async () => {
      const reply = await admin.get(`/studies/${CODE}/participants/P01/schedule?asOf=${AS_OF}`);
      expect(reply.status).to.equal(200);
      expect(reply.body.finalSession).to.equal('2019-02-20');
      expect(reply.body.steps.map((s: any) => [s.step, s.status, s.session, s.records])).to.deep.equal([
        ['session-2', 'done', { number: 2, date: '2019-01-14' }, []],
        ['session-3', 'done', { number: 3, date: '2019-01-21' }, []],
        ['touch-up', 'done', { number: 4, date: '2019-02-20' }, []],
        ['FU8', 'done', null, [{ kind: 'fadingAssessment', date: '2019-10-01' }, { kind: 'survey', date: '2019-10-01' }]],
        ['FU24', 'due', null, []],
      ]);
      expect(reply.body.unscheduled).to.deep.equal([{ kind: 'fadingAssessment', date: '2020-06-01' }]);
    });

    it('refuses a bad asOf, status or step, naming the field', async () => {
      const cases: Array<[string, string, string]> = [
        ['asOf=2021-02-30', 'query.asOf', '2021-02-30 is not a calendar date'],
        ['asOf=yesterday', 'query.asOf', '"yesterday" is not a date in the form YYYY-MM-DD'],
        ['status=late', 'query.status', '"late" is not a status; use overdue, due, upcoming, withdrawn, done, separated by commas'],
        ['visit=FU99', 'query.visit', '"FU99" is not a step of the schedule (session-2, session-3, touch-up, FU8, FU24)'],
      ];
      for (const [query, path, message] of cases) {
        const reply = await admin.get(`/studies/${CODE}/worklist?${query}`);
        expect(reply.status, query).to.equal(400);
        expect(reply.body.problems, query).to.deep.equal([{ path, message }]);
      }
    });
  });

  describe('visits in the protocol', () => {
    it('refuses overlapping windows, an unknown kind, a negative window and a visit outside the follow-up, writing nothing', async () => {
      const before = await tableCounts(db);
      const bend = (change: (visits: any[]) => void) => {
        const bundle = scheduledBundle('WORK-BAD');
        const visits = structuredClone(VISITS) as any[];
        change(visits);
        (bundle.study.protocol as Record<string, unknown>).visits = visits;
        return bundle;
      };
      const cases: Array<[(visits: any[]) => void, Array<{ path: string; message: string }>]> = [
        [
          (v) => v.push({ code: 'FU9', label: '9 months', monthsAfterFinalSession: 9, windowBeforeDays: 14, windowAfterDays: 14, expects: ['survey'] }),
          [{ path: 'study.protocol.visits[2]', message: 'its window (days 260 to 288 after the final session) overlaps the window of visits[0] "FU8" (days 214 to 289 after the final session); windows must not overlap' }],
        ],
        [(v) => (v[0].expects = ['photo']), [{ path: 'study.protocol.visits[0].expects[0]', message: 'must be fadingAssessment or survey (got "photo")' }]],
        [(v) => (v[1].windowBeforeDays = -1), [{ path: 'study.protocol.visits[1].windowBeforeDays', message: 'must be at least 0 (got -1)' }]],
        [(v) => (v[1].monthsAfterFinalSession = 33), [{ path: 'study.protocol.visits[1].monthsAfterFinalSession', message: "33 is outside the protocol's follow-up window, followUpMonths 7 to 32" }]],
        [(v) => (v[1].code = 'FU8'), [{ path: 'study.protocol.visits[1].code', message: 'visit code "FU8" is already used by visits[0]' }]],
      ];
      for (const [change, problems] of cases) {
        const reply = await admin.post('/studies', bend(change));
        expect(reply.status, JSON.stringify(problems)).to.equal(400);
        expect(reply.body.problems).to.deep.equal(problems);
      }
      expect(await tableCounts(db)).to.deep.equal(before);
    });

    it('exports visits only for a study that has them', async () => {
      expect((await admin.get(`/studies/${CODE}/bundle`)).body.study.protocol.visits).to.deep.equal(VISITS);
      expect((await admin.get('/studies/PLAIN-1/bundle')).body.study.protocol).to.not.have.property('visits');
    });

    it('changes visits as a study change: with a reason, audited, and refused whole when a rule breaks', async () => {
      const study = await admin.get('/studies/PLAIN-1');
      const overlapping = { protocol: { visits: [VISITS[0], { ...VISITS[0], code: 'FU8B' }] } };
      const refused = await admin.patch('/studies/PLAIN-1', overlapping, { ifMatch: study.etag!, reason: 'schedule' });
      expect(refused.status).to.equal(400);
      expect(refused.body.problems.map((p: any) => p.path)).to.deep.equal(['protocol.visits[1]']);
      expect((await admin.patch('/studies/PLAIN-1', { protocol: { visits: VISITS } }, { ifMatch: study.etag! })).status, 'no reason').to.equal(400);
      const changed = await admin.patch('/studies/PLAIN-1', { protocol: { visits: VISITS } }, { ifMatch: study.etag!, reason: 'Amendment 3: review visits' });
      expect(changed.status).to.equal(200);
      expect(changed.body.protocol.visits).to.deep.equal(VISITS);
      const audit = await admin.get('/studies/PLAIN-1/audit?entity=study');
      const entry = audit.body.items[0];
      expect([entry.action, entry.reason, entry.before.protocol.visits, entry.after.protocol.visits]).to.deep.equal([
        'update', 'Amendment 3: review visits', undefined, VISITS,
      ]);
      const removed = await admin.patch('/studies/PLAIN-1', { protocol: { visits: null } }, { ifMatch: changed.etag!, reason: 'Back to no schedule' });
      expect(removed.body.protocol).to.not.have.property('visits');
    });
  });

  describe('exports', () => {
    it('writes the CSV with the rows of the API', async () => {
      const reply = await admin.get(`/studies/${CODE}/worklist.csv?asOf=${AS_OF}&status=due,overdue`);
      expect(reply.status).to.equal(200);
      expect(reply.headers.get('content-type')).to.match(/^text\/csv/);
      expect(reply.body.split('\r\n')).to.deep.equal([
        'participant,site,step,kind,label,target,windowStart,windowEnd,status,missing',
        'P02,MAN,session-2,initial_session,Initial session 2,2019-02-11,2019-02-08,2019-02-14,overdue,session',
        'P02,MAN,session-3,initial_session,Initial session 3,2019-02-18,2019-02-15,2019-02-21,overdue,session',
        'P01,LON,FU24,visit,24-month review,2021-02-20,2020-12-22,2021-04-21,due,fadingAssessment;survey',
        '',
      ]);
    });

    it('writes upcoming and due visits as iCalendar that an independent parser reads back', async () => {
      // As of 2020-11-01: P01's FU24 is upcoming; everything else is done, overdue or withdrawn.
      const reply = await admin.get(`/studies/${CODE}/worklist.ics?asOf=2020-11-01`);
      expect(reply.status).to.equal(200);
      expect(reply.headers.get('content-type')).to.match(/^text\/calendar/);
      const calendar = new ICAL.Component(ICAL.parse(reply.body));
      const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
      expect(events.map((e) => [e.uid, e.summary, e.startDate.toString(), e.endDate.toString(), e.startDate.isDate])).to.deep.equal([
        // An all-day event ends the day after its last day.
        [`${CODE}.P01.FU24@smp-outcomes-tracker`, 'P01: 24-month review (FU24, upcoming)', '2020-12-22', '2021-04-22', true],
      ]);
      expect(reply.body).to.not.contain('Pruritic');
    });
  });

  describe('calendar feeds', () => {
    it('serves a clinic’s feed of its own sites by its secret, refuses it as an API token, and stops it when revoked', async () => {
      const created = await clinic.post(`/studies/${CODE}/worklist/feeds`, {});
      expect(created.status).to.equal(201);
      const url = new URL(created.body.url);
      expect(url.pathname).to.equal('/api/calendar/worklist.ics');
      const token = url.searchParams.get('token')!;
      expect(token).to.match(/^smpcal_/);
      const feed = await fetch(`${server.base}${url.pathname}${url.search}`);
      expect(feed.status).to.equal(200);
      const text = await feed.text();
      const events = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
      for (const event of events) expect(event.summary, 'a clinic’s feed holds its own site').to.match(/^P01: /);
      expect(text).to.not.contain('P02');
      // The secret opens nothing but its feed.
      expect((await apiClient(server.base, { authorization: `Bearer ${token}` }).get(`/studies/${CODE}/worklist`)).status).to.equal(401);
      const listed = await clinic.get(`/studies/${CODE}/worklist/feeds`);
      expect(listed.body.items.map((f: any) => [f.id, f.revokedAt])).to.deep.equal([[created.body.id, null]]);
      expect(JSON.stringify(listed.body)).to.not.contain(token);
      // Another user cannot revoke it.
      expect((await reviewer.delete(`/studies/${CODE}/worklist/feeds/${created.body.id}`)).status).to.equal(404);
      const revoked = await clinic.delete(`/studies/${CODE}/worklist/feeds/${created.body.id}`);
      expect(revoked.status).to.equal(200);
      expect(revoked.body.revokedAt).to.be.a('string');
      const after = await anonymous.get(`/calendar/worklist.ics?token=${token}`);
      expect(after.status).to.equal(401);
      expect((await anonymous.get('/calendar/worklist.ics?token=smpcal_unknown')).status).to.equal(401);
    });

    it('serves a reviewer’s feed with pseudonyms only', async () => {
      const created = await reviewer.post(`/studies/${CODE}/worklist/feeds`, {});
      const url = new URL(created.body.url);
      const text = await (await fetch(`${server.base}${url.pathname}${url.search}`)).text();
      expect(text).to.not.contain('P01');
      expect(text).to.not.contain('P02');
    });
  });

  describe('smp worklist', () => {
    const cli = useCliWorkspace('smp-worklist-');
    const { smp } = cli;
    before(() => {
      const imported = smp('import', cli.write('bundle.json', scheduledBundle()));
      expect(imported.status, imported.stderr).to.equal(0);
    });

    it('prints {asOf, items} with the API’s rows, every status without --status', async () => {
      const run = smp('worklist', '--study', CODE, '--as-of', AS_OF, '--format', 'json');
      expect(run.status, run.stderr).to.equal(0);
      expect(JSON.parse(run.stdout)).to.deep.equal({ asOf: AS_OF, items: EXPECTED });
      const api = await allPages(admin, `asOf=${AS_OF}`);
      expect(JSON.parse(run.stdout).items).to.deep.equal(api);
      const due = smp('worklist', '--study', CODE, '--as-of', AS_OF, '--status', 'due', '--site', 'LON', '--format', 'csv');
      expect(due.stdout.split('\r\n').slice(1, -1)).to.deep.equal(['P01,LON,FU24,visit,24-month review,2021-02-20,2020-12-22,2021-04-21,due,fadingAssessment;survey']);
    });

    it('refuses a date that is not one, naming the option, with exit status 2', () => {
      const run = smp('worklist', '--study', CODE, '--as-of', '2021-13-01');
      expect(run.status).to.equal(2);
      expect(run.stderr.split('\n')[0]).to.equal('smp worklist: --as-of 2021-13-01 is not a calendar date');
    });
  });
});
