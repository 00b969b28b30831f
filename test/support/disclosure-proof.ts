// The proof that a suppressed group gives back none of its hidden counts: the group's counts are
// the unknowns of an integer program (api/services/figure-relations.ts declares them and their
// sums, inequalities among them); none is negative; the figures the clinic was shown fix some of
// them; and for each hidden count the HiGHS solver finds its least and greatest feasible values.
// A hidden count is determined when the two are equal. Independent of the suppression's own
// linear algebra: it takes non-negativity, whole numbers and inequalities into account as well.
import highsPackage from 'highs';
import type { CohortFigures } from '../../analysis/types.ts';
import { figureModel, type FigureModel } from '../../api/services/figure-relations.ts';

// The package's types describe its CommonJS build (the loader as `.default`); its ES module's
// default export is the loader itself.
const loadHighs = highsPackage as unknown as (typeof highsPackage)['default'];
type Highs = Awaited<ReturnType<typeof loadHighs>>;
let solver: Promise<Highs> | undefined;
const highs = () => (solver ??= loadHighs());

const UNBOUNDED = 1_000_000;

export interface Disclosure {
  /** The count (or `a + b` for the hidden parts of a sum) that the shown figures give back. */
  cell: string;
  problem: string;
  value: number;
}

export interface ProofResult {
  /** Every way the shown figures give back a hidden count; empty when the group is safe. */
  disclosures: Disclosure[];
  /** Counts the clinic could read (directly, or through a figure computed from them). */
  known: Set<string>;
  /** Hidden counts proved open: each could take another value than its own. */
  open: Set<string>;
}

/** A path's value in a figures object, undefined when absent. */
export function valueAt(figures: unknown, path: string): unknown {
  let value: unknown = figures;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Every leaf of a figures object (numbers, nulls, arrays) by dotted path; `suppressed` markers left out. */
export function leafPaths(figures: unknown, prefix = ''): string[] {
  if (figures === null || typeof figures !== 'object') return [prefix];
  // A list of numbers (an interval) is one figure; a list of objects (retention by visit) is one
  // figure per entry and key, at `retention.0.done.n`.
  if (Array.isArray(figures) && !figures.some((item) => item !== null && typeof item === 'object')) return [prefix];
  return Object.entries(figures).flatMap(([key, value]) => (key === 'suppressed' ? [] : leafPaths(value, prefix === '' ? key : `${prefix}.${key}`)));
}

/** The paths the model accounts for; a figure missing here is one without declared relations. */
export function declaredPaths(model: FigureModel): { has(path: string): boolean } {
  const declared = new Set([
    ...model.cells.flatMap((cell) => cell.paths),
    ...model.dependents.map((dependent) => dependent.path),
    ...model.withheld,
    ...model.constants,
  ]);
  // A withheld list (the Kaplan–Meier steps) covers every figure inside it.
  return {
    has(path: string): boolean {
      for (let at = path; ; at = at.slice(0, at.lastIndexOf('.'))) {
        if (declared.has(at)) return true;
        if (!at.includes('.')) return false;
      }
    },
  };
}

/** Checks that every declared sum and bound holds on the true figures: a wrong relation proves nothing. */
export function checkRelations(model: FigureModel): string[] {
  const value = new Map(model.cells.map((cell) => [cell.id, cell.value]));
  const wrong: string[] = [];
  for (const sum of model.sums) {
    if (value.get(sum.total) !== sum.parts.reduce((total, id) => total + value.get(id)!, 0)) wrong.push(`${sum.total} ≠ ${sum.parts.join(' + ')}`);
  }
  for (const cell of model.cells) if (cell.value < 0) wrong.push(`${cell.id} = ${cell.value} < 0`);
  return wrong;
}

/**
 * What a clinic shown `served` (another site's suppressed figures) can work out of `full` (the
 * same site's true figures), with `alsoKnown` counts from other answers.
 *
 * @param full the group's true figures
 * @param served the group's figures as the clinic received them
 * @param threshold counts under it must not be given back
 * @param alsoKnown cells (by id) the clinic reads elsewhere, e.g. the adverse-event rates by site
 */
export async function proveNoDisclosure(
  full: CohortFigures,
  served: unknown,
  threshold: number,
  alsoKnown: Record<string, number | null> = {},
): Promise<ProofResult> {
  const model = figureModel(full);
  const wrong = checkRelations(model);
  if (wrong.length > 0) throw new Error(`declared relations do not hold: ${wrong.join('; ')}`);
  const cells = new Map(model.cells.map((cell) => [cell.id, cell]));
  const disclosures: Disclosure[] = [];
  const known = new Set<string>();
  const learn = (id: string, how: string) => {
    known.add(id);
    const cell = cells.get(id)!;
    if (cell.value < threshold) disclosures.push({ cell: id, problem: `shown (${how})`, value: cell.value });
  };
  for (const cell of model.cells) {
    for (const path of cell.paths) {
      const shown = valueAt(served, path);
      if (shown === null || shown === undefined) continue;
      if (shown !== cell.value) throw new Error(`${path} is shown as ${String(shown)}, not its value ${cell.value}`);
      if (!known.has(cell.id)) learn(cell.id, path);
    }
  }
  for (const [id, shown] of Object.entries(alsoKnown)) {
    if (shown === null) continue;
    if (shown !== cells.get(id)?.value) throw new Error(`${id} is shown elsewhere as ${shown}, not its value ${cells.get(id)?.value}`);
    if (!known.has(id)) learn(id, 'another answer');
  }
  // A figure computed from counts (a share, a mean, a rate) gives them back with the others.
  for (const dependent of model.dependents) {
    const shown = valueAt(served, dependent.path);
    if (shown === null || shown === undefined) continue;
    for (const id of dependent.on) if (!known.has(id)) learn(id, `through ${dependent.path}`);
  }
  for (const path of model.withheld) {
    const shown = valueAt(served, path);
    if (shown !== null && shown !== undefined) disclosures.push({ cell: path, problem: 'withheld figure shown', value: NaN });
  }

  const names = new Map(model.cells.map((cell, index) => [cell.id, `x${index}`]));
  const term = (ids: readonly string[], sign = '+') => ids.map((id) => `${sign} ${names.get(id)}`).join(' ');
  const constraints = model.sums.map((sum, index) => ` c${index}: ${names.get(sum.total)} ${term(sum.parts, '-')} = 0`);
  const bounds = model.cells.map((cell) => {
    const name = names.get(cell.id)!;
    // A cap far above any count keeps the program bounded: a count that reaches it is open anyway.
    return known.has(cell.id) ? ` ${name} = ${cell.value}` : ` 0 <= ${name} <= ${UNBOUNDED}`;
  });
  const lp = (sense: 'Maximize' | 'Minimize', objective: string) =>
    [sense, ` obj: ${objective}`, 'Subject To', ...constraints, 'Bounds', ...bounds, 'Generals', ` ${[...names.values()].join(' ')}`, 'End'].join('\n');
  const solve = async (sense: 'Maximize' | 'Minimize', ids: readonly string[]): Promise<number> => {
    const solution = (await highs()).solve(lp(sense, term(ids).replace(/^\+ /, '')), { output_flag: false, mip_heuristic_effort: 0 });
    if (solution.Status !== 'Optimal') throw new Error(`the solver ended with ${solution.Status}: the true figures should be a solution`);
    return Math.round(solution.ObjectiveValue);
  };
  /** Whether Σ ids can take only its true value: neither its greatest nor its least feasible value differs. */
  const determined = async (ids: readonly string[], value: number): Promise<boolean> =>
    (await solve('Maximize', ids)) === value && (await solve('Minimize', ids)) === value;

  const open = new Set<string>();
  for (const cell of model.cells) {
    if (known.has(cell.id)) continue;
    // An implied count of a large group may be worked out, and a slack is no group: only a small group is protected.
    if (cell.implied && (cell.unprotected || cell.value >= threshold)) continue;
    if (await determined([cell.id], cell.value)) disclosures.push({ cell: cell.id, problem: 'determined by the shown figures', value: cell.value });
    else open.add(cell.id);
  }
  for (const sum of model.sums) {
    if (sum.bound) continue;
    const hiddenParts = sum.parts.filter((id) => !known.has(id));
    if (hiddenParts.length < 2) continue;
    const value = hiddenParts.reduce((total, id) => total + cells.get(id)!.value, 0);
    if (value >= threshold) continue;
    if (await determined(hiddenParts, value)) disclosures.push({ cell: hiddenParts.join(' + '), problem: 'a small group given back whole', value });
  }
  return { disclosures, known, open };
}
