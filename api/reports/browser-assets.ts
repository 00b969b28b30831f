// The JavaScript the HTML report inlines: chart.js's UMD build from node_modules and the chart
// plugins' own source file (the very file Node imports), so the page needs no network.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHART_PLUGINS_PATH = fileURLToPath(new URL('../../analysis/charts/chart-plugins.js', import.meta.url));

/** Text that would end or confuse an inline <script> element if it appeared in its source. */
const UNSAFE_IN_SCRIPT = /<\/script|<!--/i;

function inlineSafe(source: string, what: string): string {
  if (UNSAFE_IN_SCRIPT.test(source)) throw new Error(`${what} contains "</script" or "<!--" and cannot be inlined`);
  return source;
}

let chartJsSource: string | undefined;

/** chart.js's UMD build (defines `window.Chart` with every part registered), without its source-map comment. */
export function chartJsUmdSource(): string {
  if (chartJsSource === undefined) {
    // The package's "exports" hide dist/chart.umd.min.js; resolve the main entry and read its sibling.
    const main = createRequire(import.meta.url).resolve('chart.js');
    const source = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
    chartJsSource = inlineSafe(source.replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n'), 'chart.umd.min.js');
  }
  return chartJsSource;
}

/** analysis/charts/chart-plugins.js as text: an ES module with no imports, valid in <script type="module">. */
export function chartPluginsSource(): string {
  return inlineSafe(readFileSync(CHART_PLUGINS_PATH, 'utf8'), 'chart-plugins.js');
}
