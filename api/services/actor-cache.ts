// Who a token or session belongs to, remembered for a few seconds, so that a busy client's
// every request does not look its user and grants up again (SMP_AUTH_CACHE_SECONDS, 0 to look up
// every request). Each request still reads the database's access generation, which a trigger
// raises on every change of users, grants, tokens and sessions, by any process: a remembered
// look-up is used only while the generation is the one read before it was made, so a sign-out
// or a revoked token on one server process takes effect on every other at once. A change made by
// this process also forgets everything at once (recordChange and sign-out call forgetActors).
import type { Actor } from './access.ts';

/** Entries are dropped all at once beyond this many, which bounds memory. */
const MAX_ENTRIES = 10_000;
const entries = new Map<string, { actor: Actor; until: number; shared: string }>();
/** Counts forgetActors calls: a look-up that a change overtook is not remembered. */
let generation = 0;

/**
 * The actor for `key`, from memory if looked up within `seconds` by `clock` at the same shared
 * generation (read by `sharedGeneration`), else from `lookUp` (not remembered when null).
 */
export async function cachedActor(
  key: string,
  seconds: number,
  lookUp: () => Promise<Actor | null>,
  clock: () => Date = () => new Date(),
  sharedGeneration: () => Promise<string> = async () => '',
): Promise<Actor | null> {
  if (seconds <= 0) return lookUp();
  // Read before the look-up: a change committed after this read makes the next read differ.
  const shared = await sharedGeneration();
  const now = clock().getTime();
  const hit = entries.get(key);
  if (hit !== undefined && hit.until > now && hit.shared === shared) return hit.actor;
  const started = generation;
  const actor = await lookUp();
  if (generation !== started) return actor; // a change came while looking: it may be stale
  if (actor === null) {
    entries.delete(key);
    return null;
  }
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(key, { actor, until: now + seconds * 1000, shared });
  return actor;
}

/** Forget every remembered actor: a user, grant, token or session has changed. */
export function forgetActors(): void {
  generation += 1;
  entries.clear();
}

/**
 * `read`, shared by the calls that come while one is under way: each call gets the result of a
 * read begun after it was made (a call during a read waits for the next one, which begins when
 * that read ends), never of one begun before it. So a busy server reads the access generation
 * once per round trip instead of once per request, and still sees every change committed before
 * a request came.
 */
export function sharedFreshRead<T>(read: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | null = null;
  let next: Promise<T> | null = null;
  const begin = (): Promise<T> => {
    const reading = read();
    current = reading;
    const done = () => {
      if (current === reading) current = null;
    };
    reading.then(done, done);
    return reading;
  };
  return () => {
    if (current === null) return begin();
    next ??= current.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      next = null;
      return begin();
    });
    return next;
  };
}
