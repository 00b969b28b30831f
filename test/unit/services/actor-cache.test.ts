// The actor cache: remembered for the configured seconds by the given clock, forgotten at once by
// a change of users, grants, tokens or sessions, and never filled by a look-up a change overtook.
import { expect } from 'chai';
import type { Actor } from '../../../api/services/access.ts';
import { cachedActor, forgetActors, sharedFreshRead } from '../../../api/services/actor-cache.ts';

const actor = (username: string) => ({ username }) as unknown as Actor;
const at = (ms: number) => () => new Date(ms);

describe('actor cache', () => {
  beforeEach(() => forgetActors());

  it('answers from memory within the seconds, and looks up again after them', async () => {
    let lookUps = 0;
    const lookUp = async () => actor(`u${++lookUps}`);
    expect((await cachedActor('k1', 5, lookUp, at(0)))?.username).to.equal('u1');
    expect((await cachedActor('k1', 5, lookUp, at(4_999)))?.username).to.equal('u1');
    expect((await cachedActor('k1', 5, lookUp, at(5_000)))?.username).to.equal('u2');
    expect(lookUps).to.equal(2);
  });

  it('forgets everything at once when access changes', async () => {
    let lookUps = 0;
    const lookUp = async () => actor(`u${++lookUps}`);
    await cachedActor('k2', 5, lookUp, at(0));
    forgetActors();
    expect((await cachedActor('k2', 5, lookUp, at(1)))?.username).to.equal('u2');
  });

  it('does not remember a look-up during which access changed: it may have read the old state', async () => {
    let lookUps = 0;
    const overtaken = async () => {
      lookUps += 1;
      const found = actor('before the revocation');
      forgetActors(); // a token is revoked while this look-up is under way
      return found;
    };
    expect((await cachedActor('k3', 5, overtaken, at(0)))?.username).to.equal('before the revocation');
    expect(await cachedActor('k3', 5, async () => (lookUps++, null), at(1))).to.equal(null);
    expect(lookUps).to.equal(2);
  });

  it("looks up again when the database's access generation differs from the one read before the look-up", async () => {
    let lookUps = 0;
    let shared = '7';
    const lookUp = async () => actor(`u${++lookUps}`);
    const generation = async () => shared;
    expect((await cachedActor('k4', 5, lookUp, at(0), generation))?.username).to.equal('u1');
    expect((await cachedActor('k4', 5, lookUp, at(1), generation))?.username).to.equal('u1');
    shared = '8'; // another process revoked a session
    expect((await cachedActor('k4', 5, lookUp, at(2), generation))?.username).to.equal('u2');
    expect((await cachedActor('k4', 5, lookUp, at(3), generation))?.username).to.equal('u2');
    expect(lookUps).to.equal(2);
  });
});

describe('a read shared by the calls that come while one is under way', () => {
  /** A read that waits until `finish` is called, and says which read it was. */
  function manual() {
    const finishes: Array<(value: number) => void> = [];
    const read = () => new Promise<number>((resolve) => finishes.push(resolve));
    return { read, finishes };
  }

  it('gives calls made during a read the next read, begun after it ends, shared by all of them', async () => {
    const { read, finishes } = manual();
    const shared = sharedFreshRead(read);
    const first = shared();
    expect(finishes).to.have.length(1);
    // Two calls while the first read is under way: neither may have its answer (begun before them).
    const second = shared();
    const third = shared();
    expect(finishes).to.have.length(1);
    finishes[0]!(1);
    expect(await first).to.equal(1);
    await Promise.resolve();
    expect(finishes).to.have.length(2);
    finishes[1]!(2);
    expect([await second, await third]).to.deep.equal([2, 2]);
    // Idle again: a call begins a read of its own at once.
    const fourth = shared();
    expect(finishes).to.have.length(3);
    finishes[2]!(3);
    expect(await fourth).to.equal(3);
  });

  it('passes a failed read to the calls that shared it, and reads again for the next', async () => {
    let reads = 0;
    const shared = sharedFreshRead(async () => {
      reads += 1;
      if (reads === 1) throw new Error('connection lost');
      return reads;
    });
    const [a, b] = await Promise.allSettled([shared(), shared()]);
    expect(a).to.deep.include({ status: 'rejected' });
    expect(b).to.deep.equal({ status: 'fulfilled', value: 2 });
    expect(await shared()).to.equal(3);
  });
});
