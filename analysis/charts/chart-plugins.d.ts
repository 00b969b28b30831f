// Types for chart-plugins.js (plain JavaScript so the HTML report can inline the same text), and
// the option shapes the plugins read, added to chart.js's plugin options by module augmentation.
import type { ChartType, Plugin } from 'chart.js';

export interface ErrorBarsOptions {
  /** Whiskers per dataset; `bounds[i]` (value-axis units) belongs to data element i, null for none. */
  intervals: Array<{ datasetIndex: number; bounds: Array<[number, number] | null> }>;
  color?: string;
  lineWidth?: number;
  /** Length of the end caps in pixels. */
  capWidth?: number;
}

/** Names for whole-number ticks, per axis id: tick value i is labelled `labels[i]`. */
export type TickLabelsOptions = Record<string, string[]>;

export interface ValueLabelsOptions {
  labels: Array<{ datasetIndex: number; texts: Array<string | null> }>;
  color?: string;
  font?: { family?: string; size?: number; weight?: string | number | null };
}

export interface AtRiskRowOptions {
  label: string;
  /** x values (months) of the counts. */
  times: number[];
  counts: number[];
  color?: string;
  font?: { family?: string; size?: number; weight?: string | number | null };
}

export declare const errorBarsPlugin: Plugin;
export declare const atRiskRowPlugin: Plugin;
export declare const tickLabelsPlugin: Plugin;
export declare const valueLabelsPlugin: Plugin;
export declare const chartPlugins: Plugin[];

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- merging needs chart.js's own type parameter
  interface PluginOptionsByType<TType extends ChartType> {
    errorBars?: ErrorBarsOptions;
    tickLabels?: TickLabelsOptions;
    valueLabels?: ValueLabelsOptions;
    atRiskRow?: AtRiskRowOptions;
  }
}
