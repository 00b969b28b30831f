// The environment read through its zod schema: defaults, a bad value refused naming its variable,
// every variable the code reads declared in the schema, and the tables of api/README.md made from
// the schema and the route declarations.
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFromEnv, Environment, environmentVariables } from '../../api/config.ts';
import { defineRoute } from '../../api/http/route.ts';
import { configurationTable, replaceGenerated, routeTable, whoMayCall } from '../../api/reference-tables.ts';
import { apiRoutes } from '../../api/routes/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every source file under a folder of the repository. */
function sources(folder: string): string[] {
  return fs.readdirSync(path.join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory()) return sources(relative);
    return /\.(ts|tsx|js)$/.test(entry.name) ? [relative] : [];
  });
}

describe('configuration from the environment', () => {
  it('gives the documented defaults when nothing is set, and reads what is set', () => {
    const defaults = configFromEnv({});
    expect(defaults).to.include({
      databaseUrl: undefined,
      connectTimeoutMs: 10_000,
      port: 3000,
      host: '127.0.0.1',
      publicUrl: undefined,
      sessionIdleMinutes: 30,
      sessionMaxHours: 12,
      signInMaxFailures: 5,
      signInLockMinutes: 15,
      authCacheSeconds: 5,
      suppressBelow: 5,
      importLimitBytes: 200 * 1024 * 1024,
      trustProxyHops: 0,
      logLevel: 'info',
      deviceTrustDays: 30,
      timeZone: undefined,
      debug: false,
    });
    expect(defaults.dataDir).to.equal(path.resolve('data'));
    const set = configFromEnv({
      PORT: '8080',
      HOST: '0.0.0.0',
      SMP_PUBLIC_URL: 'https://smp.example.org//',
      SMP_IMPORT_LIMIT_MB: '3',
      SMP_TIME_ZONE: 'Europe/London',
      SMP_LOG_LEVEL: 'warn',
      SMP_DATA_DIR: '/srv/smp',
    });
    expect(set).to.include({ port: 8080, host: '0.0.0.0', publicUrl: 'https://smp.example.org', importLimitBytes: 3 * 1024 * 1024, timeZone: 'Europe/London', logLevel: 'warn', dataDir: '/srv/smp' });
    expect(configFromEnv({ PORT: '', SMP_LOG_LEVEL: '' })).to.include({ port: 3000, logLevel: 'info' });
  });

  it('refuses a bad value with a sentence naming the variable, and names every bad one', () => {
    expect(() => configFromEnv({ PORT: 'http' })).to.throw('PORT must be a port number (got "http")');
    expect(() => configFromEnv({ SMP_SESSION_IDLE_MINUTES: '0' })).to.throw('SMP_SESSION_IDLE_MINUTES must be a whole number from 1 to 1440 (got "0")');
    expect(() => configFromEnv({ SMP_LOG_LEVEL: 'loud' })).to.throw('SMP_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")');
    expect(() => configFromEnv({ SMP_TIME_ZONE: 'Mars/Olympus' })).to.throw('SMP_TIME_ZONE must be an IANA time zone such as Europe/London (got "Mars/Olympus")');
    expect(() => configFromEnv({ SMP_PUBLIC_URL: 'smp.example.org' })).to.throw('SMP_PUBLIC_URL must be an http:// or https:// address (got "smp.example.org")');
    expect(() => configFromEnv({ DATABASE_URL: 'mysql://u@h/db' })).to.throw(/^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL \(got mysql:\/\/…\)/);
    expect(() => configFromEnv({ SMP_TRUST_PROXY: '1.5', SMP_SUPPRESS_BELOW: 'few' })).to.throw(
      'SMP_TRUST_PROXY must be a whole number from 0 to 10 (got "1.5"); SMP_SUPPRESS_BELOW must be a whole number from 1 to 1000 (got "few")',
    );
  });

  it('reads the survey mail settings, and refuses a bad one without echoing a password', () => {
    expect(configFromEnv({})).to.include({ smtpUrl: undefined, smtpFrom: undefined, outboxIntervalSeconds: 60 });
    const set = configFromEnv({ SMTP_URL: 'smtps://u:secret@mail.example.org:465', SMTP_FROM: 'Study team <surveys@example.org>', SMP_OUTBOX_INTERVAL_SECONDS: '5' });
    expect(set).to.include({ smtpUrl: 'smtps://u:secret@mail.example.org:465', smtpFrom: 'Study team <surveys@example.org>', outboxIntervalSeconds: 5 });
    expect(() => configFromEnv({ SMTP_URL: 'http://u:secret@mail.example.org' })).to.throw(
      'SMTP_URL must be an smtp:// or smtps:// address with a host, e.g. smtps://user:password@mail.example.org:465',
    );
    expect(() => configFromEnv({ SMTP_URL: 'http://u:secret@mail.example.org' })).to.not.throw(/secret/);
    expect(() => configFromEnv({ SMTP_URL: 'smtp://mail.example.org' })).to.throw(/^SMTP_FROM must be set with SMTP_URL/);
    expect(() => configFromEnv({ SMTP_FROM: 'surveys at example' })).to.throw('SMTP_FROM must be an email address, optionally with a name: "Study team <surveys@example.org>" (got "surveys at example")');
    expect(() => configFromEnv({ SMP_OUTBOX_INTERVAL_SECONDS: '0' })).to.throw('SMP_OUTBOX_INTERVAL_SECONDS must be a whole number from 1 to 3600 (got "0")');
  });

  it('declares in the schema every variable the code reads', () => {
    const declared = new Set(Object.keys(Environment.shape));
    const read = new Set<string>();
    for (const file of ['api', 'db', 'web', 'analysis'].flatMap(sources)) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const match of text.matchAll(/\benv\??\.((?:SMP_|DATABASE_URL|PORT\b|HOST\b)[A-Z_]*)/g)) read.add(match[1]!);
    }
    expect(read.size).to.be.above(1);
    expect([...read].filter((name) => !declared.has(name))).to.deep.equal([]);
  });
});

describe('the generated tables of api/README.md', () => {
  it('has a row per environment variable with its default and description', () => {
    const rows = environmentVariables();
    expect(rows.map((row) => row.name)).to.deep.equal(Object.keys(Environment.shape));
    const table = configurationTable(rows).split('\n');
    expect(table).to.have.length(rows.length + 2);
    expect(table).to.include('| `SMP_SESSION_IDLE_MINUTES` | `30` | minutes without a request after which a sign-in session ends (1–1,440) |');
  });

  it('has a row per declared route, with who may call it from its requirements', () => {
    const table = routeTable(apiRoutes).split('\n');
    expect(table).to.have.length(apiRoutes.length + 2);
    expect(table).to.include('| `GET` | `/api/health` | anyone | Whether the server and its database answer |  |');
    const route = (permission: Parameters<typeof defineRoute>[0]['permission']) =>
      defineRoute({ method: 'post', path: '/x', operationId: 'x', tag: 'x', summary: 'a | b', auth: 'user', permission, responses: {}, handler: async () => undefined });
    expect(whoMayCall(route(undefined))).to.equal('signed in');
    expect(whoMayCall(route({ need: 'admin', action: 'x' }))).to.equal('administrators');
    expect(whoMayCall(route({ need: 'writeParticipants', action: 'x' }))).to.equal('administrators, researchers, clinics (their sites)');
    expect(routeTable([route(undefined)]).split('\n')[2]).to.equal('| `POST` | `/api/x` | signed in | a \\| b |  |');
  });

  it('replaces only what lies between the markers, and refuses a text without them', () => {
    const text = 'before\n<!-- generated:routes -->\nold\n<!-- /generated:routes -->\nafter\n';
    expect(replaceGenerated(text, 'routes', 'new')).to.equal('before\n<!-- generated:routes -->\nnew\n<!-- /generated:routes -->\nafter\n');
    expect(() => replaceGenerated('no markers', 'routes', 'new')).to.throw('the markers <!-- generated:routes --> … <!-- /generated:routes --> are missing');
  });
});
