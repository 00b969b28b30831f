// Who is signed in, for every page: their role decides what is shown (a reviewer sees no edit
// control), their grants which studies and sites.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from '../../api/schemas/users.ts';

export type { Me };

export const SessionContext = createContext<Me | null>(null);

/** The signed-in user (pages are only shown to a signed-in user). */
export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useMe outside a signed-in page');
  return me;
}

/** Whether the user may change records (reviewers only read, and see de-identified data). */
export function canEdit(me: Me): boolean {
  return me.role !== 'reviewer';
}

export function isAdmin(me: Me): boolean {
  return me.role === 'admin';
}
