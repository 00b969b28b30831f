// The password rule wherever a password is set over HTTP: accepting an invite, choosing one
// after the first run's sign-in link, and changing one's own. Guessable passwords (the username
// repeated, common passwords, keyboard runs) and short ones are refused at the field with the
// reason in plain words, and nothing changes: the link still works, the old password still does.
import { expect } from 'chai';
import { commandLineChange } from '../../api/services/access.ts';
import { ensureFirstRunAdmin } from '../../api/services/first-run.ts';
import { createUser } from '../../api/services/user-service.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/http-client.ts';

const secretOf = (url: string) => new URL(url).hash.replace(/^#(invite|sign-in)=/, '');

describe(`the password rule (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let app: TestServer;

  before(async () => {
    db = await freshDb();
    app = await startTestServer(db);
  });
  after(async () => {
    await app?.close();
    await db?.dispose();
  });

  const auditCount = async () => (await db.kysely.selectFrom('audit_event').select('audit_id').execute()).length;

  it('refuses guessable passwords on an invite, saying why, and keeps the link working', async () => {
    const { invite } = await createUser(db, commandLineChange(), { username: 'lonpw', role: 'clinic', grants: [] }, app.base);
    const link = secretOf(invite.url);
    const before = await auditCount();
    const tries: Array<[string, string]> = [
      ['lonpwlonpwlonpw', 'repeats your username: choose something else, a few unrelated words work well'],
      ['password12345678', 'is a common password, which is among the first things guessed: choose a few unrelated words instead'],
      ['qwertyuiopasdfgh', 'is a keyboard pattern, which is among the first things guessed: choose a few unrelated words instead'],
      ['lonpw', 'is too short: at least 15 characters (it has 5); a few words make a good password'],
    ];
    for (const [password, message] of tries) {
      const reply = await app.request('POST', '/api/auth/invite', { body: { link, password } });
      expect(reply.status, password).to.equal(400);
      expect(reply.body.problems, password).to.deep.equal([{ path: 'password', message }]);
      expect(reply.cookie).to.equal(undefined);
    }
    const user = await db.kysely.selectFrom('app_user').select('password_hash').where('username', '=', 'lonpw').executeTakeFirstOrThrow();
    expect(user.password_hash).to.equal(null);
    expect(await auditCount()).to.equal(before);
    const accepted = await app.request('POST', '/api/auth/invite', { body: { link, password: 'seven green kites over the harbour' } });
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
  });

  it('refuses a guessable password chosen after the first-run link, and when changing one', async () => {
    // A store of its own: the first run is a store without users.
    const store = await freshDb();
    const app = await startTestServer(store);
    try {
      await firstRunChecks(store, app);
    } finally {
      await app.close();
      await store.dispose();
    }
  });

  async function firstRunChecks(db: TestDb, app: TestServer) {
    const first = (await ensureFirstRunAdmin(db, app.base))!;
    const signedIn = await app.request('POST', '/api/auth/sign-in-link', { body: { link: secretOf(first.link.url) } });
    expect(signedIn.status).to.equal(200);
    const cookie = signedIn.cookie!;
    const keyboard = await app.request('POST', '/api/auth/password', { body: { newPassword: '1qaz2wsx3edc4rfv' }, cookie });
    expect(keyboard.status).to.equal(400);
    expect(keyboard.body.problems).to.deep.equal([
      { path: 'newPassword', message: 'is a keyboard pattern, which is among the first things guessed: choose a few unrelated words instead' },
    ]);
    const named = await app.request('POST', '/api/auth/password', { body: { newPassword: 'adminadminadmin!' }, cookie });
    expect(named.body.problems).to.deep.equal([{ path: 'newPassword', message: 'repeats your username: choose something else, a few unrelated words work well' }]);
    expect((await app.request('POST', '/api/auth/password', { body: { newPassword: 'a long walk on a cold morning' }, cookie })).status).to.equal(204);

    const before = await db.kysely.selectFrom('app_user').select('password_hash').where('username', '=', 'admin').executeTakeFirstOrThrow();
    const common = await app.request('POST', '/api/auth/password', {
      body: { currentPassword: 'a long walk on a cold morning', newPassword: 'iloveyouiloveyou' },
      cookie,
    });
    expect(common.status).to.equal(400);
    expect(common.body.problems).to.deep.equal([
      { path: 'newPassword', message: 'is a common password, repeated, which is among the first things guessed: choose a few unrelated words instead' },
    ]);
    const after = await db.kysely.selectFrom('app_user').select('password_hash').where('username', '=', 'admin').executeTakeFirstOrThrow();
    expect(after.password_hash).to.equal(before.password_hash);
    expect((await app.request('GET', '/api/auth/me', { cookie })).status).to.equal(200);
  }
});
