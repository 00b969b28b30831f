// One action of the user being managed at a time: the call, whether it is under way, and its refusal.
import { useState } from 'preact/hooks';
import { ApiError } from '../api.ts';

/** A button that calls the API, shows its refusal, and reports when done. */
export function useAction() {
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
