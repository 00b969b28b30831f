// The participant's survey page (/s#<secret>): no account, no staff application. It reads the
// link's secret from the address's fragment (which browsers never send to a server), asks the
// API for the study's title, shows the two questions in the chosen language, and posts the
// answer once. A used, expired or revoked link gets a page saying so.
import { SURVEY_LANGUAGES, type SurveyLanguage } from '../../api/schemas/survey-languages.ts';
import { MESSAGES, type SurveyMessages } from './messages.ts';

type Refusal = keyof SurveyMessages['refused'];

type State =
  | { kind: 'loading' }
  | { kind: 'form'; studyTitle: string; satisfaction: number | null; wouldRecommend: boolean | null; showErrors: boolean; sending: boolean }
  | { kind: 'thanks'; studyTitle: string }
  | { kind: 'refused'; reason: Refusal };

const root = document.getElementById('survey')!;
const secret = decodeURIComponent(location.hash.slice(1));
let language: SurveyLanguage = navigator.language.toLowerCase().startsWith('es') ? 'es' : 'en';
let state: State = { kind: 'loading' };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string)[]) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) if (value !== undefined) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function languageChoice(m: SurveyMessages): HTMLElement {
  const select = el('select', { id: 'language' });
  for (const code of SURVEY_LANGUAGES) {
    const option = el('option', { value: code, lang: code }, MESSAGES[code].languageName);
    option.selected = code === language;
    select.append(option);
  }
  select.addEventListener('change', () => {
    language = select.value as SurveyLanguage;
    render();
    document.getElementById('language')?.focus();
  });
  return el('div', { class: 'language' }, el('label', { for: 'language' }, m.chooseLanguage), select);
}

function radioGroup(name: string, legend: string, options: Array<{ value: string; label: string }>, chosen: string | null, error: string | null) {
  const errorId = `${name}-error`;
  const fieldset = el('fieldset', error ? { 'aria-describedby': errorId } : {}, el('legend', {}, legend));
  if (error) fieldset.append(el('p', { id: errorId, class: 'error' }, error));
  for (const option of options) {
    const id = `${name}-${option.value}`;
    const input = el('input', { type: 'radio', name, id, value: option.value });
    input.checked = chosen === option.value;
    input.addEventListener('change', () => {
      if (state.kind !== 'form') return;
      if (name === 'satisfaction') state.satisfaction = Number(option.value);
      else state.wouldRecommend = option.value === 'yes';
    });
    fieldset.append(el('div', { class: 'choice' }, input, el('label', { for: id }, option.label)));
  }
  return fieldset;
}

function formView(m: SurveyMessages, s: Extract<State, { kind: 'form' }>): Node[] {
  const form = el('form', { novalidate: '' });
  form.append(
    radioGroup(
      'satisfaction',
      m.satisfactionQuestion,
      m.satisfactionLabels.map((label, i) => ({ value: String(i + 1), label: `${i + 1} – ${label}` })),
      s.satisfaction === null ? null : String(s.satisfaction),
      s.showErrors && s.satisfaction === null ? m.answerRequired : null,
    ),
    radioGroup(
      'wouldRecommend',
      m.recommendQuestion,
      [
        { value: 'yes', label: m.yes },
        { value: 'no', label: m.no },
      ],
      s.wouldRecommend === null ? null : s.wouldRecommend ? 'yes' : 'no',
      s.showErrors && s.wouldRecommend === null ? m.answerRequired : null,
    ),
  );
  const button = el('button', { type: 'submit' }, s.sending ? m.sending : m.submit);
  button.disabled = s.sending;
  form.append(button);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  return [el('h1', {}, s.studyTitle), el('p', {}, m.intro), form];
}

function render(): void {
  const m = MESSAGES[language];
  document.documentElement.lang = language;
  const content: Node[] = [];
  switch (state.kind) {
    case 'loading':
      content.push(el('p', { role: 'status' }, m.loading));
      break;
    case 'form':
      content.push(...formView(m, state));
      break;
    case 'thanks':
      content.push(el('h1', {}, m.thanksTitle), el('p', { role: 'status', class: 'confirmation' }, m.thanks), el('p', { class: 'study' }, state.studyTitle));
      break;
    case 'refused':
      content.push(el('h1', {}, m.refusedTitle), el('p', { class: 'refusal' }, m.refused[state.reason]));
      break;
    default: {
      const unknown: never = state;
      throw new Error(`unknown state ${String(unknown)}`);
    }
  }
  document.title = state.kind === 'form' || state.kind === 'thanks' ? state.studyTitle : m.refusedTitle;
  root.replaceChildren(languageChoice(m), ...content);
  if (state.kind === 'form' && state.showErrors) root.querySelector<HTMLElement>('.error')?.closest('fieldset')?.querySelector('input')?.focus();
}

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`/api/survey-links/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

function refusalOf(reply: { status: number; body: Record<string, unknown> }): Refusal {
  if (reply.status === 410) {
    const reason = reply.body.reason;
    return reason === 'used' || reason === 'expired' || reason === 'revoked' || reason === 'withdrawn' ? reason : 'withdrawn';
  }
  return reply.status === 404 ? 'unknown' : 'failed';
}

async function submit(): Promise<void> {
  if (state.kind !== 'form' || state.sending) return;
  if (state.satisfaction === null || state.wouldRecommend === null) {
    state.showErrors = true;
    render();
    return;
  }
  state.sending = true;
  render();
  const { studyTitle } = state;
  try {
    const reply = await post('answer', { link: secret, satisfaction: state.satisfaction, wouldRecommend: state.wouldRecommend, language });
    state = reply.status === 201 ? { kind: 'thanks', studyTitle } : { kind: 'refused', reason: refusalOf(reply) };
  } catch {
    state = { kind: 'refused', reason: 'failed' };
  }
  render();
}

async function start(): Promise<void> {
  render();
  if (secret === '') {
    state = { kind: 'refused', reason: 'incomplete' };
    return render();
  }
  try {
    const reply = await post('open', { link: secret });
    state =
      reply.status === 200
        ? { kind: 'form', studyTitle: String(reply.body.studyTitle), satisfaction: null, wouldRecommend: null, showErrors: false, sending: false }
        : { kind: 'refused', reason: refusalOf(reply) };
  } catch {
    state = { kind: 'refused', reason: 'failed' };
  }
  render();
}

void start();
