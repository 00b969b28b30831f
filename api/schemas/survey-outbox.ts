// Shapes of the survey outbox as administrators see it: each invitation or reminder with its
// participant code, visit and step, its state and its last error; never an address or a link.
import { z } from 'zod';

const limitQuery = z
  .string()
  .regex(/^\d+$/, { error: 'must be a whole number' })
  .transform(Number)
  .pipe(z.int().min(1).max(1000));

export const OUTBOX_STATUSES = ['pending', 'sent', 'failed', 'cancelled'] as const;

export const OutboxQuery = z.strictObject({
  status: z
    .enum(OUTBOX_STATUSES, { error: `must be one of ${OUTBOX_STATUSES.join(', ')}` })
    .optional()
    .describe('Only messages in this state: pending (waiting, or to be tried again), sent, failed (given up) or cancelled (no longer wanted)'),
  study: z
    .string()
    .regex(/^[A-Z0-9-]{2,32}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a study code` })
    .optional()
    .describe('Only messages of this study'),
  limit: limitQuery.default(100).describe('The newest messages, 1–1,000 (default 100)'),
});
export type OutboxQuery = z.output<typeof OutboxQuery>;

export const OutboxMessage = z
  .object({
    id: z.number().int().describe('The message’s number'),
    study: z.string(),
    participant: z.string().describe('The participant’s code (the address is never shown)'),
    visit: z.string().describe('The scheduled visit whose survey the message asks for'),
    step: z.string().describe('`invitation`, or `reminder K` for the K-th reminder'),
    status: z.enum(OUTBOX_STATUSES),
    attempts: z.number().int().describe('Attempts so far at handing it to the mail server'),
    lastError: z.string().nullable().describe('Why the last attempt failed, or why it was cancelled (addresses removed); null after success'),
    createdAt: z.string().describe('When it was planned, UTC, ISO 8601'),
    nextAttemptAt: z.string().nullable().describe('When a pending message is tried next; null otherwise'),
    sentAt: z.string().nullable().describe('When the mail server accepted it'),
  })
  .meta({ id: 'OutboxMessage' });
export type OutboxMessage = z.output<typeof OutboxMessage>;

export const OutboxList = z
  .object({
    sending: z.boolean().describe('Whether this server sends email (SMTP_URL is set); without it nothing is planned or sent'),
    counts: z.object({ pending: z.number().int(), sent: z.number().int(), failed: z.number().int(), cancelled: z.number().int() }).describe('Messages in each state, under the study filter'),
    items: z.array(OutboxMessage).describe('The newest messages first'),
  })
  .meta({ id: 'OutboxList' });
export type OutboxList = z.output<typeof OutboxList>;
