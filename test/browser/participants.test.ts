// The participants pages in a real browser: enrolling a participant and entering three sessions,
// an adverse event, a fading assessment and a survey entirely through the forms, and seeing each
// on the timeline, in the history and in the API exactly as entered; a value the schema refuses
// writing nothing; a stale edit explained as a conflict instead of overwriting (and re-applied
// with its reason kept); a middle session removed and the later ones renumbered; add forms that
// wait for the records they start from; a clinic seeing only its own site; a reviewer seeing
// pseudonyms and no control that changes anything; and no accessibility finding or console
// error on either page, at desktop and phone width.
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { apiClient, type ApiClient } from '../support/http.ts';
import { expectAccessible, openAs, PHONE, problemsExcept, screenshots, startWebApp, type OpenPage, type WebApp } from '../support/web-app.ts';

const STUDY = 'SMP-2021';
const LIST = `/studies/${STUDY}/participants`;

/** A form's field by its label, which shows " *" (hidden from screen readers) when required. */
function field(form: Locator, label: string): Locator {
  return form.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`));
}

/** Fills the fields of a data-entry form by their labels: text, a choice (select) or a checkbox. */
async function fill(form: Locator, values: Record<string, string | boolean>): Promise<void> {
  for (const [label, value] of Object.entries(values)) {
    const input = field(form, label);
    if (typeof value === 'boolean') await input.setChecked(value);
    else if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption(value);
    else await input.fill(value);
  }
}

/** Waits until `locator` shows; fails with what was awaited. */
async function shows(locator: Locator, what = String(locator)): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: 15_000 });
  } catch {
    throw new Error(`not shown: ${what}`);
  }
}

/** The records of one list of a participant, as the API holds them, without versions. */
async function records(client: ApiClient, participant: string, list: string): Promise<Record<string, unknown>[]> {
  const reply = await client.get(`/studies/${STUDY}/participants/${participant}/${list}?limit=1000`);
  expect(reply.status, `GET ${list}`).to.equal(200);
  return (reply.body.items as Record<string, unknown>[]).map(({ version: _version, ...rest }) => rest);
}

async function auditCount(client: ApiClient, participant: string): Promise<number> {
  const reply = await client.get(`/studies/${STUDY}/audit?participant=${participant}&limit=1000`);
  expect(reply.status).to.equal(200);
  return reply.body.items.length;
}

async function openParticipant(page: Page, base: string, code: string): Promise<void> {
  await page.goto(`${base}${LIST}/${encodeURIComponent(code)}`);
  await shows(page.getByRole('heading', { level: 1, name: `Participant ${code}` }));
  await shows(page.locator('#timeline'), 'the timeline');
}

describe('browser: participants and a participant page', function () {
  this.timeout(240_000);
  let app: WebApp;
  let admin: ApiClient;
  let researcher: ApiClient;
  const open: OpenPage[] = [];
  const as = async (...args: Parameters<typeof openAs>) => {
    const opened = await openAs(...args);
    open.push(opened);
    return opened;
  };

  before(async () => {
    app = await startWebApp();
    admin = apiClient(app.base, app.users.admin.headers);
    researcher = apiClient(app.base, app.users.researcher.headers);
  });
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });
  after(async () => {
    await app?.close();
  });

  it('enrols a participant and enters three sessions, an adverse event, a fading assessment and a survey, all in the browser', async () => {
    const { page, problems } = await as(app, app.users.researcher);
    await page.goto(`${app.base}${LIST}`);
    await shows(page.locator('#participants'), 'the participants table');
    await page.getByRole('button', { name: 'Add participant' }).click();
    const enrol = page.locator('#add-participant');
    expect(await field(enrol, 'Enrolled on').inputValue(), 'enrolment defaults to today').to.match(/^\d{4}-\d{2}-\d{2}$/);
    await fill(enrol, {
      Code: 'P23',
      Site: 'LON',
      Sex: 'female',
      'Birth year': '1984',
      Indication: 'female_pattern_hair_loss',
      'Fitzpatrick skin type': '3',
      'Enrolled on': '2024-01-02',
      'Cost (US dollars)': '3500',
      'Reason for the change (optional)': 'Enrolled at the screening visit',
    });
    await enrol.getByRole('button', { name: 'Save the new participant' }).click();
    await shows(page.getByRole('heading', { level: 1, name: 'Participant P23' }));
    expect(new URL(page.url()).pathname).to.equal(`${LIST}/P23`);
    await shows(page.locator('#timeline'));

    const sessions = [
      { date: '2024-01-08', minutes: '180', reason: 'First initial session' },
      { date: '2024-01-15', minutes: '150', reason: 'Second initial session' },
      { date: '2024-01-29', minutes: '140', reason: 'Third session, delayed by the participant' },
    ];
    for (const [i, s] of sessions.entries()) {
      await page.getByRole('button', { name: 'Add a session' }).click();
      const form = page.locator('#add-sessions');
      // Defaults: the next number, an initial session, the usual practitioner, the last lot.
      expect(await field(form, 'Number').inputValue()).to.equal(String(i + 1));
      expect(await field(form, 'Kind').inputValue()).to.equal('initial');
      expect(await field(form, 'Practitioner').inputValue()).to.equal(i === 0 ? 'LON-01' : 'LON-02');
      if (i > 0) expect(await field(form, 'Pigment lot').inputValue()).to.equal('LOT-2401');
      await fill(form, {
        Date: s.date,
        'Duration (minutes)': s.minutes,
        ...(i === 0 ? { Practitioner: 'LON-02', 'Pigment lot': 'LOT-2401', Anaesthesia: 'topical' } : {}),
        'Reason for the change (optional)': s.reason,
      });
      await form.getByRole('button', { name: 'Save the new session' }).click();
      await shows(page.getByText(`Session ${i + 1} added.`));
      await shows(page.locator('#timeline').getByRole('img', { name: new RegExp(`^Session ${i + 1}, initial, ${s.date}`) }), `session ${i + 1} on the timeline`);
    }
    // After the protocol's three initial sessions the next one is a touch-up.
    await page.getByRole('button', { name: 'Add a session' }).click();
    expect(await field(page.locator('#add-sessions'), 'Kind').inputValue()).to.equal('touch_up');
    expect(await field(page.locator('#add-sessions'), 'Number').inputValue()).to.equal('4');
    await page.locator('#add-sessions').getByRole('button', { name: 'Cancel' }).click();
    // Session 3 came 21 days after session 1 (14 ± 3 expected, as the schedule measures it): marked, and said in words.
    await shows(page.locator('#timeline').getByRole('img', { name: 'Session 3, initial, 2024-01-29, outside its protocol window' }));
    await shows(page.locator('#timeline').getByRole('img', { name: /^Session 3 window, 2024-01-19 to 2024-01-25/ }), 'the window of session 3');
    await shows(page.locator('#deviations').getByText(/Session 3 \(initial, 2024-01-29\) came 21 days after session 1 \(2024-01-08\); the protocol expects 14 ± 3 days/));

    await page.getByRole('button', { name: 'Add an adverse event' }).click();
    const ae = page.locator('#add-adverse-events');
    expect(await field(ae, 'After session number').inputValue(), 'the last session by default').to.equal('3');
    await fill(ae, {
      Category: 'infection',
      Term: 'Redness and crusting at the hairline',
      'Onset date': '2024-01-31',
      'Resolved date': '2024-02-06',
      Grade: '1',
      Relatedness: 'possible',
      Outcome: 'recovered',
      'After session number': '3',
      'Reason for the change (optional)': 'Reported at the follow-up call',
    });
    await ae.getByRole('button', { name: 'Save the new adverse event' }).click();
    await shows(page.getByText('Adverse event 1 added.'));
    await shows(page.locator('#timeline').getByRole('img', { name: 'Adverse event 1, infection, grade 1, onset 2024-01-31' }));

    await page.getByRole('button', { name: 'Add a fading assessment' }).click();
    const fading = page.locator('#add-fading-assessments');
    await fill(fading, {
      Date: '2024-09-02',
      Grade: '1',
      'Density score (0–10)': '8.5',
      'Needs a touch-up': 'false',
      Assessor: 'panel',
      'Reason for the change (optional)': 'Seven-month review',
    });
    await fading.getByRole('button', { name: 'Save the new fading assessment' }).click();
    await shows(page.getByText('Fading assessment 1 added.'));
    await shows(page.locator('#timeline').getByRole('img', { name: 'Fading assessment 1, grade 1, 2024-09-02' }));

    await page.getByRole('button', { name: 'Add a survey' }).click();
    const survey = page.locator('#add-surveys');
    await fill(survey, { Date: '2024-09-02', Satisfaction: '4', 'Would recommend': 'true', 'Reason for the change (optional)': 'Survey at the review' });
    await survey.getByRole('button', { name: 'Save the new survey' }).click();
    await shows(page.getByText('Survey 1 added.'));
    await shows(page.locator('#timeline').getByRole('img', { name: 'Survey 1, satisfaction 4 of 5, 2024-09-02' }));

    // The history: every change, newest first, with its reason.
    const history = page.locator('#history-table');
    const expected = [
      ['survey 1 added', 'Survey at the review'],
      ['fading assessment 1 added', 'Seven-month review'],
      ['adverse event 1 added', 'Reported at the follow-up call'],
      ['session 3 added', 'Third session, delayed by the participant'],
      ['session 2 added', 'Second initial session'],
      ['session 1 added', 'First initial session'],
      ['participant P23 added', 'Enrolled at the screening visit'],
    ];
    await shows(history.locator('tbody tr', { hasText: 'survey 1 added' }), 'the survey in the history');
    const all = await history.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent!.trim(), tr.children[3]!.textContent!.trim()]));
    // The edit checks' queries are in the history too (session 3 came outside its window): the records' own rows first.
    const rows = all.filter(([what]) => !what!.startsWith('query '));
    expect(rows).to.deep.equal(expected);
    expect(all.filter(([what]) => what!.startsWith('query ')).length, 'the edit checks’ queries').to.be.greaterThan(0);
    await shows(history.locator('tbody tr', { hasText: 'session 3 added' }).getByText('Duration (minutes): 140'));

    // The API holds exactly what was typed.
    const participant = await researcher.get(`/studies/${STUDY}/participants/P23`);
    const { version: _v, ...fields } = participant.body;
    expect(fields).to.deep.equal({
      code: 'P23',
      site: 'LON',
      sex: 'female',
      birthYear: 1984,
      indication: 'female_pattern_hair_loss',
      fitzpatrick: 3,
      keloidHistory: false,
      enrolledOn: '2024-01-02',
      withdrawnOn: null,
      withdrawalCause: null,
      withdrawalReason: null,
      costUsd: 3500,
      counts: { sessions: 3, adverseEvents: 1, fadingAssessments: 1, surveys: 1 },
    });
    expect(await records(researcher, 'P23', 'sessions')).to.deep.equal(
      sessions.map((s, i) => ({
        number: i + 1,
        kind: 'initial',
        date: s.date,
        durationMinutes: Number(s.minutes),
        practitioner: 'LON-02',
        pigmentLot: 'LOT-2401',
        anesthesia: 'topical',
      })),
    );
    expect(await records(researcher, 'P23', 'adverse-events')).to.deep.equal([
      {
        no: 1,
        category: 'infection',
        term: 'Redness and crusting at the hairline',
        onsetDate: '2024-01-31',
        resolvedDate: '2024-02-06',
        grade: 1,
        serious: false,
        relatedness: 'possible',
        outcome: 'recovered',
        sessionNumber: 3,
        solicited: false,
      },
    ]);
    expect(await records(researcher, 'P23', 'fading-assessments')).to.deep.equal([
      { no: 1, date: '2024-09-02', grade: 1, densityScore: 8.5, needsTouchUp: false, assessor: 'panel' },
    ]);
    expect(await records(researcher, 'P23', 'surveys')).to.deep.equal([{ no: 1, date: '2024-09-02', satisfaction: 4, wouldRecommend: true }]);
    // The timeline's table says the same in words.
    await page.getByText('The timeline as a table').click();
    await shows(page.locator('.timeline-table tbody tr', { hasText: 'Survey 1, satisfaction 4 of 5, 2024-09-02' }));

    // The participant's own fields: a change needs a reason, and goes into the history.
    await page.getByRole('button', { name: 'Edit participant P23' }).click();
    const edit = page.locator('#edit-participant');
    expect(await field(edit, 'Code').isDisabled(), 'the code is the key').to.equal(true);
    await fill(edit, { 'Cost (US dollars)': '3650.50' });
    await edit.getByRole('button', { name: 'Save participant P23' }).click();
    await shows(edit.locator('#edit-participant-reason-error'), 'the missing reason');
    await fill(edit, { 'Reason for the change': 'Invoice received' });
    await edit.getByRole('button', { name: 'Save participant P23' }).click();
    await shows(page.getByText('Participant P23 saved.'));
    await shows(page.locator('#history-table tbody tr', { hasText: 'Invoice received' }).getByText('Cost (US dollars): 3500 → 3650.5'));
    expect((await researcher.get(`/studies/${STUDY}/participants/P23`)).body.costUsd).to.equal(3650.5);
    expect(problems).to.deep.equal([]);
  });

  it('shows an invalid value at its field and writes nothing', async () => {
    const { page, problems } = await as(app, app.users.researcher);
    const sessionsBefore = await records(researcher, 'P01', 'sessions');
    const eventsBefore = await records(researcher, 'P01', 'adverse-events');
    const auditBefore = await auditCount(researcher, 'P01');
    await openParticipant(page, app.base, 'P01');

    // Checked in the browser with the server's schema: nothing is sent.
    await page.getByRole('button', { name: 'Add a session' }).click();
    const form = page.locator('#add-sessions');
    await fill(form, { Date: '2018-04-02', 'Duration (minutes)': '0' });
    await form.getByRole('button', { name: 'Save the new session' }).click();
    const duration = field(form, 'Duration (minutes)');
    await shows(form.locator('#add-sessions-durationMinutes-error'), 'the duration error');
    // The schema's int(1, 1440), in the server's words (api/schemas/problems.ts issueMessage).
    expect(await form.locator('#add-sessions-durationMinutes-error').textContent()).to.equal('must be at least 1 (got 0)');
    expect(await duration.getAttribute('aria-invalid')).to.equal('true');
    expect(await duration.getAttribute('aria-describedby')).to.contain('add-sessions-durationMinutes-error');
    expect(await page.evaluate(() => document.activeElement?.id), 'focus moves to the field').to.equal('add-sessions-durationMinutes');
    await form.getByRole('button', { name: 'Cancel' }).click();

    // Checked by the server against the participant's other records: its problem lands on the field.
    await page.getByRole('button', { name: 'Add an adverse event' }).click();
    const ae = page.locator('#add-adverse-events');
    await fill(ae, {
      Category: 'keloid',
      Term: 'Raised scar',
      'Onset date': '2017-12-01',
      Grade: '2',
      Relatedness: 'unlikely',
      Outcome: 'recovering',
      'After session number': '',
    });
    await ae.getByRole('button', { name: 'Save the new adverse event' }).click();
    await shows(ae.locator('#add-adverse-events-onsetDate-error'), 'the onset date error');
    expect(await ae.locator('#add-adverse-events-onsetDate-error').textContent()).to.equal('2017-12-01 is before enrolment on 2018-01-22');

    expect(await records(researcher, 'P01', 'sessions')).to.deep.equal(sessionsBefore);
    expect(await records(researcher, 'P01', 'adverse-events')).to.deep.equal(eventsBefore);
    expect(await auditCount(researcher, 'P01')).to.equal(auditBefore);
    expect(problemsExcept(problems, 400)).to.deep.equal([]);
  });

  it('explains a stale edit as a conflict with the other change, overwrites nothing, and re-applies on request', async () => {
    const { page, problems } = await as(app, app.users.researcher);
    await openParticipant(page, app.base, 'P02');
    const opened = (await researcher.get(`/studies/${STUDY}/participants/P02/sessions/2`)).body;
    await page.getByRole('button', { name: 'Edit session 2' }).click();
    const form = page.locator('#edit-sessions');
    await shows(form);

    // Someone else changes the session after the page loaded it.
    const other = await admin.patch(`/studies/${STUDY}/participants/P02/sessions/2`, { durationMinutes: 111 }, { ifMatch: opened.version, reason: 'Corrected from the paper log' });
    expect(other.status).to.equal(200);

    await fill(form, { 'Duration (minutes)': '222', 'Reason for the change': 'Typing error' });
    await form.getByRole('button', { name: 'Save session 2' }).click();
    const conflict = page.locator('.conflict');
    await shows(conflict.getByRole('heading', { name: 'Not saved: someone else changed session 2' }));
    const row = conflict.locator('tbody tr', { hasText: 'Duration (minutes)' });
    expect(await row.locator('td').allTextContents()).to.deep.equal([String(opened.durationMinutes), '222', '111']);
    await shows(conflict.getByText('ada-admin'), 'who made the other change');
    await shows(conflict.getByText(/Corrected from the paper log/), 'their reason');
    expect((await researcher.get(`/studies/${STUDY}/participants/P02/sessions/2`)).body.durationMinutes, 'nothing overwritten').to.equal(111);

    // Re-applying fills the form in over the current version, with the reason as typed; saving then succeeds.
    await conflict.getByRole('button', { name: 'Reload and re-apply my change' }).click();
    const again = page.locator('#edit-sessions');
    expect(await field(again, 'Duration (minutes)').inputValue()).to.equal('222');
    expect(await field(again, 'Reason for the change').inputValue(), 'the reason kept').to.equal('Typing error');
    await again.getByRole('button', { name: 'Save session 2' }).click();
    await shows(page.getByText('Session 2 saved.'));
    expect((await researcher.get(`/studies/${STUDY}/participants/P02/sessions/2`)).body.durationMinutes).to.equal(222);
    await shows(page.locator('#history-table tbody tr', { hasText: 'Typing error' }).getByText('Duration (minutes): 111 → 222'));
    expect(problemsExcept(problems, 412)).to.deep.equal([]);
  });

  it('deletes a record after asking the reason, and shows a refusal as the server gave it', async () => {
    const { page, problems } = await as(app, app.users.researcher);
    await openParticipant(page, app.base, 'P07');
    await page.getByRole('button', { name: 'Delete session 4' }).click();
    const confirm = page.locator('#delete-sessions');
    await confirm.getByRole('button', { name: 'Confirm the deletion' }).click();
    await shows(confirm.getByText('give a reason for the deletion'), 'the missing reason');
    await fill(confirm, { 'Reason for the deletion': 'Entered for the wrong participant' });
    await confirm.getByRole('button', { name: 'Confirm the deletion' }).click();
    await shows(page.getByText('Session 4 deleted.'));
    expect((await records(researcher, 'P07', 'sessions')).map((s) => s.number)).to.deep.equal([1, 2, 3]);
    await shows(page.locator('#history-table tbody tr', { hasText: 'session 4 deleted' }).getByText('Entered for the wrong participant'));
    expect(await page.locator('#timeline').getByRole('img', { name: /^Session 4,/ }).count()).to.equal(0);

    // Session 3 is now the last, but adverse event 1 follows it: the server refuses, and says why.
    await page.getByRole('button', { name: 'Delete session 3' }).click();
    await fill(confirm, { 'Reason for the deletion': 'Trying to tidy up' });
    await confirm.getByRole('button', { name: 'Confirm the deletion' }).click();
    await shows(confirm.getByRole('alert').getByText(/session 3 of participant P07 is named by adverse event 1; change or delete that event first/));
    await shows(confirm.getByRole('alert').getByText(/adverse event 1 \(onset 2018-06-20\) follows session 3/));
    expect((await records(researcher, 'P07', 'sessions')).map((s) => s.number)).to.deep.equal([1, 2, 3]);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(problemsExcept(problems, 409)).to.deep.equal([]);
  });

  it('removes a duplicated middle session and renumbers the later ones, their adverse events following, and the forms keep up', async () => {
    // A participant like P07 whose second visit was entered twice (the copy a day after the original).
    const source = (await admin.get(`${LIST}/P07`)).body;
    const sessions = await records(admin, 'P07', 'sessions');
    const events = await records(admin, 'P07', 'adverse-events');
    const { version: _v, counts: _c, ...fields } = source;
    const code = 'P07-DUP';
    expect((await admin.post(LIST, { ...fields, code }, { reason: 'Re-entered' })).status).to.equal(201);
    const copy = (s: Record<string, unknown>) => ({ ...s, number: undefined });
    const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const entered = [sessions[0]!, sessions[1]!, { ...sessions[1]!, date: dayAfter(sessions[1]!.date as string) }, ...sessions.slice(2)];
    for (const s of entered) expect((await admin.post(`${LIST}/${code}/sessions`, copy(s))).status, 'entering a session').to.equal(201);
    // Each event names its session as numbered with the copy in place: those after the copy one higher.
    const shifted = events.map(({ no: _no, ...e }) => ({ ...e, sessionNumber: e.sessionNumber === null ? null : (e.sessionNumber as number) >= 3 ? (e.sessionNumber as number) + 1 : e.sessionNumber }));
    for (const e of shifted) expect((await admin.post(`${LIST}/${code}/adverse-events`, e)).status, 'entering an event').to.equal(201);
    const n = entered.length;

    const { page, problems } = await as(app, app.users.researcher);
    await openParticipant(page, app.base, code);
    await shows(page.getByText(new RegExp(`${n} sessions, ${events.length} adverse events`)), 'the counts before');
    await page.getByRole('button', { name: 'Remove and renumber session 3' }).click();
    const confirm = page.locator('#renumber-sessions');
    await shows(page.getByRole('heading', { name: 'Remove session 3 and renumber the later sessions?' }));
    await fill(confirm, { 'Reason for the deletion': 'Visit entered twice' });
    await confirm.getByRole('button', { name: 'Remove and renumber' }).click();
    await shows(page.getByText('Session 3 removed; the later sessions and the adverse events naming them were renumbered.'));

    // As P07 holds them: the same sessions and the same events naming the same sessions.
    expect(await records(researcher, code, 'sessions')).to.deep.equal(sessions);
    expect((await records(researcher, code, 'adverse-events')).map((e) => e.sessionNumber)).to.deep.equal(events.map((e) => e.sessionNumber));
    await shows(page.getByText(new RegExp(`${n - 1} sessions, ${events.length} adverse events`)), 'the counts after');
    expect(await page.locator('#sessions-table tbody tr').count()).to.equal(n - 1);
    await shows(page.locator('#history-table tbody tr', { hasText: 'session 3 deleted' }).getByText('Visit entered twice'));
    // The last session has no such button: deleting it is a plain delete.
    expect(await page.getByRole('button', { name: `Remove and renumber session ${n - 1}` }).count()).to.equal(0);

    // The add form, named by its heading, starts at the next number after the renumbering.
    await page.getByRole('button', { name: 'Add a session' }).click();
    const add = page.getByRole('form', { name: 'Add a session' });
    await shows(add);
    expect(await field(add, 'Number').inputValue()).to.equal(String(n));
    expect(problemsExcept(problems)).to.deep.equal([]);
  });

  it('keeps the add forms closed until the records they start from have been read', async () => {
    const { page, problems } = await as(app, app.users.researcher);
    // The sessions' answer is held back: the next number and the usual practitioner are not known yet.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/participants\/P03\/sessions\?limit=1000$/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${app.base}${LIST}/P03`);
    const addSession = page.getByRole('button', { name: 'Add a session' });
    const addEvent = page.getByRole('button', { name: 'Add an adverse event' });
    await shows(addSession);
    expect(await addSession.isDisabled(), 'adding a session before the sessions are read').to.equal(true);
    expect(await addEvent.isDisabled(), 'adding an event before the sessions are read').to.equal(true);
    release();
    await page.waitForFunction(() => !(document.querySelector('#sessions button[aria-busy]') as HTMLButtonElement | null));
    expect(await addSession.isDisabled()).to.equal(false);
    expect(await addEvent.isDisabled()).to.equal(false);
    const sessionCount = (await records(researcher, 'P03', 'sessions')).length;
    await addSession.click();
    expect(await field(page.getByRole('form', { name: 'Add a session' }), 'Number').inputValue()).to.equal(String(sessionCount + 1));
    expect(problemsExcept(problems)).to.deep.equal([]);
  });

  it('offers no change to a record while the records are read again after a change, so the next edit starts from the saved version', async () => {
    const { page, problems } = await as(app, app.users.researcher);
    await openParticipant(page, app.base, 'P05');
    const edit = page.getByRole('button', { name: 'Edit session 1' });
    await shows(edit);
    // The sessions read again after the save are held back until released.
    let holding = true;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/participants\/P05\/sessions\?limit=1000$/, async (route) => {
      if (holding) await held;
      await route.continue();
    });
    const save = async (minutes: string, reason: string) => {
      const form = page.locator('#edit-sessions');
      await fill(form, { 'Duration (minutes)': minutes, 'Reason for the change': reason });
      const answer = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith('/participants/P05/sessions/1'));
      await form.getByRole('button', { name: 'Save session 1' }).click();
      return (await answer).status();
    };
    await edit.click();
    expect(await save('201', 'First correction')).to.equal(200);
    await shows(page.getByText('Session 1 saved.'));
    expect(await edit.isDisabled(), 'editing the row before it is read again').to.equal(true);
    holding = false;
    release();
    await page.waitForFunction(() => !document.querySelector('#sessions button[aria-busy]'));
    expect(await edit.isDisabled()).to.equal(false);
    await edit.click();
    expect(await save('202', 'Second correction'), 'the second edit, from the saved version').to.equal(200);
    expect((await researcher.get(`/studies/${STUDY}/participants/P05/sessions/1`)).body.durationMinutes).to.equal(202);
    expect(problems).to.deep.equal([]);
  });

  it('shows a clinic only its own site, and a participant of another site as not found', async () => {
    const { page, problems } = await as(app, app.users.clinic);
    await page.goto(`${app.base}${LIST}`);
    await shows(page.locator('#participants tbody tr'));
    const sites = await page.locator('#participants tbody tr td:nth-child(2)').allTextContents();
    expect(sites.length).to.be.greaterThan(5);
    expect([...new Set(sites)]).to.deep.equal(['LON']);
    const options = await page.locator('#filter-site option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).to.deep.equal(['', 'LON']);
    // The enrolment form offers only the clinic's site.
    await page.getByRole('button', { name: 'Add participant' }).click();
    const siteChoices = await page.locator('#add-participant-site option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(siteChoices).to.deep.equal(['', 'LON']);

    await page.goto(`${app.base}${LIST}/P02`);
    await shows(page.getByRole('heading', { level: 1, name: 'Participant not found' }));
    await shows(page.getByText(/There is no participant P02 in study SMP-2021 at your sites/));
    expect(problemsExcept(problems, 404)).to.deep.equal([]);
  });

  it('shows a reviewer pseudonyms and no control that changes anything', async () => {
    const { page, problems } = await as(app, app.users.reviewer);
    await page.goto(`${app.base}${LIST}`);
    await shows(page.locator('#participants tbody tr'));
    const codes = await page.locator('#participants tbody th').allTextContents();
    expect(codes.length).to.be.greaterThan(5);
    for (const code of codes) expect(code).to.match(/^P-[0-9A-Z]{13}$/);
    const noControls = async (where: string) => {
      expect(await page.getByRole('button', { name: /Edit|Add|Delete/ }).count(), `${where}: edit controls`).to.equal(0);
      // The one form a reviewer has: raising a query (test/browser/queries.test.ts).
      expect(await page.locator('form:not(#raise-query)').count(), `${where}: forms`).to.equal(0);
      expect(await page.getByText(/\bP\d\d\b/).count(), `${where}: real codes`).to.equal(0);
    };
    await noControls('the participants page');
    await page.locator('#participants tbody th a').first().click();
    await shows(page.getByRole('heading', { level: 1, name: `Participant ${codes[0]}` }));
    await shows(page.locator('#timeline'));
    await shows(page.locator('#sessions-table'));
    await noControls('the participant page');
    expect(problems).to.deep.equal([]);
  });

  it('searches, sorts and pages the participants in the address', async () => {
    for (let i = 1; i <= 6; i++) {
      const reply = await admin.post(`/studies/${STUDY}/participants`, {
        code: `Q0${i}`,
        site: 'MAN',
        sex: 'male',
        birthYear: 1980,
        indication: 'scar',
        keloidHistory: false,
        enrolledOn: `2020-0${i}-01`,
      });
      expect(reply.status).to.equal(201);
    }
    const all = (await researcher.get(`/studies/${STUDY}/participants?limit=1000`)).body.items.map((p: { code: string }) => p.code);
    expect(all.length).to.be.greaterThan(25);
    const { page, problems } = await as(app, app.users.researcher);
    await page.goto(`${app.base}${LIST}`);
    await shows(page.locator('#participants tbody tr'));
    const codes = () => page.locator('#participants tbody th').allTextContents();
    expect(await codes()).to.deep.equal(all.slice(0, 25));
    await page.getByRole('button', { name: 'Next page' }).click();
    await shows(page.getByText(/^Page 2: participants 26–/));
    expect(await codes()).to.deep.equal(all.slice(25, 50));
    await page.getByRole('button', { name: 'Previous page' }).click();
    await shows(page.getByText(/^Page 1: participants 1–25/));
    expect((await codes())[0]).to.equal('P01');

    const codeHeader = page.locator('#participants thead th', { hasText: 'Code' });
    expect(await codeHeader.getAttribute('aria-sort')).to.equal('ascending');
    await codeHeader.getByRole('button').click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('sort') === '-code');
    await shows(page.locator('#participants tbody tr:first-child th', { hasText: 'Q06' }));
    expect(await page.locator('#participants thead th', { hasText: 'Code' }).getAttribute('aria-sort')).to.equal('descending');

    await page.getByLabel(/^Find by code/).fill('Q0');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'Q0');
    await shows(page.getByText(/^Page 1: participants 1–6\./));
    expect(await codes()).to.deep.equal(['Q06', 'Q05', 'Q04', 'Q03', 'Q02', 'Q01']);
    await page.getByLabel('Site', { exact: true }).selectOption('LON');
    await shows(page.getByText('No participants match.'));
    expect(new URL(page.url()).search).to.equal('?q=Q0&site=LON&sort=-code');
    // The address alone brings the same view back.
    await page.goto(`${app.base}${LIST}?site=MAN&sort=-enrolledOn&enrolledFrom=2020-03-01`);
    await shows(page.getByText(/^Page 1: participants 1–4\./));
    expect(await codes()).to.deep.equal(['Q06', 'Q05', 'Q04', 'Q03']);
    expect(await page.getByLabel('Enrolled from').inputValue()).to.equal('2020-03-01');
    expect(problems).to.deep.equal([]);
  });

  it('passes axe-core with no console error on both pages, at desktop and phone width', async () => {
    for (const user of [app.users.researcher, app.users.clinic, app.users.reviewer]) {
      const { page, problems } = await as(app, user);
      await page.goto(`${app.base}${LIST}`);
      await shows(page.locator('#participants tbody tr'));
      await expectAccessible(page, `the participants page (${user.username})`);
      // A participant with sessions (a reviewer's list is in pseudonym order, which the study's
      // key decides, so the first row may be one enrolled by an earlier test, without any).
      const rows = page.locator('#participants tbody tr');
      let opened = false;
      for (let i = 0; i < (await rows.count()) && !opened; i++) {
        if ((await rows.nth(i).locator('td').nth(6).textContent()) === '0') continue;
        await rows.nth(i).locator('th a').click();
        opened = true;
      }
      expect(opened, 'a listed participant with sessions').to.equal(true);
      await shows(page.locator('#timeline'));
      await shows(page.locator('#sessions-table'));
      await expectAccessible(page, `a participant page (${user.username})`);
      expect(problems, user.username).to.deep.equal([]);
    }
    const { page, problems } = await as(app, app.users.researcher);
    await page.goto(`${app.base}${LIST}`);
    await shows(page.locator('#participants tbody tr'));
    await page.getByRole('button', { name: 'Add participant' }).click();
    await expectAccessible(page, 'the participants page with the enrolment form');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await screenshots(page, 'participants');
    // A participant of this test's own, with a session, an adverse event and a survey to open forms on.
    const code = 'P31';
    const base = `/studies/${STUDY}/participants`;
    const made = [
      await researcher.post(base, { code, site: 'LON', sex: 'male', birthYear: 1984, indication: 'androgenetic_alopecia', keloidHistory: false, enrolledOn: '2024-03-01' }),
      await researcher.post(`${base}/${code}/sessions`, {
        kind: 'initial', date: '2024-03-04', durationMinutes: 180, practitioner: 'LON-01', pigmentLot: 'PGM-2403-L', anesthesia: 'topical',
      }),
      await researcher.post(`${base}/${code}/adverse-events`, {
        category: 'other', term: 'Mild redness', onsetDate: '2024-03-05', grade: 1, serious: false, relatedness: 'possible', outcome: 'recovered', sessionNumber: 1,
      }),
      await researcher.post(`${base}/${code}/surveys`, { date: '2024-09-02', satisfaction: 4, wouldRecommend: true }),
    ];
    expect(made.map((r) => r.status)).to.deep.equal([201, 201, 201, 201]);
    await openParticipant(page, app.base, code);
    await page.getByRole('button', { name: 'Add a session' }).click();
    await page.getByRole('button', { name: 'Edit adverse event 1' }).click();
    await page.getByRole('button', { name: 'Delete survey 1' }).click();
    await page.getByText('The timeline as a table').click();
    await expectAccessible(page, 'a participant page with its forms open');
    await page.reload();
    await shows(page.locator('#timeline'));
    await shows(page.locator('#history-table'));
    await screenshots(page, 'participant');
    // At phone width the timeline scrolls inside its own box.
    await page.setViewportSize(PHONE);
    const box = await page.locator('.timeline').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(box.scroll).to.be.greaterThan(box.client);
    await expectAccessible(page, 'a participant page at phone width');
    expect(problems).to.deep.equal([]);
  });
});
