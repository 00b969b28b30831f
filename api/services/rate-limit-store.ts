// Where the sign-in routes' rate limits keep their counts: in the database, so that every server
// process on it counts a client's failures together (a client whose requests a proxy spreads over
// several processes gets the same limit as with one). An express-rate-limit store.
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Db } from '../../db/kysely.ts';
import {
  decrementRateLimit,
  deleteExpiredRateLimits,
  deleteRateLimit,
  incrementRateLimit,
  selectRateLimit,
} from '../../db/repositories/server-state-repository.ts';

export class DatabaseRateLimitStore implements Store {
  /** Counts are shared by every process, unlike the library's memory store. */
  readonly localKeys = false;
  private windowMs = 60_000;
  private lastSweep = 0;

  /** Counts of limit `prefix` in `db`, by `clock`'s time. */
  constructor(
    private readonly db: Db,
    readonly prefix: string,
    private readonly clock: () => Date,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const count = await selectRateLimit(this.db.kysely, this.prefix, key, this.clock());
    return count && { totalHits: count.hits, resetTime: this.onLibraryClock(count.resetsAt) };
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = this.clock();
    // Counts of clients that went away are removed once a window, by whichever process counts next.
    if (now.getTime() - this.lastSweep >= this.windowMs) {
      this.lastSweep = now.getTime();
      await deleteExpiredRateLimits(this.db.kysely, now);
    }
    const count = await incrementRateLimit(this.db.kysely, this.prefix, key, this.windowMs, now);
    return { totalHits: count.hits, resetTime: this.onLibraryClock(count.resetsAt) };
  }

  /**
   * A window's end as express-rate-limit reads it: the library compares reset times with
   * Date.now() (a success is not taken back from a window it thinks is over), while the windows
   * here run on the server's clock, which tests move. The same distance from now on either clock.
   */
  private onLibraryClock(resetsAt: Date): Date {
    return new Date(Date.now() + (resetsAt.getTime() - this.clock().getTime()));
  }

  async decrement(key: string): Promise<void> {
    await decrementRateLimit(this.db.kysely, this.prefix, key, this.clock());
  }

  async resetKey(key: string): Promise<void> {
    await deleteRateLimit(this.db.kysely, this.prefix, key);
  }
}
