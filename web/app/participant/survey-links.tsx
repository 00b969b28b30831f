// The participant's survey links on the staff side: make a link for the participant to answer a
// satisfaction survey on their phone (by hand, or for a scheduled visit), shown once with a QR
// code to hand over at a visit; the links made before, with their state; and revoking one.
import { create as createQr } from 'qrcode';
import { useState } from 'preact/hooks';
import type { NewSurveyLink, SurveyLinkRecord } from '../../../api/schemas/survey-links.ts';
import { api, ApiError, useResource, type Page } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';

/** The link's address as a QR code: one SVG path of its dark modules, with the quiet zone. */
export function QrCode({ text, label }: { text: string; label: string }) {
  const qr = createQr(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const margin = 4;
  let d = '';
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) if (qr.modules.get(row, col)) d += `M${col + margin} ${row + margin}h1v1h-1z`;
  }
  const full = size + 2 * margin;
  return (
    <svg class="qr-code" role="img" aria-label={label} viewBox={`0 0 ${full} ${full}`} width="220" height="220" shape-rendering="crispEdges">
      <rect width={full} height={full} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

function stateOf(link: SurveyLinkRecord, now: number): string {
  if (link.usedAt) return `answered ${link.usedAt.slice(0, 10)} (survey ${link.survey})`;
  if (link.revokedAt) return `revoked ${link.revokedAt.slice(0, 10)}`;
  if (Date.parse(link.expiresAt) <= now) return `expired ${link.expiresAt.slice(0, 10)}`;
  return `open until ${link.expiresAt.slice(0, 10)}`;
}

export function SurveyLinks(props: { base: string; visits: Array<{ code: string; label: string; expects: readonly string[] }>; withdrawn: boolean }) {
  const links = useResource<{ items: SurveyLinkRecord[] }>(`${props.base}/survey-links`);
  const [visit, setVisit] = useState('');
  const [created, setCreated] = useState<NewSurveyLink | null>(null);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const surveyVisits = props.visits.filter((v) => v.expects.includes('survey'));

  const make = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const reply = await api.post<NewSurveyLink>(`${props.base}/survey-links`, visit === '' ? {} : { visit });
      setCreated(reply.data);
      links.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, String(e), []));
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (id: number) => {
    setError(undefined);
    try {
      await api.delete(`${props.base}/survey-links/${id}`);
      if (created?.id === id) setCreated(null);
      links.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, String(e), []));
    }
  };

  const items = (links.data as Page<SurveyLinkRecord> | undefined)?.items ?? [];
  const now = Date.now();
  return (
    <section aria-labelledby="survey-links-heading" class="survey-links">
      <h2 id="survey-links-heading">Survey links</h2>
      <p>A one-time link on which the participant answers the satisfaction survey on their phone, with no account.</p>
      {props.withdrawn ? (
        <p>The participant has withdrawn: no survey link can be made.</p>
      ) : (
        <form onSubmit={(event) => void make(event)}>
          {surveyVisits.length > 0 && (
            <p>
              <label for="survey-link-visit">For the visit </label>
              <select id="survey-link-visit" value={visit} onChange={(e) => setVisit((e.currentTarget as HTMLSelectElement).value)}>
                <option value="">none (asked by hand)</option>
                {surveyVisits.map((v) => (
                  <option value={v.code} key={v.code}>
                    {v.label} ({v.code})
                  </option>
                ))}
              </select>
            </p>
          )}
          <button type="submit" disabled={busy}>
            Create a survey link
          </button>
        </form>
      )}
      <ErrorBox error={error ?? links.error} title="The survey links could not be changed." />
      {created && (
        <div class="new-survey-link" role="status">
          <p>
            Give this link to the participant; it is shown only now and works once, until {created.expiresAt.slice(0, 10)}:
          </p>
          <p>
            <a href={created.url} class="survey-link-url">
              {created.url}
            </a>
          </p>
          <QrCode text={created.url} label="QR code of the survey link" />
        </div>
      )}
      {items.length > 0 && (
        <ul class="survey-link-list">
          {items.map((link) => (
            <li key={link.id}>
              Link {link.id}
              {link.visit ? ` for ${link.visit}` : ''}: {stateOf(link, now)}
              {!link.usedAt && !link.revokedAt && Date.parse(link.expiresAt) > now && (
                <>
                  {' '}
                  <button type="button" onClick={() => void revoke(link.id)}>
                    Revoke link {link.id}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
