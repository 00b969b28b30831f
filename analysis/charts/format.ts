// Number formatting shared by chart tables and the Markdown and HTML reports, so a figure reads the
// same everywhere: percentages to one decimal, intervals as "[0.1%, 22.8%]", "—" for no data.
import type { Describe, Proportion } from '../types.ts';

/** Shown where there is nothing to report (no denominator, no values). */
export const NO_DATA = '—';

/** Fixed decimals without a "-0.0". */
export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_DATA;
  const text = value.toFixed(digits);
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}

/** A proportion (0–1) as a percentage: 0.8 → "80.0%". */
export function formatPercent(proportion: number | null | undefined, digits = 1): string {
  if (proportion === null || proportion === undefined || !Number.isFinite(proportion)) return NO_DATA;
  return `${formatNumber(proportion * 100, digits)}%`;
}

/** A 95% interval of proportions as percentages: [0.0011501, 0.2284444] → "[0.1%, 22.8%]". */
export function formatInterval(interval: readonly [number, number] | null | undefined, digits = 1): string {
  if (!interval) return NO_DATA;
  return `[${formatPercent(interval[0], digits)}, ${formatPercent(interval[1], digits)}]`;
}

/** "16/20", or "—" when the denominator is 0. */
export function formatFraction(proportion: Pick<Proportion, 'n' | 'N'>): string {
  return proportion.N === 0 ? NO_DATA : `${proportion.n}/${proportion.N}`;
}

/** The four cells of a proportion row: n/N, %, Wilson 95% CI, exact 95% CI. */
export function proportionCells(proportion: Proportion): [string, string, string, string] {
  if (proportion.N === 0) return [NO_DATA, NO_DATA, NO_DATA, NO_DATA];
  return [
    formatFraction(proportion),
    formatPercent(proportion.proportion),
    formatInterval(proportion.wilson),
    formatInterval(proportion.exact),
  ];
}

/** One cell: "16/20 (80.0%) [56.3%, 94.3%]" with the exact interval; "—" when N = 0. */
export function formatProportion(proportion: Pick<Proportion, 'n' | 'N' | 'proportion' | 'exact'>): string {
  if (proportion.N === 0) return NO_DATA;
  return `${formatFraction(proportion)} (${formatPercent(proportion.proportion)}) ${formatInterval(proportion.exact)}`;
}

/** "mean (SD); median [Q1, Q3]; range min–max", or "—" when n = 0. */
export function formatDescribe(describe: Describe, digits = 1): string {
  if (!('mean' in describe)) return NO_DATA;
  const f = (value: number | null) => formatNumber(value, digits);
  const rangeSeparator = describe.min < 0 || describe.max < 0 ? ' to ' : '–';
  return (
    `${f(describe.mean)} (${f(describe.sd)}); ` +
    `median ${f(describe.median)} [${f(describe.q1)}, ${f(describe.q3)}]; ` +
    `range ${f(describe.min)}${rangeSeparator}${f(describe.max)}`
  );
}

/** A p-value: "<0.001" below a thousandth, three decimals otherwise. */
export function formatPValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return NO_DATA;
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** A signed number for slopes and changes: "+0.08", "-0.12". */
export function formatSigned(value: number | null | undefined, digits = 2): string {
  const text = formatNumber(value, digits);
  return text === NO_DATA || text.startsWith('-') || Number(text) === 0 ? text : `+${text}`;
}
