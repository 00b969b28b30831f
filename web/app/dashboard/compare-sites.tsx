// The sites side by side: the key figures of every site of the cohort (the summary's `by=site`
// subgroups), one column per site. A clinic sees other sites with their small counts suppressed,
// which the table says in words ("suppressed (< 5)"), never as a blank.
import type { ComponentChildren } from 'preact';
import type { AnalysisSummary, Subgroup } from '../../../analysis/types.ts';
import { CountCell, NumberCell, ProportionCell, type MaybeProportion } from '../components/figure-cells.tsx';

/** A group's figures as served: for another site of a clinic, any of them may be null (suppressed). */
type Served = Subgroup['figures'] & { suppressed?: true };

interface Row {
  id: string;
  label: string;
  cell: (figures: Served, below: number) => ComponentChildren;
}

const proportion = (value: unknown, below: number) => <ProportionCell value={value as MaybeProportion} below={below} />;

const ROWS: Row[] = [
  { id: 'enrolled', label: 'Participants enrolled', cell: (f, below) => <CountCell value={f.participants.enrolled} below={below} /> },
  { id: 'withdrawn', label: 'Withdrawn', cell: (f, below) => <CountCell value={f.participants.withdrawn} below={below} /> },
  { id: 'sessions', label: 'Treatment sessions', cell: (f, below) => <CountCell value={f.sessions.total} below={below} /> },
  { id: 'protocol-adherence', label: 'Protocol followed', cell: (f, below) => proportion(f.sessions.protocolAdherence, below) },
  { id: 'follow-up-in-window', label: 'Followed up in the protocol window', cell: (f, below) => proportion(f.followUp.inWindow, below) },
  { id: 'minimal-or-no-fading', label: 'Minimal or no fading at the latest assessment', cell: (f, below) => proportion(f.fading.minimalOrNone, below) },
  {
    id: 'density-change',
    label: 'Density score change, first to latest (mean)',
    cell: (f, below) => {
      const change = f.fading.densityScore.change as { n: number | null; mean?: number };
      return <NumberCell value={change.mean} digits={2} below={below} suppressed={change.n === null} />;
    },
  },
  {
    id: 'touch-up-free-median',
    label: 'Median months free of a touch-up need',
    cell: (f, below) => {
      const km = f.fading.touchUpFree as { n: number | null; median: number | null };
      if (km.n !== null && km.n > 0 && km.median === null) return 'not reached';
      return <NumberCell value={km.median} below={below} suppressed={km.n === null} />;
    },
  },
  { id: 'any-adverse-event', label: 'Participants with an adverse event', cell: (f, below) => proportion(f.safety.anyEvent, below) },
  { id: 'serious-adverse-event', label: 'Participants with a serious adverse event', cell: (f, below) => proportion(f.safety.seriousEvent, below) },
  { id: 'related-adverse-event', label: 'Participants with a related adverse event', cell: (f, below) => proportion(f.safety.relatedEvent, below) },
  { id: 'survey-respondents', label: 'Survey respondents', cell: (f, below) => <CountCell value={f.satisfaction.respondents} below={below} /> },
  { id: 'very-satisfied', label: 'Very satisfied', cell: (f, below) => proportion(f.satisfaction.verySatisfied, below) },
  { id: 'would-recommend', label: 'Would recommend', cell: (f, below) => proportion(f.satisfaction.wouldRecommend, below) },
];

export function CompareSites(props: { summary: AnalysisSummary; suppressBelow: number; filtered: boolean; siteNames: ReadonlyMap<string, string> }) {
  const { summary, suppressBelow, filtered, siteNames } = props;
  const groups = summary.subgroups?.by === 'site' ? summary.subgroups.groups : [];
  const anySuppressed = groups.some((group) => (group.figures as Served).suppressed);
  return (
    <section aria-labelledby="compare-heading">
      <h2 id="compare-heading">Compare sites</h2>
      {filtered ? <p class="hint">The site filter leaves one site: clear it to see every site side by side.</p> : null}
      {anySuppressed ? (
        <p class="hint">
          Other sites&apos; counts under {suppressBelow} are suppressed, so that no one learns about a small group of participants elsewhere.
        </p>
      ) : null}
      {groups.length === 0 ? (
        <p>No site has participants in this selection.</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Sites compared (scrolls sideways)">
          <table id="compare-sites">
            <caption>Key figures per site; proportions as n/N (%) with the 95% exact interval</caption>
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
                      {row.cell(group.figures as Served, suppressBelow)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
