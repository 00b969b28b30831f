// Helpers for chart tests: walk a configuration's colours and scales.
import { expect } from 'chai';

/**
 * Any chart's configuration, as these helpers read it: only its data and options, so a bar or a
 * bubble chart's configuration is taken as it is (chart.js's `ChartConfiguration` make one chart type's
 * configuration assignable to the general one only when the checker measures them in one order).
 */
type AnyChartConfiguration = { data: unknown; options?: { plugins?: unknown; scales?: unknown } | undefined };
import { OKABE_ITO_ORDER } from '../../../analysis/charts/index.ts';

const NON_DATA_COLOURS = new Set(['#D9D9D9', '#FFFFFF']);

/** Every string value under a key ending in "color"/"Color", anywhere in the configuration. */
export function coloursIn(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return /colou?r$/i.test(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((item) => coloursIn(item, key));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([childKey, child]) => coloursIn(child, childKey));
  }
  return [];
}

/** Data colours must be Okabe–Ito (optionally with an alpha byte); grid grey and white are allowed. */
export function expectOkabeItoColours(config: AnyChartConfiguration): void {
  const colours = coloursIn(config.data).concat(coloursIn(config.options?.plugins));
  expect(colours, 'the configuration has colours').to.not.be.empty;
  for (const colour of colours) {
    const base = colour.toUpperCase().slice(0, 7);
    expect(OKABE_ITO_ORDER.includes(base as (typeof OKABE_ITO_ORDER)[number]) || NON_DATA_COLOURS.has(base), colour).to.equal(
      true,
    );
  }
}

export function scale(config: AnyChartConfiguration, id: string): Record<string, any> {
  const scales = (config.options?.scales ?? {}) as Record<string, Record<string, any>>;
  const found = scales[id];
  expect(found, `scale ${id}`).to.exist;
  return found as Record<string, any>;
}

export function axisTitle(config: AnyChartConfiguration, id: string): string {
  const title = scale(config, id).title;
  expect(title?.display, `axis ${id} title displayed`).to.equal(true);
  return Array.isArray(title.text) ? title.text.join(' ') : String(title.text);
}
