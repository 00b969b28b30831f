// A participant answers a survey link on a 390-pixel phone: the page shows the study's title and
// the two questions, passes axe-core, renders its second language, confirms the answer, and
// refuses the link when it is opened again; the clinic then sees the survey on the participant's
// page, entered through the link.
import { expect } from 'chai';
import { apiClient, type ApiClient } from '../support/http.ts';
import { expectAccessible, openAs, PHONE, problemsExcept, startWebApp, type WebApp } from '../support/web-app.ts';

const STUDY = 'SMP-2021';

describe('browser: a participant answers a survey link on a phone', function () {
  this.timeout(240_000);
  let app: WebApp;
  let clinic: ApiClient;
  let participant = '';

  before(async () => {
    app = await startWebApp();
    clinic = apiClient(app.base, app.users.clinic.headers);
    const listed = (await clinic.get(`/studies/${STUDY}/participants?limit=1000`)).body.items as Array<{
      code: string;
      site: string;
      withdrawnOn: string | null;
      counts: Record<string, number>;
    }>;
    participant = listed.find((p) => p.site === 'LON' && p.withdrawnOn === null && p.counts.sessions! > 0)!.code;
  });
  after(async () => {
    await app?.close();
  });

  it('shows the questions, in Spanish too, records the answer once and confirms it', async () => {
    const created = await clinic.post(`/studies/${STUDY}/participants/${participant}/survey-links`, {});
    expect(created.status).to.equal(201);
    const before = (await clinic.get(`/studies/${STUDY}/participants/${participant}/surveys`)).body.items.length;
    const title = (await clinic.get(`/studies/${STUDY}`)).body.title as string;

    const { page, problems, close } = await openAs(app, null, PHONE);
    try {
      await page.goto(created.body.url.replace(/^http:\/\/[^/]+/, app.base));
      await page.getByRole('heading', { name: title }).waitFor();
      expect(await page.locator('body').innerText()).to.not.include(participant);
      await page.getByRole('group', { name: 'How satisfied are you with your treatment?' }).waitFor();
      expect(await page.getByRole('radio').count()).to.equal(7);
      await page.getByLabel('4 – Satisfied').waitFor();
      await expectAccessible(page, 'the survey page');
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).to.be.at.most(0);

      // Sending without answers names the questions left, and sends nothing.
      await page.getByRole('button', { name: 'Send my answers' }).click();
      expect(await page.getByText('Please answer this question.').count()).to.equal(2);
      await expectAccessible(page, 'the survey page with its errors');

      // The second language.
      await page.getByLabel('Language').selectOption('es');
      await page.getByRole('group', { name: '¿Qué tan satisfecho está con su tratamiento?' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).to.equal('es');
      await page.getByLabel('4 – Satisfecho', { exact: true }).check();
      await page.getByLabel('Sí').check();
      await expectAccessible(page, 'the survey page in Spanish');
      await page.getByRole('button', { name: 'Enviar mis respuestas' }).click();
      await page.getByText('Hemos recibido sus respuestas.').waitFor();
      await expectAccessible(page, 'the confirmation');

      // Opened again (in the browser's language, English), the link is refused.
      await page.reload();
      await page.getByRole('heading', { name: 'This survey link no longer works' }).waitFor();
      expect(await page.getByText('The answers for this link were already received.').count()).to.equal(1);
      await page.getByLabel('Language').selectOption('es');
      await page.getByRole('heading', { name: 'Este enlace de encuesta ya no funciona' }).waitFor();
      await expectAccessible(page, 'the refusal page');
      expect(problemsExcept(problems, 410)).to.deep.equal([]);
    } finally {
      await close();
    }

    const surveys = (await clinic.get(`/studies/${STUDY}/participants/${participant}/surveys`)).body.items;
    expect(surveys).to.have.length(before + 1);
    const survey = surveys.at(-1);
    expect([survey.satisfaction, survey.wouldRecommend]).to.deep.equal([4, true]);
    const audit = await clinic.get(`/studies/${STUDY}/audit?participant=${participant}&entity=survey`);
    expect(audit.body.items[0].user.username).to.equal(`participant-link:${created.body.id}`);

    // The clinic sees it on the participant's page.
    const staff = await openAs(app, app.users.clinic, PHONE);
    try {
      await staff.page.goto(`${app.base}/studies/${STUDY}/participants/${participant}`);
      await staff.page.getByText(`participant-link:${created.body.id}`).first().waitFor();
      // A new link for the next visit, with its QR code to show the participant.
      await staff.page.getByRole('button', { name: 'Create a survey link' }).click();
      await staff.page.getByRole('img', { name: 'QR code of the survey link' }).waitFor();
      expect(await staff.page.locator('.survey-link-url').innerText()).to.match(/\/s#smpsv_[A-Za-z0-9_-]{43}$/);
      await expectAccessible(staff.page, 'the participant page with a new survey link');
      expect(problemsExcept(staff.problems)).to.deep.equal([]);
    } finally {
      await staff.close();
    }
  });

  it('shows a refusal page for an unknown or incomplete link', async () => {
    const { page, close } = await openAs(app, null, PHONE);
    try {
      await page.goto(`${app.base}/s`);
      await page.getByText('This address is incomplete.').waitFor();
      await expectAccessible(page, 'the incomplete link page');
    } finally {
      await close();
    }
  });
});
