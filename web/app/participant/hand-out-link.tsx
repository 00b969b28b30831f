// A survey link to hand out from the worklist: for a visit whose survey is due, staff make the
// participant's link there (what the outbox would email, when no mail server is configured or
// the participant has no address), shown once with its QR code.
import { useState } from 'preact/hooks';
import type { NewSurveyLink } from '../../../api/schemas/survey-links.ts';
import { api, ApiError } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';
import { pathOf } from '../router.tsx';
import { QrCode } from './survey-links.tsx';

export function HandOutLink({ code, participant, visit }: { code: string; participant: string; visit: string }) {
  const [created, setCreated] = useState<NewSurveyLink | null>(null);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const make = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setCreated((await api.post<NewSurveyLink>(`/api${pathOf('studies', code, 'participants', participant, 'survey-links')}`, { visit })).data);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, String(e), []));
    } finally {
      setBusy(false);
    }
  };
  if (created) {
    return (
      <div class="new-survey-link" role="status">
        <a href={created.url} class="survey-link-url">
          {created.url}
        </a>
        <QrCode text={created.url} label={`QR code of ${participant}'s survey link`} />
      </div>
    );
  }
  return (
    <>
      <button type="button" disabled={busy} onClick={() => void make()} aria-label={`Survey link for ${participant}, ${visit}`}>
        Survey link
      </button>
      <ErrorBox error={error} title="The survey link could not be made." />
    </>
  );
}
