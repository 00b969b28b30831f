// A refusal as the server gave it: the sentence, then every problem with the field it concerns.
// Text only: data is never turned into markup.
import type { ApiError, Problem } from '../api.ts';

export function ProblemList({ problems }: { problems: Problem[] }) {
  if (problems.length === 0) return null;
  return (
    <ul class="problem-list">
      {problems.map((problem, i) => (
        <li key={i}>
          <code>{problem.path}</code>: {problem.message}
        </li>
      ))}
    </ul>
  );
}

/** An error box announced to screen readers; nothing when there is no error. */
export function ErrorBox({ error, title }: { error: ApiError | Error | undefined | null; title?: string }) {
  if (!error) return null;
  const problems = 'problems' in error ? (error.problems as Problem[]) : [];
  return (
    <div class="error-box" role="alert">
      <p>
        {title ? <strong>{title} </strong> : null}
        {error.message}
      </p>
      <ProblemList problems={problems} />
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}
