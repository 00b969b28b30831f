import { expect } from 'chai';
import { adverseEventRates, type AdverseEventFact } from '../../../analysis/adverse-event-rates.ts';

// Exact (Clopper–Pearson) 95% intervals from scipy 1.17, computed independently of this code:
//   from scipy import stats
//   ci = stats.binomtest(k, n).proportion_ci(method='exact'); ci.low, ci.high
// (R's binom.test(k, n)$conf.int gives the same; 1 of 22 is the known [0.0011501, 0.2284444]).
const EXACT: Record<string, [number, number]> = {
  '0/22': [0, 0.15437251281557457],
  '1/22': [0.001150147526581684, 0.22844439766763597],
  '2/22': [0.011205586024166507, 0.291612741553955],
  '3/22': [0.02905585112874669, 0.34912209725740817],
  '3/10': [0.06673951117773447, 0.652452850060008],
  '5/20': [0.08657146910143455, 0.49104587170795755],
};

/** [key, events, n, N] of each rate, and the exact interval checked against the table above. */
function expectRates(rates: ReturnType<typeof adverseEventRates>['rates'], expected: Array<[string, number, number, number]>): void {
  expect(rates.map((rate) => [rate.key, rate.events, rate.participants.n, rate.participants.N])).to.deep.equal(expected);
  for (const { key, participants } of rates) {
    const [low, high] = EXACT[`${participants.n}/${participants.N}`]!;
    expect(participants.exact![0], `${key} lower`).to.be.closeTo(low, 1e-9);
    expect(participants.exact![1], `${key} upper`).to.be.closeTo(high, 1e-9);
    expect(participants.proportion, key).to.be.closeTo(participants.n / participants.N, 1e-15);
  }
}

const event = (participant: number, site: string, fields: Partial<AdverseEventFact>): AdverseEventFact => ({
  participant,
  site,
  category: 'other',
  grade: 1,
  serious: false,
  relatedness: 'unlikely',
  ...fields,
});

describe('adverseEventRates', () => {
  // One site of 22 participants, like the demo study. P3 had two infections (grades 1 and 2,
  // both possibly related), P9 one infection (grade 1, unlikely), P7 one allergic reaction
  // (grade 1, probable). No event is serious.
  const demo = {
    sites: [{ site: 'LON', participants: 22 }],
    events: [
      event(3, 'LON', { category: 'infection', grade: 1, relatedness: 'possible' }),
      event(3, 'LON', { category: 'infection', grade: 2, relatedness: 'possible' }),
      event(9, 'LON', { category: 'infection', grade: 1, relatedness: 'unlikely' }),
      event(7, 'LON', { category: 'allergic_reaction', grade: 1, relatedness: 'probable' }),
    ],
  };

  it('counts every category, zero-event ones too, counting a participant once per category', () => {
    const result = adverseEventRates(demo, 'category');
    expect(result.participants).to.equal(22);
    expect(result.events).to.equal(4);
    // Infection: 3 events in 2 participants (P3 twice); allergic reaction 1 of 22.
    expectRates(result.rates, [
      ['infection', 3, 2, 22],
      ['allergic_reaction', 1, 1, 22],
      ['keloid', 0, 0, 22],
      ['granuloma', 0, 0, 22],
      ['mri_interference', 0, 0, 22],
      ['pigment_migration', 0, 0, 22],
      ['discoloration', 0, 0, 22],
      ['other', 0, 0, 22],
    ]);
  });

  it('gives 1 of 22 the known exact interval [0.0011501, 0.2284444] and 0 of 22 the upper bound 0.15437', () => {
    const [infection, allergic, keloid] = adverseEventRates(demo, 'category').rates;
    expect(infection!.participants.exact).to.not.equal(null);
    expect(allergic!.participants.exact![0]).to.be.closeTo(0.0011501, 5e-8);
    expect(allergic!.participants.exact![1]).to.be.closeTo(0.2284444, 5e-8);
    expect(keloid!.participants.exact).to.deep.equal([0, keloid!.participants.exact![1]]);
    expect(keloid!.participants.exact![1]).to.be.closeTo(0.15437, 5e-6);
  });

  it('counts grades 1 to 5, a participant once at each grade met', () => {
    // Grade 1: P3, P9, P7 (3 events, 3 participants); grade 2: P3.
    expectRates(adverseEventRates(demo, 'grade').rates, [
      ['1', 3, 3, 22],
      ['2', 1, 1, 22],
      ['3', 0, 0, 22],
      ['4', 0, 0, 22],
      ['5', 0, 0, 22],
    ]);
  });

  it('counts serious, then not serious events', () => {
    expectRates(adverseEventRates(demo, 'serious').rates, [
      ['true', 0, 0, 22],
      ['false', 4, 3, 22],
    ]);
  });

  it('counts every relatedness judgement from not related to definite', () => {
    expectRates(adverseEventRates(demo, 'relatedness').rates, [
      ['not_related', 0, 0, 22],
      ['unlikely', 1, 1, 22],
      ['possible', 2, 1, 22],
      ['probable', 1, 1, 22],
      ['definite', 0, 0, 22],
    ]);
  });

  describe('by site', () => {
    // Site A has 10 participants, of whom 1, 2 and 3 had events (participant 1 twice); site B has
    // 20, of whom 11 to 15 had one each. Site C is not in the cohort: its event is not counted.
    const sites = {
      sites: [
        { site: 'A', participants: 10 },
        { site: 'B', participants: 20 },
      ],
      events: [
        event(1, 'A', { category: 'infection' }),
        event(1, 'A', { category: 'infection', grade: 2 }),
        event(2, 'A', { category: 'allergic_reaction' }),
        event(3, 'A', { category: 'keloid', grade: 3, serious: true }),
        ...[11, 12, 13, 14, 15].map((participant) => event(participant, 'B', {})),
        event(40, 'C', { serious: true }),
      ],
    };

    it("rates each site over its own participants: 3 of 10 and 5 of 20", () => {
      const result = adverseEventRates(sites, 'site');
      expect(result.participants).to.equal(30);
      expect(result.events).to.equal(9);
      expectRates(result.rates, [
        ['A', 4, 3, 10],
        ['B', 5, 5, 20],
      ]);
    });

    it('leaves sites outside the cohort out of every count', () => {
      const serious = adverseEventRates(sites, 'serious').rates;
      expect(serious.map((rate) => [rate.key, rate.events, rate.participants.n, rate.participants.N])).to.deep.equal([
        ['true', 1, 1, 30],
        ['false', 8, 7, 30],
      ]);
      const onlyA = adverseEventRates({ sites: [sites.sites[0]!], events: sites.events }, 'category');
      expect(onlyA.participants).to.equal(10);
      expect(onlyA.events).to.equal(4);
      expect(onlyA.rates[0]).to.deep.include({ key: 'infection', events: 2 });
    });

    it('gives a site without participants null proportions', () => {
      const empty = adverseEventRates({ sites: [{ site: 'A', participants: 0 }], events: [] }, 'site').rates;
      expect(empty).to.deep.equal([{ key: 'A', events: 0, participants: { n: 0, N: 0, proportion: null, wilson: null, exact: null } }]);
    });
  });

  it('refuses grades outside 1–5, unknown categories, repeated sites and impossible counts', () => {
    const bad = (events: AdverseEventFact[]) => ({ sites: [{ site: 'A', participants: 2 }], events });
    expect(() => adverseEventRates(bad([event(1, 'A', { grade: 6 })]), 'grade')).to.throw('grade must be an integer from 1 to 5');
    expect(() => adverseEventRates(bad([event(1, 'A', { category: 'tattoo' as never })]), 'category')).to.throw(
      'unknown category "tattoo"',
    );
    expect(() => adverseEventRates({ sites: [{ site: 'A', participants: 1 }, { site: 'A', participants: 2 }], events: [] }, 'site')).to.throw(
      'listed twice',
    );
    expect(() => adverseEventRates({ sites: [{ site: 'A', participants: 1.5 }], events: [] }, 'site')).to.throw('whole number');
    expect(() => adverseEventRates(bad([event(1, 'A', {}), event(2, 'A', {}), event(3, 'A', {})]), 'category')).to.throw(
      '3 participants have events at category other, of 2',
    );
  });
});
