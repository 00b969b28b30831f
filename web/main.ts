// The dashboard page: lists studies and imports bundles through the HTTP API.
import { showAccount } from './account.ts';
import { fetchStudies, importBundle, type ImportOutcome } from './api-client.ts';

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

async function renderStudies(): Promise<void> {
  const body = document.querySelector<HTMLTableSectionElement>('#studies tbody')!;
  const studies = await fetchStudies();
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
  if (studies.length === 0) body.replaceChildren(Object.assign(document.createElement('tr'), { innerHTML: '<td colspan="10">No studies yet.</td>' }));
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
  heading.textContent = outcome.detail.split('\n')[0] ?? 'The import was refused.';
  const list = document.createElement('ul');
  for (const problem of outcome.problems) {
    const item = document.createElement('li');
    const path = document.createElement('code');
    path.textContent = problem.path;
    item.append(path, `: ${problem.message}`);
    list.append(item);
  }
  target.append(heading, list);
}

document.getElementById('import-form')!.addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const file = (form.elements.namedItem('bundle') as HTMLInputElement).files?.[0];
  const replace = (form.elements.namedItem('replace') as HTMLInputElement).checked;
  if (!file) return;
  void file
    .text()
    .then((text) => importBundle(text, replace))
    .then(async (outcome) => {
      renderOutcome(outcome);
      if (outcome.ok) await renderStudies();
    });
});

void showAccount().then(async (signedIn) => {
  if (signedIn) await renderStudies();
});
