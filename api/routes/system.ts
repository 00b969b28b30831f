// The API's own routes: health.
import { Health } from '../schemas/responses.ts';
import { defineRoute } from '../http/route.ts';

export const systemRoutes = [
  defineRoute({
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    tag: 'System',
    summary: 'Whether the server and its database answer',
    auth: 'public',
    responses: { 200: { description: 'The server is up', schema: Health } },
    handler: async ({ deps }) => ({ body: { status: 'ok', database: deps.db.driver } }),
  }),
];
