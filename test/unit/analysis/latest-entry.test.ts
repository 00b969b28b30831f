import { expect } from 'chai';
import { latestEntry } from '../../../analysis/latest-entry.ts';

// The rule is a definition, checked by hand: latest day; on a tied day the first in array order.
describe('latestEntry', () => {
  const entries = [
    { day: 5, who: 'clinician' },
    { day: 9, who: 'clinician' },
    { day: 9, who: 'panel' },
    { day: 9, who: 'participant' },
    { day: 7, who: 'panel' },
  ];

  it('takes the first entry of the latest day', () => {
    expect(latestEntry(entries)).to.equal(entries[1]);
  });

  it('skips entries the filter rejects', () => {
    expect(latestEntry(entries, (entry) => entry.who !== 'clinician')).to.equal(entries[2]);
    expect(latestEntry(entries, (entry) => entry.who === 'participant')).to.equal(entries[3]);
  });

  it('gives null when nothing is accepted', () => {
    expect(latestEntry([])).to.equal(null);
    expect(latestEntry(entries, () => false)).to.equal(null);
  });
});
