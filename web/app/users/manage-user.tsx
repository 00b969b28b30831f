// The user being managed (named in the address): their role and state, full name and signing
// right, grants, invite link and API tokens, each a section of its own.
import { useEffect, useRef } from 'preact/hooks';
import type { StudyListing } from '../../../api/schemas/responses.ts';
import type { UserRecord } from '../../../api/schemas/users.ts';
import { When } from '../components/audit-table.tsx';
import { Link } from '../router.tsx';
import { Grants } from './grants.tsx';
import { InviteAgain } from './invite-link.tsx';
import { RoleAndState } from './role-and-state.tsx';
import { Signing } from './signing.tsx';
import { UserTokens } from './user-tokens.tsx';
import { ROLE_WORDS, UserState } from './user-words.tsx';

export function ManageUser({ user, studies, onChanged }: { user: UserRecord; studies: StudyListing[]; onChanged: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [user.username]);
  return (
    <section aria-labelledby="manage-heading" class="manage-user panel" id="manage-user">
      <h2 id="manage-heading" tabIndex={-1} ref={heading}>
        Manage {user.username}
      </h2>
      <p>
        Role: {ROLE_WORDS[user.role]}. State: <UserState user={user} />. Created <When at={user.createdAt} />.
      </p>
      <RoleAndState user={user} onChanged={onChanged} />
      <Signing user={user} onChanged={onChanged} />
      <Grants user={user} studies={studies} onChanged={onChanged} />
      <InviteAgain user={user} onChanged={onChanged} />
      <UserTokens user={user} onChanged={onChanged} />
      <p>
        <Link href="/users">Close</Link>
      </p>
    </section>
  );
}
