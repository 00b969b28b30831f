// One chart of the API's /charts answer in a card: its title, the subtitle as the chart's
// description, the chart drawn by chart.js from the configuration as served (palette and plugins
// included), its table under a "Table" disclosure, and a PNG download.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChartSpec } from '../../../analysis/charts/types.ts';
import { chartJs, chartPng, downloadDataUrl, NARROW_SCREEN, screenConfig } from './chart-js.ts';
import { DataTableView } from './data-table.tsx';

/** The subtitle a configuration carries (what the chart shows, in words), or ''. */
function subtitleOf(spec: ChartSpec): string {
  const text = (spec.config.options?.plugins?.subtitle as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : Array.isArray(text) ? text.join(' ') : '';
}

/**
 * Whether the screen is phone-narrow, followed as the window changes: the chart is drawn again
 * only when that changes (chart.js follows every other change of size itself).
 */
function useNarrowScreen(): boolean {
  const [narrow, setNarrow] = useState(() => matchMedia(NARROW_SCREEN).matches);
  useEffect(() => {
    const query = matchMedia(NARROW_SCREEN);
    const update = () => setNarrow(query.matches);
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);
  return narrow;
}

export function ChartCard({ spec, fileStem }: { spec: ChartSpec; fileStem: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // The table is built when first opened: some have thousands of rows, and the page must be quick.
  const [tableShown, setTableShown] = useState(false);
  const [pngError, setPngError] = useState<string | null>(null);
  const headingId = `chart-${spec.id}-heading`;
  const descriptionId = `chart-${spec.id}-description`;
  const subtitle = subtitleOf(spec);

  const narrow = useNarrowScreen();
  useLayoutEffect(() => {
    const element = canvas.current!;
    const chart = new (chartJs())(element, screenConfig(spec.config, narrow));
    element.dataset['drawn'] = 'true';
    return () => {
      delete element.dataset['drawn'];
      chart.destroy();
    };
  }, [spec, narrow]);

  return (
    <section class="chart-card" aria-labelledby={headingId} data-chart={spec.id}>
      <h3 id={headingId}>{spec.title}</h3>
      <figure>
        {subtitle ? (
          <figcaption id={descriptionId} class="hint">
            {subtitle}
          </figcaption>
        ) : null}
        <div class="chart-box">
          <canvas
            ref={canvas}
            id={`chart-${spec.id}`}
            role="img"
            aria-label={`Chart: ${spec.title}. Its figures are in the table below it.`}
            aria-describedby={subtitle ? descriptionId : undefined}
          />
        </div>
      </figure>
      <details onToggle={(event) => (event.currentTarget as HTMLDetailsElement).open && setTableShown(true)}>
        <summary>
          Table<span class="visually-hidden">: {spec.title}</span>
        </summary>
        {tableShown ? <DataTableView table={spec.table} label={`Table: ${spec.title}`} /> : null}
      </details>
      <p class="actions">
        <button
          type="button"
          onClick={() => {
            try {
              setPngError(null);
              downloadDataUrl(chartPng(spec.config), `${fileStem}-${spec.id}.png`);
            } catch (error) {
              setPngError(`The PNG could not be made: ${(error as Error).message}`);
            }
          }}
        >
          Download PNG<span class="visually-hidden"> of {spec.title}</span>
        </button>
        {pngError ? (
          <span class="field-error" role="alert">
            {pngError}
          </span>
        ) : null}
      </p>
    </section>
  );
}
