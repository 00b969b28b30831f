// The study-wide listing of adverse events under /api/studies/:code, a page at a time or as one
// CSV download, in the caller's scope and view. (The participant listing is
// GET /studies/:code/participants, with the participants' routes.)
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { adverseEventCsvRow, adverseEventCsvStream } from '../formats/adverse-event-csv.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { AdverseEventCsvQuery, AdverseEventListItem, AdverseEventListQuery, page } from '../schemas/records.ts';
import { StudyCodeParams } from '../schemas/requests.ts';
import { forEachAdverseEvent, listAdverseEvents } from '../services/listing-service.ts';

export const listingRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/studies/:code/adverse-events',
    operationId: 'listStudyAdverseEvents',
    tag: 'Adverse events',
    summary: 'Every adverse event of the study, filtered and a page at a time',
    auth: 'user',
    params: StudyCodeParams,
    query: AdverseEventListQuery,
    responses: { 200: { description: 'A page of adverse events', schema: page(AdverseEventListItem, 'AdverseEventListPage') } },
    handler: async ({ deps, actor, params, query }) => ({ body: await listAdverseEvents(deps.db, actor!, params.code, query) }),
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/adverse-events.csv',
    operationId: 'downloadStudyAdverseEvents',
    tag: 'Adverse events',
    summary: 'Every adverse event the listing’s filters match, as a CSV download in the listing’s order',
    description:
      'The same filters, order, scope and view as GET /studies/{code}/adverse-events, without pages: one row per event with ' +
      'the listing’s fields as columns, named as in the csv export’s adverse_events.csv (participant_code, site_code, event_no, ' +
      'category, term, onset_date, resolved_date, grade, serious, relatedness, outcome, session_number, solicited), RFC 4180, ' +
      'UTF-8, booleans as 1/0, and text that starts with =, +, -, @, a tab or a carriage return behind an apostrophe (so a ' +
      'spreadsheet shows it as text). A clinic gets its own sites; a reviewer gets pseudonyms and shifted dates, as in the listing.',
    auth: 'user',
    params: StudyCodeParams,
    query: AdverseEventCsvQuery,
    responses: { 200: { description: 'The events, as an attachment', contentType: 'text/csv', headers: ['Content-Disposition'] } },
    handler: async ({ deps, actor, params, query, res }) => {
      let csv: ReturnType<typeof adverseEventCsvStream> | null = null;
      // One listener for the client going away, made before anything can wait on it: a 'close'
      // that came while a batch was being read is then not missed.
      const closed = once(res, 'close').catch(() => undefined);
      const stopIfGone = () => {
        // A reader that went away never drains: stop reading (and free the snapshot).
        if (res.destroyed) throw new Error('the client closed the adverse-event download');
      };
      await forEachAdverseEvent(deps.db, actor!, params.code, query, async (items) => {
        stopIfGone();
        if (!csv) {
          // Access and filters have been checked: the download starts.
          res.attachment(`${params.code}-adverse-events.csv`).type('text/csv; charset=utf-8');
          res.setHeader('Cache-Control', 'no-store');
          csv = adverseEventCsvStream();
          csv.pipe(res);
        }
        for (const item of items) {
          if (csv.write(adverseEventCsvRow(item))) continue;
          stopIfGone();
          await Promise.race([once(csv, 'drain'), closed]);
          stopIfGone();
        }
      });
      csv!.end();
      await finished(res);
    },
  }),
];
