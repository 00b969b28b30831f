// A study's dashboard: its headline figures, every chart of GET /charts drawn with chart.js (each
// with its description, its table and a PNG download), and the sites side by side. One request
// (/charts with by=site) brings the summary, the charts and the per-site figures; the site and
// indication filters live in the address. Every number is the API's: the page only formats it.
// The study can be exported from here in every format, plain or de-identified.
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ChartSpec } from '../../../analysis/charts/types.ts';
import { INDICATION_LABELS } from '../../../analysis/vocabulary.ts';
import type { AnalysisSummary, Indication } from '../../../analysis/types.ts';
import type { SiteRecord } from '../../../api/schemas/records.ts';
import { useResource } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { ChartCard } from '../charts/chart-card.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { ExportStudy } from '../components/export-study.tsx';
import { reachableSites } from '../components/reachable-sites.ts';
import { CompareSites } from '../dashboard/compare-sites.tsx';
import { HeadlineFigures } from '../dashboard/headline-figures.tsx';
import { RetentionByVisit } from '../dashboard/retention.tsx';
import { SurveyResponse } from '../dashboard/survey-response.tsx';
import { VerificationShares } from '../dashboard/verification-shares.tsx';
import { navigate, pathOf, queryOf } from '../router.tsx';
import { useMe } from '../session.ts';

export interface StudyChartsBody {
  summary: AnalysisSummary;
  charts: ChartSpec[];
  /** Other sites' counts under this are suppressed in a clinic's view. */
  suppressBelow: number;
}

/** The mark the page sets when every chart of an answer is drawn (the speed measurement reads it). */
export const CHARTS_DRAWN_MARK = 'smp:dashboard-charts-drawn';

function Filters({ code, site, indication, sites }: { code: string; site: string; indication: string; sites: SiteRecord[] | undefined }) {
  const me = useMe();
  const go = (next: { site?: string; indication?: string }) =>
    navigate(pathOf('studies', code) + queryOf({ site, indication, ...next }), { replace: true });
  const options = sites ? reachableSites(me, code, sites) : [];
  const known = options.some((s) => s.code === site);
  return (
    <form class="toolbar" aria-label="Filter the dashboard" onSubmit={(event) => event.preventDefault()}>
      <p class="field">
        <label for="filter-site">Site</label>
        <select id="filter-site" value={site} onChange={(event) => go({ site: event.currentTarget.value })}>
          <option value="">{me.role === 'clinic' ? 'All my sites' : 'All sites'}</option>
          {options.map((s) => (
            <option key={s.code} value={s.code}>
              {s.code} — {s.name}
            </option>
          ))}
          {site !== '' && !known ? <option value={site}>{site}</option> : null}
        </select>
      </p>
      <p class="field">
        <label for="filter-indication">Indication</label>
        <select id="filter-indication" value={indication} onChange={(event) => go({ indication: event.currentTarget.value })}>
          <option value="">All indications</option>
          {(Object.entries(INDICATION_LABELS) as Array<[Indication, string]>).map(([key, label]) => (
            <option key={key} value={key}>
              {label}
            </option>
          ))}
        </select>
      </p>
      {site !== '' || indication !== '' ? (
        <p class="field">
          <button type="button" onClick={() => navigate(pathOf('studies', code), { replace: true })}>
            Clear filters
          </button>
        </p>
      ) : null}
    </form>
  );
}

/** Every chart, drawn; marks the moment the last one of an answer is on screen. */
function ChartGrid({ charts, fileStem }: { charts: ChartSpec[]; fileStem: string }) {
  const grid = useRef<HTMLDivElement>(null);
  // Runs after the cards' own layout effects, which draw the charts.
  useLayoutEffect(() => {
    const element = grid.current!;
    element.dataset['drawn'] = String(element.querySelectorAll('canvas[data-drawn]').length);
    performance.mark(CHARTS_DRAWN_MARK);
  }, [charts]);
  return (
    <div class="charts" ref={grid}>
      {charts.map((spec) => (
        <ChartCard key={spec.id} spec={spec} fileStem={fileStem} />
      ))}
    </div>
  );
}

function filterWords(site: string, indication: string): string {
  const parts = [site ? `site ${site}` : '', indication ? (INDICATION_LABELS[indication as Indication] ?? indication) : ''].filter(Boolean);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

export function DashboardPage(props: { code?: string; participant?: string; url?: URL }) {
  const code = props.code!;
  const url = props.url ?? new URL(location.href);
  const site = url.searchParams.get('site') ?? '';
  const indication = url.searchParams.get('indication') ?? '';
  usePageTitle(`Dashboard · ${code}`);
  const base = `/api/studies/${encodeURIComponent(code)}`;
  const filters = { site: site || undefined, indication: indication || undefined };
  const charts = useResource<StudyChartsBody>(`${base}/charts${queryOf({ by: 'site', ...filters })}`);
  const sites = useResource<{ items: SiteRecord[] }>(`${base}/sites?limit=1000`);
  const data = charts.data;
  const stem = `${code}${site ? `-${site}` : ''}${indication ? `-${indication}` : ''}`;

  return (
    <main id="main" aria-busy={charts.loading}>
      <h1>{data ? data.summary.study.title : code}</h1>
      <p class="hint">
        Study {code}
        {filterWords(site, indication)}: the analysis as the API computes it, with every chart&apos;s figures in its table.{' '}
        <a href={`${base}/report${queryOf(filters)}`}>HTML report</a> · <a href={`${base}/analysis${queryOf(filters)}`}>Analysis JSON</a>
      </p>
      <p class="hint">
        The whole study{site !== '' || indication !== '' ? ' (without the filters)' : ''}: <ExportStudy code={code} idPrefix="dashboard-export" />
      </p>
      <Filters code={code} site={site} indication={indication} sites={sites.data?.items} />
      <ErrorBox error={charts.error} title="The dashboard could not be loaded." />
      {charts.loading ? <Loading what={data ? 'Updating the figures' : 'Loading the figures'} /> : null}
      {data && data.summary.participants.enrolled === 0 ? (
        <p class="empty-study" data-empty-study>
          {site !== '' || indication !== '' ? (
            'No participants match these filters.'
          ) : (
            <>
              No participants yet: <a href={pathOf('studies', code, 'participants')}>add one</a>.
            </>
          )}
        </p>
      ) : data ? (
        <>
          <HeadlineFigures summary={data.summary} />
          <RetentionByVisit summary={data.summary} suppressBelow={data.suppressBelow} />
          <SurveyResponse summary={data.summary} />
          <section aria-labelledby="charts-heading">
            <h2 id="charts-heading">Charts</h2>
            <ChartGrid charts={data.charts} fileStem={stem} />
          </section>
          <CompareSites
            summary={data.summary}
            suppressBelow={data.suppressBelow}
            filtered={site !== ''}
            siteNames={new Map((sites.data?.items ?? []).map((s) => [s.code, s.name]))}
          />
          <VerificationShares base={base} />
        </>
      ) : null}
    </main>
  );
}
