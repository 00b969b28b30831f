// How the pages write the API's figures: counts, proportions with their exact interval, and the
// cells another site's small-cell suppression emptied ("suppressed (< 5)", never a blank). The
// numbers are the API's; only their formatting is done here, with the report's formatters.
import { formatFraction, formatInterval, formatNumber, formatPercent, formatProportion, NO_DATA } from '../../../analysis/charts/format.ts';

const COUNT = new Intl.NumberFormat('en');

/** A proportion as served, possibly suppressed (another site's small cell for a clinic). */
export interface MaybeProportion {
  n: number | null;
  N: number | null;
  proportion: number | null;
  exact: [number, number] | null;
  suppressed?: true;
}

/** The words a suppressed cell shows, with the threshold the server gave. */
export function Suppressed({ below }: { below: number | null }) {
  return <span class="suppressed">suppressed{below === null ? '' : ` (< ${below})`}</span>;
}

export function formatCount(value: number): string {
  return COUNT.format(value);
}

/** A count, or "suppressed (< N)" where the server hid it. */
export function CountCell({ value, below }: { value: number | null | undefined; below: number | null }) {
  if (value === null || value === undefined) return <Suppressed below={below} />;
  return <>{formatCount(value)}</>;
}

/** "1/22 (4.5%) [0.1%, 22.8%]" with the exact interval; "—" without a denominator; suppressed as such. */
export function ProportionCell({ value, below }: { value: MaybeProportion | null | undefined; below: number | null }) {
  if (!value) return <>{NO_DATA}</>;
  if (value.n === null || value.N === null) {
    return (
      <>
        <Suppressed below={below} />
        {value.N !== null ? ` of ${formatCount(value.N)}` : ''}
      </>
    );
  }
  return <>{formatProportion({ ...value, n: value.n, N: value.N })}</>;
}

/** A number with fixed decimals (a median, a mean), suppressed as such when the server hid it. */
export function NumberCell({ value, digits = 1, unit = '', below, suppressed }: { value: number | null | undefined; digits?: number; unit?: string; below: number | null; suppressed: boolean }) {
  if (suppressed) return <Suppressed below={below} />;
  const text = formatNumber(value ?? null, digits);
  return <>{text === NO_DATA ? text : `${text}${unit}`}</>;
}

export { formatFraction, formatInterval, formatPercent, NO_DATA };
