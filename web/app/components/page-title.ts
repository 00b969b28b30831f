// The document's title while a page is shown: every page names itself through this hook.
import { useEffect } from 'preact/hooks';

/** Sets the document's title while a page is shown. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · SMP outcomes tracker`;
  }, [title]);
}
