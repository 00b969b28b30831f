// The first run: `smp serve` on an empty store creates `admin` and prints a one-time sign-in
// link that works; until an administrator has a password, each start prints a fresh link.
import { expect } from 'chai';
import { ensureFirstRunAdmin } from '../../api/services/first-run.ts';
import { useCliWorkspace } from '../support/cli-workspace.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { startTestServer } from '../support/http-client.ts';
import { startServe } from '../support/server-process.ts';

describe(`first run (${DRIVER})`, function () {
  this.timeout(120_000);
  const cli = useCliWorkspace('smp-first-run-', { env: { SMP_PUBLIC_URL: '' } });

  it('smp serve on an empty store prints a one-time sign-in link that opens a session which can list studies', async () => {
    const served = await startServe(cli.env, /sign-in#sign-in=\S+\n[^\n]*\n/);
    const { out } = served;
    try {
      const lines = out.trimEnd().split('\n');
      const url = /^SMP outcomes tracker: (http:\/\/127\.0\.0\.1:\d+\/) /.exec(lines[0]!)![1]!;
      expect(lines[1]).to.match(/^No users yet: created the administrator "admin"\. To sign in as admin, open this one-time link \(valid until \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\):$/);
      const link = lines[2]!.trim();
      expect(link).to.match(new RegExp(`^${url}sign-in#sign-in=[A-Za-z0-9_-]{43}$`));

      // What the sign-in page does with the link: post the fragment's secret.
      const secret = new URL(link).hash.slice('#sign-in='.length);
      const used = await fetch(`${url}api/auth/sign-in-link`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: new URL(url).origin },
        body: JSON.stringify({ link: secret }),
      });
      expect(used.status).to.equal(200);
      expect(await used.json()).to.deep.equal({ username: 'admin', role: 'admin', grants: [], passwordSet: false, via: 'session' });
      const cookie = /^(smp_session=[^;]+)/.exec(used.headers.get('set-cookie') ?? '')![1]!;
      const studies = await fetch(`${url}api/studies`, { headers: { cookie } });
      expect(studies.status).to.equal(200);
      expect(((await studies.json()) as { studies: Array<{ code: string }> }).studies.map((s) => s.code)).to.deep.equal(['SMP-2021']);

      const again = await fetch(`${url}api/auth/sign-in-link`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ link: secret }),
      });
      expect(again.status).to.equal(401);
    } finally {
      await served.stop();
    }
  });

  describe('ensureFirstRunAdmin', () => {
    let db: TestDb;
    before(async () => {
      db = await freshDb();
    });
    after(async () => {
      await db?.dispose();
    });

    it('creates admin once; until an administrator has a password each start gives a new link and ends the old one', async () => {
      const first = await ensureFirstRunAdmin(db, 'http://localhost:3000/');
      expect(first).to.deep.include({ username: 'admin', created: true });
      expect(first!.link.url).to.match(/^http:\/\/localhost:3000\/sign-in#sign-in=[A-Za-z0-9_-]{43}$/);
      const second = await ensureFirstRunAdmin(db, 'http://localhost:3000');
      expect(second).to.deep.include({ username: 'admin', created: false });
      const users = await db.kysely.selectFrom('app_user').select(['username', 'role']).execute();
      expect(users).to.deep.equal([{ username: 'admin', role: 'admin' }]);

      const app = await startTestServer(db);
      try {
        const use = (url: string) => app.request('POST', '/api/auth/sign-in-link', { body: { link: url.split('#sign-in=')[1] } });
        expect((await use(first!.link.url)).status).to.equal(401);
        const signedIn = await use(second!.link.url);
        expect(signedIn.status).to.equal(200);
        const set = await app.request('POST', '/api/auth/password', { body: { newPassword: 'the administrator’s own password' }, cookie: signedIn.cookie });
        expect(set.status).to.equal(204);
      } finally {
        await app.close();
      }
      expect(await ensureFirstRunAdmin(db, 'http://localhost:3000')).to.equal(null);
      const audit = await db.kysely.selectFrom('audit_event').select(['action', 'entity_key', 'reason']).orderBy('audit_id').execute();
      expect(audit.map((a) => `${a.action} ${a.entity_key}: ${a.reason}`)).to.deep.equal([
        'create admin: first run: the database had no users',
        'update admin: start without an administrator password: new sign-in link',
        'update admin: null',
      ]);
    });

    it('creates one administrator when two servers start at once', async () => {
      const other = await freshDb();
      try {
        const results = await Promise.all([ensureFirstRunAdmin(other, 'http://a'), ensureFirstRunAdmin(other, 'http://b')]);
        expect(results.map((r) => r?.created).sort()).to.deep.equal([false, true]);
        const users = await other.kysely.selectFrom('app_user').select('username').execute();
        expect(users).to.have.length(1);
      } finally {
        await other.dispose();
      }
    });
  });
});
