import { expect } from 'chai';
import { OKABE_ITO, OKABE_ITO_ORDER, withAlpha } from '../../../analysis/charts/index.ts';

describe('charts/palette', () => {
  it('is the Okabe–Ito palette (Okabe & Ito 2008, as in R grDevices::palette.colors())', () => {
    expect(OKABE_ITO_ORDER).to.deep.equal([
      '#000000',
      '#E69F00',
      '#56B4E9',
      '#009E73',
      '#F0E442',
      '#0072B2',
      '#D55E00',
      '#CC79A7',
    ]);
    expect(OKABE_ITO.vermillion).to.equal('#D55E00');
    expect(OKABE_ITO.blue).to.equal('#0072B2');
  });

  it('adds an alpha channel as 8-digit hex', () => {
    expect(withAlpha(OKABE_ITO.skyBlue, 0.6)).to.equal('#56B4E999');
    expect(withAlpha(OKABE_ITO.black, 1)).to.equal('#000000FF');
    expect(withAlpha(OKABE_ITO.black, 0)).to.equal('#00000000');
  });
});
