// The survey outbox against a real SMTP server on loopback, with the clock moved by the test:
// three due surveys give exactly three invitations, then the reminders on the study's reminder
// days, none after the survey is in, none for a participant without an address, a withdrawn one
// or one whose window has not opened; two senders at once still send each step once; a failed
// attempt is kept with its error (no address in it) and tried again, a refused one is given up.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { smtpMailer } from '../../api/services/mailer.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { analyzeStudy } from '../../api/services/analysis-service.ts';
import { answerSurveyLink } from '../../api/services/survey-link-service.ts';
import { startSurveyOutbox } from '../../api/services/survey-outbox-loop.ts';
import { runOutbox, type SenderSettings } from '../../api/services/survey-outbox-service.ts';
import { emailOf, outboxBundle, storeEmails, TITLE } from '../support/outbox-fixtures.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { startTestServer } from '../support/http-client.ts';
import { createTestUser } from '../support/users.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

const CODE = 'OUT-1';
const DAY = 86_400_000;
// FU12 of a participant treated on 2020-01-15: target 2021-01-14, window 2020-12-15 to 2021-03-15.
const T0 = Date.parse('2021-01-05T09:00:00.000Z');
const KEY = randomBytes(32);

describe(`survey outbox (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let sink: SmtpSink;
  let now = T0;
  let settings: SenderSettings;
  const clock = () => new Date(now);
  const at = (days: number) => (now = T0 + days * DAY);
  /** The messages received since the last call, as [recipient, subject] sorted. */
  let seen = 0;
  const newMail = () => {
    const fresh = sink.received.slice(seen);
    seen = sink.received.length;
    return fresh;
  };
  const summary = (mails: ReturnType<typeof newMail>) => mails.map((m) => `${m.to.join(',')} ${m.subject}`).sort();
  const linkIn = (text: string) => /https?:\/\/\S+\/s#(smpsv_[A-Za-z0-9_-]{43})/.exec(text)?.[1];

  before(async () => {
    db = await freshDb();
    await importBundle(db, outboxBundle(CODE) as never);
    await storeEmails(db, CODE, ['P01', 'P02', 'P03', 'P05', 'P06'], KEY, new Date(T0 - DAY));
    sink = await startSmtpSink();
    settings = {
      mailer: smtpMailer(sink.url, 'Study team <surveys@example.org>'),
      contactKey: KEY,
      timeZone: 'UTC',
      baseUrl: 'https://tracker.example.org',
      messageDomain: 'example.org',
    };
  });
  after(async () => {
    settings?.mailer.close();
    await sink?.close();
    await db?.dispose();
  });

  it('sends exactly one invitation to each of the three participants whose survey is due and who have an address', async () => {
    at(0);
    // Two looks at once (two processes): the unique key and the row locks keep one message per step.
    const [first, second] = await Promise.all([runOutbox(db, settings, clock), runOutbox(db, settings, clock)]);
    expect(first.sent + second.sent).to.equal(3);
    expect(first.planned + second.planned).to.equal(3);
    const mails = newMail();
    expect(summary(mails)).to.deep.equal([
      `p01.person@example.net ${TITLE}: a short survey`,
      `p02.person@example.net ${TITLE}: a short survey`,
      `p03.person@example.net ${TITLE}: a short survey`,
    ]);
    for (const mail of mails) {
      expect(mail.messageId).to.match(/^<[0-9a-f-]{36}@example\.org>$/);
      expect(mail.raw).to.match(/^Content-Type: text\/plain; charset=utf-8$/im);
      expect(mail.text).to.include(TITLE).and.to.include('https://tracker.example.org/s#smpsv_');
      expect(linkIn(mail.text)).to.be.a('string');
      // Nothing of the participant or the study beyond the title and the link.
      for (const word of ['P01', 'P02', 'P03', 'FU12', '12-month', CODE, 'LON', '2021-01-14']) expect(mail.raw).to.not.include(word);
    }
    expect(new Set(mails.map((m) => m.messageId)).size).to.equal(3);
    const rows = await db.kysely.selectFrom('survey_message').selectAll().orderBy('participant_no').execute();
    expect(rows.map((r) => [r.visit_code, r.step, r.status, r.attempts, new Date(r.sent_at!).getTime()])).to.deep.equal([0, 1, 2].map(() => ['FU12', 0, 'sent', 1, T0]));
    // Each sent message's link is stored (as a hash), for the visit, and audited under the outbox's name.
    const links = await db.kysely.selectFrom('survey_link').select(['visit_code', 'created_by']).execute();
    expect(links).to.deep.equal([0, 1, 2].map(() => ({ visit_code: 'FU12', created_by: null })));
    const audited = await db.kysely.selectFrom('audit_event').select(['username', 'entity']).where('entity', '=', 'survey_link').execute();
    expect(audited).to.have.length(3);
    expect(audited.every((a) => a.username === 'survey-outbox')).to.equal(true);
  });

  it('sends nothing again the same day, nor before the first reminder day', async () => {
    at(0);
    expect(await runOutbox(db, settings, clock)).to.deep.equal({ planned: 0, sent: 0, failed: 0, cancelled: 0 });
    at(6.9);
    expect(await runOutbox(db, settings, clock)).to.deep.equal({ planned: 0, sent: 0, failed: 0, cancelled: 0 });
    expect(newMail()).to.have.length(0);
  });

  it('sends the first reminder 7 days after the invitation, with a fresh link', async () => {
    at(7);
    expect((await runOutbox(db, settings, clock)).sent).to.equal(3);
    const mails = newMail();
    expect(summary(mails)).to.deep.equal(['p01', 'p02', 'p03'].map((p) => `${p}.person@example.net Reminder: ${TITLE}: a short survey`));
    expect(new Set(mails.map((m) => linkIn(m.text))).size).to.equal(3);
  });

  it('sends no reminder once the survey is in, and revokes the other links of that visit', async () => {
    at(8);
    const reminder = sink.received.findLast((m) => m.to[0] === emailOf('P02'))!;
    const answered = await answerSurveyLink(db, { link: linkIn(reminder.text)!, satisfaction: 4, wouldRecommend: true, language: 'en' }, { now: clock(), timeZone: 'UTC', requestId: null });
    expect(answered).to.deep.equal({ date: '2021-01-13' });
    const p02Links = await db.kysely
      .selectFrom('survey_link as l')
      .innerJoin('participant as p', (j) => j.onRef('p.study_id', '=', 'l.study_id').onRef('p.participant_no', '=', 'l.participant_no'))
      .select(['l.used_at', 'l.revoked_at'])
      .where('p.code', '=', 'P02')
      .execute();
    expect(p02Links.map((l) => [l.used_at !== null, l.revoked_at !== null]).sort()).to.deep.equal([[false, true], [true, false]]);
    at(14);
    expect((await runOutbox(db, settings, clock)).sent).to.equal(2);
    expect(summary(newMail())).to.deep.equal(['p01', 'p03'].map((p) => `${p}.person@example.net Reminder: ${TITLE}: a short survey`));
    at(24);
    expect((await runOutbox(db, settings, clock)).sent).to.equal(0);
  });

  it('invites a participant when their window opens, and no one else: no more reminders than the study’s days', async () => {
    at(25); // 2021-01-30: P06's window opens
    expect((await runOutbox(db, settings, clock)).sent).to.equal(1);
    expect(summary(newMail())).to.deep.equal([`p06.person@example.net ${TITLE}: a short survey`]);
    const steps = await db.kysely.selectFrom('survey_message').select(['step']).where('status', '=', 'sent').execute();
    expect(steps.map((s) => s.step).sort()).to.deep.equal([0, 0, 0, 0, 1, 1, 1, 2, 2]);
  });

  it('follows the study’s own reminder days', async () => {
    await db.kysely.updateTable('study').set({ survey_reminder_days: [3] }).where('code', '=', CODE).execute();
    try {
      at(27.9);
      expect((await runOutbox(db, settings, clock)).sent).to.equal(0);
      at(28);
      expect((await runOutbox(db, settings, clock)).sent).to.equal(1);
      at(60);
      expect((await runOutbox(db, settings, clock)).sent).to.equal(0);
      expect(summary(newMail())).to.deep.equal([`p06.person@example.net Reminder: ${TITLE}: a short survey`]);
    } finally {
      await db.kysely.updateTable('study').set({ survey_reminder_days: [7, 14] }).where('code', '=', CODE).execute();
    }
  });

  it('keeps a failed attempt with its error, without the address, tries it again later, and gives up on a refusal', async () => {
    const code = 'OUT-2';
    await importBundle(db, outboxBundle(code) as never);
    await storeEmails(db, code, ['P01', 'P02'], KEY, new Date(T0 - DAY));
    at(0);
    sink.refuse.add(emailOf('P01'));
    const down = { ...settings, mailer: smtpMailer('smtp://127.0.0.1:9', 'Study team <surveys@example.org>') };
    try {
      // The mail server cannot be reached: both stay pending, with the error, for a minute.
      expect(await runOutbox(db, down, clock)).to.deep.equal({ planned: 2, sent: 0, failed: 2, cancelled: 0 });
      const rows = () =>
        db.kysely
          .selectFrom('survey_message as m')
          .innerJoin('study as s', 's.study_id', 'm.study_id')
          .select(['m.status', 'm.attempts', 'm.last_error', 'm.next_attempt_at'])
          .where('s.code', '=', code)
          .orderBy('m.participant_no')
          .execute();
      for (const row of await rows()) {
        expect([row.status, row.attempts, new Date(row.next_attempt_at).getTime() - T0]).to.deep.equal(['pending', 1, 60_000]);
        expect(row.last_error).to.match(/ECONNREFUSED/);
      }
      expect(await runOutbox(db, settings, clock)).to.deep.equal({ planned: 0, sent: 0, failed: 0, cancelled: 0 });
      // A minute on: P01's address is refused (550), final; P02's goes out.
      now = T0 + 60_000;
      expect(await runOutbox(db, settings, clock)).to.deep.equal({ planned: 0, sent: 1, failed: 1, cancelled: 0 });
      const [p01, p02] = await rows();
      expect([p01!.status, p01!.attempts, p02!.status, p02!.attempts]).to.deep.equal(['failed', 2, 'sent', 2]);
      expect(p01!.last_error).to.match(/550/).and.to.include('(address)').and.not.include('@');
      expect(summary(newMail())).to.deep.equal([`p02.person@example.net ${TITLE}: a short survey`]);
    } finally {
      sink.refuse.clear();
      down.mailer.close();
    }
  });

  it('cancels a planned message once the participant withdrew, and sends nothing', async () => {
    const code = 'OUT-3';
    await importBundle(db, outboxBundle(code) as never);
    await storeEmails(db, code, ['P01'], KEY, new Date(T0 - DAY));
    at(0);
    const down = { ...settings, mailer: smtpMailer('smtp://127.0.0.1:9', 'Study team <surveys@example.org>') };
    expect((await runOutbox(db, down, clock)).failed).to.equal(1);
    down.mailer.close();
    await db.kysely
      .updateTable('participant')
      .set({ withdrawn_on: '2021-01-05', withdrawal_cause: 'participant_choice' })
      .where('code', '=', 'P01')
      .where('study_id', '=', db.kysely.selectFrom('study').select('study_id').where('code', '=', code))
      .execute();
    at(1);
    expect(await runOutbox(db, settings, clock)).to.deep.equal({ planned: 0, sent: 0, failed: 0, cancelled: 1 });
    const [row] = await db.kysely
      .selectFrom('survey_message as m')
      .innerJoin('study as s', 's.study_id', 'm.study_id')
      .select(['m.status', 'm.last_error'])
      .where('s.code', '=', code)
      .execute();
    expect(row).to.deep.equal({ status: 'cancelled', last_error: 'the participant withdrew' });
    expect(newMail()).to.have.length(0);
  });

  it('shows an administrator the outbox by state, with participant codes and steps and no address; others get 403', async () => {
    const server = await startTestServer(db, { smtpUrl: sink.url });
    try {
      const admin = await createTestUser(db, 'admin');
      const clinic = await createTestUser(db, 'clinic', [{ studyCode: CODE, siteCode: 'LON' }]);
      const listed = await server.request('GET', `/api/outbox?study=${CODE}&status=sent`, { headers: admin.headers });
      expect(listed.status).to.equal(200);
      expect(listed.body.sending).to.equal(true);
      expect(listed.body.counts).to.deep.equal({ pending: 0, sent: 10, failed: 0, cancelled: 0 });
      expect(listed.body.items.map((m: { participant: string; step: string }) => `${m.participant} ${m.step}`).sort()).to.deep.equal([
        'P01 invitation', 'P01 reminder 1', 'P01 reminder 2',
        'P02 invitation', 'P02 reminder 1',
        'P03 invitation', 'P03 reminder 1', 'P03 reminder 2',
        'P06 invitation', 'P06 reminder 1',
      ]);
      expect(listed.body.items[0]).to.have.keys(['id', 'study', 'participant', 'visit', 'step', 'status', 'attempts', 'lastError', 'createdAt', 'nextAttemptAt', 'sentAt']);
      const failed = await server.request('GET', '/api/outbox?status=failed', { headers: admin.headers });
      expect(failed.body.items.map((m: { study: string; participant: string }) => `${m.study} ${m.participant}`)).to.deep.equal(['OUT-2 P01']);
      expect(JSON.stringify([listed.body, failed.body])).to.not.include('@');
      expect((await server.request('GET', '/api/outbox', { headers: clinic.headers })).status).to.equal(403);
      const bad = await server.request('GET', '/api/outbox?status=lost', { headers: admin.headers });
      expect(bad.status).to.equal(400);
      expect(bad.body.problems[0].path).to.equal('query.status');
    } finally {
      await server.close();
    }
  });

  it('gives the summary the response rate per scheduled survey and who entered the surveys, with no address', async () => {
    const summary = await analyzeStudy(db, CODE);
    // Invited to FU12: P01, P02, P03 and P06; P02 answered, through a link.
    expect(summary.surveyResponse!.byVisit.map((v) => [v.visit, v.invited, v.answered.n, v.answered.N])).to.deep.equal([['FU12', 4, 1, 4]]);
    expect(summary.surveyResponse!.enteredBy).to.deep.equal({ staff: 0, participant: 1 });
    expect(JSON.stringify(summary)).to.not.include('@');
  });

  it('keeps every address out of the outbox, the links and the audit trail: only the sealed contact holds one', async () => {
    for (const table of ['survey_message', 'survey_link', 'audit_event'] as const) {
      const rows = await db.kysely.selectFrom(table).selectAll().execute();
      expect(rows.length, table).to.be.above(0);
      expect(JSON.stringify(rows, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v)), table).to.not.include('example.net');
    }
  });

  it('does not start without a mail server, nor without the contact key, which it says once', () => {
    const lines: string[] = [];
    const base = { smtpFrom: 'Study team <surveys@example.org>', outboxIntervalSeconds: 60, timeZone: 'UTC' };
    expect(startSurveyOutbox(db, { ...base, smtpUrl: undefined, contactKey: KEY }, { baseUrl: 'http://x', log: (l) => lines.push(l) })).to.equal(null);
    expect(lines).to.deep.equal([]);
    expect(startSurveyOutbox(db, { ...base, smtpUrl: sink.url, contactKey: undefined }, { baseUrl: 'http://x', log: (l) => lines.push(l) })).to.equal(null);
    expect(lines).to.deep.equal([
      'survey outbox: SMTP_URL is set but SMP_CONTACT_KEY is not, so no address can be read and no invitation is sent; set the key and restart',
    ]);
  });
});
