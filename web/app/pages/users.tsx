// User administration (administrators only): every user with their role, state and grants;
// inviting a user (the one-time link is shown to copy and send); granting and revoking studies
// and sites; changing a role, disabling, unlocking; a new invite link; API tokens (a new token is
// shown once); and the audit trail of these changes. The user being managed is in the address.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { StudyListing } from '../../../api/schemas/responses.ts';
import { ROLES, type Role } from '../../../api/schemas/roles.ts';
import {
  TokenCreate,
  UserCreate,
  type GrantRecord,
  type NewToken,
  type OneTimeLink,
  type TokenRecord,
  type UserRecord,
} from '../../../api/schemas/users.ts';
import type { SiteRecord } from '../../../api/schemas/records.ts';
import { api, ApiError, changeHeaders, useResource, useStale, type Problem } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { Pager, usePaging } from '../components/paging.tsx';
import { CopyField } from '../components/copy-field.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { check } from '../forms/fields.ts';
import { RecordForm } from '../forms/record-form.tsx';
import { Link, navigate, queryOf, useLocation } from '../router.tsx';
import { isAdmin, useMe } from '../session.ts';
import { AuditTable, When, type AuditPageData } from '../components/audit-table.tsx';

const userPath = (username: string) => `/api/users/${encodeURIComponent(username)}`;

const ROLE_WORDS: Record<Role, string> = {
  admin: 'administrator: everything, every study',
  researcher: 'researcher: reads and changes the granted studies',
  clinic: 'clinic: the participants of the granted sites',
  reviewer: 'reviewer: reads the granted studies, de-identified',
};

function grantText(grant: GrantRecord): string {
  return grant.site === null ? `${grant.study} (whole study)` : `${grant.study}, site ${grant.site}`;
}

/** The user's state in words: disabled, locked, invited (no password yet) or active. */
function UserState({ user }: { user: UserRecord }) {
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

function LinkBox({ username, link, id }: { username: string; link: OneTimeLink; id: string }) {
  return (
    <div class="panel link-box" id={id}>
      <CopyField id={`${id}-url`} label={`Invite link for ${username}`} value={link.url} />
      <p class="hint">
        Send this link to {username} by a channel you trust. It works <strong>once</strong>, until <When at={link.expiresAt} /> (hover for UTC): opening it
        lets them choose a password and signs them in. If it expires, make a new one under “Manage {username}”.
      </p>
    </div>
  );
}

/** Problems at the invite and grant forms' fields: `grants[0].site` belongs to the site field. */
function byField(problems: readonly Problem[]): { fields: Record<string, string>; other: Problem[] } {
  const fields: Record<string, string> = {};
  const other: Problem[] = [];
  for (const problem of problems) {
    const name = problem.path.replace(/^grants\[\d+\]\./, '');
    if (['username', 'role', 'study', 'site'].includes(name)) fields[name] = fields[name] ? `${fields[name]}; ${problem.message}` : problem.message;
    else other.push(problem);
  }
  return { fields, other };
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <small id={id} class="field-error">
      {message}
    </small>
  ) : null;
}

/** A study, and for a clinic user one of its sites: the choice lists of the invite and grant forms. */
function GrantChoice({
  idPrefix,
  role,
  studies,
  study,
  site,
  errors,
  onStudy,
  onSite,
}: {
  idPrefix: string;
  role: Role;
  studies: StudyListing[];
  study: string;
  site: string;
  errors: Record<string, string>;
  onStudy: (study: string) => void;
  onSite: (site: string) => void;
}) {
  const sites = useResource<{ items: SiteRecord[] }>(study !== '' && role === 'clinic' ? `/api/studies/${encodeURIComponent(study)}/sites?limit=1000` : null);
  return (
    <>
      <p>
        <label for={`${idPrefix}-study`}>Study</label>
        <select
          id={`${idPrefix}-study`}
          name="study"
          value={study}
          aria-invalid={errors.study ? 'true' : undefined}
          aria-describedby={errors.study ? `${idPrefix}-study-error` : undefined}
          onChange={(event) => onStudy((event.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">{idPrefix === 'invite' ? '(none for now)' : 'Choose…'}</option>
          {studies.map((s) => (
            <option key={s.code} value={s.code}>
              {s.code}: {s.title.length > 60 ? `${s.title.slice(0, 60)}…` : s.title}
            </option>
          ))}
        </select>
        <FieldError id={`${idPrefix}-study-error`} message={errors.study} />
      </p>
      {role === 'clinic' ? (
        <p>
          <label for={`${idPrefix}-site`}>Site</label>
          <select
            id={`${idPrefix}-site`}
            name="site"
            value={site}
            disabled={study === ''}
            aria-invalid={errors.site ? 'true' : undefined}
            aria-describedby={`${idPrefix}-site-hint${errors.site ? ` ${idPrefix}-site-error` : ''}`}
            onChange={(event) => onSite((event.currentTarget as HTMLSelectElement).value)}
          >
            <option value="">Every site of the study</option>
            {(sites.data?.items ?? []).map((s) => (
              <option key={s.code} value={s.code}>
                {s.code}: {s.name}
              </option>
            ))}
          </select>
          <small id={`${idPrefix}-site-hint`} class="hint">
            A clinic user sees and enters the participants of this site only.
          </small>
          <FieldError id={`${idPrefix}-site-error`} message={errors.site} />
        </p>
      ) : null}
    </>
  );
}

function InviteSection({ studies, onInvited }: { studies: StudyListing[]; onInvited: () => void }) {
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

function UsersTable({ users, selected }: { users: UserRecord[]; selected: string | null }) {
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

/** A button that calls the API, shows its refusal, and reports when done. */
function useAction() {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = (action: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setError(null);
    action().then(
      () => {
        setBusy(false);
        after?.();
      },
      (e: unknown) => {
        setBusy(false);
        setError(e instanceof ApiError ? e : new ApiError(0, String(e), []));
      },
    );
  };
  return { error, busy, run, clear: () => setError(null) };
}

function RoleAndState({ user, onChanged }: { user: UserRecord; onChanged: () => void }) {
  const [role, setRole] = useState<Role>(user.role);
  const action = useAction();
  const [done, setDone] = useState('');
  // Keyed by user (ManageUser): only a change of role made elsewhere needs the choice reset.
  useEffect(() => setRole(user.role), [user.role]);
  const patch = (body: Record<string, unknown>, message: string) =>
    action.run(
      () => api.patch(userPath(user.username), body, { headers: changeHeaders(user.version, '') }),
      () => {
        setDone(message);
        onChanged();
      },
    );
  const locked = user.lockedUntil !== null && Date.parse(user.lockedUntil) > Date.now();
  return (
    <section aria-labelledby="role-heading">
      <h3 id="role-heading">Role and state</h3>
      <ErrorBox error={action.error} title="Not changed." />
      <form
        class="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          patch({ role }, `${user.username} is now ${role === 'admin' ? 'an' : 'a'} ${role}.`);
        }}
      >
        <div class="field">
          <label for="manage-role">Role</label>
          <select id="manage-role" name="role" value={role} onChange={(event) => setRole((event.currentTarget as HTMLSelectElement).value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_WORDS[r]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={action.busy || role === user.role}>
          Change the role
        </button>
      </form>
      <p class="actions">
        {user.disabledAt === null ? (
          <button type="button" class="danger" disabled={action.busy} onClick={() => patch({ disabled: true }, `${user.username} is disabled.`)}>
            Disable {user.username}
          </button>
        ) : (
          <button type="button" disabled={action.busy} onClick={() => patch({ disabled: false }, `${user.username} is enabled again.`)}>
            Enable {user.username}
          </button>
        )}
        {locked ? (
          <button type="button" disabled={action.busy} onClick={() => patch({ unlock: true }, `${user.username} is unlocked.`)}>
            Unlock now
          </button>
        ) : null}
      </p>
      <p class="hint">Disabling ends the user’s sessions and revokes their API tokens and unused links; enabling them again restores none of these.</p>
      <p class="ok" role="status">
        {done}
      </p>
    </section>
  );
}

function Grants({ user, studies, onChanged }: { user: UserRecord; studies: StudyListing[]; onChanged: () => void }) {
  const [study, setStudy] = useState('');
  const [site, setSite] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const action = useAction();
  const [done, setDone] = useState('');
  // Which action the error box speaks for: a refused revoke shows its own problems, not the form's.
  const [failed, setFailed] = useState<'grant' | 'revoke'>('grant');
  const { fields, other } = byField(problems);
  if (user.role === 'admin')
    return (
      <section aria-labelledby="grants-heading">
        <h3 id="grants-heading">Grants</h3>
        <p>An administrator reaches every study and takes no grants.</p>
      </section>
    );
  return (
    <section aria-labelledby="grants-heading">
      <h3 id="grants-heading">Grants</h3>
      {action.error ? (
        <ErrorBox error={failed === 'revoke' ? action.error : new ApiError(action.error.status, action.error.message, other)} title="Not changed." />
      ) : null}
      {user.grants.length === 0 ? (
        <p>{user.username} has no grant yet: they see no study.</p>
      ) : (
        <ul class="grant-list">
          {user.grants.map((grant) => (
            <li key={`${grant.study}/${grant.site ?? ''}`}>
              {grantText(grant)}{' '}
              <button
                type="button"
                disabled={action.busy}
                onClick={() => {
                  setFailed('revoke');
                  action.run(
                    () =>
                      api.delete(
                        `${userPath(user.username)}/grants/${encodeURIComponent(grant.study)}${grant.site === null ? '' : `/${encodeURIComponent(grant.site)}`}`,
                      ),
                    () => {
                      setDone(`Revoked ${grantText(grant)}.`);
                      onChanged();
                    },
                  );
                }}
              >
                Revoke<span class="visually-hidden"> {grantText(grant)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        id="grant-form"
        class="stack grant-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const body = { study, site: user.role === 'clinic' && site !== '' ? site : null };
          const found = study === '' ? [{ path: 'study', message: 'choose a study' }] : [];
          setFailed('grant');
          action.clear();
          setProblems(found);
          if (found.length > 0) return;
          action.run(
            () =>
              api.post(`${userPath(user.username)}/grants`, body).catch((e: unknown) => {
                if (e instanceof ApiError) setProblems(e.problems);
                throw e;
              }),
            () => {
              setDone(`Granted ${grantText(body)}.`);
              setStudy('');
              setSite('');
              onChanged();
            },
          );
        }}
      >
        <h4>Grant a study{user.role === 'clinic' ? ' or one of its sites' : ''}</h4>
        <GrantChoice
          idPrefix="grant"
          role={user.role}
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
        <p class="actions">
          <button type="submit" disabled={action.busy}>
            Grant
          </button>
        </p>
      </form>
      <p class="ok" role="status">
        {done}
      </p>
    </section>
  );
}

function InviteAgain({ user, onChanged }: { user: UserRecord; onChanged: () => void }) {
  const action = useAction();
  const [link, setLink] = useState<OneTimeLink | null>(null);
  return (
    <section aria-labelledby="reinvite-heading">
      <h3 id="reinvite-heading">Invite link</h3>
      <p class="hint">
        A new one-time link, to finish an invite that expired or to set a forgotten password. {user.username}’s older links stop working; a password
        they have keeps working until they use the new link.
      </p>
      <ErrorBox error={action.error} title="No link was made." />
      <p>
        <button
          type="button"
          disabled={action.busy || user.disabledAt !== null}
          onClick={() =>
            action.run(
              () => api.post<OneTimeLink>(`${userPath(user.username)}/invite`, {}).then((r) => setLink(r.data)),
              onChanged,
            )
          }
        >
          New invite link for {user.username}
        </button>
      </p>
      {link ? <LinkBox id="reinvite-link" username={user.username} link={link} /> : null}
    </section>
  );
}

function tokenState(token: TokenRecord): string {
  if (token.revokedAt !== null) return 'revoked';
  if (!token.active) return 'expired';
  return 'active';
}

function Tokens({ user, onChanged }: { user: UserRecord; onChanged: () => void }) {
  const tokens = useResource<{ tokens: TokenRecord[] }>(`${userPath(user.username)}/tokens`);
  const [issued, setIssued] = useState<NewToken | null>(null);
  const action = useAction();
  const [done, setDone] = useState('');
  return (
    <section aria-labelledby="tokens-heading">
      <h3 id="tokens-heading">API tokens</h3>
      <p class="hint">A token lets a program call the API as {user.username}, with their role and grants: send it as “Authorization: Bearer …”.</p>
      <ErrorBox error={tokens.error ?? action.error} title="Tokens:" />
      {tokens.data ? (
        tokens.data.tokens.length === 0 ? (
          <p>{user.username} has no API token.</p>
        ) : (
          <div class="table-scroll">
            <table id="tokens">
              <caption>API tokens of {user.username}, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Token</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.data.tokens.map((token) => (
                  <tr key={token.id}>
                    <th scope="row">number {token.id}</th>
                    <td>
                      <When at={token.createdAt} />
                    </td>
                    <td>{token.expiresAt ? <When at={token.expiresAt} /> : 'never'}</td>
                    <td>{token.lastUsedAt ? <When at={token.lastUsedAt} /> : 'never'}</td>
                    <td>{tokenState(token)}</td>
                    <td>
                      {token.active ? (
                        <button
                          type="button"
                          class="danger"
                          disabled={action.busy}
                          onClick={() =>
                            action.run(
                              () => api.delete(`${userPath(user.username)}/tokens/${token.id}`),
                              () => {
                                setDone(`Revoked token number ${token.id}.`);
                                if (issued?.id === token.id) setIssued(null);
                                tokens.reload();
                                onChanged();
                              },
                            )
                          }
                        >
                          Revoke<span class="visually-hidden"> token number {token.id}</span>
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : tokens.loading ? (
        <Loading what="Listing the tokens" />
      ) : null}
      <p class="ok" role="status">
        {done}
      </p>
      {user.disabledAt === null ? (
        <>
          <h4>Issue a token</h4>
          <RecordForm
            id="token-form"
            schema={TokenCreate}
            initial={{ expiresInDays: 90 }}
            submitLabel="Issue a token"
            onSubmit={async (value) => {
              const response = await api.post<NewToken>(`${userPath(user.username)}/tokens`, value);
              setIssued(response.data);
              setDone('');
              tokens.reload();
              onChanged();
              queueMicrotask(() => document.getElementById('new-token-value')?.focus());
            }}
          />
        </>
      ) : null}
      {issued ? (
        <div class="panel token-box" id="new-token">
          <p class="notice" role="alert">
            <strong>Copy this token now: it will not be shown again.</strong> The server keeps only a hash of it. Whoever holds it acts as {user.username}{' '}
            until it {issued.expiresAt ? 'expires or ' : ''}is revoked.
          </p>
          <CopyField id="new-token-value" label={`New API token number ${issued.id} for ${user.username}`} value={issued.token} />
        </div>
      ) : null}
    </section>
  );
}

function ManageUser({ user, studies, onChanged }: { user: UserRecord; studies: StudyListing[]; onChanged: () => void }) {
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
      <Grants user={user} studies={studies} onChanged={onChanged} />
      <InviteAgain user={user} onChanged={onChanged} />
      <Tokens user={user} onChanged={onChanged} />
      <p>
        <Link href="/users">Close</Link>
      </p>
    </section>
  );
}

function UserAudit({ generation }: { generation: number }) {
  const pages = usePaging();
  const path = `/api/audit${queryOf({ limit: 20, cursor: pages.cursor })}`;
  const audit = useResource<AuditPageData>(path);
  const stale = useStale(path, audit);
  // A change made on the page shows at once: back to the newest entries.
  useEffect(() => {
    if (generation === 0) return;
    if (pages.cursor === null) audit.reload();
    pages.reset();
  }, [generation]);
  return (
    <section aria-labelledby="user-audit-heading">
      <h2 id="user-audit-heading">Changes to users, grants and tokens</h2>
      <ErrorBox error={audit.error} title="The audit trail could not be read." />
      {audit.loading && !audit.data ? <Loading what="Reading the audit trail" /> : null}
      {audit.data ? (
        <>
          <AuditTable id="user-audit" entries={audit.data.items} code={null} busy={stale} caption="User management, newest first" />
          <Pager
            of="the user-management audit"
            short
            busy={stale}
            hasPrevious={pages.cursor !== null}
            hasNext={audit.data.nextCursor !== null}
            pageNumber={pages.depth + 1}
            onPrevious={pages.previous}
            onNext={() => pages.next(audit.data!.nextCursor!)}
          />
        </>
      ) : null}
    </section>
  );
}

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
    </main>
  );
}
