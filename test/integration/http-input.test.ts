// Hostile and malformed requests over HTTP: every one answers a 4xx problem (never 500), names
// what is wrong, and writes nothing. Bodies above 64 KiB take the worker-thread path, so each
// body rule is checked on a small and a large body.
import zlib from 'node:zlib';
import { expect } from 'chai';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

interface ProblemBody {
  status: number;
  title: string;
  detail: string;
  problems?: Array<{ path: string; message: string }>;
  problemsOmitted?: number;
}

/** A bundle over 64 KiB as JSON text, so the server validates it on a worker thread. */
const largeBundleText = (code: string) => JSON.stringify(generateCohort({ seed: 11, participants: 120, code }));

describe(`HTTP input (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  let server: TestServer;
  let base: string;
  let auth: Record<string, string>;

  before(async () => {
    db = await freshDb();
    auth = (await createTestUser(db, 'admin')).headers;
    server = await startTestServer(db);
    base = server.base;
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  const post = (body: Buffer | string, headers: Record<string, string> = {}, path = '/api/studies') =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth, ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });

  async function problem(response: Response, status: number): Promise<ProblemBody> {
    expect(response.status).to.equal(status);
    expect(response.headers.get('content-type')).to.contain('application/problem+json');
    const body = (await response.json()) as ProblemBody;
    expect(body.status).to.equal(status);
    return body;
  }

  it('refuses invalid UTF-8 with its byte offset instead of replacing it, small and large', async () => {
    const before = await tableCounts(db);
    const small = Buffer.from(JSON.stringify(smallBundle('UTF-1')).replace('Small test cohort', 'Caf\u00e9'), 'utf8');
    const offset = small.indexOf(Buffer.from('Caf')) + 3;
    small[offset] = 0xe9; // Latin-1 é, then the UTF-8 é's second byte: not UTF-8
    const answer = await problem(await post(small), 400);
    expect(answer.problems).to.deep.equal([
      { path: '(body)', message: `is not valid UTF-8: byte 0xe9 at byte offset ${offset} (line 1, column ${offset + 1})` },
    ]);
    expect(answer.detail).to.equal(`the request body: not valid UTF-8: byte 0xe9 at byte offset ${offset} (line 1, column ${offset + 1})`);

    const large = Buffer.from(largeBundleText('UTF-2'), 'utf8');
    large[large.length - 10] = 0xff;
    const largeAnswer = await problem(await post(large), 400);
    expect(largeAnswer.problems![0]!.message).to.match(new RegExp(`^is not valid UTF-8: byte 0xff at byte offset ${large.length - 10} `));
    expect(await tableCounts(db)).to.deep.equal(before);
  });

  it('accepts a leading byte order mark, small and large', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const small = await post(Buffer.concat([bom, Buffer.from(JSON.stringify(smallBundle('BOM-1')))]));
    expect(small.status).to.equal(201);
    const large = await post(Buffer.concat([bom, Buffer.from(largeBundleText('BOM-2'))]));
    expect(large.status, await large.clone().text()).to.equal(201);
    const exported = (await (await fetch(`${base}/api/studies/BOM-2/bundle`, { headers: auth })).json()) as { participants: unknown[] };
    expect(exported.participants).to.have.length(120);
  });

  it('refuses duplicate keys at their path, small and large, writing nothing', async () => {
    const before = await tableCounts(db);
    const small = JSON.stringify(smallBundle('DUP-1')).replace('"date":"2019-01-14"', '"date":"2019-01-14","date":"2019-01-15"');
    const answer = await problem(await post(small), 400);
    expect(answer.detail).to.equal('the request body has 1 duplicate key');
    expect(answer.problems).to.have.length(1);
    expect(answer.problems![0]!.path).to.equal('participants[0].sessions[1].date');
    expect(answer.problems![0]!.message).to.match(/^duplicate key "date" \(line 1, column \d+\)$/);

    const large = largeBundleText('DUP-2').replace('"code":"P0008"', '"code":"P0008","code":"P9999"');
    const largeAnswer = await problem(await post(large), 400);
    expect(largeAnswer.problems!.map((p) => p.path)).to.deep.equal(['participants[7].code']);
    expect(await tableCounts(db)).to.deep.equal(before);
  });

  it('keeps the line and column of a syntax error in a large body', async () => {
    const text = largeBundleText('SYN-1');
    // Between two values, not inside a string (where a line break is another error).
    const at = text.indexOf(',"practitioners"');
    const broken = `${text.slice(0, at)}\n  oops${text.slice(at)}`;
    const answer = await problem(await post(broken), 400);
    expect(answer.problems).to.have.length(1);
    expect(answer.problems![0]!.path).to.equal('(body)');
    expect(answer.problems![0]!.message).to.match(/^is not valid JSON \(line 2, column 3\): /);
  });

  it('answers 415 for a body that is not JSON or not UTF-8, before reading it', async () => {
    const json = JSON.stringify(smallBundle('TYPE-1'));
    const text = await problem(await post(json, { 'content-type': 'text/plain' }), 415);
    // The import also takes csv and REDCap files (formats-http.test.ts), so the answer names those types too.
    expect(text.detail).to.equal('the request body must be one of application/json, application/zip, multipart/form-data, not text/plain');
    const latin1 = await problem(await post(json, { 'content-type': 'application/json; charset=latin1' }), 415);
    expect(latin1.detail).to.equal('unsupported charset "latin1": JSON request bodies are UTF-8');
    expect((await post(json, { 'content-type': 'application/json; charset="UTF-8"' })).status).to.equal(201);
    expect((await post(JSON.stringify(smallBundle('TYPE-2')), { 'content-type': 'application/vnd.smp+json' })).status).to.equal(201);
    const zip = await problem(await post(json, { 'content-encoding': 'zip' }), 415);
    expect(zip.detail).to.contain('unsupported content encoding "zip"');
  });

  it('reads gzip, deflate and br bodies, and answers 400 for ones that do not decompress', async () => {
    const json = (code: string) => Buffer.from(JSON.stringify(smallBundle(code)));
    expect((await post(zlib.gzipSync(json('ZIP-1')), { 'content-encoding': 'gzip' })).status).to.equal(201);
    expect((await post(zlib.deflateSync(json('ZIP-2')), { 'content-encoding': 'deflate' })).status).to.equal(201);
    expect((await post(zlib.brotliCompressSync(json('ZIP-3')), { 'content-encoding': 'br' })).status).to.equal(201);
    const before = await tableCounts(db);
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const answer = await problem(await post(Buffer.from('definitely not compressed'), { 'content-encoding': encoding }), 400);
      expect(answer.problems).to.have.length(1);
      expect(answer.problems![0]!.path).to.equal('(body)');
      expect(answer.problems![0]!.message).to.match(new RegExp(`^is not readable as ${encoding} data: `));
    }
    const truncated = zlib.gzipSync(json('ZIP-4')).subarray(0, 40);
    await problem(await post(truncated, { 'content-encoding': 'gzip' }), 400);
    expect(await tableCounts(db)).to.deep.equal(before);
  });

  it('answers 413 for a body over the limit', async () => {
    const answer = await problem(await post(JSON.stringify({ padding: 'x'.repeat(1_100_000) }), {}, '/api/studies/ANY-1/participants'), 413);
    expect(answer.detail).to.equal('the request body is larger than the 1,048,576-byte limit');
  });

  it('answers 400 for a bad percent-encoding in the path', async () => {
    const answer = await problem(await fetch(`${base}/api/studies/%ZZ/bundle`, { headers: auth }), 400);
    expect(answer.detail).to.equal('the request path has a bad percent-encoding');
    expect(answer.problems).to.have.length(1);
    expect(answer.problems![0]!.path).to.equal('(path)');
  });

  it('answers paths outside the API that match nothing with a small HTML page of its own', async () => {
    const response = await fetch(`${base}/no/such/page`);
    expect(response.status).to.equal(404);
    expect(response.headers.get('content-type')).to.contain('text/html');
    const html = await response.text();
    expect(html).to.contain('<h1>Not found</h1>');
    expect(html).not.to.contain('Cannot GET');
    expect(html.length).to.be.below(1000);
    const api = await fetch(`${base}/api/no/such/endpoint`, { headers: auth });
    expect(api.headers.get('content-type')).to.contain('application/problem+json');
  });

  it('lists each problem once: a one-line detail and the problems', async () => {
    const bundle = smallBundle('ONCE-1');
    bundle.participants[0].sessions[1].date = '2021-02-30';
    bundle.participants[1].site = 'NOWHERE';
    const answer = await problem(await post(JSON.stringify(bundle)), 400);
    expect(answer.detail).to.equal('the bundle has 2 problems');
    expect(answer.problems).to.have.length(2);
    expect(answer).not.to.have.property('problemsOmitted');
    const query = await problem(await post(JSON.stringify(smallBundle('ONCE-2')), {}, '/api/studies?replace=yes'), 400);
    expect(query.detail).to.equal('invalid query: 1 problem');
    expect(query.problems).to.deep.equal([{ path: 'query.replace', message: 'must be true or false' }]);
  });

  it('answers 100,000 problems with 400: the first 1,000 in document order and a count of the rest', async () => {
    const before = await tableCounts(db);
    const bundle = smallBundle('MANY-1');
    bundle.participants[0].surveys = Array.from({ length: 100_000 }, () => ({ date: '2019-10-01', satisfaction: 0, wouldRecommend: true }));
    const answer = await problem(await post(JSON.stringify(bundle)), 400);
    expect(answer.detail).to.equal('the bundle has 100,000 problems');
    expect(answer.problems).to.have.length(1000);
    expect(answer.problemsOmitted).to.equal(99_000);
    expect(answer.problems![0]).to.deep.equal({ path: 'participants[0].surveys[0].satisfaction', message: 'must be at least 1 (got 0)' });
    expect(answer.problems![999]!.path).to.equal('participants[0].surveys[999].satisfaction');
    expect(await tableCounts(db)).to.deep.equal(before);
  });

  it('answers one participant with 100,000 sessions with 400, not 500', async () => {
    const before = await tableCounts(db);
    const bundle = smallBundle('SESS-1');
    const day = (n: number) => new Date(Date.UTC(2019, 0, 7) + n * 86_400_000).toISOString().slice(0, 10);
    bundle.participants[0].sessions = Array.from({ length: 100_000 }, (_, i) => ({
      number: i + 1, kind: 'initial', date: day(i), durationMinutes: 60, practitioner: 'PR-A', pigmentLot: 'L', anesthesia: 'none',
    }));
    const answer = await problem(await post(JSON.stringify(bundle)), 400);
    expect(answer.problems).to.have.length(1000);
    expect(answer.detail).to.match(/^the bundle has [\d,]+ problems$/);
    expect(answer.problems![0]!.path).to.match(/^participants\[0\]\./);
    expect(await tableCounts(db)).to.deep.equal(before);
  });
});
