// What the adverse-event review page reads: the listing ordered with serious and unresolved events
// first (sort=priority, resumable by cursor), the listing as a CSV download with the same filters,
// order, scope and view, and the small-cell threshold the dashboard and rates answer with.
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { writeCsvTables } from '../../api/formats/csv/export.ts';
import { smallBundle } from '../support/bundles.ts';
import { textOf, valid } from '../unit/formats/helpers.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const CODE = 'AER-1';

interface Item {
  participant: string;
  site: string;
  no: number;
  serious: boolean;
  resolvedDate: string | null;
  term: string;
  [field: string]: unknown;
}

const event = (extra: Record<string, unknown>) => ({
  category: 'infection',
  term: 'Folliculitis',
  onsetDate: '2019-01-22',
  resolvedDate: null,
  grade: 2,
  serious: false,
  relatedness: 'possible',
  outcome: 'recovering',
  sessionNumber: null,
  solicited: false,
  ...extra,
});

/**
 * P01 (LON) and P02 (MAN) with an event in each review group: serious unresolved, serious,
 * unresolved, the rest. Events are numbered in onset order: P02's headache (its term a formula) is its no. 1.
 */
function reviewBundle() {
  const bundle = smallBundle(CODE);
  bundle.participants[0].adverseEvents.push(
    event({ category: 'infection', term: 'Cellulitis, "spreading"', grade: 3, serious: true, outcome: 'not_recovered' }),
    event({ category: 'keloid', term: 'Raised scar', onsetDate: '2019-02-21' }),
  );
  bundle.participants[1].adverseEvents.push(
    event({ category: 'granuloma', term: 'Nodule', onsetDate: '2019-02-10', resolvedDate: '2019-02-20', grade: 3, serious: true, outcome: 'recovered' }),
    // A term a spreadsheet would run as a formula.
    event({ category: 'other', term: '=HYPERLINK("http://x.invalid","Headache")', onsetDate: '2019-02-05' }),
  );
  return bundle;
}

/** Review group of an event, as sort=priority orders them. */
const rank = (item: Item) => (item.serious ? 0 : 2) + (item.resolvedDate === null ? 0 : 1);

async function everyPage(client: ApiClient, path: string): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const reply: { status: number; body: { items: Item[]; nextCursor: string | null } } = await client.get(
      `${path}${cursor === null ? '' : `&cursor=${cursor}`}`,
    );
    expect(reply.status, path).to.equal(200);
    items.push(...reply.body.items);
    cursor = reply.body.nextCursor;
  } while (cursor !== null);
  return items;
}

function csvRecords(text: string): string[][] {
  return parse(text, { relax_column_count: false }) as string[][];
}

/** The CSV's header: the csv export's adverse_events.csv names, and the event's number. */
const HEADER = [
  'participant_code', 'site_code', 'event_no', 'category', 'term', 'onset_date', 'resolved_date',
  'grade', 'serious', 'relatedness', 'outcome', 'session_number', 'solicited',
];
const FIELDS = ['participant', 'site', 'no', 'category', 'term', 'onsetDate', 'resolvedDate', 'grade', 'serious', 'relatedness', 'outcome', 'sessionNumber', 'solicited'];

/** An item's cells as the CSV writes them: booleans 1/0, formulas behind an apostrophe. */
const cells = (item: Item) =>
  FIELDS.map((field) => {
    const value = item[field];
    if (value === null || value === undefined) return '';
    if (typeof value === 'boolean') return value ? '1' : '0';
    return /^[=+\-@\t\r]/.test(String(value)) ? `'${String(value)}` : String(value);
  });

describe(`adverse-event review: priority order and CSV download (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;
  let reviewer: ApiClient;
  let londonClinic: ApiClient;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db, { suppressBelow: 3 });
    admin = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
    const imported = await admin.post('/studies', reviewBundle());
    expect(imported.status, JSON.stringify(imported.body)).to.equal(201);
    reviewer = apiClient(server.base, (await createTestUser(db, 'reviewer', [{ studyCode: CODE, siteCode: null }])).headers);
    londonClinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: CODE, siteCode: 'LON' }])).headers);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  describe('sort=priority', () => {
    it('lists serious unresolved, then serious, then unresolved events, then the rest, each by participant and number', async () => {
      const reply = await admin.get(`/studies/${CODE}/adverse-events?sort=priority`);
      expect(reply.status).to.equal(200);
      expect(reply.body.items.map((e: Item) => [e.participant, e.no, rank(e)])).to.deep.equal([
        ['P01', 2, 0],
        ['P02', 2, 1],
        ['P01', 3, 2],
        ['P02', 1, 2],
        ['P01', 1, 3],
      ]);
    });

    it('resumes by cursor without losing or repeating an event, with other filters too', async () => {
      const whole = (await admin.get(`/studies/${CODE}/adverse-events?sort=priority`)).body.items;
      for (const limit of [1, 2, 3]) {
        expect(await everyPage(admin, `/studies/${CODE}/adverse-events?sort=priority&limit=${limit}`), `limit ${limit}`).to.deep.equal(whole);
      }
      const unresolved = await everyPage(admin, `/studies/${CODE}/adverse-events?sort=priority&unresolved=true&limit=1`);
      expect(unresolved.map((e) => [e.participant, e.no])).to.deep.equal([
        ['P01', 2],
        ['P01', 3],
        ['P02', 1],
      ]);
      // A cursor of another order is refused rather than misread.
      const byParticipant = await admin.get(`/studies/${CODE}/adverse-events?limit=1`);
      const mixed = await admin.get(`/studies/${CODE}/adverse-events?sort=priority&cursor=${byParticipant.body.nextCursor}`);
      expect(mixed.status).to.equal(400);
      expect(mixed.body.problems[0].path).to.equal('query.cursor');
    });

    it('is offered to a reviewer (it reveals no date), by pseudonym', async () => {
      const items = await everyPage(reviewer, `/studies/${CODE}/adverse-events?sort=priority&limit=2`);
      expect(items.map(rank)).to.deep.equal([0, 1, 2, 2, 3]);
      expect(items.map((e) => e.participant)).to.not.include.members(['P01', 'P02']);
      const grouped = items.filter((e) => rank(e) === 2).map((e) => e.participant);
      expect(grouped).to.deep.equal(grouped.toSorted((a, b) => (a < b ? -1 : 1)));
      expect((await reviewer.get(`/studies/${CODE}/adverse-events?sort=onsetDate`)).status).to.equal(400);
    });

    it('names the values it takes when given another', async () => {
      const reply = await admin.get(`/studies/${CODE}/adverse-events?sort=urgency`);
      expect(reply.status).to.equal(400);
      expect(reply.body.problems).to.deep.equal([{ path: 'query.sort', message: 'must be participant, priority, onsetDate or -onsetDate' }]);
    });
  });

  describe('GET /adverse-events.csv', () => {
    it('holds every event of the listing, in its order, as an attachment', async () => {
      const reply = await admin.get(`/studies/${CODE}/adverse-events.csv?sort=priority`);
      expect(reply.status).to.equal(200);
      expect(reply.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
      expect(reply.headers.get('content-disposition')).to.equal(`attachment; filename=${CODE}-adverse-events.csv`);
      expect(reply.headers.get('cache-control')).to.equal('no-store');
      expect(reply.body).to.contain('\r\n');
      const listing: Item[] = (await admin.get(`/studies/${CODE}/adverse-events?sort=priority`)).body.items;
      const [header, ...rows] = csvRecords(reply.body as string);
      expect(header).to.deep.equal(HEADER);
      expect(rows).to.deep.equal(listing.map(cells));
      // Quotes and commas in free text survive the round trip.
      expect(rows[0]![4]).to.equal('Cellulitis, "spreading"');
      expect(rows[0]!.slice(0, 3).concat(rows[0]!.slice(8, 9))).to.deep.equal(['P01', 'LON', '2', '1']);
      // A formula is written behind an apostrophe, so a spreadsheet shows it as text.
      const formula = rows.find((row) => row[0] === 'P02' && row[2] === '1')!;
      expect(formula.slice(3)).to.deep.equal(['other', `'=HYPERLINK("http://x.invalid","Headache")`, '2019-02-05', '', '2', '0', 'possible', 'recovering', '', '0']);
      // The header names are the csv export's for the same fields (but the event's number, which it has not).
      const exported = writeCsvTables(valid(reviewBundle()));
      const names = [...csvRecords(textOf(exported.find((f) => f.name === 'adverse_events.csv')!))[0]!, 'site_code', 'event_no'];
      expect(HEADER.filter((name) => !names.includes(name))).to.deep.equal([]);
    });

    it('applies the filters, and writes the header alone when nothing matches', async () => {
      const serious = csvRecords((await admin.get(`/studies/${CODE}/adverse-events.csv?serious=true&site=MAN`)).body);
      expect(serious.slice(1).map((row) => [row[0], row[2]])).to.deep.equal([['P02', '2']]);
      const none = await admin.get(`/studies/${CODE}/adverse-events.csv?category=mri_interference`);
      expect(none.status).to.equal(200);
      expect(csvRecords(none.body)).to.deep.equal([HEADER]);
    });

    it("gives a clinic its own sites' events, and a reviewer pseudonyms as in the listing", async () => {
      const clinic = csvRecords((await londonClinic.get(`/studies/${CODE}/adverse-events.csv`)).body);
      expect(clinic.slice(1).map((row) => [row[0], row[1], row[2]])).to.deep.equal([
        ['P01', 'LON', '1'],
        ['P01', 'LON', '2'],
        ['P01', 'LON', '3'],
      ]);
      const reply = await reviewer.get(`/studies/${CODE}/adverse-events.csv?sort=priority`);
      expect(reply.status).to.equal(200);
      const listing: Item[] = (await reviewer.get(`/studies/${CODE}/adverse-events?sort=priority`)).body.items;
      expect(csvRecords(reply.body).slice(1)).to.deep.equal(listing.map(cells));
      expect(reply.body).to.not.match(/\bP0[12]\b/);
      const dated = await reviewer.get(`/studies/${CODE}/adverse-events.csv?onsetFrom=2019-01-01`);
      expect(dated.status).to.equal(400);
      expect(dated.headers.get('content-type')).to.contain('application/problem+json');
    });

    it('refuses page fields and unknown studies with problem+json', async () => {
      const paged = await admin.get(`/studies/${CODE}/adverse-events.csv?limit=10`);
      expect(paged.status).to.equal(400);
      expect(paged.body.problems[0].path).to.equal('query.limit');
      const missing = await admin.get('/studies/NOPE-1/adverse-events.csv');
      expect(missing.status).to.equal(404);
      expect(missing.headers.get('content-type')).to.contain('application/problem+json');
    });

    it('writes a listing of thousands of events whole', async () => {
      const bundle = reviewBundle();
      bundle.study.code = 'AER-BIG';
      const many = Array.from({ length: 2_400 }, (_, i) =>
        event({ term: `Event ${i}`, onsetDate: '2019-03-01', serious: i % 7 === 0, grade: i % 7 === 0 ? 3 : 1, resolvedDate: i % 3 === 0 ? null : '2019-03-05' }),
      );
      bundle.participants[0].adverseEvents.push(...many);
      expect((await admin.post('/studies', bundle)).status).to.equal(201);
      const reply = await admin.get('/studies/AER-BIG/adverse-events.csv?sort=priority');
      const rows = csvRecords(reply.body).slice(1);
      expect(rows).to.have.length(2_405);
      const ranks = rows.map((row) => (row[8] === '1' ? 0 : 2) + (row[6] === '' ? 0 : 1));
      expect(ranks).to.deep.equal(ranks.toSorted((a, b) => a - b));
      expect(new Set(rows.map((row) => `${row[0]}#${row[2]}`)).size).to.equal(2_405);
    });
  });

  describe('the small-cell threshold', () => {
    it('comes with the charts and the rates, for the pages to say what was suppressed', async () => {
      expect((await londonClinic.get(`/studies/${CODE}/charts?by=site`)).body.suppressBelow).to.equal(3);
      expect((await londonClinic.get(`/studies/${CODE}/adverse-events/rates?by=site`)).body.suppressBelow).to.equal(3);
    });
  });
});
