// `smp backup` and `smp restore` as a user runs them: the configured store (PostgreSQL in the
// server run) backed up and restored into a new embedded data directory, listing the same
// studies; an existing archive kept unless --force; a damaged archive and a store with data
// refused (exit 2) with nothing written.
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { smallBundle } from '../support/bundles.ts';
import { runSmp, useCliWorkspace } from '../support/cli-workspace.ts';
import { DRIVER } from '../support/database.ts';


describe(`smp backup and smp restore (${DRIVER} → pglite)`, function () {
  this.timeout(180_000);
  const cli = useCliWorkspace('smp-cli-backup-');
  const smp = (runEnv: NodeJS.ProcessEnv, ...args: string[]) => runSmp(runEnv, args, { cwd: cli.dir });
  let env: NodeJS.ProcessEnv;

  before(() => {
    env = { ...cli.env, SMP_DATA_DIR: path.join(cli.dir, 'source') };
    expect(smp(env, 'demo').status).to.equal(0);
    expect(smp(env, 'import', cli.write('b.json', smallBundle('BAK-1'))).status).to.equal(0);
  });

  it('backs up the store and restores it into a new embedded data directory', () => {
    const file = path.join(cli.dir, 'store.smpbackup');
    const backup = smp(env, 'backup', file);
    expect(backup.status, backup.stderr).to.equal(0);
    expect(backup.stderr.trim()).to.equal(
      // The demo and BAK-1: 205 rows of study data, a key for each study, two audit entries
      // (their imports) and the heads of their two audit chains, in the 28 tables a backup holds
      // (calendar_feed, survey_link, participant_contact, survey_message, the sign-off, query and verification tables empty; the rate-limit counts and the
      // access generation are the running servers' state, not kept).
      `wrote ${file}: 2 studies, 211 rows in 28 tables (${DRIVER}, schema 2026-12-06-14-data-queries)`,
    );

    const kept = smp(env, 'backup', file);
    expect(kept.status).to.equal(2);
    expect(kept.stderr.trim()).to.equal(`smp backup: ${file} exists; add --force to overwrite it`);
    expect(smp(env, 'backup', file, '--force').status).to.equal(0);

    const target = { ...process.env, SMP_DATA_DIR: path.join(cli.dir, 'target'), DATABASE_URL: '' };
    const restore = smp(target, 'restore', file);
    expect(restore.status, restore.stderr).to.equal(0);
    expect(restore.stderr).to.match(new RegExp(`^restored ${file} into pglite .*target: 2 studies, 211 rows in 28 tables \\(made \\S+ on ${DRIVER}\\)\\n$`));
    expect(smp(target, 'studies').stdout).to.equal(smp(env, 'studies').stdout);
    expect(smp(target, 'export', 'BAK-1').stdout).to.equal(smp(env, 'export', 'BAK-1').stdout);

    const again = smp(target, 'restore', file);
    expect(again.status).to.equal(2);
    expect(again.stderr).to.match(/^smp restore: the store at .*target is not empty \(rows in /);
  });

  it('refuses a damaged archive (exit 2) and restores nothing', () => {
    const file = path.join(cli.dir, 'store.smpbackup');
    const damaged = path.join(cli.dir, 'damaged.smpbackup');
    fs.writeFileSync(damaged, gzipSync(Buffer.from(gunzipSync(fs.readFileSync(file)).toString('utf8').replace('BAK-1', 'BAK-7'))));
    const target = { ...process.env, SMP_DATA_DIR: path.join(cli.dir, 'target-2'), DATABASE_URL: '' };
    const run = smp(target, 'restore', damaged);
    expect(run.status).to.equal(2);
    expect(run.stderr.trim()).to.equal(
      `smp restore: ${damaged} is not an intact smp-backup/1 archive: its checksum does not match its content ` +
        '(the file is damaged or was changed); nothing was restored',
    );
    expect(smp(target, 'studies').stdout).to.match(/^no studies/);
  });

  it('refuses an empty file name and a directory the same way as the other commands', () => {
    const empty = smp(env, 'backup', '');
    expect(empty.status).to.equal(2);
    expect(empty.stderr.split('\n')[0]).to.equal('smp backup: backup needs a file name (got an empty string)');
    const directory = smp(env, 'restore', cli.dir);
    expect(directory.status).to.equal(2);
    expect(directory.stderr.trim()).to.equal(`smp restore: ${cli.dir} is a directory, not a file`);
  });
});
