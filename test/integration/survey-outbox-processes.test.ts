// Exactly one message per step when two server processes share the outbox and one of them is
// killed mid-batch. On PostgreSQL: two `smp serve` processes on one database and a real SMTP
// server on loopback that holds one message unanswered; the process sending it is killed with
// SIGKILL (its transaction dies with it), and the other sends that message, with the same
// Message-ID. On the embedded database (one process only): two outbox loops in this process.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { startSurveyOutbox } from '../../api/services/survey-outbox-loop.ts';
import { openMigratedDb } from '../../db/migrate.ts';
import type { Db } from '../../db/kysely.ts';
import { createServerDatabase, DRIVER, freshDb, SERVER_URL } from '../support/database.ts';
import { emailOf, outboxBundle, storeEmails } from '../support/outbox-fixtures.ts';
import { startServe, type ServeProcess } from '../support/server-process.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

const CODE = 'OUT-P';
const KEY = randomBytes(32);
const DAY = 86_400_000;
const PARTICIPANTS = ['P01', 'P02', 'P03', 'P04'];

/** The study with four participants whose FU12 window is open today (treated 365 days ago). */
function dueToday() {
  const bundle = outboxBundle(CODE, new Date(Date.now() - 365 * DAY).toISOString().slice(0, 10));
  bundle.participants = bundle.participants.slice(0, 4);
  return bundle;
}

/** Resolves once `condition` holds, looking every 100 ms (up to a minute). */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting: ${what}`);
}

/** The process holding a loopback TCP connection from `port` (ss names the owner of each socket). */
function pidOfPort(port: number): number {
  const line = execFileSync('ss', ['-tnpH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
  const pid = /pid=(\d+)/.exec(line)?.[1];
  if (pid === undefined) throw new Error(`no process holds port ${port}: ${line}`);
  return Number(pid);
}

describe(`survey outbox with two server processes (${DRIVER})`, function () {
  this.timeout(180_000);
  let db: Db;
  let databaseUrl: string | undefined;
  let drop: () => Promise<void> = async () => {};
  let sink: SmtpSink;
  const stops: Array<() => Promise<unknown>> = [];

  before(async () => {
    sink = await startSmtpSink();
    if (SERVER_URL) {
      const database = await createServerDatabase();
      databaseUrl = database.url;
      db = await openMigratedDb({ databaseUrl: database.url });
      drop = async () => {
        await db.close();
        await database.drop();
      };
    } else {
      const fresh = await freshDb();
      db = fresh;
      drop = () => fresh.dispose();
    }
    await importBundle(db, dueToday() as never);
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop();
    await sink?.close();
    await drop();
  });

  const sentRows = async () =>
    (await db.kysely.selectFrom('survey_message').select(['participant_no', 'step', 'status']).where('status', '=', 'sent').execute()).length;

  if (SERVER_URL) {
    it('sends each invitation once when the process sending one is killed mid-batch', async () => {
      const env = {
        ...process.env,
        DATABASE_URL: databaseUrl,
        SMTP_URL: sink.url,
        SMTP_FROM: 'Study team <surveys@example.org>',
        SMP_CONTACT_KEY: KEY.toString('base64'),
        SMP_OUTBOX_INTERVAL_SECONDS: '1',
        SMP_TIME_ZONE: 'UTC',
        SMP_LOG_LEVEL: 'info',
      };
      let log = '';
      const servers: ServeProcess[] = [];
      for (let i = 0; i < 2; i++) {
        const server = await startServe(env);
        servers.push(server);
        stops.push(() => server.stop());
        for (const stream of [server.child.stdout, server.child.stderr]) stream.on('data', (chunk: Buffer) => (log += chunk.toString()));
      }
      // Both serve, and nothing is due for them yet: no address is stored. Then the first message
      // to arrive is held unanswered, as by a mail server that never replies.
      sink.hold = (mail) => sink.held.length === 0 && mail.to.length > 0;
      await storeEmails(db, CODE, PARTICIPANTS, KEY, new Date());
      await until(() => sink.held.length === 1, 'a message to hold');
      const held = sink.held[0]!;
      const holder = pidOfPort(held.clientPort);
      const victim = servers.find((s) => s.child.pid === holder);
      expect(victim, `the holder ${holder} is one of the two servers`).to.not.equal(undefined);
      // The other process sends the three other invitations meanwhile: the held row is locked, and skipped.
      await until(async () => sink.received.length === 3 && (await sentRows()) === 3, 'the three other invitations');
      victim!.child.kill('SIGKILL');
      await victim!.exited;
      // The survivor takes the killed process's message once its transaction is gone.
      await until(async () => (await sentRows()) === 4, 'the held invitation, sent again');
      const survivor = servers.find((s) => s !== victim)!;
      expect(survivor.child.exitCode).to.equal(null);
      const recipients = sink.received.map((m) => m.to.join(',')).sort();
      expect(recipients).to.deep.equal(PARTICIPANTS.map(emailOf));
      const resent = sink.received.find((m) => m.to[0] === held.to[0])!;
      expect(resent.messageId).to.equal(held.messageId);
      expect(new Set(sink.received.map((m) => m.messageId)).size).to.equal(4);
      // A few more looks by the survivor (one a second) send nothing more.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(sink.received).to.have.length(4);
      const rows = await db.kysely.selectFrom('survey_message').select(['step', 'status']).execute();
      expect(rows.map((r) => `${r.step} ${r.status}`)).to.deep.equal(['0 sent', '0 sent', '0 sent', '0 sent']);
      // The servers' logs say what the outbox did, never to whom.
      expect(log).to.match(/survey outbox: planned \d+, sent \d+/);
      expect(log).to.not.include('@example.net');
    });
  } else {
    it('sends each invitation once with two outbox loops on the one embedded database', async () => {
      await storeEmails(db, CODE, PARTICIPANTS, KEY, new Date());
      const lines: string[] = [];
      const config = { smtpUrl: sink.url, smtpFrom: 'Study team <surveys@example.org>', outboxIntervalSeconds: 1, contactKey: KEY, timeZone: 'UTC' };
      for (let i = 0; i < 2; i++) {
        const loop = startSurveyOutbox(db, config, { baseUrl: 'http://127.0.0.1:1', log: (line) => lines.push(line) })!;
        stops.push(() => loop.stop());
      }
      await until(async () => (await sentRows()) === 4, 'four invitations');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(sink.received.map((m) => m.to.join(',')).sort()).to.deep.equal(PARTICIPANTS.map(emailOf));
      expect(lines.join('\n')).to.match(/survey outbox: planned \d+, sent \d+/).and.not.include('@');
    });
  }
});
