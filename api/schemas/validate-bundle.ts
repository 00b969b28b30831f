// Validates a study bundle completely: the shape of every field (zod) and the rules that span
// fields and records (references, numbering, date order). Every problem is found at once: when a
// record is malformed, the cross-record rules still run on its well-formed fields and on the
// well-formed records around it. The first 1,000 problems in document order are reported and the
// rest counted.
//
// Work is linear in the input (sorting session numbers is the one n log n step): zod parses one
// record at a time, never a whole list, so no zod call gathers more issues than a record has
// fields (a whole-bundle parse spreads every issue of a list into one call, which overflows the
// stack near 100,000 problems), and each cross-record rule looks records up in maps.
import { z } from 'zod';
import {
  AdverseEvent,
  FadingAssessment,
  Participant,
  Practitioner,
  SatisfactionSurvey,
  Site,
  StudyBundle,
  TreatmentSession,
  type StudyBundle as Bundle,
} from './bundle.ts';
import {
  collectZodProblems,
  issueMessage,
  MAX_REPORTED_PROBLEMS,
  ProblemCollector,
  type PathSegment,
  type Problem,
  type ProblemSink,
} from './problems.ts';
import { visitsOutsideFollowUp } from './visit-schedule.ts';

export type BundleValidation =
  | { ok: true; bundle: Bundle }
  | { ok: false; problems: Problem[]; /** Problems found beyond the reported ones. */ problemsOmitted: number };

export interface ValidateOptions {
  /** How many problems to report (the first in document order); default 1,000. */
  maxProblems?: number;
  /**
   * Participants' records known to be well-formed, as the schemas output them: a participant's
   * records as stored, around the one a write adds or changes (record-service.ts). Their fields
   * are not parsed again; every rule across records still applies to them.
   */
  wellFormed?: ReadonlySet<object> | undefined;
}


interface Indexed<T> {
  index: number;
  value: T;
}

type Out<S extends z.ZodType> = z.output<S>;
type Report = (path: PathSegment[], message: string) => void;

const LIST_FIELDS = ['sessions', 'adverseEvents', 'fadingAssessments', 'surveys'] as const;
const ParticipantFields = Participant.omit({ sessions: true, adverseEvents: true, fadingAssessments: true, surveys: true });
export type ParticipantFields = Out<typeof ParticipantFields>;

/**
 * A participant as far as it is well-formed: each field only if valid, each list item's valid
 * fields, at the item's position in the input.
 */
interface ParticipantView {
  fields: Partial<ParticipantFields>;
  sessions: Partial<Out<typeof TreatmentSession>>[];
  adverseEvents: Partial<Out<typeof AdverseEvent>>[];
  fadingAssessments: Partial<Out<typeof FadingAssessment>>[];
  surveys: Partial<Out<typeof SatisfactionSurvey>>[];
  /** How many sessions the input lists, well-formed or not. */
  sessionCount: number;
}

interface CrossRecordInput {
  siteCodes: Set<string>;
  practitionerCodes: Set<string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const runContext: z.core.ParseContextInternal = { async: false, error: issueMessage };

/** One zod run, as safeParse does it but without copying the context or building an error. */
function run(schema: z.ZodType, value: unknown): z.core.ParsePayload {
  const result = schema._zod.run({ value, issues: [] }, runContext);
  if (result instanceof Promise) throw new Error('bundle schemas are synchronous');
  return result;
}

/** The fields of `raw` that are valid under the object schema `schema`; invalid ones are left out. */
function validFields<S extends z.ZodObject>(schema: S, raw: unknown): Partial<Out<S>> {
  const record = isRecord(raw) ? raw : {};
  const fields: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const result = run(field as z.ZodType, record[key]);
    if (result.issues.length === 0) fields[key] = result.value;
  }
  return fields as Partial<Out<S>>;
}

/**
 * Parse one value with `schema`, reporting its issues under `at` (and `index`): zod's run and
 * issue finalisation, the steps of safeParse without the ZodError it builds on failure, which
 * made each problem cost about twice as much. Both are typed in zod's core for library authors.
 */
function parseValue<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  at: PathSegment[],
  report: Report,
  index?: number,
): { ok: true; value: Out<S> } | { ok: false } {
  const result = run(schema, raw);
  if (result.issues.length === 0) return { ok: true, value: result.value as Out<S> };
  const config = z.core.config();
  const issues = result.issues.map((issue) => z.core.util.finalizeIssue(issue, runContext, config));
  collectZodProblems(issues, index === undefined ? at : [...at, index], report);
  return { ok: false };
}

/**
 * A list of records, parsed one record at a time. `listSchema` (the field's own schema, with its
 * default) answers for a value that is not a list. Returns every item reduced to its valid
 * fields, and whether all of them were valid.
 */
function parseList<S extends z.ZodObject>(
  listSchema: z.ZodType,
  itemSchema: S,
  raw: unknown,
  at: PathSegment[],
  report: Report,
  wellFormed?: ReadonlySet<object>,
): { items: Partial<Out<S>>[]; ok: boolean } {
  if (!Array.isArray(raw)) {
    const parsed = parseValue(listSchema, raw, at, report);
    return { items: [], ok: parsed.ok };
  }
  const items: Partial<Out<S>>[] = new Array(raw.length);
  let ok = true;
  for (let index = 0; index < raw.length; index++) {
    if (wellFormed?.has(raw[index] as object)) {
      items[index] = raw[index] as Out<S>;
      continue;
    }
    const parsed = parseValue(itemSchema, raw[index], at, report, index);
    if (parsed.ok) items[index] = parsed.value;
    else {
      ok = false;
      items[index] = validFields(itemSchema, raw[index]);
    }
  }
  return { items, ok };
}

/** The `code` of every raw list item that has a text code, read even from malformed items. */
function declaredCodes(items: unknown): Set<string> {
  const codes = new Set<string>();
  if (!Array.isArray(items)) return codes;
  for (const item of items) {
    const code = isRecord(item) ? item.code : undefined;
    if (typeof code === 'string') codes.add(code);
  }
  return codes;
}

function reportUnknownKeys(raw: Record<string, unknown>, known: Record<string, unknown>, at: PathSegment[], report: Report): void {
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(known, key)) report([...at, key], 'is not a field of this format');
  }
}

/** A participant's own fields, as far as they are well-formed; ok when all are. */
interface OwnFields {
  fields: Partial<ParticipantFields>;
  ok: boolean;
}

/** One participant's own fields (not its lists); a participant that is no object is reported whole. */
function parseParticipantFields(raw: unknown, at: PathSegment[], report: Report): OwnFields {
  if (!isRecord(raw)) {
    parseValue(Participant, raw, at, report);
    return { fields: {}, ok: false };
  }
  const scalars: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) if (!(LIST_FIELDS as readonly string[]).includes(key)) scalars[key] = raw[key];
  const parsedFields = parseValue(ParticipantFields, scalars, at, report);
  return parsedFields.ok ? { fields: parsedFields.value, ok: true } : { fields: validFields(ParticipantFields, scalars), ok: false };
}

/** One participant's lists, each item by itself; the view keeps what is well-formed. */
function parseParticipantLists(
  raw: Record<string, unknown>,
  own: OwnFields,
  at: PathSegment[],
  report: Report,
  wellFormed: ReadonlySet<object> | undefined,
): { view: ParticipantView; ok: boolean } {
  const shape = Participant.shape;
  const sessions = parseList(shape.sessions, TreatmentSession, raw.sessions, [...at, 'sessions'], report, wellFormed);
  const adverseEvents = parseList(shape.adverseEvents, AdverseEvent, raw.adverseEvents, [...at, 'adverseEvents'], report, wellFormed);
  const fadingAssessments = parseList(shape.fadingAssessments, FadingAssessment, raw.fadingAssessments, [...at, 'fadingAssessments'], report, wellFormed);
  const surveys = parseList(shape.surveys, SatisfactionSurvey, raw.surveys, [...at, 'surveys'], report, wellFormed);
  return {
    view: {
      fields: own.fields,
      sessions: sessions.items,
      adverseEvents: adverseEvents.items,
      fadingAssessments: fadingAssessments.items,
      surveys: surveys.items,
      sessionCount: sessions.items.length,
    },
    ok: own.ok && sessions.ok && adverseEvents.ok && fadingAssessments.ok && surveys.ok,
  };
}

/** The parsed participant of a view whose every field and item is valid. */
function participantOf(view: ParticipantView): Out<typeof Participant> {
  return Object.assign(view.fields as ParticipantFields, {
    sessions: view.sessions as Out<typeof TreatmentSession>[],
    adverseEvents: view.adverseEvents as Out<typeof AdverseEvent>[],
    fadingAssessments: view.fadingAssessments as Out<typeof FadingAssessment>[],
    surveys: view.surveys as Out<typeof SatisfactionSurvey>[],
  });
}

/** Validate `input` as a `smp-study-bundle/1` document. */
export function validateBundle(input: unknown, options: ValidateOptions = {}): BundleValidation {
  return runToEnd(validateBundleInSteps(input, options));
}

/**
 * What validateBundleInSteps knows once everything but the participants' lists is checked and
 * valid: the bundle's participants (their own fields, in the input's order) and the length of
 * each of their lists, and the rest of the bundle. Whatever the lists hold, the rest is as given here.
 */
export interface ValidAhead {
  bundle: Omit<Bundle, 'participants'>;
  participants: Array<{ fields: ParticipantFields; listLengths: Record<ParticipantListField, number> }>;
  /**
   * The participants whose lists have been checked, valid, in the input's order; it grows as the
   * steps go on, for as long as no problem has been found (the bundle is then refused, and the
   * list stops). Once the validation has ended without problems, it holds every participant.
   */
  checked: readonly Out<typeof Participant>[];
}

/** The lists a participant holds. */
export type ParticipantListField = (typeof LIST_FIELDS)[number];

/**
 * validateBundle in steps, for a caller that does other work meanwhile (an import streams rows to
 * the database). The generator checks every participant's own fields first and, when everything
 * but the lists is valid so far, yields a ValidAhead; then it checks the lists, pausing (yielding
 * undefined) after every `participantsPerStep` participants. It returns what validateBundle
 * returns, the same problems included.
 */
export function* validateBundleInSteps(
  input: unknown,
  options: ValidateOptions & { participantsPerStep?: number } = {},
): Generator<ValidAhead | undefined, BundleValidation> {
  const collector = new ProblemCollector(options.maxProblems ?? MAX_REPORTED_PROBLEMS);
  const bundle = yield* withoutStackTraces(validate(input, collector, options.participantsPerStep ?? Number.POSITIVE_INFINITY, options.wellFormed));
  if (bundle !== null) return { ok: true, bundle };
  const { problems, omitted } = collector.result();
  return { ok: false, problems, problemsOmitted: omitted };
}

/**
 * Validate `input`, handing every problem to `sink` as it is found (all of them: the sink decides
 * what to keep); the bundle when there is none, else null. For imports that report problems
 * elsewhere than at bundle paths (api/formats/table-import.ts).
 */
export function checkBundle(input: unknown, sink: ProblemSink): Bundle | null {
  return runToEnd(withoutStackTraces(validate(input, sink, Number.POSITIVE_INFINITY)));
}

function runToEnd<T>(steps: Generator<unknown, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Each step of `steps` run without stack traces: zod builds an Error for every failed parse;
 * capturing a stack for each made every problem cost ~20 µs. Nothing here reads those stacks.
 */
function* withoutStackTraces<Y, T>(steps: Generator<Y, T>): Generator<Y, T> {
  for (;;) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let step: IteratorResult<Y, T>;
    try {
      step = steps.next();
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    if (step.done) return step.value;
    yield step.value;
  }
}

function* validate(
  input: unknown,
  sink: ProblemSink,
  participantsPerStep: number,
  wellFormed?: ReadonlySet<object>,
): Generator<ValidAhead | undefined, Bundle | null> {
  const report: Report = (path, message) => sink.add(path, message);

  if (!isRecord(input)) {
    parseValue(StudyBundle, input, [], report);
    return null;
  }
  const shape = StudyBundle.shape;
  reportUnknownKeys(input, shape, [], report);
  const format = parseValue(shape.format, input.format, ['format'], report);
  const study = parseValue(shape.study, input.study, ['study'], report);
  if (study.ok) {
    for (const problem of visitsOutsideFollowUp(study.value.protocol)) report(['study', 'protocol', ...problem.path], problem.message);
  }
  const sites = parseList(shape.sites, Site, input.sites, ['sites'], report);
  const practitioners = parseList(shape.practitioners, Practitioner, input.practitioners, ['practitioners'], report);

  // Codes count as declared even in malformed records, so one bad field does not cascade.
  const context: CrossRecordInput = { siteCodes: declaredCodes(input.sites), practitionerCodes: declaredCodes(input.practitioners) };
  reportDuplicates(sites.items, 'sites', 'site', report);
  reportDuplicates(practitioners.items, 'practitioners', 'practitioner', report);
  for (let index = 0; index < practitioners.items.length; index++) {
    const value = practitioners.items[index]!;
    if (value.site !== undefined && !context.siteCodes.has(value.site)) {
      report(['practitioners', index, 'site'], `site "${value.site}" is not defined in sites`);
    }
  }

  let participantsOk = true;
  const checked: Out<typeof Participant>[] = [];
  const rawParticipants = input.participants;
  if (!Array.isArray(rawParticipants)) {
    participantsOk = parseValue(shape.participants, rawParticipants, ['participants'], report).ok;
  } else {
    // Every participant's own fields first, then their lists, so that a caller may write the
    // participants while their lists are checked. Problems are kept in document order, whatever
    // the order they are found in.
    const firstIndexOfCode = new Map<string, number>();
    const own: OwnFields[] = new Array(rawParticipants.length);
    for (let index = 0; index < rawParticipants.length; index++) {
      const at: PathSegment[] = ['participants', index];
      own[index] = parseParticipantFields(rawParticipants[index], at, report);
      participantsOk &&= own[index]!.ok;
      const code = own[index]!.fields.code;
      if (code !== undefined) {
        const first = firstIndexOfCode.get(code);
        if (first === undefined) firstIndexOfCode.set(code, index);
        else report([...at, 'code'], `participant code "${code}" is already used by participants[${first}]`);
      }
      participantFieldProblems(own[index]!.fields, at, context, report);
    }
    if (sink.total === 0 && format.ok && study.ok && sites.ok && practitioners.ok && participantsOk) {
      const ahead = validAhead(rawParticipants as Record<string, unknown>[], own, checked, {
        format: format.value,
        study: study.value,
        sites: sites.items as Out<typeof Site>[],
        practitioners: practitioners.items as Out<typeof Practitioner>[],
      });
      if (ahead !== null) yield ahead;
    }
    for (let index = 0; index < rawParticipants.length; index++) {
      const raw: unknown = rawParticipants[index];
      // A participant that is no object has been reported whole.
      if (!isRecord(raw)) continue;
      const at: PathSegment[] = ['participants', index];
      const { view, ok } = parseParticipantLists(raw, own[index]!, at, report, wellFormed);
      participantsOk &&= ok;
      participantListProblems(view, at, context, report);
      // Participants are kept only while the bundle may still be valid: a refused one needs none.
      if (sink.total === 0) checked.push(participantOf(view));
      if ((index + 1) % participantsPerStep === 0) yield undefined;
    }
  }

  if (sink.total > 0 || !format.ok || !study.ok || !sites.ok || !practitioners.ok || !participantsOk) return null;
  return {
    format: format.value,
    study: study.value,
    sites: sites.items as Out<typeof Site>[],
    practitioners: practitioners.items as Out<typeof Practitioner>[],
    participants: checked,
  };
}

/** Codes used by an earlier item of the list (items with a malformed code are not compared). */
function reportDuplicates(items: { code?: string }[], list: string, noun: string, report: Report): void {
  const firstIndex = new Map<string, number>();
  for (let index = 0; index < items.length; index++) {
    const code = items[index]!.code;
    if (code === undefined) continue;
    const first = firstIndex.get(code);
    if (first === undefined) firstIndex.set(code, index);
    else report([list, index, 'code'], `${noun} code "${code}" is already used by ${list}[${first}]`);
  }
}

/** The participants' own fields and the lengths of their lists; null when a list is neither a list nor absent. */
function validAhead(raw: Record<string, unknown>[], own: OwnFields[], checked: ValidAhead['checked'], bundle: ValidAhead['bundle']): ValidAhead | null {
  const participants: ValidAhead['participants'] = new Array(raw.length);
  for (let index = 0; index < raw.length; index++) {
    const lengths = {} as Record<ParticipantListField, number>;
    for (const list of LIST_FIELDS) {
      const items = raw[index]![list];
      if (items !== undefined && !Array.isArray(items)) return null;
      lengths[list] = items === undefined ? 0 : (items as unknown[]).length;
    }
    participants[index] = { fields: own[index]!.fields as ParticipantFields, listLengths: lengths };
  }
  return { bundle, participants, checked };
}

/** The rules on a participant's own fields. */
function participantFieldProblems(p: Partial<ParticipantFields>, at: PathSegment[], input: CrossRecordInput, report: Report): void {
  if (p.site !== undefined && !input.siteCodes.has(p.site)) report([...at, 'site'], `site "${p.site}" is not defined in sites`);
  if (p.birthYear !== undefined && p.enrolledOn !== undefined && p.birthYear > Number(p.enrolledOn.slice(0, 4))) {
    report([...at, 'birthYear'], `${p.birthYear} is after the year of enrolment (${p.enrolledOn})`);
  }
  if (p.withdrawnOn !== undefined && p.withdrawnOn !== null) {
    if (p.enrolledOn !== undefined && p.withdrawnOn < p.enrolledOn) {
      report([...at, 'withdrawnOn'], `${p.withdrawnOn} is before enrolment on ${p.enrolledOn}`);
    }
    if (p.withdrawalCause === null) report([...at, 'withdrawalCause'], 'is required when withdrawnOn is given');
  } else if (p.withdrawnOn === null) {
    if (p.withdrawalCause != null) report([...at, 'withdrawalCause'], 'is given but withdrawnOn is not');
    if (p.withdrawalReason != null) report([...at, 'withdrawalReason'], 'is given but withdrawnOn is not');
  }
}

/** The rules on a participant's lists. */
function participantListProblems(view: ParticipantView, at: PathSegment[], input: CrossRecordInput, report: Report): void {
  const p = view.fields;
  sessionProblems(view, at, input, report);

  // The first session is known only when every session's date is valid. An event names a
  // session by number; with repeated numbers, the first session listed with it counts.
  let firstSessionDate: string | undefined;
  let allSessionDatesKnown = true;
  let allSessionNumbersKnown = true;
  const sessionByNumber = new Map<number, Partial<Out<typeof TreatmentSession>>>();
  for (const value of view.sessions) {
    if (value.date === undefined) allSessionDatesKnown = false;
    else if (firstSessionDate === undefined || value.date < firstSessionDate) firstSessionDate = value.date;
    if (value.number === undefined) allSessionNumbersKnown = false;
    else if (!sessionByNumber.has(value.number)) sessionByNumber.set(value.number, value);
  }
  if (!allSessionDatesKnown) firstSessionDate = undefined;

  for (let index = 0; index < view.adverseEvents.length; index++) {
    const event = view.adverseEvents[index]!;
    const { onsetDate, resolvedDate, sessionNumber } = event;
    if (resolvedDate != null && onsetDate !== undefined && resolvedDate < onsetDate) {
      report([...at, 'adverseEvents', index, 'resolvedDate'], `${resolvedDate} is before onset on ${onsetDate}`);
    }
    if (p.enrolledOn !== undefined && onsetDate !== undefined && onsetDate < p.enrolledOn) {
      report([...at, 'adverseEvents', index, 'onsetDate'], `${onsetDate} is before enrolment on ${p.enrolledOn}`);
    }
    if (sessionNumber != null) {
      const linked = sessionByNumber.get(sessionNumber);
      if (linked === undefined && allSessionNumbersKnown) {
        report([...at, 'adverseEvents', index, 'sessionNumber'], `participant has no session ${sessionNumber}`);
      }
      const linkedDate = linked?.date;
      if (linkedDate !== undefined && onsetDate !== undefined && onsetDate < linkedDate) {
        report(
          [...at, 'adverseEvents', index, 'onsetDate'],
          `${onsetDate} is before session ${sessionNumber} on ${linkedDate}, which the event follows`,
        );
      }
    }
    const { grade, outcome, serious } = event;
    if (outcome === 'fatal' && grade !== undefined && grade !== 5) {
      report([...at, 'adverseEvents', index, 'grade'], `a fatal outcome is CTCAE grade 5 (got ${grade})`);
    }
    if (grade === 5 && outcome !== undefined && outcome !== 'fatal') {
      report([...at, 'adverseEvents', index, 'outcome'], `CTCAE grade 5 is death, so the outcome must be fatal (got ${outcome})`);
    }
    if (grade === 5 && serious === false) {
      report([...at, 'adverseEvents', index, 'serious'], 'a grade 5 (fatal) event is serious');
    }
  }
  const notBeforeFirstSession = (list: 'fadingAssessments' | 'surveys', items: { date?: string }[], noun: string) => {
    for (let index = 0; index < items.length; index++) {
      const value = items[index]!;
      if (value.date === undefined) continue;
      if (view.sessionCount === 0) {
        report([...at, list, index, 'date'], `participant has no sessions, so there is nothing to ${noun}`);
      } else if (firstSessionDate !== undefined && value.date < firstSessionDate) {
        report([...at, list, index, 'date'], `${value.date} is before the participant's first session on ${firstSessionDate}`);
      }
    }
  };
  notBeforeFirstSession('fadingAssessments', view.fadingAssessments, 'assess');
  notBeforeFirstSession('surveys', view.surveys, 'survey');
}

/** Numbers exactly 1..n, dates strictly ascending with the numbers, touch-ups after every initial session. */
function sessionProblems(view: ParticipantView, at: PathSegment[], input: CrossRecordInput, report: Report): void {
  const p = view.fields;
  const count = view.sessionCount;
  type Numbered = Indexed<Partial<Out<typeof TreatmentSession>> & { number: number }>;
  const byNumber = new Map<number, Numbered>();
  let allKindsKnown = true;
  for (let index = 0; index < view.sessions.length; index++) {
    const session = view.sessions[index]!;
    const { number, date, practitioner } = session;
    if (session.kind === undefined) allKindsKnown = false;
    if (number !== undefined) {
      const earlier = byNumber.get(number);
      if (earlier !== undefined) {
        report([...at, 'sessions', index, 'number'], `session number ${number} is already used by sessions[${earlier.index}]`);
      } else byNumber.set(number, { index, value: { ...session, number } });
      if (number > count) {
        report(
          [...at, 'sessions', index, 'number'],
          `session numbers must run 1..${count} without gaps for ${count} session${count === 1 ? '' : 's'} (got ${number})`,
        );
      }
    }
    if (practitioner !== undefined && !input.practitionerCodes.has(practitioner)) {
      report([...at, 'sessions', index, 'practitioner'], `practitioner "${practitioner}" is not defined in practitioners`);
    }
    if (date !== undefined && p.enrolledOn !== undefined && date < p.enrolledOn) {
      report([...at, 'sessions', index, 'date'], `${date} is before enrolment on ${p.enrolledOn}`);
    }
    if (date !== undefined && p.withdrawnOn != null && date > p.withdrawnOn) {
      report([...at, 'sessions', index, 'date'], `${date} is after withdrawal on ${p.withdrawnOn}`);
    }
  }

  // Order rules compare neighbours by number; each check needs both sides well-formed.
  const ordered = [...byNumber.values()].sort((a, b) => a.value.number - b.value.number);
  let lastInitial: number | undefined;
  let firstTouchUp: Numbered | undefined;
  ordered.forEach((item, k) => {
    const { index, value: session } = item;
    const previous = ordered[k - 1]?.value;
    if (previous?.date !== undefined && session.date !== undefined && session.date <= previous.date) {
      report(
        [...at, 'sessions', index, 'date'],
        `${session.date} is not after the date of session ${previous.number} (${previous.date}); dates must ascend with session numbers`,
      );
    }
    if (session.kind === 'initial') lastInitial = session.number;
    else if (session.kind === 'touch_up') firstTouchUp ??= item;
  });
  if (firstTouchUp !== undefined) {
    const touchUp = firstTouchUp.value.number;
    if (lastInitial === undefined) {
      if (allKindsKnown) {
        report([...at, 'sessions', firstTouchUp.index, 'kind'], 'a touch-up needs an initial session before it');
      }
    } else if (lastInitial > touchUp) {
      report(
        [...at, 'sessions', firstTouchUp.index, 'kind'],
        `touch-up session ${touchUp} comes before initial session ${lastInitial}; touch-ups follow the last initial session`,
      );
    }
  }
}
