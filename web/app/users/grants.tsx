// The grants of the user being managed: each with Revoke, and the form that grants a study or,
// to a clinic user, one of its sites. An administrator takes no grants.
import { useState } from 'preact/hooks';
import type { StudyListing } from '../../../api/schemas/responses.ts';
import type { UserRecord } from '../../../api/schemas/users.ts';
import { api, ApiError, type Problem } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';
import { byField, GrantChoice } from './grant-choice.tsx';
import { useAction } from './use-action.ts';
import { grantText, userPath } from './user-words.tsx';

export function Grants({ user, studies, onChanged }: { user: UserRecord; studies: StudyListing[]; onChanged: () => void }) {
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
