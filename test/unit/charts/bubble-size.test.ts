import { expect } from 'chai';
import { bubbleFillAlpha, bubbleRadius, bubbleRadiusRange } from '../../../analysis/charts/bubble-size.ts';

describe('charts/bubble-size', () => {
  it('makes bubble area proportional to the count, with a visible minimum', () => {
    expect(bubbleRadius(16, 16, 10)).to.equal(18);
    expect(bubbleRadius(4, 16, 10)).to.equal(9); // a quarter of the count, a quarter of the area
    expect(bubbleRadius(1, 1000, 10)).to.equal(4);
    expect(bubbleRadius(0, 0)).to.equal(4);
  });

  it('shrinks bubbles and lightens them when there are many', () => {
    expect(bubbleRadiusRange(40)).to.deep.equal({ min: 4, max: 18 });
    expect(bubbleRadiusRange(1000)).to.deep.equal({ min: 2, max: 7 });
    expect(bubbleRadius(10, 10, 1000)).to.equal(7);
    expect(bubbleFillAlpha(10)).to.be.greaterThan(bubbleFillAlpha(1000));
  });
});
