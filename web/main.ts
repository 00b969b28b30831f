// The dashboard page: lists studies and imports bundles through the HTTP API. One import at a
// time: the button is disabled and a busy indicator shown until the answer is in, so a double
// click cannot send the bundle twice (the second would be refused as a duplicate).
import { showAccount } from './account.ts';
import { fetchStudies, importBundle, ServerUnreachable, type ImportOutcome } from './api-client.ts';

function cell(text: string | number, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = String(text);
  if (className) td.className = className;
  return td;
}

function link(href: string, text: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  return a;
}

function messageRow(text: string, className?: string): HTMLTableRowElement {
  const row = document.createElement('tr');
  const td = cell(text, className);
  td.colSpan = 10;
  row.append(td);
  return row;
}

async function renderStudies(): Promise<void> {
  const body = document.querySelector<HTMLTableSectionElement>('#studies tbody')!;
  let studies;
  try {
    studies = await fetchStudies();
  } catch (error) {
    const reason = error instanceof ServerUnreachable ? `${error.message}; is \`smp serve\` still running?` : (error as Error).message;
    body.replaceChildren(messageRow(`Could not load the studies: ${reason}`, 'problems'));
    return;
  }
  body.replaceChildren(
    ...studies.map((study) => {
      const row = document.createElement('tr');
      const code = encodeURIComponent(study.code);
      const downloads = document.createElement('td');
      downloads.append(
        link(`/api/studies/${code}/report`, 'report'),
        ' · ',
        link(`/api/studies/${code}/analysis`, 'analysis (JSON)'),
        ' · ',
        link(`/api/studies/${code}/bundle`, 'bundle (JSON)'),
      );
      row.append(
        cell(study.code),
        cell(study.title),
        cell(study.sites, 'number'),
        cell(study.participants, 'number'),
        cell(study.sessions, 'number'),
        cell(study.adverseEvents, 'number'),
        cell(study.fadingAssessments, 'number'),
        cell(study.surveys, 'number'),
        cell(study.importedAt.replace('T', ' ').replace('Z', '')),
        downloads,
      );
      return row;
    }),
  );
  if (studies.length === 0) body.replaceChildren(messageRow('No studies yet.'));
}

/** The first line a refused import shows, in the page's own terms. */
function refusalHeading(outcome: Extract<ImportOutcome, { ok: false }>): string {
  if (outcome.status === 'unreachable') {
    return `The import was not completed: ${outcome.detail}. Check that \`smp serve\` is running, reload the page to see whether the study arrived, and import again if not.`;
  }
  if (outcome.status === 409) {
    const replaceLabel = document.querySelector('label[for=replace]')?.textContent ?? 'Replace';
    const study = outcome.code ? `Study ${outcome.code}` : 'A study with this code';
    return `${study} already exists. To replace it, tick “${replaceLabel}” and import again.`;
  }
  return outcome.detail.split('\n')[0] ?? 'The import was refused.';
}

function renderOutcome(outcome: ImportOutcome): void {
  const target = document.getElementById('import-result')!;
  target.replaceChildren();
  if (outcome.ok) {
    target.className = 'ok';
    target.textContent = `${outcome.result.replaced ? 'Replaced' : 'Imported'} study ${outcome.result.code}.`;
    return;
  }
  target.className = 'problems';
  const heading = document.createElement('p');
  heading.textContent = refusalHeading(outcome);
  target.append(heading);
  // A 409's only problem restates the heading; any other refusal lists every problem by path.
  if (outcome.status === 409 || outcome.problems.length === 0) return;
  const list = document.createElement('ul');
  for (const problem of outcome.problems) {
    const item = document.createElement('li');
    const path = document.createElement('code');
    path.textContent = problem.path;
    item.append(path, `: ${problem.message}`);
    list.append(item);
  }
  target.append(list);
}

const form = document.getElementById('import-form') as HTMLFormElement;
const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
const busy = document.getElementById('import-busy')!;
let importing = false;

function setBusy(on: boolean, fileName = ''): void {
  importing = on;
  button.disabled = on;
  form.setAttribute('aria-busy', String(on));
  busy.hidden = !on;
  busy.querySelector('.busy-text')!.textContent = on ? `Importing ${fileName}…` : '';
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (importing) return;
  const file = (form.elements.namedItem('bundle') as HTMLInputElement).files?.[0];
  const replace = (form.elements.namedItem('replace') as HTMLInputElement).checked;
  if (!file) return;
  setBusy(true, file.name);
  document.getElementById('import-result')!.replaceChildren();
  void file
    .text()
    .then((text) => importBundle(text, replace))
    .then(async (outcome) => {
      renderOutcome(outcome);
      if (outcome.ok) await renderStudies();
    })
    .catch((error: unknown) => {
      renderOutcome({ ok: false, status: 'invalid-file', detail: `The import failed: ${(error as Error).message}`, problems: [] });
    })
    .finally(() => setBusy(false));
});

void showAccount().then(async (signedIn) => {
  if (signedIn) await renderStudies();
});
