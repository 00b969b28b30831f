import { expect } from 'chai';
import { earliestEntry } from '../../../analysis/earliest-entry.ts';

// The rule is a definition, checked by hand: earliest day; on a tied day the first in array order.
describe('earliestEntry', () => {
  const entries = [
    { day: 4, who: 'clinician' },
    { day: 2, who: 'panel' },
    { day: 2, who: 'participant' },
    { day: 3, who: 'clinician' },
  ];

  it('takes the first entry of the earliest day', () => {
    expect(earliestEntry(entries)).to.equal(entries[1]);
  });

  it('skips entries the filter rejects', () => {
    expect(earliestEntry(entries, (entry) => entry.who === 'clinician')).to.equal(entries[3]);
  });

  it('gives null when nothing is accepted', () => {
    expect(earliestEntry([])).to.equal(null);
    expect(earliestEntry(entries, () => false)).to.equal(null);
  });
});
