// The `smp` command's conveniences, as a user meets them in a real process: --version and
// per-command --help, the file checks every command shares (a directory given as a file,
// `--out ''`, overwriting only with --force), the hint after an unknown study code, progress of
// an import on a terminal, and `analyze FILE` printing what `analyze --study` prints.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { smallBundle } from '../support/bundles.ts';
import { SMP, useCliWorkspace } from '../support/cli-workspace.ts';
import { DRIVER } from '../support/database.ts';

const PACKAGE = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'));
const COMMANDS = ['serve', 'demo', 'import', 'export', 'studies', 'backup', 'restore', 'analyze', 'worklist', 'user', 'freeze', 'audit', 'db'];

describe(`smp command conveniences (${DRIVER})`, function () {
  this.timeout(120_000);
  const cli = useCliWorkspace('smp-cli-commands-', { migrated: true });
  const { smp } = cli;

  before(() => {
    const imported = smp('import', cli.write('cli-3.json', smallBundle('CLI-3')));
    expect(imported.status, imported.stderr).to.equal(0);
  });

  it('prints its version with --version', () => {
    const run = smp('--version');
    expect(run).to.deep.equal({ status: 0, stdout: `smp ${PACKAGE.version}\n`, stderr: '' });
  });

  it("prints each command's own usage with COMMAND --help, and with help COMMAND", () => {
    for (const command of COMMANDS) {
      const run = smp(command, '--help');
      expect(run.status, command).to.equal(0);
      expect(run.stderr, command).to.equal('');
      expect(run.stdout, command).to.match(new RegExp(`^Usage: smp ${command}\\b`));
      expect(smp('help', command).stdout, command).to.equal(run.stdout);
    }
    expect(smp('import', '--help').stdout).to.contain('--replace   replace the stored study');
    const list = smp('--help').stdout;
    expect(list).to.match(/^ {2}audit verify \[--study CODE\] +recompute the audit trail's hash chains/m);
    expect(list).to.match(/^ {2}db \(migrate\|roles\) … +bring the schema up to date; on PostgreSQL, make the owner and runtime roles/m);
    expect(smp('worklist', '--help').stdout).to.match(/^Usage: smp worklist --study CODE \[--as-of DATE\]/);
    expect(smp('export', '-h').stdout).to.contain('--force');
  });

  it('lists every command in smp --help, each with its options', () => {
    const run = smp('--help');
    expect(run.status).to.equal(0);
    const listed = run.stdout
      .split('\n')
      .filter((line) => /^  [a-z]/.test(line))
      .map((line) => line.trim().split(' ')[0]);
    expect(listed).to.deep.equal(COMMANDS);
    expect(run.stdout).to.contain('  worklist --study CODE [--as-of DATE] [--status S,…] [--site CODE,…] [--visit STEP,…]\n          [--horizon DAYS] [--format table|csv|json|ics]');
  });

  it('says "is a directory" for a directory given as a bundle file (exit 2)', () => {
    for (const args of [['import', cli.dir], ['analyze', cli.dir]]) {
      const run = smp(...args);
      expect(run.status, args[0]).to.equal(2);
      expect(run.stderr.trim(), args[0]).to.equal(`smp ${args[0]}: ${cli.dir} is a directory, not a file`);
    }
  });

  it('suggests `smp studies` after an unknown study code', () => {
    for (const args of [['export', 'NOPE-2'], ['analyze', '--study', 'NOPE-2'], ['worklist', '--study', 'NOPE-2']]) {
      const run = smp(...args);
      expect(run.status, args[0]).to.equal(2);
      expect(run.stderr.trim(), args[0]).to.equal(`smp ${args[0]}: study NOPE-2 does not exist (\`smp studies\` lists the stored studies)`);
    }
  });

  it("refuses --out '' the same way in every command that takes --out", () => {
    const export_ = smp('export', 'CLI-3', '--out', '');
    const analyze = smp('analyze', '--study', 'CLI-3', '--out', '');
    for (const [run, name, kind] of [[export_, 'export', 'file name'], [analyze, 'analyze', 'directory']] as const) {
      expect(run.status, name).to.equal(2);
      expect(run.stdout, name).to.equal('');
      expect(run.stderr.split('\n')[0], name).to.equal(`smp ${name}: --out needs a ${kind} (got an empty string)`);
      expect(run.stderr, name).to.contain(`Usage: smp ${name} `);
    }
  });

  it('overwrites an existing --out file only with --force, and never a directory', () => {
    const out = path.join(cli.dir, 'existing.json');
    fs.writeFileSync(out, 'keep me');
    const refused = smp('export', 'CLI-3', '--out', out);
    expect(refused.status).to.equal(2);
    expect(refused.stderr.trim()).to.equal(`smp export: ${out} exists; add --force to overwrite it`);
    expect(fs.readFileSync(out, 'utf8')).to.equal('keep me');

    const forced = smp('export', 'CLI-3', '--out', out, '--force');
    expect(forced.status, forced.stderr).to.equal(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).study.code).to.equal('CLI-3');
    expect(fs.readdirSync(cli.dir).filter((name) => name.endsWith('.tmp'))).to.deep.equal([]);

    const directory = smp('export', 'CLI-3', '--out', cli.dir, '--force');
    expect(directory.status).to.equal(2);
    expect(directory.stderr.trim()).to.equal(`smp export: ${cli.dir} is a directory; --out needs a file name`);
    const missing = smp('export', 'CLI-3', '--out', path.join(cli.dir, 'no-such-dir', 'x.json'));
    expect(missing.status).to.equal(2);
    expect(missing.stderr.trim()).to.equal(`smp export: ${path.join(cli.dir, 'no-such-dir')}: no such directory`);
  });

  it('prints the same summary for a bundle file as for the stored study', () => {
    const fromFile = smp('analyze', path.join(cli.dir, 'cli-3.json'), '--by', 'site');
    const fromStore = smp('analyze', '--study', 'CLI-3', '--by', 'site');
    expect(fromFile.status, fromFile.stderr).to.equal(0);
    expect(fromStore.status, fromStore.stderr).to.equal(0);
    expect(fromFile.stdout).to.equal(fromStore.stdout);
    expect(JSON.parse(fromFile.stdout).participants.enrolled).to.equal(2);
  });

  it('shows progress on a terminal from reading the file to the commit, and leaves the line clean', () => {
    const file = path.join(cli.dir, 'cli-4.json');
    fs.writeFileSync(file, JSON.stringify(smallBundle('CLI-4')));
    // `script` runs the command on a pseudo-terminal, so stderr is a TTY as in a user's shell.
    const run = spawnSync('script', ['-qec', `"${process.execPath}" "${SMP}" import "${file}"`, '/dev/null'], {
      env: cli.env,
      encoding: 'utf8',
      cwd: cli.dir,
    });
    expect(run.status, run.stdout).to.equal(0);
    const steps = run.stdout.split('\r\x1b[K').map((step) => step.trim()).filter(Boolean);
    expect(steps[0]).to.match(/^reading .*cli-4\.json \(0\.0 MB\)…$/);
    expect(steps[1]).to.equal('validating 2 participants…');
    expect(steps).to.include('loading 1/7: 2 sites');
    expect(steps).to.include('loading 4/7: 5 treatment sessions');
    expect(steps).to.include('committing…');
    expect(steps.at(-1)).to.match(/^imported study CLI-4: 2 sites, 2 practitioners, 2 participants, 5 treatment sessions/);
  });
});
