// The survey outbox: invitations and reminders by email for the scheduled surveys. The planner
// adds a row per (participant, visit, step) when a step comes due: the invitation once a visit's
// window that expects a survey is open and the survey is missing, then reminder K on the K-th of
// the study's reminder days after the invitation went out. The unique key makes a step planned
// twice (two processes, a restart) one row. The sender takes one due row at a time with
// FOR UPDATE SKIP LOCKED inside a transaction, checks the step is still wanted, sends the mail,
// and, only once the mail server accepted it, stores the fresh link and marks the row sent in
// the same transaction. A process that dies while sending loses its transaction: the row is
// pending again, the link was never stored, and another process sends it. The one window in
// which a message can go out twice: the mail server accepted it and the process died before its
// commit; the first copy's link then does not work, the second's does.
import { randomUUID } from 'node:crypto';
import { participantSchedule, type ScheduleStep } from '../../analysis/schedule.ts';
import type { DayNumber, ProtocolFacts } from '../../analysis/types.ts';
import type { Db } from '../../db/kysely.ts';
import { findStudyByCode, type StudyRow } from '../../db/repositories/study-repository.ts';
import { insertSurveyLink } from '../../db/repositories/survey-link-repository.ts';
import {
  claimDueMessage,
  countSurveyMessages,
  listSurveyMessages,
  insertSurveyMessage,
  markMessageCancelled,
  markMessageFailed,
  markMessageSent,
  selectContactedParticipants,
  selectStudiesWithVisits,
  selectStudyMessages,
} from '../../db/repositories/survey-message-repository.ts';
import { selectScheduleFacts, type ScheduleFactRow } from '../../db/repositories/worklist-repository.ts';
import type { OutboxList, OutboxQuery } from '../schemas/survey-outbox.ts';
import { todayIn } from '../schemas/today.ts';
import { requireAdmin, type Actor, type ChangeContext } from './access.ts';
import { recordChange } from './audit-service.ts';
import { withoutAddresses, type Mailer } from './mailer.ts';
import { emailForSending } from './participant-contact-service.ts';
import { protocolOf } from './record-mapping.ts';
import { newLinkSecret, surveyLinkUrl } from './survey-link-service.ts';
import { daysOfFacts, sessionsOfFacts } from './worklist-service.ts';

const MS_PER_DAY = 86_400_000;
const dayOf = (date: string): DayNumber => Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY;

/** Minutes to wait after the K-th failed attempt; after the last, the message is given up (failed). */
export const RETRY_MINUTES = [1, 5, 15, 60, 180, 360, 720] as const;

/** The audit trail's name for links the outbox makes. */
export const OUTBOX_ACTOR = 'survey-outbox';

/** The name of a step: step 0 is the invitation, step K the K-th reminder. */
export const stepName = (step: number) => (step === 0 ? 'invitation' : `reminder ${step}`);

export interface OutboxSettings {
  /** The time zone whose date is "today" for the schedule (SMP_TIME_ZONE; the server's when unset). */
  timeZone: string | undefined;
}

export interface SenderSettings extends OutboxSettings {
  mailer: Mailer;
  /** SMP_CONTACT_KEY: without it no address can be opened, and every attempt fails until it is set. */
  contactKey: Buffer | undefined;
  /** The address participants open, under which the link's page lives. */
  baseUrl: string;
  /** The domain of the Message-IDs (the From address's). */
  messageDomain: string;
}

/** The visits of a study's protocol that expect a survey. */
function surveyVisits(study: StudyRow): Set<string> {
  return new Set((study.visits ?? []).filter((v) => v.expects.includes('survey')).map((v) => v.code));
}

/** A participant's schedule as of a day, from the facts the worklist reads (identified dates). */
function scheduleOf(protocol: ProtocolFacts, row: ScheduleFactRow, asOf: DayNumber) {
  return participantSchedule(
    protocol,
    {
      sessions: sessionsOfFacts(row.sessions, 0),
      assessmentDays: daysOfFacts(row.assessments, 0),
      surveyDays: daysOfFacts(row.surveys, 0),
      withdrawnDay: row.withdrawn_day,
    },
    asOf,
  );
}

/** Whether a visit's survey is wanted now: its window is open, it is missing, and the participant has not withdrawn. */
const surveyWanted = (step: ScheduleStep) => step.kind === 'visit' && step.status === 'due' && step.missing.includes('survey');

/**
 * Plan the invitations and reminders that came due as of `now` in every study; returns how many
 * rows were added. Only participants with stored contact details are considered.
 */
export async function planSurveyMessages(db: Db, settings: OutboxSettings, now: Date): Promise<number> {
  const asOf = dayOf(todayIn(settings.timeZone, now));
  let planned = 0;
  for (const study of await selectStudiesWithVisits(db.kysely)) {
    const visits = surveyVisits(study);
    if (visits.size === 0) continue;
    const contacted = await selectContactedParticipants(db.kysely, study.study_id);
    if (contacted.size === 0) continue;
    const protocol = protocolOf(study);
    const messages = new Map<string, Map<number, { status: string; sentAt: string | null }>>();
    for (const m of await selectStudyMessages(db.kysely, study.study_id)) {
      const key = `${m.participant_no}/${m.visit_code}`;
      if (!messages.has(key)) messages.set(key, new Map());
      messages.get(key)!.set(m.step, { status: m.status, sentAt: m.sent_at });
    }
    const facts = await selectScheduleFacts(db.kysely, study.study_id, { form: db.driver === 'pglite' ? 'json' : 'rows' });
    for (const row of facts) {
      if (!contacted.has(row.participant_no)) continue;
      for (const step of scheduleOf(protocol, row, asOf).steps) {
        if (!visits.has(step.step) || !surveyWanted(step)) continue;
        const next = nextStep(messages.get(`${row.participant_no}/${step.step}`), study.survey_reminder_days, now);
        if (next === null) continue;
        const values = { studyId: study.study_id, participantNo: row.participant_no, visitCode: step.step, step: next, messageKey: randomUUID(), now };
        if (await insertSurveyMessage(db.kysely, values)) planned++;
      }
    }
  }
  return planned;
}

/**
 * The step to plan for one visit, or null: the invitation when there is none; then reminder K
 * once the invitation went out K-th-reminder-days ago and reminder K − 1 is no longer pending.
 */
export function nextStep(steps: Map<number, { status: string; sentAt: string | null }> | undefined, reminderDays: readonly number[], now: Date): number | null {
  const invitation = steps?.get(0);
  if (invitation === undefined) return 0;
  if (invitation.sentAt === null) return null;
  for (let k = 1; k <= reminderDays.length; k++) {
    if (steps!.has(k)) continue;
    if (steps!.get(k - 1)?.status === 'pending') return null;
    const due = new Date(invitation.sentAt).getTime() + reminderDays[k - 1]! * MS_PER_DAY;
    return now.getTime() >= due ? k : null;
  }
  return null;
}

/** The outbox's change context: links it makes are audited under its name. */
const outboxChange: ChangeContext = {
  actor: { userId: null, username: OUTBOX_ACTOR, role: 'admin', grants: [] },
  reason: 'survey invitation or reminder sent by email',
  requestId: null,
};

/** The text of a message: the study's title and the link, nothing of the participant. */
export function messageText(studyTitle: string, url: string, step: number): { subject: string; text: string } {
  const subject = step === 0 ? `${studyTitle}: a short survey` : `Reminder: ${studyTitle}: a short survey`;
  const text =
    `${studyTitle}\n\n` +
    (step === 0 ? 'You are invited to answer a short survey of two questions.\n' : 'A reminder: your answer to a short survey of two questions is still welcome.\n') +
    `Please open this link to answer; it works once:\n\n${url}\n`;
  return { subject, text };
}

export type SendOutcome = 'sent' | 'failed' | 'cancelled' | 'none';

/** Why a planned message is no longer wanted, or null when it still is. */
function cancelReason(step: ScheduleStep | undefined): string | null {
  if (step === undefined) return 'the visit is no longer in the participant’s schedule';
  if (step.status === 'withdrawn') return 'the participant withdrew';
  if (!step.missing.includes('survey')) return 'the survey is in';
  if (step.status === 'overdue') return 'the visit’s window closed';
  if (step.status === 'upcoming') return 'the visit’s window has not opened';
  return null;
}

/**
 * Send the next due message, if any, in one transaction: claim it, check it is still wanted,
 * hand it to the mail server, then store its link and mark it sent. A failure is recorded with
 * its error (addresses removed) and retried later; a refusal by the server (5xx) is final.
 */
export async function sendNextMessage(db: Db, settings: SenderSettings, now: Date): Promise<SendOutcome> {
  return db.transaction(async ({ kysely }) => {
    const message = await claimDueMessage(kysely, now);
    if (!message) return 'none';
    const study = await findStudyByCode(kysely, message.study_code);
    const [facts] = study ? await selectScheduleFacts(kysely, message.study_id, { participant: { by: 'code', name: message.participant_code } }) : [];
    const step = study && facts ? scheduleOf(protocolOf(study), facts, dayOf(todayIn(settings.timeZone, now))).steps.find((s) => s.step === message.visit_code) : undefined;
    const reason = cancelReason(step);
    if (reason !== null) {
      await markMessageCancelled(kysely, message.message_no, reason);
      return 'cancelled';
    }
    let email: string | null;
    try {
      if (settings.contactKey === undefined) throw new Error('SMP_CONTACT_KEY is not set: no address can be read');
      email = await emailForSending(kysely, settings.contactKey, message.study_id, message.participant_no);
    } catch (error) {
      await markMessageFailed(kysely, message.message_no, (error as Error).message, retryAt(message.attempts + 1, now, false));
      return 'failed';
    }
    if (email === null) {
      await markMessageCancelled(kysely, message.message_no, 'no email address is stored');
      return 'cancelled';
    }
    const link = newLinkSecret(message.survey_link_days, now);
    const { subject, text } = messageText(message.study_title, surveyLinkUrl(settings.baseUrl, link.secret), message.step);
    try {
      await settings.mailer.send({ to: email, subject, text, messageId: `<${message.message_key}@${settings.messageDomain}>` });
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      const refused = typeof code === 'number' && code >= 500;
      await markMessageFailed(kysely, message.message_no, withoutAddresses((error as Error).message), retryAt(message.attempts + 1, now, refused));
      return 'failed';
    }
    const row = await insertSurveyLink(kysely, {
      studyId: message.study_id,
      participantNo: message.participant_no,
      visitCode: message.visit_code,
      linkHash: link.hash,
      createdBy: null,
      createdAt: now,
      expiresAt: link.expiresAt,
    });
    await recordChange(kysely, outboxChange, {
      action: 'create',
      entity: 'survey_link',
      key: `${message.participant_code}/survey-links/${row.link_id}`,
      studyCode: message.study_code,
      siteCodes: [facts!.site],
      participantCode: message.participant_code,
      before: null,
      after: { id: row.link_id, visit: message.visit_code, expiresAt: link.expiresAt.toISOString(), sentAs: stepName(message.step) },
    });
    await markMessageSent(kysely, message.message_no, row.link_id, now);
    return 'sent';
  });
}

/** When to try again after the `attempt`-th failure, or null to give up. */
export function retryAt(attempt: number, now: Date, refused: boolean): Date | null {
  if (refused || attempt > RETRY_MINUTES.length) return null;
  return new Date(now.getTime() + RETRY_MINUTES[attempt - 1]! * 60_000);
}

/** One look at the outbox: plan what came due, then send every due message (at most `limit`). */
export async function runOutbox(db: Db, settings: SenderSettings, clock: () => Date, limit = 500) {
  const planned = await planSurveyMessages(db, settings, clock());
  const outcomes: Record<Exclude<SendOutcome, 'none'>, number> = { sent: 0, failed: 0, cancelled: 0 };
  for (let i = 0; i < limit; i++) {
    const outcome = await sendNextMessage(db, settings, clock());
    if (outcome === 'none') break;
    outcomes[outcome]++;
  }
  return { planned, ...outcomes };
}

/** The outbox for an administrator: the newest messages, with participant codes and steps, never an address. */
export async function listOutbox(db: Db, actor: Actor, query: OutboxQuery, sending: boolean): Promise<OutboxList> {
  requireAdmin(actor, 'see the survey outbox');
  const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());
  const rows = await listSurveyMessages(db.kysely, { status: query.status, studyCode: query.study, limit: query.limit });
  return {
    sending,
    counts: await countSurveyMessages(db.kysely, query.study),
    items: rows.map((row) => ({
      id: row.message_no,
      study: row.study_code,
      participant: row.participant_code,
      visit: row.visit_code,
      step: stepName(row.step),
      status: row.status,
      attempts: row.attempts,
      lastError: row.last_error,
      createdAt: iso(row.created_at)!,
      nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
      sentAt: iso(row.sent_at),
    })),
  };
}
