// The follow-up worklist: every participant's schedule (analysis/schedule.ts) as of a day, as rows
// a clinic can work through, filtered, ordered by what needs action first and paged; one
// participant's whole schedule; and the rows behind the CSV and iCalendar exports. A clinic sees
// its own sites. A reviewer gets the de-identified view: pseudonyms, and each participant's
// schedule computed from its dates moved back by its own shift, so that every date and status
// is that of the de-identified record (what a reviewer would compute from a de-identified export).
import type { Kysely } from 'kysely';
import { participantSchedule, treatmentSteps, visitsInOrder, type ScheduleInput, type ScheduleStep } from '../../analysis/schedule.ts';
import type { DayNumber, ProtocolFacts } from '../../analysis/types.ts';
import type { Database, Db } from '../../db/kysely.ts';
import { selectStudyChangeStamp } from '../../db/repositories/analysis-facts-repository.ts';
import { selectSites } from '../../db/repositories/listing-repository.ts';
import { findStudyByCode, selectStudySecret, type StudyRow } from '../../db/repositories/study-repository.ts';
import { selectScheduleFacts, type ScheduleFactRow } from '../../db/repositories/worklist-repository.ts';
import { AppError } from '../errors.ts';
import { todayIn as dateIn } from '../schemas/today.ts';
import {
  SCHEDULE_STATUSES,
  WORKLIST_CURSOR,
  type ParticipantSchedule,
  type WorklistFilters,
  type WorklistRow,
} from '../schemas/worklist.ts';
import { reachesSite, requireStudyScope, studyNotFound, type Actor, type StudyScope } from './access.ts';
import { requireFilterInScope } from './cohort-filter.ts';
import { AnswerCache } from './answer-cache.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { participantDeidentifier } from './deidentify.ts';
import { protocolOf } from './record-mapping.ts';
import {
  buildWorklistTable,
  cellAfterKey,
  dateOf,
  keyOfCell,
  rowOfCell,
  selectCells,
  worklistJsonBytes,
  type SortKey,
  type WorklistCounts,
  type WorklistTable,
} from './worklist-table.ts';

const MS_PER_DAY = 86_400_000;
const dayOf = (date: string): DayNumber => Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY;

/** Today's date (YYYY-MM-DD) in a time zone (default: the server's). */
export function todayIn(timeZone?: string, now: Date = new Date()): string {
  return dateIn(timeZone, now);
}

/** One participant's schedule with the names and shift of the caller's view. */
interface ScheduledParticipant {
  name: string;
  site: string;
  /** Days the view moves the participant's dates back (0 in the identified view). */
  shift: number;
  steps: ScheduleStep[];
  unscheduled: Array<{ kind: 'fadingAssessment' | 'survey'; day: DayNumber }>;
  anchorDay: DayNumber | null;
}

// The aggregated facts are read a character at a time: splitting 20,000 participants' lists
// into strings and numbers made most of the reading's garbage.
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const LETTER_I = 105;

/** Whole days joined by commas (`17600,-12,17610`), each moved back by `shift`. */
export function daysOfFacts(text: string | null, shift: number): number[] {
  if (text === null || text === '') return [];
  const days: number[] = [];
  let value = 0;
  let sign = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === COMMA) {
      days.push(sign * value - shift);
      value = 0;
      sign = 1;
    } else if (c === MINUS) sign = -1;
    else value = value * 10 + (c - 48);
  }
  days.push(sign * value - shift);
  return days;
}

/** Sessions as `<number>:<day><i|t>` joined by commas, in any order: in number order, each day moved back by `shift`. */
export function sessionsOfFacts(text: string | null, shift: number): ScheduleInput['sessions'] {
  if (text === null || text === '') return [];
  const sessions: Array<{ number: number; day: DayNumber; kind: 'initial' | 'touch_up' }> = [];
  let inOrder = true;
  let number = 0;
  let value = 0;
  let sign = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON) {
      number = value;
      value = 0;
    } else if (c === MINUS) sign = -1;
    else if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
    else if (c !== COMMA) {
      // The kind's letter ends a session.
      if (sessions.length > 0 && number < sessions[sessions.length - 1]!.number) inOrder = false;
      sessions.push({ number, day: sign * value - shift, kind: c === LETTER_I ? 'initial' : 'touch_up' });
      value = 0;
      sign = 1;
    }
  }
  if (!inOrder) sessions.sort((a, b) => a.number - b.number);
  return sessions;
}

/** The schedule of one participant's facts, in the view's names and dates. */
function scheduleOf(protocol: ProtocolFacts, row: ScheduleFactRow, key: Uint8Array | null, asOf: DayNumber): ScheduledParticipant {
  // A de-identified participant's dates all move back by its shift; asOf stays the day it is.
  const shift = key === null ? 0 : participantDeidentifier(key, { code: row.code, enrolledOn: row.enrolled_on }).shift;
  const schedule = participantSchedule(
    protocol,
    {
      sessions: sessionsOfFacts(row.sessions, shift),
      assessmentDays: daysOfFacts(row.assessments, shift),
      surveyDays: daysOfFacts(row.surveys, shift),
      withdrawnDay: row.withdrawn_day === null ? null : row.withdrawn_day - shift,
    },
    asOf,
  );
  return { name: key === null ? row.code : row.pseudonym, site: row.site, shift, ...schedule };
}

/** Every step name of the protocol's schedule, in course order then visit order. */
export function stepNames(protocol: ProtocolFacts): string[] {
  const course = treatmentSteps(protocol, [{ day: 0, kind: 'initial' }]).map((s) => s.step);
  return [...course, ...visitsInOrder(protocol).map((v) => v.code)];
}

interface StudyView {
  kysely: Kysely<Database>;
  study: StudyRow;
  protocol: ProtocolFacts;
  scope: StudyScope;
  key: Uint8Array | null;
}

/** Read the study in the caller's scope (every study and site for the command line) and run `work` in one snapshot. */
async function readView<T>(db: Db, actor: Actor | undefined, code: string, work: (view: StudyView) => Promise<T>): Promise<T> {
  const scope: StudyScope = actor
    ? requireStudyScope(actor, code)
    : { studyCode: code, identified: true, writeParticipants: true, writeStudy: true, readAudit: true, sites: 'all' };
  return db.readSnapshot(async (kysely) => {
    const study = await findStudyByCode(kysely, code);
    if (!study) throw studyNotFound(code);
    const key = scope.identified ? null : await selectStudySecret(kysely, study.study_id);
    return work({ kysely, study, protocol: protocolOf(study), scope, key });
  });
}

/** The sites whose participants the worklist covers: the filter's, within the caller's scope. */
async function coveredSites(view: StudyView, filters: WorklistFilters): Promise<string[] | undefined> {
  const { scope, study } = view;
  if (filters.site === undefined) return scope.sites === 'all' ? undefined : [...scope.sites];
  for (const site of filters.site) requireFilterInScope(scope, { site });
  const known = new Set((await selectSites(view.kysely, study.study_id)).map((s) => s.code));
  const unknown = filters.site.filter((site) => !known.has(site));
  if (unknown.length > 0) {
    throw new AppError('not_found', `site ${unknown.join(', ')} does not exist in study ${study.code}`, [
      { path: 'query.site', message: `${unknown.map((s) => JSON.stringify(s)).join(', ')} is not a site of the study` },
    ]);
  }
  return filters.site;
}

function requireKnownSteps(protocol: ProtocolFacts, visit: readonly string[] | undefined): void {
  if (visit === undefined) return;
  const names = stepNames(protocol);
  const unknown = visit.filter((v) => !names.includes(v));
  if (unknown.length > 0) {
    throw new AppError('validation', `the schedule has no step ${unknown.join(', ')}`, [
      {
        path: 'query.visit',
        message: `${unknown.map((v) => JSON.stringify(v)).join(', ')} ${unknown.length === 1 ? 'is not a step' : 'are not steps'} of the schedule (${names.join(', ')})`,
      },
    ]);
  }
}

export interface WorklistOptions extends WorklistFilters {
  /** The caller (none: the command line, which sees everything). */
  actor?: Actor | undefined;
  /** The time zone of "today" when asOf is not given. */
  timeZone?: string | undefined;
}

interface ComputedWorklist {
  table: WorklistTable;
  /** The cells of the rows the filters keep, in worklist order. */
  cells: Int32Array;
  /** Counts per step and site and status, under every filter but the status filter. */
  counts: WorklistCounts;
}

/** The schedule facts read, kept per database (see answer-cache.ts): each worklist of an unchanged study reads none. */
const factsCaches = new WeakMap<Db, AnswerCache<ScheduleFactRow[]>>();
/** The worklist tables computed (per view, sites and day), kept the same way: another page or filter only selects. */
const tableCaches = new WeakMap<Db, AnswerCache<WorklistTable>>();
const FACTS_KEPT = 8;

function cacheOf<T>(caches: WeakMap<Db, AnswerCache<T>>, db: Db): AnswerCache<T> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new AnswerCache<T>(FACTS_KEPT)));
  return cache;
}

/**
 * The study's schedule facts (of some sites): kept while the study's change stamp stays the same,
 * so that a worklist asked again (another day or view) computes from the facts in memory.
 * The stamp is read before the snapshot: a change committed meanwhile gives the next stamp.
 */
async function scheduleFacts(db: Db, view: StudyView, siteCodes: string[] | undefined, stamp: string | undefined): Promise<ScheduleFactRow[]> {
  const form = db.driver === 'pglite' ? 'json' : 'rows';
  if (stamp === undefined) return selectScheduleFacts(view.kysely, view.study.study_id, { siteCodes, form });
  const cache = cacheOf(factsCaches, db);
  const key = JSON.stringify([view.study.code, view.study.study_id, siteCodes === undefined ? 'all' : [...siteCodes].sort()]);
  const kept = cache.get(key, stamp);
  if (kept) return kept;
  const rows = await selectScheduleFacts(view.kysely, view.study.study_id, { siteCodes, form });
  cache.set(key, stamp, rows);
  return rows;
}

/** Every participant's schedule as of the day, in worklist order (kept per study change stamp when one is given). */
async function worklistTable(db: Db, view: StudyView, siteCodes: string[] | undefined, asOf: string, stamp: string | undefined): Promise<WorklistTable> {
  const compute = async () => {
    const rows = await scheduleFacts(db, view, siteCodes, stamp);
    const asOfDay = dayOf(asOf);
    return buildWorklistTable(
      asOf,
      rows,
      (row) => (view.key === null ? row.code : row.pseudonym),
      (row) => {
        const participant = scheduleOf(view.protocol, row, view.key, asOfDay);
        return { name: participant.name, site: participant.site, schedule: participant };
      },
      stepNames(view.protocol).length,
    );
  };
  if (stamp === undefined) return compute();
  const cache = cacheOf(tableCaches, db);
  const key = JSON.stringify([view.study.code, view.study.study_id, view.key === null ? 'identified' : 'deidentified', siteCodes === undefined ? 'all' : [...siteCodes].sort(), asOf]);
  const kept = cache.get(key, stamp);
  if (kept) return kept;
  const table = await compute();
  cache.set(key, stamp, table);
  return table;
}

async function computeWorklist(db: Db, code: string, options: WorklistOptions & { stamp?: string | undefined }): Promise<ComputedWorklist> {
  const asOf = options.asOf ?? todayIn(options.timeZone);
  return readView(db, options.actor, code, async (view) => {
    const { protocol } = view;
    requireKnownSteps(protocol, options.visit);
    const siteCodes = await coveredSites(view, options);
    const table = await worklistTable(db, view, siteCodes, asOf, options.stamp);
    const names = stepNames(protocol);
    const { cells, counts } = selectCells(table, names, {
      wantedStep: names.map((name) => options.visit === undefined || options.visit.includes(name)),
      wantedStatus: SCHEDULE_STATUSES.map((status) => options.status === undefined || options.status.includes(status)),
      horizonEnd: options.horizonDays === undefined ? null : dayOf(asOf) + options.horizonDays,
    });
    return { table, cells, counts };
  });
}

/**
 * One page of the worklist in the caller's scope and view: rows after the cursor, in worklist
 * order (overdue, due, upcoming, withdrawn, done; then target date, participant and step), with
 * the counts per step and site.
 */
export async function worklistPage(
  db: Db,
  code: string,
  options: WorklistOptions & { limit: number; cursor?: string | undefined },
): Promise<{ asOf: string; items: WorklistRow[]; nextCursor: string | null; counts: WorklistCounts }> {
  if (options.actor) requireStudyScope(options.actor, code);
  const stamp = await selectStudyChangeStamp(db.kysely, code);
  const { table, cells, counts } = await computeWorklist(db, code, { ...options, stamp });
  let start = 0;
  if (options.cursor !== undefined) {
    const key = decodeCursor(options.cursor, WORKLIST_CURSOR) as SortKey;
    // The first row after the key (rows are sorted, so a binary search finds it).
    let low = 0;
    let high = cells.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cellAfterKey(table, cells[middle]!, key)) high = middle;
      else low = middle + 1;
    }
    start = low;
  }
  const page = cells.subarray(start, start + options.limit);
  const items = Array.from(page, (cell) => rowOfCell(table, cell));
  return {
    asOf: table.asOf,
    items,
    nextCursor: start + options.limit < cells.length && page.length > 0 ? encodeCursor(keyOfCell(table, page[page.length - 1]!)) : null,
    counts,
  };
}

/** Every row of the worklist the filters keep, in worklist order: for `smp worklist` and the downloads. */
export async function worklistRows(db: Db, code: string, options: WorklistOptions = {}): Promise<{ asOf: string; items: WorklistRow[] }> {
  const { table, cells } = await computeWorklist(db, code, options);
  return { asOf: table.asOf, items: Array.from(cells, (cell) => rowOfCell(table, cell)) };
}

/**
 * The worklist as the UTF-8 bytes of `{"asOf": …, "items": [rows]}`, one row a line: the rows of
 * `worklistRows`, written straight from the table's columns (see worklist-table.ts).
 */
export async function worklistJson(db: Db, code: string, options: WorklistOptions = {}): Promise<{ asOf: string; rows: number; json: Buffer }> {
  const { table, cells } = await computeWorklist(db, code, options);
  return { asOf: table.asOf, rows: cells.length, json: worklistJsonBytes(table, cells) };
}

/** A worklist row of one participant's step. */
function rowOfStep(participant: ScheduledParticipant, step: ScheduleStep): WorklistRow {
  return {
    participant: participant.name,
    site: participant.site,
    step: step.step,
    kind: step.kind,
    label: step.label,
    target: dateOf(step.target),
    windowStart: dateOf(step.windowStart),
    windowEnd: dateOf(step.windowEnd),
    status: step.status,
    missing: [...step.missing],
  };
}

/** One participant's whole schedule as of a day, in the caller's scope and view (404 outside it). */
export async function scheduleOfParticipant(
  db: Db,
  actor: Actor,
  code: string,
  participantCode: string,
  options: { asOf?: string | undefined; timeZone?: string | undefined } = {},
): Promise<ParticipantSchedule> {
  const asOf = options.asOf ?? todayIn(options.timeZone);
  return readView(db, actor, code, async (view) => {
    const [row] = await selectScheduleFacts(view.kysely, view.study.study_id, {
      participant: { by: view.key === null ? 'code' : 'pseudonym', name: participantCode },
    });
    if (!row || !reachesSite(view.scope, row.site)) throw new AppError('not_found', `participant ${participantCode} does not exist in this study`);
    const participant = scheduleOf(view.protocol, row, view.key, dayOf(asOf));
    return {
      asOf,
      participant: participant.name,
      site: participant.site,
      finalSession: participant.anchorDay === null ? null : dateOf(participant.anchorDay),
      steps: participant.steps.map((step) => {
        const { participant: _name, site: _site, ...row } = rowOfStep(participant, step);
        return {
          ...row,
          session: step.session === null ? null : { number: step.session.number, date: dateOf(step.session.day) },
          records: step.records.map((r) => ({ kind: r.kind, date: dateOf(r.day) })),
        };
      }),
      unscheduled: participant.unscheduled.map((r) => ({ kind: r.kind, date: dateOf(r.day) })),
    };
  });
}
