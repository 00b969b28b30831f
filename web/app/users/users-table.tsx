// The list of every user, with their role, state, grants and live API tokens, and a link to manage each.
import type { UserRecord } from '../../../api/schemas/users.ts';
import { Link, queryOf } from '../router.tsx';
import { grantText, UserState } from './user-words.tsx';

export function UsersTable({ users, selected }: { users: UserRecord[]; selected: string | null }) {
  return (
    <div class="table-scroll">
      <table id="users">
        <caption>Every user, with their role, state and grants</caption>
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">Grants</th>
            <th scope="col" class="number">
              API tokens
            </th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.username} class={user.username === selected ? 'selected' : undefined}>
              <th scope="row">{user.username}</th>
              <td>{user.role}</td>
              <td>
                <UserState user={user} />
              </td>
              <td>
                {user.role === 'admin' ? (
                  'every study'
                ) : user.grants.length === 0 ? (
                  <span class="empty-value">none</span>
                ) : (
                  <ul class="plain-list">
                    {user.grants.map((g) => (
                      <li key={`${g.study}/${g.site ?? ''}`}>{grantText(g)}</li>
                    ))}
                  </ul>
                )}
              </td>
              <td class="number">{user.activeTokens}</td>
              <td>
                <Link href={`/users${queryOf({ user: user.username })}`} aria-current={user.username === selected ? 'true' : undefined}>
                  Manage<span class="visually-hidden"> {user.username}</span>
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
