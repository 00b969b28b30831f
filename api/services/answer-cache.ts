// Answers kept for the questions asked again, while the study they came from has not changed:
// each entry carries the study's change stamp (its audit trail's count and last entry, see
// selectStudyChangeStamp) read before the answer was computed (the answer is at least that new),
// and is used only while the stamp is still the same. Least recently used entries go first when the cache is full.

export class AnswerCache<T> {
  private readonly entries = new Map<string, { stamp: string; value: T }>();
  hits = 0;
  misses = 0;

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

  get size(): number {
    return this.entries.size;
  }
}
