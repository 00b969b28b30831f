// Inviting a user: username, role and a first grant; the one-time link is shown to copy and send.
import { useState } from 'preact/hooks';
import type { StudyListing } from '../../../api/schemas/responses.ts';
import { ROLES, type Role } from '../../../api/schemas/roles.ts';
import { UserCreate, type OneTimeLink, type UserRecord } from '../../../api/schemas/users.ts';
import { api, ApiError, type Problem } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';
import { check } from '../forms/fields.ts';
import { byField, FieldError, GrantChoice } from './grant-choice.tsx';
import { LinkBox } from './invite-link.tsx';
import { ROLE_WORDS } from './user-words.tsx';

export function InviteSection({ studies, onInvited }: { studies: StudyListing[]; onInvited: () => void }) {
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('clinic');
  const [study, setStudy] = useState('');
  const [site, setSite] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [invited, setInvited] = useState<{ username: string; link: OneTimeLink } | null>(null);
  const { fields, other } = byField(problems);

  const submit = (event: Event) => {
    event.preventDefault();
    const body = {
      username: username.trim(),
      role,
      grants: role === 'admin' || study === '' ? [] : [{ study, site: role === 'clinic' && site !== '' ? site : null }],
    };
    const found = check(UserCreate, body);
    setProblems(found);
    setFailure(null);
    if (found.length > 0) {
      queueMicrotask(() => document.querySelector<HTMLElement>('#invite-form [aria-invalid="true"]')?.focus());
      return;
    }
    setBusy(true);
    api.post<{ user: UserRecord; invite: OneTimeLink }>('/api/users', body).then(
      (response) => {
        setBusy(false);
        setInvited({ username: response.data.user.username, link: response.data.invite });
        setUsername('');
        setStudy('');
        setSite('');
        onInvited();
        queueMicrotask(() => document.getElementById('invite-link-url')?.focus());
      },
      (error: unknown) => {
        setBusy(false);
        const apiError = error instanceof ApiError ? error : new ApiError(0, String(error), []);
        setFailure(apiError);
        setProblems(apiError.problems);
      },
    );
  };

  return (
    <section aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite a user</h2>
      <p class="hint">The new user gets a one-time link on which they choose their password. Grant more studies or sites afterwards under “Manage”.</p>
      <form id="invite-form" class="stack invite-form" noValidate onSubmit={submit}>
        {failure ? (
          <ErrorBox error={new ApiError(failure.status, failure.message, other)} title="Nobody was invited." />
        ) : other.length > 0 ? (
          <ErrorBox error={new ApiError(400, 'Check these:', other)} />
        ) : null}
        <p>
          <label for="invite-username">Username</label>
          <input
            id="invite-username"
            name="username"
            autocomplete="off"
            autocapitalize="none"
            spellcheck={false}
            value={username}
            aria-invalid={fields.username ? 'true' : undefined}
            aria-describedby={`invite-username-hint${fields.username ? ' invite-username-error' : ''}`}
            onInput={(event) => setUsername((event.currentTarget as HTMLInputElement).value)}
          />
          <small id="invite-username-hint" class="hint">
            Lower-case letters, digits, “.”, “_” and “-”.
          </small>
          <FieldError id="invite-username-error" message={fields.username} />
        </p>
        <p>
          <label for="invite-role">Role</label>
          <select
            id="invite-role"
            name="role"
            value={role}
            aria-invalid={fields.role ? 'true' : undefined}
            aria-describedby={fields.role ? 'invite-role-error' : undefined}
            onChange={(event) => setRole((event.currentTarget as HTMLSelectElement).value as Role)}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_WORDS[r]}
              </option>
            ))}
          </select>
          <FieldError id="invite-role-error" message={fields.role} />
        </p>
        {role === 'admin' ? (
          <p class="hint">An administrator reaches every study: no grant is needed.</p>
        ) : (
          <GrantChoice
            idPrefix="invite"
            role={role}
            studies={studies}
            study={study}
            site={site}
            errors={fields}
            onStudy={(s) => {
              setStudy(s);
              setSite('');
            }}
            onSite={setSite}
          />
        )}
        <p class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Invite
          </button>
          {busy ? <span role="status">Inviting…</span> : null}
        </p>
      </form>
      {invited ? <LinkBox id="invite-link" username={invited.username} link={invited.link} /> : null}
    </section>
  );
}
