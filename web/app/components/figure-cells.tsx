// How the pages write the API's figures: counts, proportions with their exact interval, and the
// cells another site's small-cell suppression emptied ("suppressed (small group)†", never a blank or a 0, with
// the footnote under the table that says why). The numbers are the API's; only their formatting
// is done here, with the report's formatters and words.
import {
  formatFraction,
  formatInterval,
  formatNumber,
  formatPercent,
  formatProportion,
  NO_DATA,
  SUPPRESSED,
  suppressionNote,
} from '../../../analysis/charts/format.ts';

const COUNT = new Intl.NumberFormat('en');

/** A proportion as served, possibly suppressed (another site's small cell for a clinic). */
export interface MaybeProportion {
  n: number | null;
  N: number | null;
  proportion: number | null;
  exact: [number, number] | null;
  suppressed?: true;
}

/**
 * The words a suppressed cell shows. Not "< 5": a figure is also hidden when it would give back
 * another's small count (a remainder, a total), and then it may be large.
 */
export function Suppressed() {
  return <span class="suppressed">{SUPPRESSED}</span>;
}

/** The footnote under a table with a suppressed cell, with the threshold the server gave. */
export function SuppressionFootnote({ below, id }: { below: number; id?: string }) {
  return (
    <p class="hint" id={id}>
      {suppressionNote(below)}
    </p>
  );
}

export function formatCount(value: number): string {
  return COUNT.format(value);
}

/** A count, or "suppressed (small group)†" where the server hid it. */
export function CountCell({ value }: { value: number | null | undefined }) {
  if (value === null || value === undefined) return <Suppressed />;
  return <>{formatCount(value)}</>;
}

/** "1/22 (4.5%) [0.1%, 22.8%]" with the exact interval; "—" without a denominator; "suppressed (small group)† of 13" where n was hidden. */
export function ProportionCell({ value }: { value: MaybeProportion | null | undefined }) {
  if (!value) return <>{NO_DATA}</>;
  if (value.n === null || value.N === null) {
    return (
      <>
        <Suppressed />
        {value.N !== null ? ` of ${formatCount(value.N)}` : ''}
      </>
    );
  }
  return <>{formatProportion({ ...value, n: value.n, N: value.N })}</>;
}

/** A number with fixed decimals (a median, a mean), "suppressed (small group)†" when the server hid it. */
export function NumberCell({ value, digits = 1, unit = '', suppressed }: { value: number | null | undefined; digits?: number; unit?: string; suppressed: boolean }) {
  if (suppressed) return <Suppressed />;
  const text = formatNumber(value ?? null, digits);
  return <>{text === NO_DATA ? text : `${text}${unit}`}</>;
}

export { formatFraction, formatInterval, formatPercent, NO_DATA };
