// The answer cache: an answer is given again only for the same key at the same change stamp, and
// the least recently used answers go first; an answer being computed is shared, not computed twice.
import { expect } from 'chai';
import { AnswerCache } from '../../../api/services/answer-cache.ts';

describe('AnswerCache', () => {
  it('gives an answer back at the stamp it was computed at, and not at another', () => {
    const cache = new AnswerCache<string>(4);
    cache.set('charts LON', '3:41', 'answer');
    expect(cache.get('charts LON', '3:41')).to.equal('answer');
    expect(cache.get('charts LON', '4:42')).to.equal(undefined);
    expect(cache.get('charts MAN', '3:41')).to.equal(undefined);
    expect([cache.hits, cache.misses]).to.deep.equal([1, 2]);
  });

  it('replaces an answer computed again', () => {
    const cache = new AnswerCache<string>(4);
    cache.set('a', '1:1', 'old');
    cache.set('a', '2:2', 'new');
    expect(cache.get('a', '1:1')).to.equal(undefined);
    expect(cache.get('a', '2:2')).to.equal('new');
    expect(cache.size).to.equal(1);
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const cache = new AnswerCache<number>(2);
    cache.set('a', 's', 1);
    cache.set('b', 's', 2);
    expect(cache.get('a', 's')).to.equal(1); // a is now the most recently used
    cache.set('c', 's', 3);
    expect(cache.size).to.equal(2);
    expect(cache.get('b', 's')).to.equal(undefined);
    expect(cache.get('a', 's')).to.equal(1);
    expect(cache.get('c', 's')).to.equal(3);
  });

  it('shares an answer being computed with a second asker at the same stamp, and keeps it', async () => {
    const cache = new AnswerCache<string>(4);
    let finish: (value: string) => void = () => {};
    let runs = 0;
    const compute = () => {
      runs += 1;
      return new Promise<string>((resolve) => (finish = resolve));
    };
    const first = cache.answer('charts', '5:9', compute);
    const second = cache.answer('charts', '5:9', compute);
    finish('answer');
    expect([await first, await second]).to.deep.equal(['answer', 'answer']);
    expect(await cache.answer('charts', '5:9', compute)).to.equal('answer');
    expect([runs, cache.computed, cache.hits]).to.deep.equal([1, 1, 1]);
  });

  it('computes again at another stamp, and after a failed computation', async () => {
    const cache = new AnswerCache<string>(4);
    const failed = cache.answer('charts', '5:9', () => Promise.reject(new Error('database gone')));
    const newer = cache.answer('charts', '6:10', async () => 'newer');
    expect(await failed.catch((error: Error) => error.message)).to.equal('database gone');
    expect(await newer).to.equal('newer');
    expect(await cache.answer('charts', '5:9', async () => 'again')).to.equal('again');
    expect(cache.computed).to.equal(3);
  });
});
