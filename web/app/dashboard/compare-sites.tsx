// The sites side by side: the key figures of every site of the cohort (the summary's `by=site`
// subgroups), one column per site. A clinic sees other sites with their small counts suppressed,
// and the figures that would give one back: the table says so in words ("suppressed (small group)†"), never as
// a blank, with the footnote under it.
import type { ComponentChildren } from 'preact';
import type { AnalysisSummary, SuppressedFigures } from '../../../analysis/types.ts';
import { CountCell, NumberCell, ProportionCell, SuppressionFootnote, type MaybeProportion } from '../components/figure-cells.tsx';

/** A group's figures as served: for another site of a clinic, any of them may be null (suppressed). */
type Served = SuppressedFigures;

interface Row {
  id: string;
  label: string;
  cell: (figures: Served) => ComponentChildren;
}

const proportion = (value: unknown) => <ProportionCell value={value as MaybeProportion} />;

const ROWS: Row[] = [
  { id: 'enrolled', label: 'Participants enrolled', cell: (f) => <CountCell value={f.participants.enrolled} /> },
  { id: 'withdrawn', label: 'Withdrawn', cell: (f) => <CountCell value={f.participants.withdrawn} /> },
  { id: 'sessions', label: 'Treatment sessions', cell: (f) => <CountCell value={f.sessions.total} /> },
  { id: 'protocol-adherence', label: 'Protocol followed', cell: (f) => proportion(f.sessions.protocolAdherence) },
  { id: 'follow-up-in-window', label: 'Followed up in the protocol window', cell: (f) => proportion(f.followUp.inWindow) },
  { id: 'minimal-or-no-fading', label: 'Minimal or no fading at the latest assessment', cell: (f) => proportion(f.fading.minimalOrNone) },
  {
    id: 'density-change',
    label: 'Density score change, first to latest (mean)',
    cell: (f) => {
      const change = f.fading.densityScore.change as { n: number | null; mean?: number | null };
      return <NumberCell value={change.mean} digits={2} suppressed={change.n === null} />;
    },
  },
  {
    id: 'touch-up-free-median',
    label: 'Median months free of a touch-up need',
    cell: (f) => {
      // The median as R's survfit gives it (the midpoint where the curve rests at exactly 50%).
      const km = f.fading.touchUpFree as { n: number | null };
      const median = f.fading.touchUpFreeMedian as { months: number | null };
      if (km.n !== null && km.n > 0 && median.months === null) return 'not reached';
      return <NumberCell value={median.months} suppressed={km.n === null} />;
    },
  },
  { id: 'any-adverse-event', label: 'Participants with an adverse event', cell: (f) => proportion(f.safety.anyEvent) },
  { id: 'serious-adverse-event', label: 'Participants with a serious adverse event', cell: (f) => proportion(f.safety.seriousEvent) },
  { id: 'related-adverse-event', label: 'Participants with a related adverse event', cell: (f) => proportion(f.safety.relatedEvent) },
  { id: 'survey-respondents', label: 'Survey respondents', cell: (f) => <CountCell value={f.satisfaction.respondents} /> },
  { id: 'very-satisfied', label: 'Very satisfied', cell: (f) => proportion(f.satisfaction.verySatisfied) },
  { id: 'would-recommend', label: 'Would recommend', cell: (f) => proportion(f.satisfaction.wouldRecommend) },
];

export function CompareSites(props: { summary: AnalysisSummary; suppressBelow: number; filtered: boolean; siteNames: ReadonlyMap<string, string> }) {
  const { summary, suppressBelow, filtered, siteNames } = props;
  const groups = summary.subgroups?.by === 'site' ? summary.subgroups.groups : [];
  const anySuppressed = groups.some((group) => 'suppressed' in group.figures);
  return (
    <section aria-labelledby="compare-heading">
      <h2 id="compare-heading">Compare sites</h2>
      {filtered ? <p class="hint">The site filter leaves one site: clear it to see every site side by side.</p> : null}
      {groups.length === 0 ? (
        <p>No site has participants in this selection.</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Sites compared (scrolls sideways)">
          <table id="compare-sites">
            <caption>
              Key figures per site; proportions as n/N (%) with the 95% exact interval{anySuppressed ? '; † suppressed (small group): see the note below' : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Figure</th>
                {groups.map((group) => (
                  <th key={group.key} scope="col" data-site={group.key}>
                    {group.key}
                    {siteNames.has(group.key) ? <span class="site-name"> {siteNames.get(group.key)}</span> : null}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {ROWS.map((row) => (
                <tr key={row.id} data-row={row.id}>
                  <th scope="row">{row.label}</th>
                  {groups.map((group) => (
                    <td key={group.key} data-site={group.key}>
                      {row.cell(group.figures as Served)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {anySuppressed ? <SuppressionFootnote below={suppressBelow} id="compare-footnote" /> : null}
    </section>
  );
}
