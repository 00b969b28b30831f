// The API tokens of the user being managed: an administrator issues them (not to a disabled
// user) and revokes them; a new token is shown once.
import type { UserRecord } from '../../../api/schemas/users.ts';
import { ApiTokens } from '../components/api-tokens.tsx';
import { userPath } from './user-words.tsx';

export function UserTokens({ user, onChanged }: { user: UserRecord; onChanged: () => void }) {
  return (
    <ApiTokens
      path={`${userPath(user.username)}/tokens`}
      idPrefix=""
      level={3}
      words={{
        holder: user.username,
        hint: `A token lets a program call the API as ${user.username}, with their role and grants: send it as “Authorization: Bearer …”.`,
        caption: `API tokens of ${user.username}, oldest first`,
        none: `${user.username} has no API token.`,
        listing: 'Listing the tokens',
        newTokenLabel: (id) => `New API token number ${id} for ${user.username}`,
      }}
      create={user.disabledAt === null ? 'Issue a token' : null}
      onChanged={onChanged}
    />
  );
}
