// The participant's contact details on the staff side, for their clinic and administrators only:
// the email address (and optional phone number) the server keeps encrypted apart from the study
// data; shown, changed and deleted here, and read only when asked for (not with every view of the
// page). Nothing of it goes into the page's other parts.
import { useEffect, useState } from 'preact/hooks';
import type { ParticipantContact } from '../../../api/schemas/participant-contacts.ts';
import { api, ApiError, request, useResource } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';

export function ContactDetails(props: { base: string }) {
  const [shown, setShown] = useState(false);
  if (!shown) {
    return (
      <section aria-labelledby="contact-heading" class="participant-contact">
        <h2 id="contact-heading">Contact details</h2>
        <p>Kept encrypted, apart from the study data; seen only by the participant's clinic and administrators.</p>
        <button type="button" onClick={() => setShown(true)}>
          Show contact details
        </button>
      </section>
    );
  }
  return <ContactForm base={props.base} />;
}

function ContactForm(props: { base: string }) {
  const path = `${props.base}/contact`;
  const stored = useResource<ParticipantContact>(path);
  const none = stored.error?.status === 404;
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setEmail(stored.data?.email ?? '');
    setPhone(stored.data?.phone ?? '');
  }, [stored.data]);

  const act = async (what: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(undefined);
    setSaved('');
    try {
      await what();
      setSaved(done);
      stored.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, String(e), []));
    } finally {
      setBusy(false);
    }
  };
  const save = (event: Event) => {
    event.preventDefault();
    const body = phone.trim() === '' ? { email } : { email, phone };
    void act(() => request('PUT', path, { body }), 'Contact details saved.');
  };

  return (
    <section aria-labelledby="contact-heading" class="participant-contact">
      <h2 id="contact-heading">Contact details</h2>
      <p>Kept encrypted, apart from the study data; seen only by the participant's clinic and administrators.</p>
      {none && <p>No contact details are stored.</p>}
      <form onSubmit={save}>
        <p>
          <label for="contact-email">Email </label>
          <input id="contact-email" type="email" autocomplete="off" required value={email} onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} />
        </p>
        <p>
          <label for="contact-phone">Phone (optional, stored only) </label>
          <input id="contact-phone" type="tel" autocomplete="off" value={phone} onInput={(e) => setPhone((e.currentTarget as HTMLInputElement).value)} />
        </p>
        <button type="submit" disabled={busy}>
          Save contact details
        </button>{' '}
        {stored.data && (
          <button type="button" disabled={busy} onClick={() => void act(() => api.delete(path), 'Contact details deleted.')}>
            Delete contact details
          </button>
        )}
      </form>
      {saved && <p role="status">{saved}</p>}
      <ErrorBox error={error ?? (none ? undefined : stored.error)} title="The contact details could not be read or changed." />
    </section>
  );
}
