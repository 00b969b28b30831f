// Number formatting shared by chart tables and the Markdown and HTML reports, so a figure reads the
// same everywhere: percentages to one decimal, intervals as "[0.1%, 22.8%]", "—" for no data, and
// a figure small-cell suppression hid (another site's, for a clinic) as "suppressed (small group)†", never as 0.
import type { Describe, KaplanMeierMedian, Proportion, Suppressed } from '../types.ts';

/** Shown where there is nothing to report (no denominator, no values). */
export const NO_DATA = '—';

/** The mark of a suppressed figure, which the footnote `suppressionNote` explains. */
export const SUPPRESSED_MARK = '†';

/** Shown for a figure small-cell suppression hid: it reads as hidden, never as 0 or as no data. */
export const SUPPRESSED = `suppressed (small group)${SUPPRESSED_MARK}`;

/**
 * The footnote of a table or page with a suppressed figure.
 *
 * @param threshold the server's small-cell threshold, when known
 * @returns one sentence, starting with the mark
 */
export function suppressionNote(threshold?: number | null): string {
  const small = threshold === undefined || threshold === null ? 'under the small-cell threshold' : `under ${threshold}`;
  return (
    `${SUPPRESSED_MARK} Suppressed: another site's count ${small} is not shown, nor any figure that would give one back ` +
    'with those shown (a total, a share, a rate, the same count elsewhere), so that no one learns about a small group of participants.'
  );
}

/** A proportion as served, whose figures suppression may have hidden (null). */
export type ShownProportion = { [K in keyof Proportion]: Proportion[K] | null } & { suppressed?: true };

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

/** "16/20"; "—" when the denominator is 0; "suppressed (small group)† of 20" (or "suppressed (small group)†") when n was hidden. */
export function formatFraction(proportion: Pick<ShownProportion, 'n' | 'N'>): string {
  if (proportion.n === null || proportion.N === null) return proportion.N === null ? SUPPRESSED : `${SUPPRESSED} of ${proportion.N}`;
  return proportion.N === 0 ? NO_DATA : `${proportion.n}/${proportion.N}`;
}

/** The four cells of a proportion row: n/N, %, Wilson 95% CI, exact 95% CI. */
export function proportionCells(proportion: ShownProportion): [string, string, string, string] {
  if (proportion.n === null || proportion.N === null) return [formatFraction(proportion), SUPPRESSED, SUPPRESSED, SUPPRESSED];
  if (proportion.N === 0) return [NO_DATA, NO_DATA, NO_DATA, NO_DATA];
  return [
    formatFraction(proportion),
    formatPercent(proportion.proportion),
    formatInterval(proportion.wilson),
    formatInterval(proportion.exact),
  ];
}

/** One cell: "16/20 (80.0%) [56.3%, 94.3%]" with the exact interval; "—" when N = 0; "suppressed (small group)† of 20" when n was hidden. */
export function formatProportion(proportion: Pick<ShownProportion, 'n' | 'N' | 'proportion' | 'exact'>): string {
  if (proportion.n === null || proportion.N === null) return formatFraction(proportion);
  if (proportion.N === 0) return NO_DATA;
  return `${formatFraction(proportion)} (${formatPercent(proportion.proportion)}) ${formatInterval(proportion.exact)}`;
}

/** "mean (SD); median [Q1, Q3]; range min–max"; "—" when n = 0; "suppressed (small group)†" when hidden (n null). */
export function formatDescribe(describe: Describe | Suppressed<Describe>, digits = 1): string {
  if (describe.n === null) return SUPPRESSED;
  if (!('mean' in describe) || describe.min === null || describe.max === null) return NO_DATA;
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

/**
 * The median touch-up-free time as the reports and the dashboard show it: "31.4 months (95% CI
 * 30.9 to not reached)", "not reached", and a warning when it rests on fewer than 5 at risk.
 */
export function formatMedianTime(median: Suppressed<KaplanMeierMedian> | KaplanMeierMedian): string {
  if (median.months === null) return 'suppressed' in median && median.suppressed ? SUPPRESSED : 'not reached';
  const limit = (value: number | null) => (value === null ? 'not reached' : formatNumber(value, 1));
  const text = `${formatNumber(median.months, 1)} months (95% CI ${limit(median.lower)} to ${limit(median.upper)})`;
  return median.unstable ? `${text}, unstable: ${median.atRisk} at risk at the median` : text;
}

/** The least-squares intercept, named as a grade only when it falls on the 0–4 scale. */
export function formatIntercept(intercept: number | null | undefined): string {
  if (intercept === null || intercept === undefined) return NO_DATA;
  const text = formatNumber(intercept, 3);
  return intercept < 0 || intercept > 4 ? `${text} (outside the 0–4 scale: not a grade)` : text;
}
