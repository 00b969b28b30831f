// Who a token or session belongs to, remembered for a few seconds, so that a busy client's
// every request does not look its user and grants up again. A change of users, grants, tokens
// or sessions made by this process forgets everything at once (recordChange and sign-out call
// forgetActors); one made by another process on the same database takes effect within the
// configured seconds (SMP_AUTH_CACHE_SECONDS, 0 to look up every request).
import type { Actor } from './access.ts';

/** Entries are dropped all at once beyond this many, which bounds memory. */
const MAX_ENTRIES = 10_000;
const entries = new Map<string, { actor: Actor; until: number }>();
/** Counts forgetActors calls: a look-up that a change overtook is not remembered. */
let generation = 0;

/**
 * The actor for `key`, from memory if looked up within `seconds` by `clock`, else from `lookUp`
 * (not remembered when null).
 */
export async function cachedActor(key: string, seconds: number, lookUp: () => Promise<Actor | null>, clock: () => Date = () => new Date()): Promise<Actor | null> {
  if (seconds <= 0) return lookUp();
  const now = clock().getTime();
  const hit = entries.get(key);
  if (hit !== undefined && hit.until > now) return hit.actor;
  const started = generation;
  const actor = await lookUp();
  if (generation !== started) return actor; // a change came while looking: it may be stale
  if (actor === null) {
    entries.delete(key);
    return null;
  }
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(key, { actor, until: now + seconds * 1000 });
  return actor;
}

/** Forget every remembered actor: a user, grant, token or session has changed. */
export function forgetActors(): void {
  generation += 1;
  entries.clear();
}
