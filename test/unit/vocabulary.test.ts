// The analysis keeps its own copy of the study vocabulary (it imports nothing from the API layer);
// this test holds the copies to the bundle format's single definition.
import { expect } from 'chai';
import { ADVERSE_EVENT_CATEGORIES, INDICATION_LABELS, RELATED_JUDGEMENTS, RELATEDNESS_JUDGEMENTS } from '../../analysis/constants.ts';
import { AE_CATEGORIES, INDICATIONS, RELATEDNESS } from '../../api/schemas/bundle.ts';

describe('the analysis vocabulary matches the bundle format', () => {
  it('lists the same adverse-event categories in the same order', () => {
    expect([...ADVERSE_EVENT_CATEGORIES]).to.deep.equal([...AE_CATEGORIES]);
  });
  it('labels exactly the indications of the format, in its order', () => {
    expect(Object.keys(INDICATION_LABELS)).to.deep.equal([...INDICATIONS]);
  });
  it('lists every relatedness judgement of the format, in its order', () => {
    expect([...RELATEDNESS_JUDGEMENTS]).to.deep.equal([...RELATEDNESS]);
  });
  it('counts as related only relatedness values the format has', () => {
    expect([...RELATED_JUDGEMENTS].every((value) => (RELATEDNESS as readonly string[]).includes(value))).to.equal(true);
    expect([...RELATED_JUDGEMENTS]).to.deep.equal(['possible', 'probable', 'definite']);
  });
});
