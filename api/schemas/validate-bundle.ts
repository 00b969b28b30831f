// Validates a study bundle completely: the shape of every field (zod) and the rules that span
// fields and records (references, numbering, date order). Every problem is reported at once:
// when a record is malformed, the cross-record rules still run on its well-formed fields and
// on the well-formed records around it.
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
import { formatPath, issueMessage, problemsFromZod, type PathSegment, type Problem } from './problems.ts';

export type BundleValidation = { ok: true; bundle: Bundle } | { ok: false; problems: Problem[] };

const parseOptions = { error: issueMessage } as const;

interface Indexed<T> {
  index: number;
  value: T;
}

type Out<S extends z.ZodType> = z.output<S>;
type ParticipantFields = Omit<Out<typeof Participant>, 'sessions' | 'adverseEvents' | 'fadingAssessments' | 'surveys'>;

/** A participant as far as it is well-formed: each field only if valid, each list item only if valid. */
interface ParticipantView {
  fields: Partial<ParticipantFields>;
  sessions: Indexed<Partial<Out<typeof TreatmentSession>>>[];
  adverseEvents: Indexed<Partial<Out<typeof AdverseEvent>>>[];
  fadingAssessments: Indexed<Partial<Out<typeof FadingAssessment>>>[];
  surveys: Indexed<Partial<Out<typeof SatisfactionSurvey>>>[];
  /** How many sessions the input lists, well-formed or not. */
  sessionCount: number;
}

interface CrossRecordInput {
  sites: Indexed<Out<typeof Site>>[];
  practitioners: Indexed<Out<typeof Practitioner>>[];
  participants: Indexed<ParticipantView>[];
  siteCodes: Set<string>;
  practitionerCodes: Set<string>;
}

const indexed = <T>(items: T[]): Indexed<T>[] => items.map((value, index) => ({ index, value }));

/** Well-formed elements of `items` under `schema`, each with its position in the input. */
function wellFormed<S extends z.ZodType>(items: unknown, schema: S): Indexed<Out<S>>[] {
  if (!Array.isArray(items)) return [];
  const out: Indexed<Out<S>>[] = [];
  items.forEach((item, index) => {
    const result = schema.safeParse(item, parseOptions);
    if (result.success) out.push({ index, value: result.data });
  });
  return out;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The fields of `input` that are valid under the object schema `schema`; invalid ones are left out. */
function validFields<S extends z.ZodObject>(schema: S, input: unknown, skip: readonly string[] = []): Partial<Out<S>> {
  const raw = asRecord(input);
  const fields: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    if (skip.includes(key)) continue;
    const result = (field as z.ZodType).safeParse(raw[key], parseOptions);
    if (result.success) fields[key] = result.data;
  }
  return fields as Partial<Out<S>>;
}

/** Every item of a raw list, reduced to its valid fields, with its position. */
function validItems<S extends z.ZodObject>(items: unknown, schema: S): Indexed<Partial<Out<S>>>[] {
  return Array.isArray(items) ? items.map((item, index) => ({ index, value: validFields(schema, item) })) : [];
}

/** Values of `field` in the raw list items that have the expected type, read even from malformed items. */
function declared<T extends string | number>(items: unknown, field: string, type: 'string' | 'number'): Set<T> {
  const values = new Set<T>();
  if (!Array.isArray(items)) return values;
  for (const item of items) {
    const value = asRecord(item)[field];
    if (typeof value === type) values.add(value as T);
  }
  return values;
}

function viewOfParsed(p: Out<typeof Participant>): ParticipantView {
  const { sessions, adverseEvents, fadingAssessments, surveys, ...fields } = p;
  return {
    fields,
    sessions: indexed(sessions),
    adverseEvents: indexed(adverseEvents),
    fadingAssessments: indexed(fadingAssessments),
    surveys: indexed(surveys),
    sessionCount: sessions.length,
  };
}

function viewOfRaw(input: unknown): ParticipantView {
  const raw = asRecord(input);
  return {
    fields: validFields(Participant, raw, ['sessions', 'adverseEvents', 'fadingAssessments', 'surveys']),
    sessions: validItems(raw.sessions, TreatmentSession),
    adverseEvents: validItems(raw.adverseEvents, AdverseEvent),
    fadingAssessments: validItems(raw.fadingAssessments, FadingAssessment),
    surveys: validItems(raw.surveys, SatisfactionSurvey),
    sessionCount: Array.isArray(raw.sessions) ? raw.sessions.length : 0,
  };
}

/** Validate `input` as a `smp-study-bundle/1` document. */
export function validateBundle(input: unknown): BundleValidation {
  const parsed = StudyBundle.safeParse(input, parseOptions);
  if (parsed.success) {
    const problems = crossRecordProblems({
      sites: indexed(parsed.data.sites),
      practitioners: indexed(parsed.data.practitioners),
      participants: parsed.data.participants.map((p, index) => ({ index, value: viewOfParsed(p) })),
      siteCodes: new Set(parsed.data.sites.map((s) => s.code)),
      practitionerCodes: new Set(parsed.data.practitioners.map((p) => p.code)),
    });
    return problems.length === 0 ? { ok: true, bundle: parsed.data } : { ok: false, problems: sortProblems(problems) };
  }
  const raw = asRecord(input);
  const problems = problemsFromZod(parsed.error);
  problems.push(
    ...crossRecordProblems({
      sites: wellFormed(raw.sites, Site),
      practitioners: wellFormed(raw.practitioners, Practitioner),
      participants: Array.isArray(raw.participants) ? raw.participants.map((p, index) => ({ index, value: viewOfRaw(p) })) : [],
      siteCodes: declared<string>(raw.sites, 'code', 'string'),
      practitionerCodes: declared<string>(raw.practitioners, 'code', 'string'),
    }),
  );
  return { ok: false, problems: sortProblems(problems) };
}

type Report = (path: PathSegment[], message: string) => void;

function crossRecordProblems(input: CrossRecordInput): Problem[] {
  const problems: Problem[] = [];
  const report: Report = (path, message) => problems.push({ path: formatPath(path), message });

  reportDuplicates(input.sites, 'sites', 'site', report);
  reportDuplicates(input.practitioners, 'practitioners', 'practitioner', report);
  reportDuplicates(
    input.participants.flatMap(({ index, value }) => (value.fields.code === undefined ? [] : [{ index, value: { code: value.fields.code } }])),
    'participants',
    'participant',
    report,
  );
  for (const { index, value } of input.practitioners) {
    if (!input.siteCodes.has(value.site)) report(['practitioners', index, 'site'], `site "${value.site}" is not defined in sites`);
  }
  for (const { index, value } of input.participants) {
    participantProblems(value, ['participants', index], input, report);
  }
  return problems;
}

function reportDuplicates(items: Indexed<{ code: string }>[], list: string, noun: string, report: Report): void {
  const firstIndex = new Map<string, number>();
  for (const { index, value } of items) {
    const first = firstIndex.get(value.code);
    if (first === undefined) firstIndex.set(value.code, index);
    else report([list, index, 'code'], `${noun} code "${value.code}" is already used by ${list}[${first}]`);
  }
}

function participantProblems(view: ParticipantView, at: PathSegment[], input: CrossRecordInput, report: Report): void {
  const p = view.fields;
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

  sessionProblems(view, at, input, report);

  // The first session is known only when every session's date is valid.
  const sessionDates = view.sessions.map(({ value }) => value.date);
  const firstSessionDate = sessionDates.every((d) => d !== undefined) ? sessionDates.sort()[0] : undefined;
  const sessionNumbers = new Set(view.sessions.map(({ value }) => value.number));
  const allSessionNumbersKnown = !sessionNumbers.has(undefined);
  for (const { index, value: event } of view.adverseEvents) {
    const { onsetDate, resolvedDate, sessionNumber } = event;
    if (resolvedDate != null && onsetDate !== undefined && resolvedDate < onsetDate) {
      report([...at, 'adverseEvents', index, 'resolvedDate'], `${resolvedDate} is before onset on ${onsetDate}`);
    }
    if (p.enrolledOn !== undefined && onsetDate !== undefined && onsetDate < p.enrolledOn) {
      report([...at, 'adverseEvents', index, 'onsetDate'], `${onsetDate} is before enrolment on ${p.enrolledOn}`);
    }
    if (sessionNumber != null && allSessionNumbersKnown && !sessionNumbers.has(sessionNumber)) {
      report([...at, 'adverseEvents', index, 'sessionNumber'], `participant has no session ${sessionNumber}`);
    }
    const linkedDate = view.sessions.find(({ value }) => value.number === sessionNumber)?.value.date;
    if (sessionNumber != null && linkedDate !== undefined && onsetDate !== undefined && onsetDate < linkedDate) {
      report([...at, 'adverseEvents', index, 'onsetDate'], `${onsetDate} is before session ${sessionNumber} on ${linkedDate}, which the event follows`);
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
  const notBeforeFirstSession = (list: 'fadingAssessments' | 'surveys', items: Indexed<{ date?: string }>[], noun: string) => {
    for (const { index, value } of items) {
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
  for (const { index, value: session } of view.sessions) {
    const { number, date, practitioner } = session;
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
      if (view.sessions.every(({ value }) => value.kind !== undefined)) {
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

/** Order problems by where they occur in the document, so related ones read together. */
function sortProblems(problems: Problem[]): Problem[] {
  const key = (path: string) => path.replace(/\[(\d+)\]/g, (_, n: string) => `[${n.padStart(8, '0')}]`);
  return problems
    .map((problem, order) => ({ problem, order, key: key(problem.path) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.order - b.order))
    .map((entry) => entry.problem);
}
