// A user's API tokens, on the Account page (one's own) and on the Users page (an administrator's
// view of anyone's): the table with when each was made, expires and was last used, Revoke for
// the live ones, and the form that makes a new one, whose value is shown once.
import { useState } from 'preact/hooks';
import { TokenCreate, type NewToken, type TokenRecord } from '../../../api/schemas/users.ts';
import { api, ApiError, useResource } from '../api.ts';
import { When } from './audit-table.tsx';
import { CopyField } from './copy-field.tsx';
import { ErrorBox, Loading } from './problems.tsx';
import { RecordForm } from '../forms/record-form.tsx';

function tokenState(token: TokenRecord): string {
  if (token.revokedAt !== null) return 'revoked';
  if (!token.active) return 'expired';
  return 'active';
}

/** How the section speaks of the tokens' holder: "you", or the user by name. */
export interface TokenWords {
  /** Whom a program acts as: "you", or the username. */
  holder: string;
  /** The hint under the heading. */
  hint: string;
  caption: string;
  /** Said when there is no token. */
  none: string;
  /** What the loading notice says is being done. */
  listing: string;
  /** The label of a new token's value. */
  newTokenLabel: (id: number) => string;
}

export interface ApiTokensProps {
  /** The list's path in the API; a token's is this path and its number. */
  path: string;
  /** Put before the ids of the section's heading, table, form and new token ("account-" or ""). */
  idPrefix: string;
  /** The section's heading level; the form's heading is one below. */
  level: 2 | 3;
  words: TokenWords;
  /** The heading and button of the form that makes a token, or null when none may be made here. */
  create: string | null;
  /** Said instead of the form when none may be made here; nothing when undefined. */
  noCreate?: string;
  /** After a token is made or revoked (the user list counts the live ones). */
  onChanged?: () => void;
}

export function ApiTokens({ path, idPrefix, level, words, create, noCreate, onChanged }: ApiTokensProps) {
  const tokens = useResource<{ tokens: TokenRecord[] }>(path);
  const [issued, setIssued] = useState<NewToken | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const revoke = (token: TokenRecord) => {
    setBusy(true);
    setError(null);
    api.delete(`${path}/${token.id}`).then(
      () => {
        setBusy(false);
        setDone(`Revoked token number ${token.id}.`);
        if (issued?.id === token.id) setIssued(null);
        tokens.reload();
        onChanged?.();
      },
      (e: unknown) => {
        setBusy(false);
        setError(e instanceof ApiError ? e : new ApiError(0, String(e), []));
      },
    );
  };
  return (
    <section aria-labelledby={`${idPrefix}tokens-heading`}>
      {level === 2 ? <h2 id={`${idPrefix}tokens-heading`}>API tokens</h2> : <h3 id={`${idPrefix}tokens-heading`}>API tokens</h3>}
      <p class="hint">{words.hint}</p>
      <ErrorBox error={tokens.error ?? error} title="Tokens:" />
      {tokens.loading && !tokens.data ? <Loading what={words.listing} /> : null}
      {tokens.data ? (
        tokens.data.tokens.length === 0 ? (
          <p>{words.none}</p>
        ) : (
          <div class="table-scroll">
            <table id={`${idPrefix}tokens`}>
              <caption>{words.caption}</caption>
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
                        <button type="button" class="danger" disabled={busy} onClick={() => revoke(token)}>
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
      ) : null}
      <p class="ok" role="status">
        {done}
      </p>
      {create !== null ? (
        <>
          {level === 2 ? <h3>{create}</h3> : <h4>{create}</h4>}
          <RecordForm
            id={`${idPrefix}token-form`}
            schema={TokenCreate}
            initial={{ expiresInDays: 90 }}
            submitLabel={create}
            onSubmit={async (value) => {
              const response = await api.post<NewToken>(path, value);
              setIssued(response.data);
              setDone('');
              tokens.reload();
              onChanged?.();
              queueMicrotask(() => document.getElementById(`${idPrefix}new-token-value`)?.focus());
            }}
          />
        </>
      ) : noCreate !== undefined ? (
        <p class="notice">{noCreate}</p>
      ) : null}
      {issued ? (
        <div class="panel token-box" id={`${idPrefix}new-token`}>
          <p class="notice" role="alert">
            <strong>Copy this token now: it will not be shown again.</strong> The server keeps only a hash of it. Whoever holds it acts as {words.holder}{' '}
            until it {issued.expiresAt ? 'expires or ' : ''}is revoked.
          </p>
          <CopyField id={`${idPrefix}new-token-value`} label={words.newTokenLabel(issued.id)} value={issued.token} />
        </div>
      ) : null}
    </section>
  );
}
