// A refusal in the page's words: the sentence, then every problem with the label of the field it
// concerns (the API's paths and codes are mapped, never shown). Text only: data is never turned
// into markup.
import type { ApiError, Problem } from '../api.ts';
import { pathLabel, plainMessage } from '../forms/plain-words.ts';

/**
 * Problems by the labels of their fields. `inFile`: the problems of a file the user uploaded (a
 * study bundle), where the path is the only way to find the place in the file, so it is kept.
 */
export function ProblemList({ problems, inFile = false }: { problems: Problem[]; inFile?: boolean }) {
  if (problems.length === 0) return null;
  return (
    <ul class="problem-list">
      {problems.map((problem, i) => (
        <li key={i}>
          {inFile ? <code>{problem.path}</code> : pathLabel(problem.path)}: {inFile ? problem.message : plainMessage(problem.message)}
        </li>
      ))}
    </ul>
  );
}

/** An error box announced to screen readers; nothing when there is no error. */
export function ErrorBox({ error, title }: { error: ApiError | Error | undefined | null; title?: string }) {
  if (!error) return null;
  const problems = 'problems' in error ? (error.problems as Problem[]) : [];
  // The server's sentence often repeats its one problem ("withdrawnOn: …"): then the list says it.
  const sentence = problems.length > 0 && repeatsAProblem(error.message, problems) ? null : error.message;
  return (
    <div class="error-box" role="alert">
      {sentence || title ? (
        <p>
          {title ? <strong>{title} </strong> : null}
          {sentence ? plainMessage(sentence) : null}
        </p>
      ) : null}
      <ProblemList problems={problems} />
    </div>
  );
}

/** Whether a sentence only restates the problems listed (one of them, or their count). */
export function repeatsAProblem(sentence: string, problems: readonly Problem[]): boolean {
  // "invalid request body: 2 problems" only counts the list below it.
  if (/^invalid [^:]*: [\d,]+ problems?$/.test(sentence)) return true;
  return problems.some((p) => sentence.includes(p.message) || sentence.includes(p.path));
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}
