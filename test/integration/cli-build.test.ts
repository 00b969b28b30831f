// The `smp` command runs a build in dist/ (made by `npm install`'s prepare step). A checkout whose
// sources changed since must never run the old build: the command notices the changed source by
// its time stamp and size, rebuilds, and runs the new code.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { freshEntry, MANIFEST, ROOT, stamp } from '../../api/bin/build.js';
import { runSmp } from '../support/cli-workspace.ts';

const SOURCE = 'api/errors.ts';

const version = () => runSmp(process.env, ['--version']);
const manifestInputs = () => (JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as { inputs: Record<string, string> }).inputs;

describe('the smp command is never stale', function () {
  this.timeout(60_000);

  it('records every source of the build, and the package lock, in dist/manifest.json', () => {
    expect(version().status).to.equal(0);
    expect(freshEntry()).to.equal(path.join(ROOT, 'dist', 'cli.js'));
    const inputs = Object.keys(manifestInputs());
    for (const file of ['api/cli/cli.ts', 'api/cli/analyze-command.ts', 'db/kysely.ts', 'db/migrate.ts', SOURCE, 'package-lock.json']) {
      expect(inputs, file).to.include(file);
    }
    expect(inputs.filter((file) => file.startsWith('node_modules/'))).to.deep.equal([]);
  });

  it('rebuilds when a source has changed since the build, then runs the new build', () => {
    const file = path.join(ROOT, SOURCE);
    const { atime, mtime } = fs.statSync(file);
    try {
      fs.utimesSync(file, atime, new Date(mtime.getTime() + 5_000));
      expect(freshEntry(), 'a changed source makes the build stale').to.equal(null);
      const run = version();
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^smp \d+\.\d+\.\d+\n$/);
      expect(freshEntry(), 'the command rebuilt dist/').to.not.equal(null);
      expect(manifestInputs()[SOURCE]).to.equal(stamp(SOURCE));
    } finally {
      fs.utimesSync(file, atime, mtime);
      version(); // and back to a build of the restored time stamp
    }
    expect(freshEntry()).to.not.equal(null);
  });
});
