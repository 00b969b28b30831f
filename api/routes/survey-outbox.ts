// The survey outbox for administrators: invitations and reminders waiting, sent, failed or
// cancelled, each with its last error. Participant codes and steps only, never an address.
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { OutboxList, OutboxQuery } from '../schemas/survey-outbox.ts';
import { listOutbox } from '../services/survey-outbox-service.ts';

export const surveyOutboxRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/outbox',
    operationId: 'listSurveyOutbox',
    tag: 'Survey links',
    summary: 'The survey outbox: invitations and reminders by email, pending, sent, failed or cancelled (administrators)',
    description:
      'Each server process plans a survey invitation when a scheduled visit’s window opens for a participant with a ' +
      'stored email address, and reminders on the study’s reminder days after it, until the survey is in, the window ' +
      'closes or the participant withdraws; then sends them through SMTP_URL. A failed attempt is tried again later ' +
      '(1, 5, 15, 60, 180, 360 and 720 minutes on); a refusal by the mail server is final. The list shows each ' +
      'message’s participant code, visit and step, never its address or link.',
    auth: 'user',
    callers: 'administrators',
    query: OutboxQuery,
    responses: { 200: { description: 'The newest messages and the count in each state', schema: OutboxList } },
    errors: [403],
    handler: async ({ deps, actor, query }) => ({
      body: await listOutbox(deps.db, actor!, query, deps.config.smtpUrl !== undefined),
    }),
  }),
];
