// Malformed and hostile bundle files through the real `smp` command (exit 2, the problem on
// stderr, nothing imported), and a served tracker that keeps answering while it validates a
// large import on a worker thread.
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { smallBundle } from '../support/bundles.ts';
import { useCliWorkspace } from '../support/cli-workspace.ts';
import { DRIVER } from '../support/database.ts';
import { startServe } from '../support/server-process.ts';
import { adminTokenInStore } from '../support/users.ts';


describe(`smp command line and server on bad input (${DRIVER})`, function () {
  this.timeout(180_000);
  const cli = useCliWorkspace('smp-cli-input-test-', { maxBuffer: 64 * 1024 * 1024, migrated: true });
  const { smp, write } = cli;

  it('refuses a file with invalid UTF-8 at its byte offset, and accepts one with a byte order mark', () => {
    const bytes = Buffer.from(JSON.stringify(smallBundle('CLI-UTF')).replace('London clinic', 'Lond\u00f3n clinic'));
    const offset = bytes.indexOf(Buffer.from('Lond')) + 4;
    bytes[offset] = 0xf3; // Latin-1 ó followed by a continuation byte
    const file = write('latin1.json', bytes);
    const refused = smp('import', file);
    expect(refused.status).to.equal(2);
    expect(refused.stderr).to.equal(`smp import: ${file}: not valid UTF-8: byte 0xf3 at byte offset ${offset} (line 1, column ${offset + 1})\n`);

    const withBom = write('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(smallBundle('CLI-BOM'), null, 2))]));
    const accepted = smp('import', withBom);
    expect(accepted.status, accepted.stderr).to.equal(0);
    const studies = smp('studies').stdout;
    expect(studies).to.contain('CLI-BOM');
    expect(studies).not.to.contain('CLI-UTF');
  });

  it('refuses duplicate keys with their paths, and a leading U+FEFF in text', () => {
    const bundle = smallBundle('CLI-DUP');
    const text = JSON.stringify(bundle, null, 2).replace('"enrolledOn": "2019-02-01",', '"enrolledOn": "2019-02-01",\n      "enrolledOn": "2019-03-01",');
    const duplicate = smp('import', write('dup.json', text));
    expect(duplicate.status).to.equal(2);
    const line = text.split('\n').findIndex((l) => l.includes('2019-03-01')) + 1;
    expect(duplicate.stderr).to.equal(
      `smp import: ${path.join(cli.dir, 'dup.json')} has 1 duplicate key:\nparticipants[1].enrolledOn: duplicate key "enrolledOn" (line ${line}, column 7)\n`,
    );

    bundle.study.title = '\uFEFF';
    const bom = smp('import', write('feff.json', JSON.stringify(bundle)));
    expect(bom.status).to.equal(2);
    expect(bom.stderr).to.equal(
      'smp import: the bundle has 1 problem:\nstudy.title: starts with U+FEFF (a byte order mark), which the embedded database cannot return unchanged\n',
    );
    expect(smp('studies').stdout).not.to.contain('CLI-DUP');
  });

  it('says a repeated key or too deep a nesting before anything about the content, whatever else is wrong', () => {
    // The key check runs while the rows are written: what the file's reading says still comes first.
    const taken = smallBundle('CLI-KEYS');
    expect(smp('import', write('keys-first.json', JSON.stringify(taken))).status).to.equal(0);
    const repeated = (bundle: object) => JSON.stringify(bundle).replace('"enrolledOn":"2019-02-01",', '"enrolledOn":"2019-02-01","enrolledOn":"2019-03-01",');
    const refusal = (file: string, text: string) =>
      `smp import: ${file} has 1 duplicate key:\nparticipants[1].enrolledOn: duplicate key "enrolledOn" (line 1, column ${text.indexOf('"enrolledOn":"2019-03-01"') + 1})\n`;

    // The study's code is taken.
    const conflictText = repeated(smallBundle('CLI-KEYS'));
    const conflict = write('keys-conflict.json', conflictText);
    const onConflict = smp('import', conflict);
    expect(onConflict.status).to.equal(2);
    expect(onConflict.stderr).to.equal(refusal(conflict, conflictText));

    // A field is out of range (and the code is free).
    const bad = smallBundle('CLI-KEYZ');
    bad.participants[0]!.sessions[0]!.durationMinutes = 0;
    const problemText = repeated(bad);
    const problem = write('keys-problem.json', problemText);
    const onProblem = smp('import', problem);
    expect(onProblem.status).to.equal(2);
    expect(onProblem.stderr).to.equal(refusal(problem, problemText));

    // Nested far too deep in an unknown field of a valid bundle.
    const deep = smallBundle('CLI-DEEP') as Record<string, unknown>;
    deep.extra = JSON.parse('['.repeat(600) + ']'.repeat(600));
    const tooDeep = write('keys-deep.json', JSON.stringify(deep));
    const onDeep = smp('import', tooDeep);
    expect(onDeep.status).to.equal(2);
    expect(onDeep.stderr).to.equal(`smp import: ${tooDeep}: nested deeper than 512 levels\n`);
    const studies = smp('studies').stdout;
    expect(studies).not.to.contain('CLI-KEYZ');
    expect(studies).not.to.contain('CLI-DEEP');
  });

  it('prints the first 1,000 of 100,000 problems and a count of the rest, exit 2', () => {
    const bundle = smallBundle('CLI-MANY');
    bundle.participants[0].surveys = Array.from({ length: 100_000 }, () => ({ date: '2019-10-01', satisfaction: 9, wouldRecommend: true }));
    const run = smp('import', write('many.json', JSON.stringify(bundle)));
    expect(run.status).to.equal(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).to.equal('smp import: the bundle has 100,000 problems:');
    expect(lines[1]).to.equal('participants[0].surveys[0].satisfaction: must be at most 5 (got 9)');
    expect(lines).to.have.length(1002);
    expect(lines[1001]).to.equal('… and 99,000 more problems');
  });

  it('answers one participant with 100,000 sessions with exit 2, not a crash', () => {
    const bundle = smallBundle('CLI-SESS');
    const day = (n: number) => new Date(Date.UTC(2019, 0, 7) + n * 86_400_000).toISOString().slice(0, 10);
    bundle.participants[0].sessions = Array.from({ length: 100_000 }, (_, i) => ({
      number: i + 1, kind: 'initial', date: day(i), durationMinutes: 60, practitioner: 'PR-A', pigmentLot: 'L', anesthesia: 'none',
    }));
    const run = smp('import', write('sessions.json', JSON.stringify(bundle)));
    expect(run.status).to.equal(2);
    expect(run.stderr).to.match(/^smp import: the bundle has [\d,]+ problems:\nparticipants\[0\]\./);
    expect(run.stderr).to.match(/\n… and [\d,]+ more problems\n$/);
  });

  it('keeps answering /api/health while it validates a large import', async () => {
    const serveEnv = await cli.newStore('serve-data');
    // 8,000 participants (~10 MB), refused for a date in the very last record, so the answer
    // comes right after validation and nothing is written.
    const bundle = generateCohort({ seed: 5, participants: 8000, code: 'BIG-1' });
    bundle.participants.at(-1)!.enrolledOn = '2021-02-30';
    const body = Buffer.from(JSON.stringify(bundle));

    const token = await adminTokenInStore({ databaseUrl: serveEnv.DATABASE_URL, dataDir: serveEnv.SMP_DATA_DIR });
    const served = await startServe(serveEnv);
    try {
      const url = new URL(served.url);
      const events: string[] = [];
      const importDone = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.request(new URL('/api/studies', url), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => {
            events.push('import answered');
            resolve({ status: response.statusCode!, body: text });
          });
        });
        request.on('error', reject);
        // Once the whole body is handed over, the server is about to read and validate it.
        request.end(body, () => {
          events.push('body sent');
          void fetch(new URL('/api/health', url)).then(async (health) => {
            events.push(`health ${health.status} ${((await health.json()) as { status: string }).status}`);
          });
        });
      });
      const answer = await importDone;
      expect(answer.status).to.equal(400);
      const problem = JSON.parse(answer.body) as { problems: Array<{ path: string }> };
      expect(problem.problems.map((p) => p.path)).to.deep.equal(['participants[7999].enrolledOn']);
      expect(events).to.deep.equal(['body sent', 'health 200 ok', 'import answered']);
    } finally {
      await served.stop();
    }
  });
});
