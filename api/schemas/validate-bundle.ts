// Validates a study bundle completely: the shape of every field (zod) and the rules that span
// fields and records (references, numbering, date order). Every problem is reported at once;
// when some records are malformed the cross-record rules still run on the well-formed ones.
import { z } from 'zod';
import { Participant, Practitioner, Site, StudyBundle, type StudyBundle as Bundle } from './bundle.ts';
import { formatPath, issueMessage, problemsFromZod, type PathSegment, type Problem } from './problems.ts';

export type BundleValidation = { ok: true; bundle: Bundle } | { ok: false; problems: Problem[] };

const parseOptions = { error: issueMessage } as const;

interface Indexed<T> {
  index: number;
  value: T;
}

/** Well-formed elements of `items` under `schema`, each with its position in the input. */
function wellFormed<T>(items: unknown, schema: z.ZodType<T>): Indexed<T>[] {
  if (!Array.isArray(items)) return [];
  const out: Indexed<T>[] = [];
  items.forEach((item, index) => {
    const result = schema.safeParse(item, parseOptions);
    if (result.success) out.push({ index, value: result.data });
  });
  return out;
}

/** Codes declared in `items`, read from the raw input so that one bad record does not hide its code. */
function declaredCodes(items: unknown): Set<string> {
  const codes = new Set<string>();
  if (!Array.isArray(items)) return codes;
  for (const item of items) {
    const code = (item as { code?: unknown } | null)?.code;
    if (typeof code === 'string') codes.add(code);
  }
  return codes;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Validate `input` as a `smp-study-bundle/1` document. */
export function validateBundle(input: unknown): BundleValidation {
  const parsed = StudyBundle.safeParse(input, parseOptions);
  if (parsed.success) {
    const problems = crossRecordProblems({
      sites: parsed.data.sites.map((value, index) => ({ index, value })),
      practitioners: parsed.data.practitioners.map((value, index) => ({ index, value })),
      participants: parsed.data.participants.map((value, index) => ({ index, value })),
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
      participants: wellFormed(raw.participants, Participant),
      siteCodes: declaredCodes(raw.sites),
      practitionerCodes: declaredCodes(raw.practitioners),
    }),
  );
  return { ok: false, problems: sortProblems(problems) };
}

interface CrossRecordInput {
  sites: Indexed<z.output<typeof Site>>[];
  practitioners: Indexed<z.output<typeof Practitioner>>[];
  participants: Indexed<z.output<typeof Participant>>[];
  siteCodes: Set<string>;
  practitionerCodes: Set<string>;
}


function crossRecordProblems(input: CrossRecordInput): Problem[] {
  const problems: Problem[] = [];
  const report = (path: PathSegment[], message: string) => problems.push({ path: formatPath(path), message });

  reportDuplicates(input.sites, 'sites', 'site', report);
  reportDuplicates(input.practitioners, 'practitioners', 'practitioner', report);
  reportDuplicates(input.participants, 'participants', 'participant', report);

  for (const { index, value } of input.practitioners) {
    if (!input.siteCodes.has(value.site)) report(['practitioners', index, 'site'], `site "${value.site}" is not defined in sites`);
  }
  for (const { index, value } of input.participants) {
    participantProblems(value, ['participants', index], input, report);
  }
  return problems;
}

function reportDuplicates(
  items: Indexed<{ code: string }>[],
  list: string,
  noun: string,
  report: (path: PathSegment[], message: string) => void,
): void {
  const firstIndex = new Map<string, number>();
  for (const { index, value } of items) {
    const first = firstIndex.get(value.code);
    if (first === undefined) firstIndex.set(value.code, index);
    else report([list, index, 'code'], `${noun} code "${value.code}" is already used by ${list}[${first}]`);
  }
}

function participantProblems(
  participant: z.output<typeof Participant>,
  at: PathSegment[],
  input: CrossRecordInput,
  report: (path: PathSegment[], message: string) => void,
): void {
  const p = participant;
  if (!input.siteCodes.has(p.site)) report([...at, 'site'], `site "${p.site}" is not defined in sites`);
  if (p.birthYear > Number(p.enrolledOn.slice(0, 4))) {
    report([...at, 'birthYear'], `${p.birthYear} is after the year of enrolment (${p.enrolledOn})`);
  }
  if (p.withdrawnOn !== null) {
    if (p.withdrawnOn < p.enrolledOn) {
      report([...at, 'withdrawnOn'], `${p.withdrawnOn} is before enrolment on ${p.enrolledOn}`);
    }
    if (p.withdrawalCause === null) report([...at, 'withdrawalCause'], 'is required when withdrawnOn is given');
  } else {
    if (p.withdrawalCause !== null) report([...at, 'withdrawalCause'], 'is given but withdrawnOn is not');
    if (p.withdrawalReason !== null) report([...at, 'withdrawalReason'], 'is given but withdrawnOn is not');
  }

  // Sessions: numbers exactly 1..n, dates strictly ascending with the numbers, touch-ups after every initial.
  const byNumber = new Map<number, number>();
  p.sessions.forEach((session, i) => {
    const earlier = byNumber.get(session.number);
    if (earlier !== undefined) {
      report([...at, 'sessions', i, 'number'], `session number ${session.number} is already used by sessions[${earlier}]`);
    } else byNumber.set(session.number, i);
    if (!input.practitionerCodes.has(session.practitioner)) {
      report([...at, 'sessions', i, 'practitioner'], `practitioner "${session.practitioner}" is not defined in practitioners`);
    }
    if (session.date < p.enrolledOn) {
      report([...at, 'sessions', i, 'date'], `${session.date} is before enrolment on ${p.enrolledOn}`);
    }
    if (p.withdrawnOn !== null && session.date > p.withdrawnOn) {
      report([...at, 'sessions', i, 'date'], `${session.date} is after withdrawal on ${p.withdrawnOn}`);
    }
  });
  const count = p.sessions.length;
  p.sessions.forEach((session, i) => {
    if (session.number > count) {
      report(
        [...at, 'sessions', i, 'number'],
        `session numbers must run 1..${count} without gaps for ${count} session${count === 1 ? '' : 's'} (got ${session.number})`,
      );
    }
  });
  const ordered = [...byNumber.entries()].sort((a, b) => a[0] - b[0]).map(([, i]) => ({ i, session: p.sessions[i]! }));
  let lastInitial: { number: number } | undefined;
  let firstTouchUp: { number: number } | undefined;
  for (let k = 0; k < ordered.length; k++) {
    const { i, session } = ordered[k]!;
    const previous = ordered[k - 1];
    if (previous && session.date <= previous.session.date) {
      report(
        [...at, 'sessions', i, 'date'],
        `${session.date} is not after the date of session ${previous.session.number} (${previous.session.date}); dates must ascend with session numbers`,
      );
    }
    if (session.kind === 'initial') lastInitial = session;
    else firstTouchUp ??= session;
  }
  if (firstTouchUp !== undefined) {
    const firstIndex = byNumber.get(firstTouchUp.number)!;
    if (lastInitial === undefined) {
      report([...at, 'sessions', firstIndex, 'kind'], 'a touch-up needs an initial session before it');
    } else if (lastInitial.number > firstTouchUp.number) {
      report(
        [...at, 'sessions', firstIndex, 'kind'],
        `touch-up session ${firstTouchUp.number} comes before initial session ${lastInitial.number}; touch-ups follow the last initial session`,
      );
    }
  }

  const firstSessionDate = ordered[0]?.session.date;
  p.adverseEvents.forEach((event, i) => {
    if (event.resolvedDate !== null && event.resolvedDate < event.onsetDate) {
      report([...at, 'adverseEvents', i, 'resolvedDate'], `${event.resolvedDate} is before onset on ${event.onsetDate}`);
    }
    if (event.onsetDate < p.enrolledOn) {
      report([...at, 'adverseEvents', i, 'onsetDate'], `${event.onsetDate} is before enrolment on ${p.enrolledOn}`);
    }
    if (event.sessionNumber !== null && !byNumber.has(event.sessionNumber)) {
      report([...at, 'adverseEvents', i, 'sessionNumber'], `participant has no session ${event.sessionNumber}`);
    }
  });
  const beforeFirstSession = (list: 'fadingAssessments' | 'surveys', dates: string[], noun: string) => {
    dates.forEach((date, i) => {
      if (firstSessionDate === undefined) {
        report([...at, list, i, 'date'], `participant has no sessions, so there is nothing to ${noun}`);
      } else if (date < firstSessionDate) {
        report([...at, list, i, 'date'], `${date} is before the participant's first session on ${firstSessionDate}`);
      }
    });
  };
  beforeFirstSession('fadingAssessments', p.fadingAssessments.map((a) => a.date), 'assess');
  beforeFirstSession('surveys', p.surveys.map((s) => s.date), 'survey');
}

/** Order problems by where they occur in the document, so related ones read together. */
function sortProblems(problems: Problem[]): Problem[] {
  const key = (path: string) => path.replace(/\[(\d+)\]/g, (_, n: string) => `[${n.padStart(8, '0')}]`);
  return problems
    .map((problem, order) => ({ problem, order, key: key(problem.path) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.order - b.order))
    .map((entry) => entry.problem);
}
