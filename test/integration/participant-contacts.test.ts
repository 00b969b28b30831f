// Participants' contact details: stored sealed (AES-256-GCM under SMP_CONTACT_KEY), read and
// changed by the participant's clinic and administrators only, refused without a key or with a
// malformed email (nothing written), audited without the values, deleted with the participant,
// and found nowhere else: not in any export format, the bundle, the backup's plain parts, the
// analysis, a reviewer's responses, the audit trail or the server's log. A wrong key stops
// `smp serve` and `smp restore`, and nothing is overwritten.
import path from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { unzipSync } from 'fflate';
import { sql } from 'kysely';
import { createBackup } from '../../api/services/backup-service.ts';
import { EXPORT_FORMATS } from '../../api/services/format-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { runSmp, useCliWorkspace } from '../support/cli-workspace.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { startServe } from '../support/server-process.ts';
import { adminTokenInStore, createTestUser } from '../support/users.ts';

const KEY = Buffer.alloc(32, 0x5a);
const EMAIL = 'maria.contact-probe@example.org';
const PHONE = '+44 20 7946 0958';
const CONTACT = '/studies/CT-1/participants/P01/contact';

/** The bytes of a response, zips opened into their files, as text (latin1 keeps every byte). */
async function downloadTexts(response: Response): Promise<string[]> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return Object.values(unzipSync(bytes)).map((file) => Buffer.from(file).toString('utf8'));
  return [Buffer.from(bytes).toString('utf8')];
}

const holdsContact = (text: string) => text.includes(EMAIL) || text.includes(PHONE) || text.toLowerCase().includes('contact-probe');

describe(`participant contact details (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  let keyless: TestServer;
  let admin: ApiClient;
  let clinic: ApiClient;
  let researcher: ApiClient;
  let reviewer: ApiClient;
  let reviewerHeaders: Record<string, string>;
  let adminHeaders: Record<string, string>;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db, { contactKey: KEY });
    keyless = await startTestServer(db, { contactKey: undefined });
    const adminUser = await createTestUser(db, 'admin');
    adminHeaders = adminUser.headers;
    admin = apiClient(server.base, adminUser.headers);
    expect((await admin.post('/studies', smallBundle('CT-1'))).status).to.equal(201);
    clinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: 'CT-1', siteCode: 'LON' }])).headers);
    researcher = apiClient(server.base, (await createTestUser(db, 'researcher', [{ studyCode: 'CT-1', siteCode: null }])).headers);
    reviewerHeaders = (await createTestUser(db, 'reviewer', [{ studyCode: 'CT-1', siteCode: null }])).headers;
    reviewer = apiClient(server.base, reviewerHeaders);
  });
  after(async () => {
    await server?.close();
    await keyless?.close();
    await db?.dispose();
  });

  const contactRows = () => db.kysely.selectFrom('participant_contact').selectAll().execute();

  it('stores the contact sealed, and gives it back to the clinic and administrators only', async () => {
    const stored = await clinic.call('PUT', CONTACT, { email: EMAIL, phone: PHONE });
    expect(stored.status, JSON.stringify(stored.body)).to.equal(200);
    expect(stored.body).to.deep.equal({ email: EMAIL, phone: PHONE });

    const rows = await contactRows();
    expect(rows).to.have.length(1);
    const sealed = Buffer.from(rows[0]!.email_sealed);
    // Version byte, 12-byte nonce, 16-byte tag and the ciphertext, as long as the address.
    expect(sealed.length).to.equal(1 + 12 + 16 + Buffer.byteLength(EMAIL));
    expect(sealed.includes(Buffer.from(EMAIL))).to.equal(false);
    expect(Buffer.from(rows[0]!.phone_sealed!).includes(Buffer.from(PHONE))).to.equal(false);

    expect((await clinic.get(CONTACT)).body).to.deep.equal({ email: EMAIL, phone: PHONE });
    const read = await admin.get(CONTACT);
    expect(read.status).to.equal(200);
    expect(read.body).to.deep.equal({ email: EMAIL, phone: PHONE });
    expect(read.headers.get('cache-control')).to.equal('no-store');

    for (const [who, client] of [['researcher', researcher], ['reviewer', reviewer]] as const) {
      const refused = await client.get(CONTACT);
      expect(refused.status, who).to.equal(403);
      expect(JSON.stringify(refused.body)).not.to.include(EMAIL);
      expect((await client.call('PUT', CONTACT, { email: 'other@example.org' })).status, who).to.equal(403);
    }
    // P02 is at Manchester: outside the clinic's site, it does not exist for the clinic.
    expect((await clinic.get('/studies/CT-1/participants/P02/contact')).status).to.equal(404);
    expect((await admin.get('/studies/CT-1/participants/P02/contact')).status).to.equal(404);
    expect((await contactRows()).map((r) => Buffer.from(r.email_sealed).equals(sealed))).to.deep.equal([true]);
  });

  it('refuses a malformed email naming the field, and writes nothing', async () => {
    const before = await contactRows();
    for (const body of [{ email: 'not-an-address' }, { email: 'a@' }, {}, { email: EMAIL, phone: 'call me' }]) {
      const refused = await admin.call('PUT', '/studies/CT-1/participants/P02/contact', body);
      expect(refused.status, JSON.stringify(body)).to.equal(400);
      const field = 'phone' in body ? 'phone' : 'email';
      expect(refused.body.problems.map((e: { path: string }) => e.path), JSON.stringify(refused.body)).to.deep.equal([field]);
    }
    expect(await contactRows()).to.deep.equal(before);
  });

  it('refuses to store or show a contact without a key, naming SMP_CONTACT_KEY and how to set it', async () => {
    const before = await contactRows();
    const noKey = apiClient(keyless.base, adminHeaders);
    const refused = await noKey.call('PUT', '/studies/CT-1/participants/P02/contact', { email: 'someone@example.org' });
    expect(refused.status).to.equal(409);
    expect(refused.body.detail).to.include('SMP_CONTACT_KEY').and.to.include('openssl rand -base64 32');
    const read = await noKey.get(CONTACT);
    expect(read.status).to.equal(409);
    expect(read.body.detail).to.include('SMP_CONTACT_KEY');
    expect(await contactRows()).to.deep.equal(before);
  });

  it('audits that a contact changed, never its values', async () => {
    const changed = await admin.call('PUT', CONTACT, { email: EMAIL });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    const { rows } = await sql<{ action: string; entity_key: string; row: string }>`
      select action, entity_key, to_jsonb(a)::text as row from audit_event a where entity = 'participant_contact' order by audit_id`.execute(db.kysely);
    expect(rows.map((r) => `${r.action} ${r.entity_key}`)).to.deep.equal(['create P01/contact', 'update P01/contact']);
    for (const row of rows) expect(holdsContact(row.row), row.row).to.equal(false);
    const trail = await admin.get('/studies/CT-1/audit?participant=P01&limit=500');
    expect(trail.status, JSON.stringify(trail.body)).to.equal(200);
    const entries = trail.body.items.filter((item: { entity: string }) => item.entity === 'participant_contact');
    expect(entries).to.have.length(2);
    expect(holdsContact(JSON.stringify(trail.body))).to.equal(false);
  });

  it('appears in no export format, bundle, analysis, backup, audit entry or reviewer response', async () => {
    const found: string[] = [];
    const scan = (where: string, texts: string[]) => {
      if (texts.some(holdsContact)) found.push(where);
    };
    const download = (path: string, headers: Record<string, string>) => fetch(`${server.base}/api${path}`, { headers });
    let scanned = 0;
    for (const format of EXPORT_FORMATS) {
      for (const deidentify of [false, true]) {
        const response = await download(`/studies/CT-1/export?format=${format}&deidentify=${deidentify}`, adminHeaders);
        expect(response.status, format).to.equal(200);
        scan(`export ${format}${deidentify ? ' de-identified' : ''}`, await downloadTexts(response));
        scanned += 1;
      }
      const response = await download(`/studies/CT-1/export?format=${format}`, reviewerHeaders);
      expect(response.status, `reviewer ${format}`).to.equal(200);
      scan(`reviewer export ${format}`, await downloadTexts(response));
    }
    for (const path of ['/studies/CT-1/bundle', '/studies/CT-1/analysis', '/studies/CT-1/audit?limit=500', '/studies/CT-1/participants/P01']) {
      const response = await download(path, adminHeaders);
      expect(response.status, path).to.equal(200);
      scan(path, await downloadTexts(response));
    }
    const reviewed = await reviewer.get('/studies/CT-1/participants?limit=1000');
    expect(reviewed.status).to.equal(200);
    scan('reviewer participants', [JSON.stringify(reviewed.body)]);
    for (const item of reviewed.body.items) {
      const one = await reviewer.get(`/studies/CT-1/participants/${item.code}`);
      expect(one.status).to.equal(200);
      scan(`reviewer participant ${item.code}`, [JSON.stringify(one.body)]);
    }
    for (const path of ['/studies/CT-1/analysis', '/studies/CT-1/bundle']) {
      const response = await download(path, reviewerHeaders);
      if (response.status === 200) scan(`reviewer ${path}`, await downloadTexts(response));
    }

    const chunks: Buffer[] = [];
    await createBackup(db, new Writable({ write: (chunk, _encoding, done) => (chunks.push(chunk), done()) }));
    const backup = gunzipSync(Buffer.concat(chunks)).toString('utf8');
    // The contact is in the backup, still sealed: its table and one row, with no address in clear.
    expect(backup).to.match(/\{"table":"participant_contact","columns":\["study_id","participant_no","email_sealed","phone_sealed","updated_at"\]\}\n\d+\t1\t\\\\x[0-9a-f]+\t/);
    scan('backup', [backup]);

    expect(scanned).to.equal(EXPORT_FORMATS.length * 2);
    expect(found).to.deep.equal([]);
    // The scan can find the address: the contact route itself holds it.
    scan('the contact route', await downloadTexts(await download(CONTACT, adminHeaders)));
    expect(found).to.deep.equal(['the contact route']);
  });

  it('deletes the contact on its own, and with the participant', async () => {
    expect((await admin.delete(CONTACT)).status).to.equal(204);
    expect((await admin.get(CONTACT)).status).to.equal(404);
    expect((await admin.delete(CONTACT)).status).to.equal(404);
    expect(await contactRows()).to.have.length(0);

    const enrolled = await admin.post('/studies/CT-1/participants', {
      code: 'P09', site: 'LON', sex: 'female', birthYear: 1990, indication: 'scar', keloidHistory: false, enrolledOn: '2020-01-01',
    });
    expect(enrolled.status, JSON.stringify(enrolled.body)).to.equal(201);
    const stored = await clinic.call('PUT', '/studies/CT-1/participants/P09/contact', { email: 'p09@example.org' });
    expect(stored.status, JSON.stringify(stored.body)).to.equal(200);
    expect(await contactRows()).to.have.length(1);
    const deleted = await admin.delete('/studies/CT-1/participants/P09', { ifMatch: enrolled.etag!, reason: 'test' });
    expect(deleted.status, JSON.stringify(deleted.body)).to.equal(204);
    expect(await contactRows()).to.have.length(0);
  });
});

describe(`participant contact details with smp serve, backup and restore (${DRIVER})`, function () {
  this.timeout(240_000);
  const cli = useCliWorkspace('smp-contacts-');
  const key = KEY.toString('base64');
  const wrongKey = Buffer.alloc(32, 0x11).toString('hex');

  it('keeps the address out of the server log, and refuses a wrong key at start and on restore, overwriting nothing', async () => {
    const env = { ...cli.env, SMP_CONTACT_KEY: key, SMP_LOG_LEVEL: 'trace' };
    const token = await adminTokenInStore(cli.store);
    const served = await startServe(env);
    let log = served.out;
    served.child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    served.child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const api = apiClient(served.url.replace(/\/$/, ''), { authorization: `Bearer ${token}` });
    const contact = '/studies/SMP-2021/participants/SMP-001/contact';
    const participants = await api.get('/studies/SMP-2021/participants?limit=1');
    const code = participants.body.items[0].code as string;
    const path1 = contact.replace('SMP-001', code);
    expect((await api.call('PUT', path1, { email: EMAIL, phone: PHONE })).status).to.equal(200);
    expect((await api.call('PUT', path1, { email: EMAIL.replace("@", "@@") })).status).to.equal(400);
    expect((await api.get(path1)).body).to.deep.equal({ email: EMAIL, phone: PHONE });
    expect(await served.stop()).to.equal(0);
    expect(log).to.include(path1); // the log was written, at trace level
    expect(holdsContact(log), log).to.equal(false);

    const refused = runSmp({ ...env, SMP_CONTACT_KEY: wrongKey }, ['serve', '--port', '0'], { cwd: cli.dir });
    expect(refused.status).to.not.equal(0);
    expect(refused.stderr).to.include('SMP_CONTACT_KEY does not open');

    const backupFile = path.join(cli.dir, 'contacts.smpbackup');
    const backup = runSmp(env, ['backup', backupFile], { cwd: cli.dir });
    expect(backup.status, backup.stderr).to.equal(0);

    const target = await cli.newStore('restored');
    for (const [name, value] of [['wrong', wrongKey], ['unset', '']] as const) {
      const restore = runSmp({ ...target, SMP_CONTACT_KEY: value }, ['restore', backupFile], { cwd: cli.dir });
      expect(restore.status, `${name}: ${restore.stderr}`).to.equal(2);
      expect(restore.stderr, name).to.include('SMP_CONTACT_KEY').and.to.include('was not restored');
    }
    const restored = runSmp({ ...target, SMP_CONTACT_KEY: key }, ['restore', backupFile], { cwd: cli.dir });
    expect(restored.status, restored.stderr).to.equal(0);

    // The original store was not overwritten: the right key still opens the contact.
    const again = await startServe(env);
    try {
      expect((await apiClient(again.url.replace(/\/$/, ''), { authorization: `Bearer ${token}` }).get(path1)).body).to.deep.equal({ email: EMAIL, phone: PHONE });
    } finally {
      await again.stop();
    }
    const restoredServe = await startServe({ ...target, SMP_CONTACT_KEY: key });
    try {
      expect((await apiClient(restoredServe.url.replace(/\/$/, ''), { authorization: `Bearer ${token}` }).get(path1)).body).to.deep.equal({ email: EMAIL, phone: PHONE });
    } finally {
      await restoredServe.stop();
    }
  });
});
