// `smp user …` as administrators run it: real processes, their output and exit status, and the
// credentials they print working against the real app.
import os from 'node:os';
import { expect } from 'chai';
import { openMigratedDb } from '../../db/migrate.ts';
import type { Db } from '../../db/kysely.ts';
import { smallBundle } from '../support/bundles.ts';
import { runSmp, useCliWorkspace } from '../support/cli-workspace.ts';
import { DRIVER } from '../support/database.ts';
import { everyStoredRow, startTestServer } from '../support/http-client.ts';

describe(`smp user (${DRIVER})`, function () {
  this.timeout(120_000);
  const cli = useCliWorkspace('smp-user-cli-', { env: { SMP_PUBLIC_URL: '', HOST: '', PORT: '' }, migrated: true });
  const { smp } = cli;

  before(() => {
    expect(smp('import', cli.write('study.json', smallBundle('CLI-U'))).status).to.equal(0);
  });

  /** Work on the store in this process, while no smp process holds it. */
  async function withStore<T>(use: (db: Db) => Promise<T>): Promise<T> {
    const db = await openMigratedDb(cli.store);
    try {
      return await use(db);
    } finally {
      await db.close();
    }
  }

  it('adds a clinic user with --study/--site pairs in order and prints a one-time invite link', () => {
    const run = smp('user', 'add', 'nurse.lon', '--role', 'clinic', '--study', 'CLI-U', '--site', 'LON', '--study', 'CLI-U', '--site', 'MAN');
    expect(run.status, run.stderr).to.equal(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).to.equal('created user nurse.lon (clinic; CLI-U/LON, CLI-U/MAN)');
    expect(lines[1]).to.match(/^invite link for nurse\.lon: it works once, until \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC, and sets their password:$/);
    expect(lines[2]).to.match(/^http:\/\/127\.0\.0\.1:3000\/sign-in#invite=[A-Za-z0-9_-]{43}$/);
    expect(run.stderr).to.equal('note: the link points at http://127.0.0.1:3000; set SMP_PUBLIC_URL to the address users open\n');
  });

  it('uses SMP_PUBLIC_URL for links', () => {
    const run = runSmp({ ...cli.env, SMP_PUBLIC_URL: 'https://smp.example.org/' }, ['user', 'add', 'researcher1', '--role', 'researcher', '--study', 'CLI-U']);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.trimEnd().split('\n').at(-1)).to.match(/^https:\/\/smp\.example\.org\/sign-in#invite=[A-Za-z0-9_-]{43}$/);
    expect(run.stderr).to.equal('');
  });

  it('exits 2 with a clear message for a bad role, an unknown study or site, and a site for a researcher; writes nothing', async () => {
    const cases: Array<[string[], string]> = [
      [['user', 'add', 'x1', '--role', 'owner'], 'smp user: --role: "owner" is not a role: use admin, researcher, clinic or reviewer'],
      [['user', 'add', 'x2', '--role', 'clinic', '--study', 'NOPE-1'], 'smp user: study NOPE-1 does not exist'],
      [['user', 'add', 'x3', '--role', 'clinic', '--study', 'CLI-U', '--site', 'LDS'], 'smp user: study CLI-U has no site LDS (its sites: LON, MAN)'],
      [['user', 'add', 'x4', '--role', 'researcher', '--study', 'CLI-U', '--site', 'LON'], 'smp user: a researcher reaches the whole study; sites are granted to clinic users only'],
      [['user', 'add', 'Bad.Name', '--role', 'clinic'], 'smp user: NAME: "Bad.Name" is not a valid username (1 to 64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit)'],
      [['user', 'add', 'nurse.lon', '--role', 'clinic'], 'smp user: user nurse.lon already exists'],
      [['user', 'grant', 'ghost', '--study', 'CLI-U'], 'smp user: user ghost does not exist (smp user list shows every user)'],
      [['user', 'token', 'ghost'], 'smp user: user ghost does not exist (smp user list shows every user)'],
      [['user', 'revoke', 'nurse.lon', '--study', 'CLI-U'], 'smp user: nurse.lon has no grant of CLI-U (their grants: CLI-U/LON, CLI-U/MAN)'],
    ];
    for (const [args, message] of cases) {
      const run = smp(...args);
      expect(run.status, args.join(' ')).to.equal(2);
      expect(run.stderr.trim(), args.join(' ')).to.equal(message);
      expect(run.stdout).to.equal('');
    }
    const usage = smp('user', 'add', 'x5', '--site', 'LON', '--role', 'clinic');
    expect(usage.status).to.equal(2);
    expect(usage.stderr).to.contain('smp user: --site must follow the --study it belongs to');
    expect(usage.stderr).to.contain('Run `smp user --help` for its options.');
    expect(smp('user', 'frobnicate').stderr).to.contain('smp user: unknown user command "frobnicate"');
    const users = await withStore((db) => db.kysely.selectFrom('app_user').select('username').orderBy('username').execute());
    expect(users.map((u) => u.username)).to.deep.equal(['nurse.lon', 'researcher1']);
  });

  it('grants and revokes, changes a role, and lists users', () => {
    const grant = smp('user', 'grant', 'researcher1', '--role', 'reviewer');
    expect(grant.status, grant.stderr).to.equal(0);
    expect(grant.stdout).to.equal('researcher1 (reviewer): CLI-U\n');
    const revoke = smp('user', 'revoke', 'nurse.lon', '--study', 'CLI-U', '--site', 'MAN');
    expect(revoke.status, revoke.stderr).to.equal(0);
    expect(revoke.stdout).to.equal('nurse.lon (clinic): CLI-U/LON\n');
    const again = smp('user', 'grant', 'nurse.lon', '--study', 'CLI-U', '--site', 'LON');
    expect(again.stdout).to.equal('nurse.lon (clinic): CLI-U/LON (1 grant was there already)\n');
    const list = smp('user', 'list');
    expect(list.status).to.equal(0);
    expect(list.stdout.split('\n').map((line) => line.replace(/\s+/g, ' ').trim())).to.deep.equal([
      'USERNAME ROLE STATUS TOKENS ACCESS',
      'nurse.lon clinic invited 0 CLI-U/LON',
      'researcher1 reviewer invited 0 CLI-U',
      '',
    ]);
  });

  it('prints a new token alone on the last line; it works as a Bearer token and is stored only as a hash', async () => {
    const run = smp('user', 'token', 'nurse.lon', '--expires', '30');
    expect(run.status, run.stderr).to.equal(0);
    const lines = run.stdout.trimEnd().split('\n');
    const token = lines.at(-1)!;
    expect(token).to.match(/^smp_[A-Za-z0-9_-]{43}$/);
    expect(lines[0]).to.match(/^API token \d+ for nurse\.lon \(expires \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\); it is shown only now/);
    await withStore(async (db) => {
      expect(await everyStoredRow(db)).to.not.contain(token.slice(4));
      const app = await startTestServer(db);
      try {
        const reply = await app.request('GET', '/api/auth/me', { headers: { authorization: `Bearer ${token}` } });
        expect(reply.status).to.equal(200);
        expect(reply.body).to.deep.include({ username: 'nurse.lon', role: 'clinic', grants: [{ study: 'CLI-U', site: 'LON' }], via: 'token' });
      } finally {
        await app.close();
      }
    });
    const tokens = smp('user', 'tokens', 'nurse.lon');
    expect(tokens.stdout).to.match(/^ID\s+CREATED\s+EXPIRES\s+LAST USED\s+STATE\n\d+\s+.+ UTC\s+.+ UTC\s+.+ UTC\s+active\n$/);
    expect(smp('user', 'token', 'nurse.lon', '--expires', '0').status).to.equal(2);
  });

  it('revokes one token, then disables the user with --all, and enables them again', async () => {
    const id = /API token (\d+)/.exec(smp('user', 'token', 'researcher1').stdout)![1]!;
    const token = smp('user', 'token', 'researcher1').stdout.trimEnd().split('\n').at(-1)!;
    const revoked = smp('user', 'revoke', 'researcher1', '--token', id);
    expect(revoked.stdout).to.equal(`revoked API token ${id} of researcher1\n`);
    expect(smp('user', 'revoke', 'researcher1').status).to.equal(2);
    const all = smp('user', 'revoke', 'researcher1', '--all');
    expect(all.status, all.stderr).to.equal(0);
    expect(all.stdout).to.equal('disabled researcher1: signed out everywhere, 1 API token revoked, unused links ended\n');
    await withStore(async (db) => {
      const app = await startTestServer(db);
      try {
        expect((await app.request('GET', '/api/auth/me', { headers: { authorization: `Bearer ${token}` } })).status).to.equal(401);
      } finally {
        await app.close();
      }
    });
    expect(smp('user', 'list').stdout).to.match(/researcher1\s+reviewer\s+disabled since \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\s+0\s+CLI-U/);
    expect(smp('user', 'token', 'researcher1').stderr.trim()).to.equal('smp user: researcher1 is disabled; enable them before creating a token');
    const enabled = smp('user', 'enable', 'researcher1');
    expect(enabled.stdout).to.equal('enabled researcher1 (reviewer; invited); smp user invite researcher1 gives them a link to set a password\n');
    const invite = smp('user', 'invite', 'researcher1');
    expect(invite.stdout.trimEnd().split('\n').at(-1)).to.match(/\/sign-in#invite=[A-Za-z0-9_-]{43}$/);
  });

  it('records every change in the audit trail as the command line, without secrets', async () => {
    await withStore(async (db) => {
      const rows = await db.kysely.selectFrom('audit_event').selectAll().where('entity', 'in', ['user', 'grant', 'api_token']).orderBy('audit_id').execute();
      expect(rows.every((r) => r.username === `cli:${os.userInfo().username}` && r.role === 'admin' && r.user_id === null)).to.equal(true);
      expect(rows.map((r) => `${r.action} ${r.entity} ${r.entity_key}`).slice(0, 6)).to.deep.equal([
        'create user nurse.lon',
        'create grant nurse.lon/CLI-U/LON',
        'create grant nurse.lon/CLI-U/MAN',
        'create user researcher1',
        'create grant researcher1/CLI-U',
        'update user researcher1',
      ]);
      expect(JSON.stringify(rows)).to.not.match(/smp_[A-Za-z0-9_-]{43}|scrypt\$/);
    });
  });

  it('sets a full name and the signing right, refuses it without a name or for a reviewer, and writes nothing then', async () => {
    const added = smp('user', 'add', 'dr.khan', '--role', 'clinic', '--study', 'CLI-U', '--site', 'LON', '--full-name', 'Dr Iris Khan', '--may-sign');
    expect(added.status, added.stderr).to.equal(0);
    const nameless = smp('user', 'add', 'dr.nameless', '--role', 'researcher', '--may-sign');
    expect(nameless.status).to.equal(2);
    expect(nameless.stderr).to.equal('smp user: the signing right needs a full name, which signatures show\n');
    const reviewer = smp('user', 'add', 'rev.sign', '--role', 'reviewer', '--full-name', 'Rev Iewer', '--may-sign');
    expect(reviewer.status).to.equal(2);
    expect(reviewer.stderr).to.equal('smp user: a reviewer reads only de-identified data and cannot sign\n');
    const withdrawn = smp('user', 'grant', 'dr.khan', '--no-sign');
    expect(withdrawn.status, withdrawn.stderr).to.equal(0);
    expect(withdrawn.stdout).to.equal('dr.khan (clinic): full name "Dr Iris Khan"; does not sign\n');
    const rows = await withStore((db) =>
      db.kysely.selectFrom('app_user').select(['username', 'full_name', 'may_sign']).where('username', 'in', ['dr.khan', 'dr.nameless', 'rev.sign']).execute(),
    );
    expect(rows).to.deep.equal([{ username: 'dr.khan', full_name: 'Dr Iris Khan', may_sign: false }]);
  });
});
