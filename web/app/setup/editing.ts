// What the set-up's sections share: the study's path in the API, and the keyboard focus on a
// form as it opens.
import { useEffect } from 'preact/hooks';

export const studyPath = (code: string) => `/api/studies/${encodeURIComponent(code)}`;

/** Moves the keyboard focus to the first input of a form once it is shown. */
export function useFocusFirstField(formId: string | null): void {
  useEffect(() => {
    if (formId === null) return;
    const first = document.querySelector<HTMLElement>(`#${formId} input:not([disabled]), #${formId} select:not([disabled]), #${formId} textarea`);
    first?.focus();
  }, [formId]);
}
