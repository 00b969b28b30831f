// Option fragments every chart shares: titles, axis titles, fonts, and the Node-safe defaults
// (no animation, fixed size). Renderers may switch `responsive` on in the browser.
import type { CartesianScaleOptions, FontSpec, TitleOptions } from 'chart.js';
import { FONT_FAMILY, GRID_COLOUR, TEXT_COLOUR } from './palette.ts';

type Font = Partial<FontSpec>;
type DeepPartialTitle = Partial<Omit<TitleOptions, 'font' | 'padding'>> & { font?: Font; padding?: number | { top?: number; bottom?: number } };

export const font = (size: number, weight: FontSpec['weight'] = 'normal'): Font => ({ family: FONT_FAMILY, size, weight });

export function chartTitle(text: string): DeepPartialTitle {
  return { display: true, text, color: TEXT_COLOUR, font: font(17, 'bold'), padding: { top: 4, bottom: 6 } };
}

export function chartSubtitle(text: string): DeepPartialTitle {
  return { display: text !== '', text, color: TEXT_COLOUR, font: font(12), padding: { bottom: 12 } };
}

/** The longest line of an axis title, in characters: a vertical title fits a 16rem phone chart box. */
export const AXIS_TITLE_LINE = 22;

/**
 * An axis title broken at spaces into lines of at most `AXIS_TITLE_LINE` characters (a word
 * longer than that keeps its own line); chart.js draws no more than the axis is long, so a long
 * title on one line is cut.
 */
export function axisTitleLines(title: string): string | string[] {
  if (title.length <= AXIS_TITLE_LINE) return title;
  const lines: string[] = [];
  for (const word of title.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= AXIS_TITLE_LINE) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** A linear or category axis with a titled unit, readable ticks and light grid lines. */
export function axis(title: string): Pick<CartesianScaleOptions, 'title'> & {
  ticks: { color: string; font: Font };
  grid: { color: string };
  border: { color: string };
} {
  return {
    title: { display: true, text: axisTitleLines(title), color: TEXT_COLOUR, font: font(13, 'bold'), align: 'center', padding: 6 },
    ticks: { color: TEXT_COLOUR, font: font(12) },
    grid: { color: GRID_COLOUR },
    border: { color: TEXT_COLOUR },
  };
}

export const legend = (display: boolean) => ({
  display,
  position: 'bottom' as const,
  labels: { color: TEXT_COLOUR, font: font(12), usePointStyle: true },
});

/** Node needs a fixed size and synchronous drawing; the HTML report overrides `responsive`. */
export const STATIC_CHART = { animation: false as const, responsive: false, maintainAspectRatio: false };

export const LAYOUT = { padding: { top: 8, right: 24, bottom: 8, left: 8 } };
