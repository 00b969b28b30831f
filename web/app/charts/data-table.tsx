// A chart's table (the API's DataTable) as an HTML table: the chart's text equivalent, every
// figure as the API wrote it. Text only: cells are never turned into markup.
import type { DataTable } from '../../../analysis/charts/types.ts';

const NUMERIC = /^[-+]?[\d,.]+%?$|^—$|^\[.*%\]$/;

/** Numbers, percentages and intervals are right-aligned; words are not. */
function isNumeric(cell: string | number): boolean {
  return typeof cell === 'number' || NUMERIC.test(cell);
}

/** `label` names the scrolling box for keyboard and screen-reader users. */
export function DataTableView({ table, label, id }: { table: DataTable; label: string; id?: string }) {
  const numericColumn = (i: number) => i > 0 && table.rows.length > 0 && isNumeric(table.rows[0]![i] ?? '');
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={`${label} (scrolls sideways)`}>
      <table class="data-table" id={id}>
        <caption>{table.caption}</caption>
        <thead>
          <tr>
            {table.columns.map((column, i) => (
              <th key={i} scope="col" class={numericColumn(i) ? 'number' : undefined}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, i) =>
                i === 0 ? (
                  <th key={i} scope="row">
                    {String(cell)}
                  </th>
                ) : (
                  <td key={i} class={isNumeric(cell) ? 'number' : undefined}>
                    {String(cell)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
