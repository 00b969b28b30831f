// A study's whole worklist as of a day, held as columns in the worklist's order (typed arrays,
// no object per row), so that a worklist of 140,000 rows is sorted once and then filtered, paged
// and written as often as it is asked for; and its JSON text written straight into bytes, from
// fragments made once per participant, step, status and list of missing kinds.
import type { MissingKind, ScheduleStep } from '../../analysis/schedule.ts';
import type { DayNumber } from '../../analysis/types.ts';
import { SCHEDULE_STATUSES, type ScheduleStatus, type WorklistRow } from '../schemas/worklist.ts';

const MS_PER_DAY = 86_400_000;
export const dateOf = (day: DayNumber): string => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);

const STATUS_RANK = new Map<ScheduleStatus, number>(SCHEDULE_STATUSES.map((s, i) => [s, i]));

/** One participant of the table: its name and site in the caller's view, and its schedule. */
export interface TableParticipant {
  name: string;
  site: string;
  schedule: { steps: ReadonlyArray<Pick<ScheduleStep, 'step' | 'kind' | 'label' | 'target' | 'windowStart' | 'windowEnd' | 'status' | 'missing'>> };
}

export interface WorklistTable {
  asOf: string;
  /** Per participant, by rank (participants in name order): name and site index. */
  names: string[];
  siteOf: Int32Array;
  siteNames: string[];
  /** Per step index: the step's name, kind and label (the same for every participant with sessions). */
  steps: Array<Pick<ScheduleStep, 'step' | 'kind' | 'label'>>;
  /** The lists of missing kinds the rows use; a row holds its list's index. */
  missingLists: Array<readonly MissingKind[]>;
  /** Per cell (rank × steps + step index): status rank, days and missing list. */
  status: Uint8Array;
  target: Int32Array;
  windowStart: Int32Array;
  windowEnd: Int32Array;
  missing: Uint8Array;
  /** Every row's cell, in worklist order: status, target day, participant name, step index. */
  order: Int32Array;
}

// The worklist's order as one number per row, so that 140,000 rows sort as a Float64Array:
// status (3 bits), target day counted from the earliest target (17 bits: 358 years), the
// participant's rank by name (21 bits) and the step's index (12 bits): 53 bits, exact in a double.
// Targets further apart (or more participants or steps) sort by comparing the parts instead.
const STEP_RADIX = 4096;
const RANK_RADIX = 2_097_152;
const TARGET_RADIX = 131_072;
const sortKey = (statusRank: number, targetFromEarliest: number, rank: number, stepIndex: number) =>
  ((statusRank * TARGET_RADIX + targetFromEarliest) * RANK_RADIX + rank) * STEP_RADIX + stepIndex;

/** The cells of the rows, in the worklist's order. */
function orderOf(table: WorklistTable, rows: Int32Array, stepCount: number): Int32Array {
  let earliest = Infinity;
  let latest = -Infinity;
  for (const cell of rows) {
    const target = table.target[cell]!;
    if (target < earliest) earliest = target;
    if (target > latest) latest = target;
  }
  if (latest - earliest < TARGET_RADIX && table.names.length < RANK_RADIX && stepCount < STEP_RADIX) {
    const keys = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const cell = rows[i]!;
      const stepIndex = cell % stepCount;
      keys[i] = sortKey(table.status[cell]!, table.target[cell]! - earliest, (cell - stepIndex) / stepCount, stepIndex);
    }
    keys.sort();
    const order = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const key = keys[i]!;
      const stepIndex = key % STEP_RADIX;
      const rank = Math.floor(key / STEP_RADIX) % RANK_RADIX;
      order[i] = rank * stepCount + stepIndex;
    }
    return order;
  }
  // Cells grow with rank, then step index: the last two parts of the order.
  return rows.slice().sort((a, b) => table.status[a]! - table.status[b]! || table.target[a]! - table.target[b]! || a - b);
}

/**
 * The table of participants' schedules, given in any order; `scheduleOf` is called once per
 * participant, in name order, and its steps are not kept.
 */
export function buildWorklistTable<P>(
  asOf: string,
  participants: readonly P[],
  nameOf: (participant: P) => string,
  scheduleOf: (participant: P) => TableParticipant,
  stepCount: number,
): WorklistTable {
  const names = participants.map(nameOf);
  // Ranks by name, for the sort key (names are unique in a study).
  const byName = names.map((_, i) => i).sort((a, b) => (names[a]! < names[b]! ? -1 : 1));
  const count = participants.length;
  const cells = count * stepCount;
  const table: WorklistTable = {
    asOf,
    names: new Array<string>(count),
    siteOf: new Int32Array(count),
    siteNames: [],
    steps: [],
    missingLists: [],
    status: new Uint8Array(cells),
    target: new Int32Array(cells),
    windowStart: new Int32Array(cells),
    windowEnd: new Int32Array(cells),
    missing: new Uint8Array(cells),
    order: new Int32Array(0),
  };
  const siteIndex = new Map<string, number>();
  const missingIndex = new Map<readonly MissingKind[], number>();
  const missingByText = new Map<string, number>();
  const rows = new Int32Array(cells);
  let rowCount = 0;
  for (let rank = 0; rank < count; rank++) {
    const participant = scheduleOf(participants[byName[rank]!]!);
    table.names[rank] = participant.name;
    let site = siteIndex.get(participant.site);
    if (site === undefined) {
      site = table.siteNames.length;
      siteIndex.set(participant.site, site);
      table.siteNames.push(participant.site);
    }
    table.siteOf[rank] = site;
    const steps = participant.schedule.steps;
    if (steps.length > stepCount) throw new Error(`a participant has ${steps.length} steps, the schedule ${stepCount}`);
    for (let stepIndex = 0; stepIndex < steps.length; stepIndex++) {
      const step = steps[stepIndex]!;
      table.steps[stepIndex] ??= { step: step.step, kind: step.kind, label: step.label };
      const cell = rank * stepCount + stepIndex;
      const statusRank = STATUS_RANK.get(step.status)!;
      table.status[cell] = statusRank;
      table.target[cell] = step.target;
      table.windowStart[cell] = step.windowStart;
      table.windowEnd[cell] = step.windowEnd;
      // The schedule shares its lists of missing kinds; one not seen yet is found by its text.
      let m = missingIndex.get(step.missing);
      if (m === undefined) {
        const text = step.missing.join(',');
        m = missingByText.get(text);
        if (m === undefined) {
          m = table.missingLists.length;
          missingByText.set(text, m);
          table.missingLists.push(Object.freeze([...step.missing]));
        }
        missingIndex.set(step.missing, m);
      }
      table.missing[cell] = m;
      rows[rowCount++] = cell;
    }
  }
  table.order = orderOf(table, rows.subarray(0, rowCount), stepCount);
  return table;
}

/** The worklist's page key of a cell: status rank, target day, participant name, step index. */
export type SortKey = [number, number, string, number];

export function keyOfCell(table: WorklistTable, cell: number): SortKey {
  const steps = stepCountOf(table);
  return [table.status[cell]!, table.target[cell]!, table.names[Math.floor(cell / steps)]!, cell % steps];
}

const stepCountOf = (table: WorklistTable) => (table.names.length === 0 ? 1 : table.status.length / table.names.length);

/** Whether a cell comes after a sort key in the worklist's order. */
export function cellAfterKey(table: WorklistTable, cell: number, key: SortKey): boolean {
  const [rank, target, name, index] = key;
  const status = table.status[cell]!;
  if (status !== rank) return status > rank;
  const day = table.target[cell]!;
  if (day !== target) return day > target;
  const steps = stepCountOf(table);
  const own = table.names[Math.floor(cell / steps)]!;
  if (own !== name) return own > name;
  return cell % steps > index;
}

export interface TableFilters {
  /** Per step index: whether the step is kept. */
  wantedStep: readonly boolean[];
  /** Per status rank: whether the status is kept. */
  wantedStatus: readonly boolean[];
  /** Upcoming steps whose window opens after this day are left out (and not counted); null keeps them all. */
  horizonEnd: DayNumber | null;
}

export type WorklistCounts = Array<{ step: string; site: string } & Record<ScheduleStatus, number>>;

/** The cells the filters keep, in worklist order, and the counts per step and site under every filter but the status. */
export function selectCells(table: WorklistTable, stepNames: readonly string[], filters: TableFilters): { cells: Int32Array; counts: WorklistCounts } {
  const steps = stepNames.length;
  const { order, status, windowStart, siteOf } = table;
  const { wantedStep, wantedStatus, horizonEnd } = filters;
  const cells = new Int32Array(order.length);
  // counts[step × sites + site][status]
  const sites = table.siteNames.length;
  const counts = new Int32Array(steps * sites * 5);
  const seen = new Uint8Array(steps * sites);
  let kept = 0;
  for (let i = 0; i < order.length; i++) {
    const cell = order[i]!;
    const stepIndex = cell % steps;
    if (!wantedStep[stepIndex]) continue;
    const statusRank = status[cell]!;
    if (horizonEnd !== null && statusRank === 2 /* upcoming */ && windowStart[cell]! > horizonEnd) continue;
    const group = stepIndex * sites + siteOf[(cell - stepIndex) / steps]!;
    seen[group] = 1;
    counts[group * 5 + statusRank]!++;
    if (wantedStatus[statusRank]) cells[kept++] = cell;
  }
  const orderedSites = table.siteNames.map((_, i) => i).sort((a, b) => (table.siteNames[a]! < table.siteNames[b]! ? -1 : 1));
  const countRows: WorklistCounts = [];
  stepNames.forEach((step, stepIndex) => {
    for (const site of orderedSites) {
      const group = stepIndex * sites + site;
      if (!seen[group]) continue;
      const c = group * 5;
      countRows.push({ step, site: table.siteNames[site]!, overdue: counts[c]!, due: counts[c + 1]!, upcoming: counts[c + 2]!, withdrawn: counts[c + 3]!, done: counts[c + 4]! });
    }
  });
  return { cells: cells.slice(0, kept), counts: countRows };
}

const dates = new Map<DayNumber, string>();
/** Dates of day numbers, remembered: a worklist repeats the same few thousand days. */
function dateOfDay(day: DayNumber): string {
  let date = dates.get(day);
  if (date === undefined) {
    if (dates.size > 100_000) dates.clear();
    dates.set(day, (date = dateOf(day)));
  }
  return date;
}

/** The API's row of a cell. */
export function rowOfCell(table: WorklistTable, cell: number): WorklistRow {
  const steps = stepCountOf(table);
  const rank = Math.floor(cell / steps);
  const step = table.steps[cell % steps]!;
  return {
    participant: table.names[rank]!,
    site: table.siteNames[table.siteOf[rank]!]!,
    step: step.step,
    kind: step.kind,
    label: step.label,
    target: dateOfDay(table.target[cell]!),
    windowStart: dateOfDay(table.windowStart[cell]!),
    windowEnd: dateOfDay(table.windowEnd[cell]!),
    status: SCHEDULE_STATUSES[table.status[cell]!]!,
    missing: [...table.missingLists[table.missing[cell]!]!],
  };
}

/** Grows as it is written; `bytes()` is what was written. */
class ByteWriter {
  buffer: Buffer;
  length = 0;
  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }
  reserve(size: number): void {
    if (this.length + size <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + size));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
  /** Bytes of at most the size reserved (a loop: for the short fragments of a row, faster than set). */
  put(bytes: Uint8Array): void {
    const b = this.buffer;
    let at = this.length;
    for (let i = 0; i < bytes.length; i++) b[at++] = bytes[i]!;
    this.length = at;
  }
  /** A day's date (YYYY-MM-DD, as Date.toISOString writes it), without a Date for the years 0 to 9999. */
  putDate(day: DayNumber): void {
    // Days to a civil date (H. Hinnant, "chrono-compatible low-level date algorithms").
    const z = day + 719_468;
    const era = Math.floor(z / 146_097);
    const dayOfEra = z - era * 146_097;
    const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
    const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
    const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
    const dayOfMonth = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
    const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
    const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 0 || year > 9999) {
      this.length += this.buffer.write(dateOf(day), this.length, 'latin1');
      return;
    }
    const b = this.buffer;
    const at = this.length;
    b[at] = 48 + Math.floor(year / 1000);
    b[at + 1] = 48 + (Math.floor(year / 100) % 10);
    b[at + 2] = 48 + (Math.floor(year / 10) % 10);
    b[at + 3] = 48 + (year % 10);
    b[at + 4] = 45;
    b[at + 5] = 48 + Math.floor(month / 10);
    b[at + 6] = 48 + (month % 10);
    b[at + 7] = 45;
    b[at + 8] = 48 + Math.floor(dayOfMonth / 10);
    b[at + 9] = 48 + (dayOfMonth % 10);
    this.length = at + 10;
  }
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** The longest date a row can hold: "+275760-09-13". */
const LONGEST_DATE = 13;

/**
 * The worklist as the bytes of `{"asOf": …, "items": [rows]}`, one row a line: the text
 * JSON.stringify gives each row (`rowOfCell`), in UTF-8.
 */
export function worklistJsonBytes(table: WorklistTable, cells: Int32Array): Buffer {
  const utf8 = (text: string) => Buffer.from(text, 'utf8');
  const head = `{"asOf":${JSON.stringify(table.asOf)},"items":[`;
  if (cells.length === 0) return utf8(`${head}]}\n`);
  const steps = stepCountOf(table);
  const who = new Array<Buffer | undefined>(table.names.length);
  const what = table.steps.map((s) => utf8(`"step":${JSON.stringify(s.step)},"kind":${JSON.stringify(s.kind)},"label":${JSON.stringify(s.label)},"target":"`));
  const tails = SCHEDULE_STATUSES.map((status) => table.missingLists.map((missing) => utf8(`","status":${JSON.stringify(status)},"missing":${JSON.stringify(missing)}}`)));
  const windowStart = utf8('","windowStart":"');
  const windowEnd = utf8('","windowEnd":"');
  const between = utf8(',\n');
  const longestStep = Math.max(...what.map((b) => b.length));
  const longestTail = Math.max(...tails.flat().map((b) => b.length));
  const out = new ByteWriter(cells.length * 220 + 64);
  out.reserve(head.length * 3 + 1);
  out.put(utf8(`${head}\n`));
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    const rank = Math.floor(cell / steps);
    const stepIndex = cell - rank * steps;
    let p = who[rank];
    if (p === undefined) who[rank] = p = utf8(`{"participant":${JSON.stringify(table.names[rank])},"site":${JSON.stringify(table.siteNames[table.siteOf[rank]!])},`);
    out.reserve(2 + p.length + longestStep + 3 * LONGEST_DATE + windowStart.length + windowEnd.length + longestTail);
    if (i > 0) out.put(between);
    out.put(p);
    out.put(what[stepIndex]!);
    out.putDate(table.target[cell]!);
    out.put(windowStart);
    out.putDate(table.windowStart[cell]!);
    out.put(windowEnd);
    out.putDate(table.windowEnd[cell]!);
    out.put(tails[table.status[cell]!]![table.missing[cell]!]!);
  }
  out.reserve(4);
  out.put(utf8('\n]}\n'));
  return out.bytes();
}
