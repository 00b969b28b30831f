// Keyboard focus for panels that open in place.
import { useEffect, useRef } from 'preact/hooks';

/** Moves keyboard focus to a panel's heading once it appears, so the change of context is announced. */
export function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => ref.current?.focus(), []);
  return ref;
}
