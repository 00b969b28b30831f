// Every page of the application and its address. Study pages (`study: true`) are shown under the
// study's tabs.
import type { JSX } from 'preact';
import { AccountPage } from './pages/account.tsx';
import { AdverseEventsPage } from './pages/adverse-events.tsx';
import { AuditPage } from './pages/audit.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { FollowUpsPage } from './pages/follow-ups.tsx';
import { ParticipantPage } from './pages/participant.tsx';
import { ParticipantsPage } from './pages/participants.tsx';
import { QueriesPage } from './pages/queries.tsx';
import { SetupPage } from './pages/setup.tsx';
import { StudiesPage } from './pages/studies.tsx';
import { UsersPage } from './pages/users.tsx';
import { matchPath } from './router.tsx';

export interface Route {
  pattern: string;
  study?: boolean;
  render: (params: Record<string, string>, url: URL) => JSX.Element;
}

export const ROUTES: readonly Route[] = [
  { pattern: '/', render: () => <StudiesPage /> },
  { pattern: '/users', render: () => <UsersPage /> },
  { pattern: '/account', render: () => <AccountPage /> },
  { pattern: '/studies/:code', study: true, render: (p, url) => <DashboardPage code={p.code!} url={url} /> },
  { pattern: '/studies/:code/participants', study: true, render: (p, url) => <ParticipantsPage code={p.code!} url={url} /> },
  {
    pattern: '/studies/:code/participants/:participant',
    study: true,
    render: (p, url) => <ParticipantPage code={p.code!} participant={p.participant!} url={url} />,
  },
  { pattern: '/studies/:code/follow-ups', study: true, render: (p, url) => <FollowUpsPage code={p.code!} url={url} /> },
  { pattern: '/studies/:code/adverse-events', study: true, render: (p, url) => <AdverseEventsPage code={p.code!} url={url} /> },
  { pattern: '/studies/:code/queries', study: true, render: (p, url) => <QueriesPage code={p.code!} url={url} /> },
  { pattern: '/studies/:code/audit', study: true, render: (p, url) => <AuditPage code={p.code!} url={url} /> },
  { pattern: '/studies/:code/setup', study: true, render: (p, url) => <SetupPage code={p.code!} url={url} /> },
];

/** The tabs of a study's pages, by the path after /studies/:code. */
export const STUDY_TABS: readonly { suffix: string; label: string }[] = [
  { suffix: '', label: 'Dashboard' },
  { suffix: '/participants', label: 'Participants' },
  { suffix: '/follow-ups', label: 'Follow-ups' },
  { suffix: '/adverse-events', label: 'Adverse events' },
  { suffix: '/queries', label: 'Queries' },
  { suffix: '/audit', label: 'Audit log' },
  { suffix: '/setup', label: 'Sites and practitioners' },
];

export function findRoute(pathname: string): { route: Route; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, pathname);
    if (params) return { route, params };
  }
  return null;
}
