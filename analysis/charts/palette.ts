// Colours and fonts every chart uses: the Okabe–Ito palette, distinguishable with the common
// colour-vision deficiencies (Okabe & Ito 2008, https://jfly.uni-koeln.de/color/).

export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

export type OkabeItoColour = (typeof OKABE_ITO)[keyof typeof OKABE_ITO];

/** The palette in its published order, for series that need distinct colours. */
export const OKABE_ITO_ORDER: readonly OkabeItoColour[] = [
  OKABE_ITO.black,
  OKABE_ITO.orange,
  OKABE_ITO.skyBlue,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.yellow,
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.reddishPurple,
];

/** A palette colour with an alpha channel, as 8-digit hex (`#0072B299`). */
export function withAlpha(colour: OkabeItoColour, alpha: number): string {
  const byte = Math.round(Math.min(1, Math.max(0, alpha)) * 255);
  return `${colour}${byte.toString(16).padStart(2, '0').toUpperCase()}`;
}

/** DejaVu Sans is registered for PNGs; browsers fall back to their own sans-serif. */
export const FONT_FAMILY = "'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif";

/** Grid and axis-line grey (not a data colour). */
export const GRID_COLOUR = '#D9D9D9';
export const TEXT_COLOUR = '#000000';
