// Complementary cell suppression over linked sums: which counts of a table to hide so that no small
// count can be worked out from the counts that are shown, however they are added or subtracted.
// It knows nothing of the study's figures: ./figure-relations.ts declares them.
//
// The counts (cells) are tied by sums (total = part + part + …); an inequality is a sum with an
// implied slack. A cell under the threshold is sensitive: it is never shown, and the shown cells
// must not determine it. They determine it when its unit vector lies in the row space of the sums
// restricted to the hidden cells, or when it is 0 and pinned there: counts cannot be negative, so
// a combination of zero counts with non-negative weights that the shown cells fix at 0 pins each
// of them (two hidden counts that must add up to 0 are both 0). Nor may the hidden parts of one
// split add up to a known number under the threshold (a small group given back whole).
// Everything starts hidden; then, in the caller's order, a cell is shown whenever showing it keeps
// every sensitive cell open, and a hidden cell that the shown ones determine anyway is shown with
// it. Showing more only tells more, so what stays hidden is protected, and no hidden cell could be
// shown without giving one back.

import { solve, type Constraint } from 'yalps';

export interface SuppressionCell {
  id: string;
  value: number;
  /** A count that no figure shows (only implied, e.g. the participants without an event): never shown. */
  implied?: boolean;
  /** Not a group that must stay unknown when small (the slack of an inequality), only a link between cells. */
  unprotected?: boolean;
}

export interface SumRelation {
  total: string;
  parts: readonly string[];
  /** Set when the parts do not split the total's members (an inequality and its slack): their hidden sum is no group. */
  bound?: boolean;
}

export interface SuppressionProblem {
  cells: readonly SuppressionCell[];
  sums: readonly SumRelation[];
  /** Counts under this are sensitive. */
  threshold: number;
  /** Ids in the order to try showing them (the most useful first); cells left out come last, largest first. */
  order?: readonly string[];
}

/**
 * The cells to hide.
 *
 * Cost: for c cells and r sums, up to c trials, each two Gauss–Jordan eliminations of the sums of
 * one connected part of the table restricted to its hidden cells: O(c · r · k²) for parts of k
 * hidden cells at most (a few dozen for one site's figures).
 *
 * @param problem the cells, the sums tying them, the threshold and the order of preference
 * @returns the ids of the hidden cells (every sensitive one among them)
 * @throws {Error} if a sum names a cell that is not given
 * @example
 * complementarySuppression({
 *   cells: [{ id: 'all', value: 20 }, { id: 'a', value: 3 }, { id: 'b', value: 9 }, { id: 'c', value: 8 }],
 *   sums: [{ total: 'all', parts: ['a', 'b', 'c'] }],
 *   threshold: 5,
 * }); // => Set { 'a', 'c' }: b stays, and 3 + 8 cannot be split
 */
export function complementarySuppression(problem: SuppressionProblem): Set<string> {
  const { cells, threshold } = problem;
  const index = new Map(cells.map((cell, i) => [cell.id, i]));
  const column = (id: string) => {
    const i = index.get(id);
    if (i === undefined) throw new Error(`a sum names the count ${id}, which is not given`);
    return i;
  };
  // Each sum as a row over the cells: total − Σ parts = 0.
  const sums = problem.sums.map((sum) => ({ total: column(sum.total), parts: sum.parts.map(column), bound: sum.bound === true }));
  const rows = sums.map((sum) => {
    const row = new Map<number, number>([[sum.total, 1]]);
    for (const part of sum.parts) row.set(part, (row.get(part) ?? 0) - 1);
    return row;
  });
  const sumsOf: number[][] = cells.map(() => []);
  rows.forEach((row, r) => row.forEach((_, cell) => sumsOf[cell]!.push(r)));

  const sensitive = (cell: number) => !cells[cell]!.unprotected && cells[cell]!.value < threshold;
  const isZero = (cell: number) => cells[cell]!.value === 0;
  const hidden = new Set(cells.map((_, i) => i));

  // The sums connected to a cell through hidden cells: only they change when it is shown.
  const connectedSums = (start: number): number[] => {
    const seenSums = new Set<number>();
    const seenCells = new Set([start]);
    const queue = [start];
    while (queue.length > 0) {
      for (const r of sumsOf[queue.pop()!]!) {
        if (seenSums.has(r)) continue;
        seenSums.add(r);
        for (const cell of rows[r]!.keys()) {
          if (hidden.has(cell) && !seenCells.has(cell)) {
            seenCells.add(cell);
            queue.push(cell);
          }
        }
      }
    }
    return [...seenSums];
  };
  const denseRows = (part: number[], columns: number[]) => {
    const position = new Map(columns.map((cell, i) => [cell, i]));
    return part.map((r) => {
      const dense = new Array<number>(columns.length).fill(0);
      rows[r]!.forEach((coefficient, cell) => {
        const at = position.get(cell);
        if (at !== undefined) dense[at]! += coefficient;
      });
      return dense;
    });
  };

  /**
   * With `shown` shown too (null: as things are): the hidden cells then determined, and what would
   * be given back (a sensitive cell by its index, a small split's hidden parts by their sum's).
   */
  const examine = (shown: number | null): { determined: number[]; givenBack: string[] } => {
    const part = shown === null ? rows.map((_, r) => r) : connectedSums(shown);
    const open = [...new Set(part.flatMap((r) => [...rows[r]!.keys()]))].filter((cell) => cell !== shown && hidden.has(cell));
    // Zero cells last: the rows left with only them are the combinations of them that the shown
    // cells fix, and one with non-negative weights pins each of its cells at 0.
    const zeros = open.filter(isZero);
    const columns = [...open.filter((cell) => !isZero(cell)), ...zeros];
    const pinned = new Set(pinnedColumns(new Echelon(denseRows(part, columns)), columns.length - zeros.length).map((at) => columns[at]!));
    const free = columns.filter((cell) => !pinned.has(cell));
    const echelon = new Echelon(denseRows(part, free));
    const position = new Map(free.map((cell, i) => [cell, i]));
    const determined: number[] = [];
    const givenBack: string[] = [];
    for (const cell of columns) {
      if (!pinned.has(cell) && !echelon.fixes(position.get(cell)!)) continue;
      if (sensitive(cell)) givenBack.push(`cell ${cell}`);
      else determined.push(cell);
    }
    // The parts still open (neither shown nor worked out) of a split must not add up to a known small group.
    const known = new Set(determined);
    for (const r of part) {
      if (sums[r]!.bound) continue;
      const hiddenParts = sums[r]!.parts.filter((cell) => cell !== shown && hidden.has(cell) && !known.has(cell) && !pinned.has(cell));
      if (hiddenParts.length === 0) continue;
      const value = hiddenParts.reduce((total, cell) => total + cells[cell]!.value, 0);
      if (value >= threshold) continue;
      const combined = new Array<number>(free.length).fill(0);
      for (const cell of hiddenParts) combined[position.get(cell)!]! += 1;
      if (echelon.contains(combined)) givenBack.push(`sum ${r}`);
    }
    return { determined, givenBack };
  };
  // What the sums give back with nothing shown cannot be protected by hiding more: it does not
  // stop other cells from being shown (the figure model lists every level so that nothing is).
  const givenAnyway = new Set(examine(null).givenBack);

  const preferred = new Map((problem.order ?? []).map((id, rank) => [id, rank]));
  const order = cells
    .map((_, i) => i)
    .sort((a, b) => (preferred.get(cells[a]!.id) ?? Infinity) - (preferred.get(cells[b]!.id) ?? Infinity) || cells[b]!.value - cells[a]!.value || a - b);
  for (const cell of order) {
    if (!hidden.has(cell) || sensitive(cell) || cells[cell]!.implied) continue;
    const { determined, givenBack } = examine(cell);
    if (givenBack.some((what) => !givenAnyway.has(what))) continue;
    hidden.delete(cell);
    // Determined anyway: hiding them would only blank a figure anyone can work out.
    for (const other of determined) if (!cells[other]!.implied) hidden.delete(other);
  }
  return new Set([...hidden].map((cell) => cells[cell]!.id));
}

type EchelonRow = { pivot: number; row: readonly number[] };

/**
 * The columns pinned at 0: those some non-negative combination of the echelon's rows that
 * vanishes on the first `leading` columns (cells that may still move either way) puts a positive
 * weight on. Such a combination is fixed at 0, and none of its cells can be negative.
 */
function pinnedColumns(echelon: Echelon, leading: number): number[] {
  const support = new Set<number>();
  for (const group of sharingColumns(echelon.rowsFrom(leading))) for (const at of coneSupport(group)) support.add(at);
  return [...support];
}

/** The rows in groups that share no column: the cone of each group is worked out on its own. */
function sharingColumns(rows: readonly EchelonRow[]): EchelonRow[][] {
  const groups: Array<{ columns: Set<number>; rows: EchelonRow[] }> = [];
  for (const row of rows) {
    const columns = new Set(row.row.flatMap((v, at) => (v !== 0 ? [at] : [])));
    const touching = groups.filter((group) => [...columns].some((at) => group.columns.has(at)));
    const merged = { columns, rows: [row] };
    for (const group of touching) {
      for (const at of group.columns) merged.columns.add(at);
      merged.rows.push(...group.rows);
      groups.splice(groups.indexOf(group), 1);
    }
    groups.push(merged);
  }
  return groups.map((group) => group.rows);
}

/**
 * The columns some non-negative combination of the rows makes positive. Weights on the rows must
 * be ≥ 0 (each row's pivot is positive and alone in its column) and every entry of the
 * combination ≥ 0. One row: it qualifies when none of its entries is negative. Several: the linear
 * program maximising Σ min(entry, 1) over such combinations makes every column that any of them
 * can make positive positive (adding one that does never lowers another entry), so its optimum's
 * positive entries are the answer.
 */
function coneSupport(rows: readonly EchelonRow[]): number[] {
  const columns = [...new Set(rows.flatMap(({ row }) => row.flatMap((v, at) => (v !== 0 ? [at] : []))))];
  if (rows.length === 1) return rows[0]!.row.every((v) => v >= 0) ? columns : [];
  const constraints = new Map<string, Constraint>();
  const variables = new Map<string, Map<string, number>>();
  for (const at of columns) {
    constraints.set(`entry ${at}`, { min: 0 });
    constraints.set(`capped ${at}`, { max: 0 });
    variables.set(`share ${at}`, new Map([[`capped ${at}`, 1], ['total', 1], [`at most 1 ${at}`, 1]]));
    constraints.set(`at most 1 ${at}`, { max: 1 });
  }
  rows.forEach(({ row }, k) => {
    const weight = new Map<string, number>();
    for (const at of columns) {
      if (row[at] === 0) continue;
      weight.set(`entry ${at}`, row[at]!);
      weight.set(`capped ${at}`, -row[at]!);
    }
    variables.set(`weight ${k}`, weight);
  });
  const solution = solve({ direction: 'maximize', objective: 'total', constraints, variables });
  if (solution.status !== 'optimal') throw new Error(`complementary suppression: the cone's linear program ended ${solution.status}`);
  const weights = new Map(solution.variables);
  return columns.filter((at) => rows.reduce((sum, { row }, k) => sum + row[at]! * (weights.get(`weight ${k}`) ?? 0), 0) > POSITIVE);
}

/** Above rounding: the program's figures are ratios of small integers. */
const POSITIVE = 1e-6;

/** Rows of integers brought to reduced echelon form exactly (fraction-free), each pivot positive. */
class Echelon {
  private readonly rows: Array<{ pivot: number; row: number[] }> = [];

  constructor(input: number[][]) {
    const pending = input.map((row) => [...row]);
    const width = pending[0]?.length ?? 0;
    for (let col = 0; col < width; col++) {
      const at = pending.findIndex((row) => row[col] !== 0);
      if (at < 0) continue;
      const [pivotRow] = pending.splice(at, 1) as [number[]];
      normalise(pivotRow);
      for (const other of pending) eliminate(other, pivotRow, col);
      for (const done of this.rows) eliminate(done.row, pivotRow, col);
      this.rows.push({ pivot: col, row: pivotRow });
    }
    for (const { pivot, row } of this.rows) if (row[pivot]! < 0) for (let i = 0; i < row.length; i++) row[i] = -row[i]! || 0;
  }

  /** The rows whose pivot is at column `from` or later: they are zero before it. */
  rowsFrom(from: number): EchelonRow[] {
    return this.rows.filter(({ pivot }) => pivot >= from);
  }

  /**
   * Whether a combination of the rows is the unit vector of column `col` (so the shown counts
   * determine that cell): in reduced form, only a row with its pivot there and nothing else can be.
   */
  fixes(col: number): boolean {
    const found = this.rows.find(({ pivot }) => pivot === col);
    return found !== undefined && found.row.every((entry, at) => at === col || entry === 0);
  }

  /** Whether a combination of the rows gives `vector` (so the shown counts determine its value). */
  contains(vector: readonly number[]): boolean {
    const rest = [...vector];
    for (const { pivot, row } of this.rows) eliminate(rest, row, pivot);
    return rest.every((entry) => entry === 0);
  }
}

/**
 * target ← (target · row[col] − row · target[col]) / g, so that target[col] becomes 0; g is
 * row[col]'s gcd with target[col], which keeps the entries small. A row is divided by the gcd of
 * its entries only when they grow large: the relations' coefficients are ±1 and rarely do.
 */
function eliminate(target: number[], row: readonly number[], col: number): void {
  const factor = target[col]!;
  if (factor === 0) return;
  const pivot = row[col]!;
  const common = gcd(Math.abs(pivot), Math.abs(factor));
  const scale = pivot / common;
  const by = factor / common;
  let largest = 0;
  for (let i = 0; i < target.length; i++) {
    const entry = row[i]!;
    if (entry === 0 && target[i] === 0) continue;
    const value = target[i]! * scale - entry * by;
    if (!Number.isSafeInteger(value)) throw new Error('complementary suppression: a coefficient outgrew exact arithmetic');
    target[i] = value;
    if (Math.abs(value) > largest) largest = Math.abs(value);
  }
  if (largest > LARGE_ENTRY) normalise(target);
}

/** Entries above this are divided down by their row's gcd. */
const LARGE_ENTRY = 1 << 20;

function normalise(row: number[]): void {
  let divisor = 0;
  for (const entry of row) divisor = gcd(divisor, Math.abs(entry));
  if (divisor > 1) for (let i = 0; i < row.length; i++) row[i] = row[i]! / divisor;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
