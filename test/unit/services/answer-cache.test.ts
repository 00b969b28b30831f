// The answer cache: an answer is given again only for the same key at the same change stamp, and
// the least recently used answers go first.
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
});
