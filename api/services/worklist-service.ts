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
import {
  SCHEDULE_STATUSES,
  WORKLIST_CURSOR,
  type ParticipantSchedule,
  type ScheduleStatus,
  type WorklistFilters,
  type WorklistRow,
} from '../schemas/worklist.ts';
import { reachesSite, requireStudyScope, studyNotFound, type Actor, type StudyScope } from './access.ts';
import { requireFilterInScope } from './cohort-filter.ts';
import { AnswerCache } from './answer-cache.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { participantDeidentifier } from './deidentify.ts';
import { protocolOf } from './record-mapping.ts';

const MS_PER_DAY = 86_400_000;
const dayOf = (date: string): DayNumber => Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY;
const dateOf = (day: DayNumber): string => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);

/** Today's date (YYYY-MM-DD) in a time zone (default: the server's). */
export function todayIn(timeZone?: string, now: Date = new Date()): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
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

/** Days joined by commas (`17600,17610`), each moved back by `shift`. */
function numbers(text: string | null, shift: number): number[] {
  if (text === null || text === '') return [];
  const days: number[] = [];
  for (const part of text.split(',')) days.push(Number(part) - shift);
  return days;
}

/** Sessions as `<day><i|t>` joined by commas, in number order, each moved back by `shift`. */
function sessionsOf(text: string | null, shift: number): ScheduleInput['sessions'] {
  if (text === null || text === '') return [];
  const sessions: Array<{ day: DayNumber; kind: 'initial' | 'touch_up' }> = [];
  for (const part of text.split(',')) {
    sessions.push({ day: Number(part.slice(0, -1)) - shift, kind: part.charCodeAt(part.length - 1) === 105 /* i */ ? 'initial' : 'touch_up' });
  }
  return sessions;
}

/** The schedule of one participant's facts, in the view's names and dates. */
function scheduleOf(protocol: ProtocolFacts, row: ScheduleFactRow, key: Uint8Array | null, asOf: DayNumber): ScheduledParticipant {
  // A de-identified participant's dates all move back by its shift; asOf stays the day it is.
  const shift = key === null ? 0 : participantDeidentifier(key, { code: row.code, enrolledOn: row.enrolled_on }).shift;
  const schedule = participantSchedule(
    protocol,
    {
      sessions: sessionsOf(row.sessions, shift),
      assessmentDays: numbers(row.assessments, shift),
      surveyDays: numbers(row.surveys, shift),
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

/** A row of the worklist before its days become dates. */
interface Entry {
  participant: ScheduledParticipant;
  step: ScheduleStep;
  statusRank: number;
  stepIndex: number;
}

const STATUS_RANK = new Map<ScheduleStatus, number>(SCHEDULE_STATUSES.map((s, i) => [s, i]));

type SortKey = [number, number, string, number];
const keyOf = (e: Entry): SortKey => [e.statusRank, e.step.target, e.participant.name, e.stepIndex];

/** Whether an entry comes after a sort key in the worklist's order. */
function afterKey(e: Entry, key: SortKey): boolean {
  const [rank, target, name, index] = key;
  if (e.statusRank !== rank) return e.statusRank > rank;
  if (e.step.target !== target) return e.step.target > target;
  if (e.participant.name !== name) return e.participant.name > name;
  return e.stepIndex > index;
}

// The worklist's order as one number per row, so that 140,000 rows sort as a Float64Array:
// status (3 bits), target day + 40,000 (17 bits: 1860 to 2218), the participant's rank by name
// (21 bits) and the step's index (12 bits): 53 bits, exact in a double.
const TARGET_OFFSET = 40_000;
const sortKey = (statusRank: number, target: number, nameRank: number, stepIndex: number) =>
  ((statusRank * 131_072 + (target + TARGET_OFFSET)) * 2_097_152 + nameRank) * 4096 + stepIndex;

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

function rowOf(entry: Entry): WorklistRow {
  const { participant, step } = entry;
  return {
    participant: participant.name,
    site: participant.site,
    step: step.step,
    kind: step.kind,
    label: step.label,
    target: dateOfDay(step.target),
    windowStart: dateOfDay(step.windowStart),
    windowEnd: dateOfDay(step.windowEnd),
    status: step.status,
    missing: [...step.missing],
  };
}

export interface WorklistOptions extends WorklistFilters {
  /** The caller (none: the command line, which sees everything). */
  actor?: Actor | undefined;
  /** The time zone of "today" when asOf is not given. */
  timeZone?: string | undefined;
}

interface ComputedWorklist {
  asOf: string;
  /** The rows the filters keep, in worklist order. */
  entries: Entry[];
  /** Counts per step and site and status, under every filter but the status filter. */
  counts: Array<{ step: string; site: string } & Record<ScheduleStatus, number>>;
}

/** The schedule facts read, kept per database (see answer-cache.ts): each worklist of an unchanged study reads none. */
const factsCaches = new WeakMap<Db, AnswerCache<ScheduleFactRow[]>>();
const FACTS_KEPT = 8;

/**
 * The study's schedule facts (of some sites): kept while the study's change stamp stays the same,
 * so that a worklist asked again (another page, day or filter) computes from the facts in memory.
 * The stamp is read before the snapshot: a change committed meanwhile gives the next stamp.
 */
async function scheduleFacts(db: Db, view: StudyView, siteCodes: string[] | undefined, stamp: string | undefined): Promise<ScheduleFactRow[]> {
  const form = db.driver === 'pglite' ? 'json' : 'rows';
  if (stamp === undefined) return selectScheduleFacts(view.kysely, view.study.study_id, { siteCodes, form });
  let cache = factsCaches.get(db);
  if (!cache) factsCaches.set(db, (cache = new AnswerCache(FACTS_KEPT)));
  const key = JSON.stringify([view.study.code, view.study.study_id, siteCodes === undefined ? 'all' : [...siteCodes].sort()]);
  const kept = cache.get(key, stamp);
  if (kept) return kept;
  const rows = await selectScheduleFacts(view.kysely, view.study.study_id, { siteCodes, form });
  cache.set(key, stamp, rows);
  return rows;
}

async function computeWorklist(db: Db, code: string, options: WorklistOptions & { stamp?: string }): Promise<ComputedWorklist> {
  const asOf = options.asOf ?? todayIn(options.timeZone);
  const asOfDay = dayOf(asOf);
  return readView(db, options.actor, code, async (view) => {
    const { protocol } = view;
    requireKnownSteps(protocol, options.visit);
    const siteCodes = await coveredSites(view, options);
    const rows = await scheduleFacts(db, view, siteCodes, options.stamp);
    const names = stepNames(protocol);
    const wantedStep = names.map((name) => options.visit === undefined || options.visit.includes(name));
    const wantedStatus = SCHEDULE_STATUSES.map((status) => options.status === undefined || options.status.includes(status));
    const horizonEnd = options.horizonDays === undefined ? null : asOfDay + options.horizonDays;

    const participants = rows.map((row) => scheduleOf(protocol, row, view.key, asOfDay));
    // Ranks by name, for the sort key (names are unique in a study).
    const byName = participants.map((_, i) => i).sort((a, b) => (participants[a]!.name < participants[b]!.name ? -1 : 1));
    const siteIndex = new Map<string, number>();
    const siteNames: string[] = [];
    // counts[step][site][status]
    const counts: number[][][] = names.map(() => []);
    const keys = new Float64Array(participants.length * names.length);
    let kept = 0;
    for (let rank = 0; rank < byName.length; rank++) {
      const participant = participants[byName[rank]!]!;
      let site = siteIndex.get(participant.site);
      if (site === undefined) {
        site = siteNames.length;
        siteIndex.set(participant.site, site);
        siteNames.push(participant.site);
      }
      const steps = participant.steps;
      for (let stepIndex = 0; stepIndex < steps.length; stepIndex++) {
        if (!wantedStep[stepIndex]) continue;
        const step = steps[stepIndex]!;
        if (horizonEnd !== null && step.status === 'upcoming' && step.windowStart > horizonEnd) continue;
        const statusRank = STATUS_RANK.get(step.status)!;
        const cell = (counts[stepIndex]![site] ??= [0, 0, 0, 0, 0]);
        cell[statusRank]!++;
        if (!wantedStatus[statusRank]) continue;
        keys[kept++] = sortKey(statusRank, step.target, rank, stepIndex);
      }
    }
    const ordered = keys.subarray(0, kept).sort();
    const entries = new Array<Entry>(kept);
    for (let i = 0; i < kept; i++) {
      const key = ordered[i]!;
      const stepIndex = key % 4096;
      const rank = Math.floor(key / 4096) % 2_097_152;
      const statusRank = Math.floor(key / (4096 * 2_097_152 * 131_072));
      const participant = participants[byName[rank]!]!;
      entries[i] = { participant, step: participant.steps[stepIndex]!, statusRank, stepIndex };
    }
    const orderedSites = siteNames.map((_, i) => i).sort((a, b) => (siteNames[a]! < siteNames[b]! ? -1 : 1));
    const countRows: ComputedWorklist['counts'] = [];
    names.forEach((step, stepIndex) => {
      for (const site of orderedSites) {
        const cell = counts[stepIndex]![site];
        if (cell === undefined) continue;
        countRows.push({ step, site: siteNames[site]!, overdue: cell[0]!, due: cell[1]!, upcoming: cell[2]!, withdrawn: cell[3]!, done: cell[4]! });
      }
    });
    return { asOf, entries, counts: countRows };
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
): Promise<{ asOf: string; items: WorklistRow[]; nextCursor: string | null; counts: ComputedWorklist['counts'] }> {
  if (options.actor) requireStudyScope(options.actor, code);
  const stamp = await selectStudyChangeStamp(db.kysely, code);
  const { asOf, entries, counts } = await computeWorklist(db, code, { ...options, stamp });
  let start = 0;
  if (options.cursor !== undefined) {
    const values = decodeCursor(options.cursor, WORKLIST_CURSOR);
    const key = values as SortKey;
    // The first row after the key (rows are sorted, so a binary search finds it).
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (afterKey(entries[middle]!, key)) high = middle;
      else low = middle + 1;
    }
    start = low;
  }
  const page = entries.slice(start, start + options.limit);
  const last = page.at(-1);
  return {
    asOf,
    items: page.map(rowOf),
    nextCursor: start + options.limit < entries.length && last !== undefined ? encodeCursor(keyOf(last)) : null,
    counts,
  };
}

/** Every row of the worklist the filters keep, in worklist order: for `smp worklist` and the downloads. */
export async function worklistRows(db: Db, code: string, options: WorklistOptions = {}): Promise<{ asOf: string; items: WorklistRow[] }> {
  const { asOf, entries } = await computeWorklist(db, code, options);
  return { asOf, items: entries.map(rowOf) };
}

/**
 * The worklist as `{"asOf": …, "items": [rows]}` text, one row a line: the rows of `worklistRows`,
 * written from fragments made once per participant, step and date (140,000 rows of a 20,000-
 * participant study serialise in a fraction of what a JSON.stringify per row costs).
 */
export async function worklistJson(db: Db, code: string, options: WorklistOptions = {}): Promise<{ asOf: string; rows: number; json: string }> {
  const { asOf, entries } = await computeWorklist(db, code, options);
  const head = `{"asOf":${JSON.stringify(asOf)},"items":[`;
  if (entries.length === 0) return { asOf, rows: 0, json: `${head}]}\n` };
  const who = new Map<ScheduledParticipant, string>();
  const what = new Map<string, string>();
  const missingJson = new Map<string, string>();
  const dated = new Map<DayNumber, string>();
  const date = (day: DayNumber) => {
    let text = dated.get(day);
    if (text === undefined) dated.set(day, (text = `"${dateOf(day)}"`));
    return text;
  };
  const lines = new Array<string>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const { participant, step } = entries[i]!;
    let p = who.get(participant);
    if (p === undefined) who.set(participant, (p = `{"participant":${JSON.stringify(participant.name)},"site":${JSON.stringify(participant.site)},`));
    let s = what.get(step.step);
    if (s === undefined) what.set(step.step, (s = `"step":${JSON.stringify(step.step)},"kind":"${step.kind}","label":${JSON.stringify(step.label)},`));
    const missingKey = step.missing.join(',');
    let m = missingJson.get(missingKey);
    if (m === undefined) missingJson.set(missingKey, (m = JSON.stringify(step.missing)));
    lines[i] =
      `${p}${s}"target":${date(step.target)},"windowStart":${date(step.windowStart)},"windowEnd":${date(step.windowEnd)},` +
      `"status":"${step.status}","missing":${m}}`;
  }
  return { asOf, rows: entries.length, json: `${head}\n${lines.join(',\n')}\n]}\n` };
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
        const { participant: _name, site: _site, ...row } = rowOf({ participant, step, statusRank: 0, stepIndex: 0 });
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
