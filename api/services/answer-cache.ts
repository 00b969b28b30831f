// Answers kept for the questions asked again, while the study they came from has not changed:
// each entry carries the study's change stamp (its audit trail's count and last entry, see
// selectStudyChangeStamp) read before the answer was computed (the answer is at least that new),
// and is used only while the stamp is still the same. Least recently used entries go first when the cache is full.
// An answer being computed is shared too: a second asker of the same question at the same stamp
// waits for it instead of computing it again.

export class AnswerCache<T> {
  private readonly entries = new Map<string, { stamp: string; value: T }>();
  private readonly underWay = new Map<string, { stamp: string; answer: Promise<T> }>();
  hits = 0;
  misses = 0;
  /** Answers computed (by `answer`), as opposed to found kept or under way. */
  computed = 0;

  constructor(private readonly capacity: number) {}

  /** The answer to `key` computed at `stamp`, or undefined (then the caller computes it). */
  get(key: string, stamp: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.stamp !== stamp) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, stamp: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { stamp, value });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
  }

  /**
   * The answer to `key` at `stamp`: kept, or being computed (then awaited), or else computed by
   * `compute` and kept. A failed computation is not kept: the next asker tries again.
   */
  answer(key: string, stamp: string, compute: () => Promise<T>): Promise<T> {
    const kept = this.get(key, stamp);
    if (kept !== undefined) return Promise.resolve(kept);
    const running = this.underWay.get(key);
    if (running && running.stamp === stamp) return running.answer;
    this.computed += 1;
    const answer = compute();
    const entry = { stamp, answer };
    this.underWay.set(key, entry);
    const done = () => {
      if (this.underWay.get(key) === entry) this.underWay.delete(key);
    };
    answer.then((value) => {
      this.set(key, stamp, value);
      done();
    }, done);
    return answer;
  }

  get size(): number {
    return this.entries.size;
  }
}
