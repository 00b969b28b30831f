// User administration (administrators only): every user with their role, state and grants;
// inviting a user (the one-time link is shown to copy and send); granting and revoking studies
// and sites; changing a role, disabling, unlocking; a new invite link; API tokens (a new token is
// shown once); the audit trail of these changes; and the survey outbox. The user being managed is in the address.
// The page's parts are in web/app/users/.
import { useState } from 'preact/hooks';
import type { StudyListing } from '../../../api/schemas/responses.ts';
import type { UserRecord } from '../../../api/schemas/users.ts';
import { useResource } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { isAdmin, useMe } from '../session.ts';
import { InviteSection } from '../users/invite-user.tsx';
import { ManageUser } from '../users/manage-user.tsx';
import { SurveyOutbox } from '../users/survey-outbox.tsx';
import { UserAudit } from '../users/user-audit.tsx';
import { UsersTable } from '../users/users-table.tsx';

export function UsersPage() {
  usePageTitle('Users');
  const me = useMe();
  if (!isAdmin(me))
    return (
      <main id="main">
        <h1>Users</h1>
        <p class="notice">Only administrators manage users. Ask an administrator to invite someone, grant a study or issue an API token.</p>
      </main>
    );
  return <AdminUsers />;
}

function AdminUsers() {
  const url = useLocation();
  const selected = url.searchParams.get('user');
  const users = useResource<{ users: UserRecord[] }>('/api/users');
  const studies = useResource<{ studies: StudyListing[] }>('/api/studies');
  const [generation, setGeneration] = useState(0);
  const changed = () => {
    users.reload();
    setGeneration((g) => g + 1);
  };
  const user = users.data?.users.find((u) => u.username === selected) ?? null;
  return (
    <main id="main">
      <h1>Users</h1>
      <ErrorBox error={users.error} title="The users could not be listed." />
      {users.loading && !users.data ? <Loading what="Listing the users" /> : null}
      {users.data ? <UsersTable users={users.data.users} selected={selected} /> : null}
      {selected !== null && users.data && !user ? (
        <p class="notice">
          There is no user {selected}. <Link href="/users">Back to the list</Link>
        </p>
      ) : null}
      {user ? <ManageUser key={user.username} user={user} studies={studies.data?.studies ?? []} onChanged={changed} /> : null}
      <InviteSection
        studies={studies.data?.studies ?? []}
        onInvited={() => {
          changed();
          if (selected !== null) navigate('/users', { replace: true });
        }}
      />
      <UserAudit generation={generation} />
      <SurveyOutbox />
    </main>
  );
}
