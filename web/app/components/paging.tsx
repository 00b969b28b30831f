// Reading a list a page at a time by the API's cursors: the cursors of the pages before the one
// shown, so that Previous goes back, and the Previous / Next buttons.
import { useState } from 'preact/hooks';

interface Trail {
  /** The cursors of the pages before the one shown (null: the first page). */
  before: (string | null)[];
  cursor: string | null;
}

const START: Trail = { before: [], cursor: null };

/**
 * Where the user is in a paged list. `key`: the filters and order the pages belong to; another key
 * starts again at page 1. `at`: the cursor of the page shown, when the address holds it rather
 * than this hook.
 */
export function usePaging({ key = '', at }: { key?: string; at?: string | null } = {}) {
  const [state, setState] = useState<{ key: string } & Trail>({ key, ...START });
  const trail = state.key === key ? state : START;
  const cursor = at === undefined ? trail.cursor : at;
  const update = (change: (trail: Trail) => Trail) => setState((s) => ({ key, ...change(s.key === key ? s : START) }));
  return {
    /** The cursor of the page shown (null: the first page). */
    cursor,
    /** How many pages come before the one shown, as far as this hook knows. */
    depth: trail.before.length,
    /** Go on to the page at `next`. */
    next: (next: string) => update((t) => ({ before: [...t.before, at === undefined ? t.cursor : at], cursor: next })),
    /** Go back a page; returns that page's cursor. */
    previous: (): string | null => {
      const previous = trail.before.at(-1) ?? null;
      update((t) => ({ before: t.before.slice(0, -1), cursor: previous }));
      return previous;
    },
    /** Back to the first page. */
    reset: () => update(() => START),
  };
}

/**
 * Previous and Next, labelled "Pages of {of}". `busy` while a page is on its way: both wait, so a
 * second click cannot go on from the same page twice. Without `always`, nothing is shown when
 * there is only one page; `short` shows "Previous" and "Next" (" page" for screen readers only);
 * `announce` reads the page number out when it changes.
 */
export function Pager({
  of,
  busy = false,
  hasPrevious,
  hasNext,
  pageNumber,
  onPrevious,
  onNext,
  always = false,
  short = false,
  announce = false,
}: {
  of: string;
  busy?: boolean;
  hasPrevious: boolean;
  hasNext: boolean;
  pageNumber: number | null;
  onPrevious: () => void;
  onNext: () => void;
  always?: boolean;
  short?: boolean;
  announce?: boolean;
}) {
  if (!always && !hasPrevious && !hasNext) return null;
  const page = short ? <span class="visually-hidden"> page</span> : ' page';
  return (
    <nav class="pager" aria-label={`Pages of ${of}`} aria-busy={busy ? 'true' : undefined}>
      <button type="button" onClick={onPrevious} disabled={busy || !hasPrevious}>
        Previous{page}
      </button>
      {pageNumber !== null ? <span aria-live={announce ? 'polite' : undefined}>Page {pageNumber}</span> : null}
      <button type="button" onClick={onNext} disabled={busy || !hasNext}>
        Next{page}
      </button>
    </nav>
  );
}
