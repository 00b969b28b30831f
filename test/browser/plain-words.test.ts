// The forms in a real browser say everything in the words on the screen: an empty choice is "is
// required", a rule between fields names the other field by its label, and nothing visible shows
// a field key (withdrawnOn), a code (touch_up), the word null or a JSON path; each problem is
// said once, at its field, not again in a box above it; and the history and the audit log write a
// moment the same way.
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { apiClient } from '../support/http.ts';
import { openAs, problemsExcept, startWebApp, type OpenPage, type WebApp } from '../support/web-app.ts';

const STUDY = 'SMP-2021';
const LIST = `/studies/${STUDY}/participants`;

/** A camelCase key, a snake_case code, null, or a path such as body.x or a[0]. */
const INTERNAL = /\b[a-z]+[A-Z][A-Za-z]*\b|\b[a-z]+_[a-z_]+\b|\bnull\b|\bbody\.|\w\[\d+\]/g;

/** The visible text of `where` that reads as an internal name, with a few characters around each. */
async function internalWords(where: Locator): Promise<string[]> {
  const text = await where.innerText();
  return [...text.matchAll(INTERNAL)].map((m) => text.slice(Math.max(0, m.index - 30), m.index + m[0].length + 30).replace(/\s+/g, ' '));
}

async function shows(locator: Locator, what: string): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: 15_000 });
  } catch {
    throw new Error(`not shown: ${what}`);
  }
}

function field(form: Locator, label: string): Locator {
  return form.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`));
}

/** How many times `text` occurs in the visible text of `where`. */
async function occurrences(where: Locator, text: string): Promise<number> {
  return (await where.innerText()).split(text).length - 1;
}

async function openParticipant(page: Page, base: string, code: string): Promise<void> {
  await page.goto(`${base}${LIST}/${code}`);
  await shows(page.getByRole('heading', { level: 1, name: `Participant ${code}` }), `participant ${code}`);
  await shows(page.locator('#timeline'), 'the timeline');
}

describe('browser: plain words in the forms', function () {
  this.timeout(240_000);
  let app: WebApp;
  const open: OpenPage[] = [];

  before(async () => {
    app = await startWebApp();
  });
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });
  after(async () => {
    await app?.close();
  });

  it('adding a participant with an empty choice says "is required" at the field, once, with no key or code on the page', async () => {
    const opened = await openAs(app, app.users.researcher);
    open.push(opened);
    const { page, problems } = opened;
    await page.goto(`${app.base}${LIST}`);
    await shows(page.locator('#participants'), 'the participants table');
    await page.getByRole('button', { name: 'Add participant' }).click();
    const form = page.locator('#add-participant');
    await field(form, 'Code').fill('P90');
    await form.getByRole('button', { name: 'Save the new participant' }).click();
    await shows(form.locator('#add-participant-indication-error'), 'the indication error');
    expect(await form.locator('#add-participant-indication-error').textContent()).to.equal('is required');
    // Said at each field, never again in a box above the fields.
    expect(await form.locator('.error-box').count()).to.equal(0);
    expect(await form.locator('.field-error').count()).to.equal(await form.locator('[aria-invalid="true"]').count());
    expect(await internalWords(page.locator('main'))).to.deep.equal([]);
    // The keloid checkbox is named once: its label, with no hint repeating it.
    expect(await occurrences(form, 'keloid')).to.equal(1);
    expect(problems).to.deep.equal([]);
  });

  it('a session and an adverse event left empty: plain hints and messages, each once', async () => {
    const opened = await openAs(app, app.users.researcher);
    open.push(opened);
    const { page, problems } = opened;
    await openParticipant(page, app.base, 'P01');

    await page.getByRole('button', { name: 'Add a session' }).click();
    const session = page.locator('#add-sessions');
    await field(session, 'Duration (minutes)').fill('');
    await session.getByRole('button', { name: 'Save the new session' }).click();
    await shows(session.locator('#add-sessions-durationMinutes-error'), 'the duration error');
    expect(await session.locator('#add-sessions-durationMinutes-error').textContent()).to.equal('is required');
    // One spelling, and the label said once.
    expect(await occurrences(session, 'Anaesthesia')).to.equal(1);
    expect(await occurrences(session, 'Anesthesia')).to.equal(0);
    expect(await session.locator('.error-box').count()).to.equal(0);
    expect(await internalWords(page.locator('main'))).to.deep.equal([]);
    await session.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Add an adverse event' }).click();
    const event = page.locator('#add-adverse-events');
    await event.getByRole('button', { name: 'Save the new adverse event' }).click();
    await shows(event.locator('#add-adverse-events-category-error'), 'the category error');
    expect(await event.locator('#add-adverse-events-category-error').textContent()).to.equal('is required');
    expect(await event.locator('#add-adverse-events-term-error').textContent()).to.equal('is required');
    expect(await event.innerText()).to.contain('Leave empty while the event is unresolved');
    expect(await event.locator('.error-box').count()).to.equal(0);
    expect(await internalWords(page.locator('main'))).to.deep.equal([]);
    expect(problems).to.deep.equal([]);
  });

  it('a withdrawal without its cause names the other field by its label, once, and writes nothing', async () => {
    const opened = await openAs(app, app.users.researcher);
    open.push(opened);
    const { page, problems } = opened;
    const researcher = apiClient(app.base, app.users.researcher.headers);
    const before = (await researcher.get(`/studies/${STUDY}/participants/P02`)).body;
    expect(before.withdrawnOn, 'P02 is still in the study').to.equal(null);
    await openParticipant(page, app.base, 'P02');
    await page.getByRole('button', { name: 'Edit participant P02' }).click();
    const edit = page.locator('#edit-participant');
    await field(edit, 'Withdrawn on').fill('2019-06-01');
    await field(edit, 'Reason for the change').fill('Moved abroad');
    await edit.getByRole('button', { name: 'Save participant P02' }).click();
    const refusal = /is required when "Withdrawn on" is given/;
    await shows(edit.getByText(refusal), 'the refusal');
    expect(await occurrences(page.locator('main'), 'is required when "Withdrawn on" is given')).to.equal(1);
    expect(await edit.innerText()).to.contain('Required when "Withdrawn on" is given');
    expect(await internalWords(page.locator('main'))).to.deep.equal([]);
    expect((await researcher.get(`/studies/${STUDY}/participants/P02`)).body).to.deep.equal(before);
    // The refused save is the one console error: the browser logs the 400 itself.
    expect(problemsExcept(problems, 400)).to.deep.equal([]);
  });
});
