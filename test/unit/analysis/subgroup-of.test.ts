import { expect } from 'chai';
import { subgroupOf } from '../../../analysis/subgroup-of.ts';
import type { ParticipantFacts } from '../../../analysis/types.ts';

const participant: ParticipantFacts = {
  code: 'P1', site: 'LON', indication: 'androgenetic_alopecia', practitionerYears: 2,
  withdrawn: false, withdrawalCause: null, costUsd: null,
  sessions: [], adverseEvents: [], assessments: [], surveys: [],
};

describe('subgroupOf', () => {
  it('groups by site code', () => {
    expect(subgroupOf(participant, 'site')).to.deep.equal({ key: 'LON', label: 'LON' });
  });

  it('groups by indication with a readable label', () => {
    expect(subgroupOf(participant, 'indication')).to.deep.equal({ key: 'androgenetic_alopecia', label: 'Androgenetic alopecia' });
    expect(subgroupOf({ ...participant, indication: 'female_pattern_hair_loss' }, 'indication').label).to.equal('Female pattern hair loss');
  });

  it('splits practitioner experience at exactly one year', () => {
    const by = 'practitioner-experience';
    expect(subgroupOf({ ...participant, practitionerYears: 0.99 }, by)).to.deep.equal({ key: 'under_1_year', label: 'Practitioner under 1 year' });
    expect(subgroupOf({ ...participant, practitionerYears: 1 }, by)).to.deep.equal({ key: '1_year_or_more', label: 'Practitioner 1 year or more' });
    expect(subgroupOf({ ...participant, practitionerYears: null }, by)).to.deep.equal({ key: 'no_sessions', label: 'No sessions' });
  });
});
