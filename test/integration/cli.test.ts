// The `smp` command as users run it: a real process, its output and its exit status.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { smallBundle } from '../support/bundles.ts';
import { runSmp, useCliWorkspace } from '../support/cli-workspace.ts';
import { DRIVER, SERVER_URL } from '../support/database.ts';
import { startServe } from '../support/server-process.ts';

const DEMO_FILE = fileURLToPath(new URL('../../fixtures/smp-2021.json', import.meta.url));

describe(`smp command line (${DRIVER})`, function () {
  this.timeout(120_000);
  const cli = useCliWorkspace('smp-cli-test-');
  const { smp, write } = cli;

  it('lists no studies in a new database', () => {
    const run = smp('studies');
    expect(run.status).to.equal(0);
    expect(run.stdout).to.contain('no studies');
  });

  it('loads the demo study once, and only once', () => {
    const first = smp('demo');
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout.trim()).to.equal('loaded the demo study SMP-2021');
    const second = smp('demo');
    expect(second.status).to.equal(0);
    expect(second.stdout.trim()).to.equal('the demo study SMP-2021 is already loaded');
    const list = smp('studies');
    expect(list.stdout).to.match(/SMP-2021\s+2\s+22\s+88\s+1\s+\d+\s+20\s+/);
  });

  it('exports the demo study byte for byte as its fixture file', () => {
    const run = smp('export', 'SMP-2021');
    expect(run.status).to.equal(0);
    expect(run.stdout).to.equal(fs.readFileSync(DEMO_FILE, 'utf8'));
  });

  it('imports a bundle, refuses it a second time, and replaces it with --replace', () => {
    const file = write('small.json', smallBundle('CLI-1'));
    const first = smp('import', file);
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout.trim()).to.equal(
      'imported study CLI-1: 2 sites, 2 practitioners, 2 participants, 5 treatment sessions, 1 adverse event, 2 fading assessments, 1 satisfaction survey',
    );
    const again = smp('import', file);
    expect(again.status).to.equal(2);
    expect(again.stderr.trim()).to.equal('smp import: study CLI-1 already exists; import with --replace to replace it');
    const replaced = smp('import', file, '--replace');
    expect(replaced.status).to.equal(0);
    expect(replaced.stdout).to.match(/^replaced study CLI-1: /);
  });

  it('writes an export to --out', () => {
    const out = path.join(cli.dir, 'out.json');
    const run = smp('export', 'CLI-1', '--out', out);
    expect(run.status).to.equal(0);
    expect(run.stderr.trim()).to.equal(`wrote study CLI-1 to ${out}`);
    const bundle = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(bundle.study.code).to.equal('CLI-1');
    expect(bundle.participants.map((p: { code: string }) => p.code)).to.deep.equal(['P01', 'P02']);
  });

  it('exits 2 with every problem on stderr for an invalid bundle, and writes nothing', () => {
    const bundle = smallBundle('CLI-2');
    bundle.participants[0].sessions[1].date = '2021-02-30';
    bundle.participants[1].withdrawnOn = '2018-01-01';
    const run = smp('import', write('bad.json', bundle));
    expect(run.status).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.equal(
      [
        'smp import: the bundle has 3 problems:',
        'participants[0].sessions[1].date: 2021-02-30 is not a calendar date',
        'participants[1].sessions[0].date: 2019-02-04 is after withdrawal on 2018-01-01',
        'participants[1].withdrawnOn: 2018-01-01 is before enrolment on 2019-02-01',
        '',
      ].join('\n'),
    );
    expect(smp('studies').stdout).not.to.contain('CLI-2');
  });

  it('exits 2 for a file that is not JSON, naming the line', () => {
    const run = smp('import', write('broken.json', '{\n  "format": "smp-study-bundle/1",\n  oops\n}'));
    expect(run.status).to.equal(2);
    expect(run.stderr).to.match(/broken\.json: not valid JSON \(line 3, column 3\)/);
  });

  it('exits 2 for a missing file, an unknown study, an unknown command and a bad option', () => {
    expect(smp('import', path.join(cli.dir, 'absent.json'))).to.include({ status: 2 });
    expect(smp('import', path.join(cli.dir, 'absent.json')).stderr).to.contain('absent.json: no such file');
    const unknownStudy = smp('export', 'NOPE-1');
    expect(unknownStudy.status).to.equal(2);
    expect(unknownStudy.stderr.trim()).to.equal('smp export: study NOPE-1 does not exist (`smp studies` lists the stored studies)');
    const unknownCommand = smp('frobnicate');
    expect(unknownCommand.status).to.equal(2);
    expect(unknownCommand.stderr).to.contain('smp: unknown command "frobnicate"');
    expect(unknownCommand.stderr).to.contain('Usage: smp <command>');
    const badOption = smp('import', '--force', 'x.json');
    expect(badOption.status).to.equal(2);
    expect(badOption.stderr).to.contain("Unknown option '--force'");
  });

  it('exits 1 when the database cannot be reached', () => {
    const run = runSmp({ ...cli.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }, ['studies']);
    expect(run.status).to.equal(1);
    expect(run.stderr.trim()).to.equal(
      'smp studies: cannot connect to the PostgreSQL server at 127.0.0.1:1 (DATABASE_URL): the connection was refused; ' +
        'is the server running and listening on port 1?',
    );
    expect(run.stderr).not.to.match(/\n\s+at /);
  });

  it('serves the tracker, loading the demo study into an empty database, and prints the URL', async () => {
    const serveEnv = await cli.newStore('serve-data');
    const served = await startServe(serveEnv);
    const { url } = served;
    try {
      expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      // The API is behind sign-in; the health check is not.
      expect((await fetch(`${url}api/studies`)).status).to.equal(401);
      expect(await (await fetch(`${url}api/health`)).json()).to.deep.equal({ status: 'ok', database: DRIVER });
      expect(await (await fetch(url)).text()).to.contain('<script type="module" src="/app.js"></script>');

      if (!SERVER_URL) {
        // The embedded database belongs to the serving process: other commands use it through
        // the server's socket, and a second server is turned away.
        const studies = runSmp(serveEnv, ['studies']);
        expect(studies.status, studies.stderr).to.equal(0);
        expect(studies.stdout).to.match(/^SMP-2021 +2 +22 /m);
        const second = runSmp(serveEnv, ['serve', '--port', '0']);
        expect(second.status).to.equal(1);
        expect(second.stderr).to.contain(`is in use by another process: smp serve --port 0 (pid ${served.child.pid}) at ${url}`);
      }
    } finally {
      await served.stop();
    }
  });
});
