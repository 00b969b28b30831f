// How the Users page speaks of a user: their path in the API, their role and grants in words,
// and their state (disabled, locked, invited or active) as a badge.
import type { Role } from '../../../api/schemas/roles.ts';
import type { GrantRecord, UserRecord } from '../../../api/schemas/users.ts';
import { When } from '../components/audit-table.tsx';

export const userPath = (username: string) => `/api/users/${encodeURIComponent(username)}`;

export const ROLE_WORDS: Record<Role, string> = {
  admin: 'administrator: everything, every study',
  researcher: 'researcher: reads and changes the granted studies',
  clinic: 'clinic: the participants of the granted sites',
  reviewer: 'reviewer: reads the granted studies, de-identified',
};

export function grantText(grant: GrantRecord): string {
  return grant.site === null ? `${grant.study} (whole study)` : `${grant.study}, site ${grant.site}`;
}

/** The user's state in words: disabled, locked, invited (no password yet) or active. */
export function UserState({ user }: { user: UserRecord }) {
  if (user.disabledAt !== null)
    return (
      <span class="badge state-disabled">
        disabled since <When at={user.disabledAt} />
      </span>
    );
  if (user.lockedUntil !== null && Date.parse(user.lockedUntil) > Date.now())
    return (
      <span class="badge state-locked">
        locked until <When at={user.lockedUntil} />
      </span>
    );
  if (!user.passwordSet) return <span class="badge state-invited">invited: no password yet</span>;
  return <span class="badge state-active">active</span>;
}
