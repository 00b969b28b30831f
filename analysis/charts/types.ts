// The shapes the chart module hands to renderers: a chart configuration with the table of the
// figures it shows, so every chart has a text equivalent for readers and screen readers.
import type { ChartConfiguration } from 'chart.js';

export interface DataTable {
  caption: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

export interface ChartSpec {
  /** Stable, file-name-safe id (kebab-case): the PNG is `<id>.png`. */
  id: string;
  title: string;
  config: ChartConfiguration;
  table: DataTable;
}
