// The command line beside a running `smp serve`: `smp user add`, `smp analyze --study` and
// `smp backup` run while enrolments arrive over HTTP, on the embedded database (through the
// server's socket) and on PostgreSQL alike. Every acknowledged write is kept, the new user signs
// in, the analysis is whole, and the backup restores with counts that agree. A server killed with
// -9 leaves a socket behind that does not stop the next command.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { sql } from 'kysely';
import { openDb } from '../../db/kysely.ts';
import { socketPathOf } from '../../db/local-socket.ts';
import { runSmp, runSmpBeside, storeOf, useCliWorkspace, type CliRun } from '../support/cli-workspace.ts';
import { DRIVER } from '../support/database.ts';
import { startServe } from '../support/server-process.ts';
import { adminTokenInStore } from '../support/users.ts';

const smp = (env: NodeJS.ProcessEnv, ...args: string[]) => runSmpBeside(env, args);

const enrolment = (code: string) => ({
  code,
  site: 'LON',
  sex: 'female',
  birthYear: 1980,
  indication: 'alopecia_areata',
  fitzpatrick: 3,
  keloidHistory: false,
  enrolledOn: '2020-05-04',
  costUsd: 3000,
});

describe(`smp commands beside a running server (${DRIVER})`, function () {
  this.timeout(180_000);
  const cli = useCliWorkspace('smp-beside-');

  it('runs user add, analyze --study and backup while enrolments arrive over HTTP, losing nothing', async () => {
    const token = await adminTokenInStore(cli.store);
    const served = await startServe(cli.env);
    const { url } = served;
    const acknowledged: string[] = [];
    let running = true;
    let commands: [CliRun, CliRun, CliRun];
    const outDir = path.join(cli.dir, 'analysis');
    const archive = path.join(cli.dir, 'store.smpbackup');
    try {
      // Two writers enrol participants one after another until the commands are done.
      const writer = async (prefix: string) => {
        for (let n = 1; running; n++) {
          const code = `${prefix}${String(n).padStart(4, '0')}`;
          const response = await fetch(`${url}api/studies/SMP-2021/participants`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(enrolment(code)),
          });
          if (response.status === 201) acknowledged.push(code);
          else throw new Error(`enrolment ${code}: ${response.status} ${await response.text()}`);
        }
      };
      const writers = [writer('A'), writer('B')];
      // Let the writes begin before the commands start.
      while (acknowledged.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
      commands = await Promise.all([
        smp(cli.env, 'user', 'add', 'carol', '--role', 'researcher', '--study', 'SMP-2021'),
        smp(cli.env, 'analyze', '--study', 'SMP-2021', '--out', outDir),
        smp(cli.env, 'backup', archive),
      ]);
      running = false;
      await Promise.all(writers);
      const [userAdd, analyze, backup] = commands;
      expect(userAdd.status, userAdd.stderr).to.equal(0);
      expect(analyze.status, analyze.stderr).to.equal(0);
      expect(backup.status, backup.stderr).to.equal(0);

      // The new user accepts the invite and signs in, on the running server.
      // On the embedded database the link points at the running server's address.
      if (DRIVER === 'pglite') expect(userAdd.stdout).to.include(`${url}sign-in#invite=`);
      const secret = /#invite=([A-Za-z0-9_-]{43})$/m.exec(userAdd.stdout)?.[1];
      expect(secret, userAdd.stdout).to.be.a('string');
      const password = 'copper lantern orbit meadow';
      const invite = await fetch(`${url}api/auth/invite`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ link: secret, password }) });
      expect(invite.status, await invite.clone().text()).to.equal(200);
      const signIn = await fetch(`${url}api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'carol', password }) });
      expect(signIn.status).to.equal(200);
      expect(((await signIn.json()) as { username: string }).username).to.equal('carol');

      // The analysis read one snapshot: the 22 demo participants and some of the new ones.
      const analysis = JSON.parse(fs.readFileSync(path.join(outDir, 'analysis.json'), 'utf8')) as { format: string; participants: { enrolled: number } };
      expect(analysis.format).to.equal('smp-analysis/1');
      expect(analysis.participants.enrolled).to.be.within(22, 22 + acknowledged.length);
    } finally {
      running = false;
      await served.stop('SIGTERM');
    }
    expect(acknowledged.length).to.be.above(3);

    // Every acknowledged enrolment is stored, once, and nothing else was added.
    const db = await openDb({ ...cli.store, throughServer: false });
    let backupCodes: string[];
    try {
      const stored = await db.kysely
        .selectFrom('participant')
        .innerJoin('study', 'study.study_id', 'participant.study_id')
        .where('study.code', '=', 'SMP-2021')
        .select('participant.code')
        .execute();
      const added = stored.map((row) => row.code).filter((code) => /^[AB]\d{4}$/.test(code));
      expect(added.sort()).to.deep.equal([...acknowledged].sort());
      expect(stored.length).to.equal(22 + acknowledged.length);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from app_user where username = 'carol'`.execute(db.kysely);
      expect(rows[0]!.n).to.equal(1);
    } finally {
      await db.close();
    }

    // The backup restores into an empty store, with the participants it read all present.
    const restoreEnv = await cli.newStore('restored');
    const restore = await smp(restoreEnv, 'restore', archive);
    expect(restore.status, restore.stderr).to.equal(0);
    const restored = await openDb(storeOf(restoreEnv));
    try {
      const rows = await restored.kysely.selectFrom('participant').select('code').execute();
      backupCodes = rows.map((row) => row.code).filter((code) => /^[AB]\d{4}$/.test(code));
      expect(rows.length).to.equal(22 + backupCodes.length);
      expect(backupCodes.every((code) => acknowledged.includes(code))).to.equal(true);
      // Each writer's enrolments are acknowledged in order, so a snapshot holds a prefix of each.
      for (const prefix of ['A', 'B']) {
        const mine = backupCodes.filter((code) => code.startsWith(prefix)).sort();
        expect(mine).to.deep.equal(acknowledged.filter((code) => code.startsWith(prefix)).slice(0, mine.length));
      }
      // Participant count and its audit trail agree: one enrolment event per added participant.
      const { rows: events } = await sql<{ n: number }>`
        select count(*)::int as n from audit_event where entity = 'participant' and action = 'create'`.execute(restored.kysely);
      expect(events[0]!.n).to.equal(backupCodes.length);
    } finally {
      await restored.close();
    }
  });

  if (DRIVER === 'pglite') {
    it('opens the data directory itself when the server was killed and left its socket behind', async () => {
      const killedEnv = { ...cli.env, SMP_DATA_DIR: path.join(cli.dir, 'killed') };
      const served = await startServe(killedEnv);
      const socket = socketPathOf(killedEnv.SMP_DATA_DIR);
      expect(fs.statSync(socket).isSocket()).to.equal(true);
      expect(fs.statSync(socket).mode & 0o777).to.equal(0o600);
      expect(fs.statSync(path.dirname(socket)).mode & 0o777).to.equal(0o700);
      await served.stop('SIGKILL');
      expect(fs.existsSync(socket)).to.equal(true);
      // A command that fails before its first query, on the store the kill left to recover,
      // still ends (the recovery leaves a timer armed in the embedded database).
      const damaged = path.join(cli.dir, 'damaged.smpbak');
      fs.writeFileSync(damaged, 'not an archive');
      const started = Date.now();
      const restore = runSmp(killedEnv, ['restore', damaged], { timeout: 30_000 });
      expect(restore.status, `ended after ${Date.now() - started} ms: ${restore.stderr}`).to.equal(2);
      expect(restore.stderr).to.match(/is not an intact smp-backup\/1 archive: .*nothing was restored\n$/);
      const studies = await smp(killedEnv, 'studies');
      expect(studies.status, studies.stderr).to.equal(0);
      expect(studies.stdout).to.match(/^SMP-2021 +2 +22 /m);
    });
  }
});
