// A write to one participant: the participant locked and loaded in the caller's scope, and the
// participant as it will be after the change checked with the importer's own rules
// (validateBundle), so the API and the importer refuse the same things in the same words.
import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/kysely.ts';
import {
  loadWrittenParticipant,
  practitionersByCode,
  selectReviewState,
  sitesByCode,
  type LoadedParticipant,
  type SignedReviewState,
} from '../../db/repositories/participant-repository.ts';
import type { StudyRow } from '../../db/repositories/study-repository.ts';
import { AppError } from '../errors.ts';
import { BUNDLE_FORMAT, type Participant, type StudyBundle } from '../schemas/bundle.ts';
import type { Problem } from '../schemas/problems.ts';
import { validateBundle } from '../schemas/validate-bundle.ts';
import { participantNotFound, reachesSite, requirePermission, requireStudyScope, type ChangeContext, type StudyScope } from './access.ts';
import { assertParticipantWritable } from './participant-lock-service.ts';
import { afterParticipantWrite } from './edit-check-service.ts';
import { writeToParticipant } from './participant-write-queue.ts';
import { invalidateSignatures } from './signature-service.ts';
import { loadedOf, notFound, type Loaded, type RecordList, type WrittenParticipant } from './participant-views.ts';
import { protocolOf } from './record-mapping.ts';

/** Where the written record sits in the participant, so its problems read as paths in the body. */
export type Focus = { kind: 'participant' } | { kind: 'record'; list: RecordList; index: number } | { kind: 'elsewhere' };

/**
 * A problem's path as the caller reads it: in the body for the record being written (`date`),
 * in the participant for any other record (`participant.adverseEvents[0].sessionNumber`, the
 * index as the record's list is returned).
 */
function pathFor(path: string, focus: Focus): string {
  const inner = path.replace(/^participants\[0\]\.?/, '');
  if (focus.kind === 'participant') return inner === '' ? '(body)' : inner;
  if (focus.kind === 'record') {
    const prefix = `${focus.list}[${focus.index}]`;
    if (inner === prefix) return '(body)';
    if (inner.startsWith(`${prefix}.`)) return inner.slice(prefix.length + 1);
  }
  return `participant.${inner}`;
}

/** The sites and practitioners known while checking a participant, by code, with their numbers. */
export interface CheckContext {
  study: StudyRow;
  practitioners: Map<string, { code: string; site: string; yearsExperience: number; practitionerNo: number }>;
  sites: Map<string, { code: string; name: string; siteNo: number }>;
}

export function contextOf(loaded: Loaded): CheckContext {
  return {
    study: loaded.study,
    practitioners: new Map(loaded.practitioners),
    sites: new Map([
      [loaded.row.site_code, { code: loaded.row.site_code, name: loaded.row.site_name, siteNo: loaded.row.site_no }],
      ...loaded.practitionerSites,
    ]),
  };
}

/**
 * The participant's records as stored: the schemas' output, read back from the columns they were
 * written to. A check of a record added or changed need not parse them again (validateBundle's
 * wellFormed); the one written is always a new object, so it is parsed.
 */
export function storedRecords(loaded: Loaded): ReadonlySet<object> {
  return new Set<object>([
    ...loaded.sessions.map((s) => s.record),
    ...loaded.adverseEvents.map((e) => e.record),
    ...loaded.fadingAssessments.map((a) => a.record),
    ...loaded.surveys.map((s) => s.record),
  ]);
}

/**
 * Check the participant as it will be after a change with the importer's rules: a bundle of
 * this participant and just the sites and practitioners its records name. Those the participant
 * named already come with it; others are looked up, and any that do not exist are left out, so
 * that the importer's "is not defined" problem names them. Returns the participant as the
 * importer reads it (defaults applied) and the numbers of the sites and practitioners it names.
 */
export async function checkParticipant(
  kysely: Kysely<Database>,
  context: CheckContext,
  participant: Participant,
  focus: Focus,
  what: string,
  wellFormed?: ReadonlySet<object>,
) {
  const { study, practitioners, sites } = context;
  const unknownPractitioners = [...new Set(participant.sessions.map((s) => s.practitioner))].filter((code) => !practitioners.has(code));
  for (const p of await practitionersByCode(kysely, study.study_id, unknownPractitioners)) {
    practitioners.set(p.code, { code: p.code, site: p.site_code, yearsExperience: p.years_experience, practitionerNo: p.practitioner_no });
    if (!sites.has(p.site_code)) sites.set(p.site_code, { code: p.site_code, name: p.site_name, siteNo: p.site_no });
  }
  const named = [participant.site, ...[...practitioners.values()].map((p) => p.site)];
  const unknownSites = [...new Set(named)].filter((code) => !sites.has(code));
  for (const s of await sitesByCode(kysely, study.study_id, unknownSites)) sites.set(s.code, { code: s.code, name: s.name, siteNo: s.site_no });
  const bundle: StudyBundle = {
    format: BUNDLE_FORMAT,
    study: { code: study.code, title: study.title, protocol: protocolOf(study) },
    // The site's country is no part of a participant's rules: it is not read for the check.
    sites: [...sites.values()].map(({ code, name }) => ({ code, name, country: null })),
    practitioners: [...practitioners.values()].map(({ code, site, yearsExperience }) => ({ code, site, yearsExperience })),
    participants: [participant],
  };
  const result = validateBundle(bundle, { wellFormed });
  if (!result.ok) {
    const problems: Problem[] = result.problems.map((p) => ({ path: pathFor(p.path, focus), message: p.message }));
    const count = problems.length;
    throw new AppError('validation', `the ${what} has ${count} problem${count === 1 ? '' : 's'}`, problems);
  }
  return {
    participant: result.bundle.participants[0]!,
    siteNo: (code: string) => sites.get(code)!.siteNo,
    practitionerNo: (code: string) => practitioners.get(code)!.practitionerNo,
  };
}

export interface WriteContext {
  trx: Kysely<Database>;
  scope: StudyScope;
  loaded: Loaded;
  /**
   * Say what the participant is once the write is made, when the writer knows it (one record
   * added or changed: withRecord): the checks after the write then read it from here instead
   * of loading the participant again.
   */
  written(participant: WrittenParticipant): void;
}

/**
 * Lock the participant, load it, and run `work` in a transaction (shared with other writers' when
 * many write at once: participant-write-queue.ts). A participant locked after sign-off is refused
 * (participant-lock-service.ts); a change marks its signatures invalid (signature-service.ts).
 */
export async function writeParticipant<T>(db: Db, change: ChangeContext, studyCode: string, participantCode: string, work: (ctx: WriteContext) => Promise<T>) {
  const scope = requireStudyScope(change.actor, studyCode);
  requirePermission(scope, 'writeParticipants', 'change participants or their records');
  return writeToParticipant(db, {
    studyCode,
    participantCode,
    async run(trx, rows) {
      if (!rows || !reachesSite(scope, rows.participant.site_code)) {
        throw rows ? participantNotFound(participantCode) : await notFound(trx, studyCode, participantCode);
      }
      // The statement that held the participant's row read its sign-off lock too (a refusal reads the lock's details).
      if (rows.locked !== false) await assertParticipantWritable(trx, studyCode, participantCode);
      let known: WrittenParticipant | undefined;
      const done = await work({ trx, scope, loaded: loadedOf(rows), written: (participant) => (known = participant) });
      // The participant as written, with its review state and whether a valid signature is
      // there to mark invalid (a deleted participant's signatures stay to mark): as the writer
      // said it is, with the review state its batch read once the row was held, or else read.
      const written = known !== undefined ? await withReview(trx, known, rows, studyCode, participantCode) : await loadWritten(trx, studyCode, participantCode);
      if (written === undefined || written.review.signed) {
        await invalidateSignatures(trx, change, studyCode, participantCode, [rows.participant.site_code]);
      }
      if (written !== undefined) await afterParticipantWrite(trx, change, written.participant, written.review);
      return done;
    },
  });
}

type Written = { participant: WrittenParticipant; review: SignedReviewState };

async function withReview(trx: Kysely<Database>, participant: WrittenParticipant, rows: LoadedParticipant, studyCode: string, code: string): Promise<Written> {
  const review = rows.review ?? (await selectReviewState(trx, studyCode, code));
  return { participant, review: review! };
}

async function loadWritten(trx: Kysely<Database>, studyCode: string, code: string): Promise<Written | undefined> {
  const written = await loadWrittenParticipant(trx, studyCode, code);
  return written === undefined ? undefined : { participant: loadedOf(written), review: written.review };
}

/** A refusal to change a record's key (a participant's code, a session's number) with a patch. */
export function keyChange(field: string, value: string | number): AppError {
  return new AppError('validation', `${field} is the record's key and cannot be changed`, [
    { path: field, message: `is the record's key and cannot be changed (it is ${JSON.stringify(value)})` },
  ]);
}
