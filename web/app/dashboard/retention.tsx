// Retention by scheduled visit on the dashboard: for each visit of the protocol, the participants
// with a schedule who did it, did not, and withdrew before its window ended, each as a share with
// its exact 95% interval (the summary's `retention`). Shown only when the protocol schedules visits.
import type { AnalysisSummary } from '../../../analysis/types.ts';
import { CountCell, ProportionCell, SuppressionFootnote } from '../components/figure-cells.tsx';

export function RetentionByVisit({ summary, suppressBelow }: { summary: AnalysisSummary; suppressBelow: number | null }) {
  const retention = summary.retention;
  if (!retention || retention.length === 0) return null;
  return (
    <section aria-labelledby="retention-heading">
      <h2 id="retention-heading">Retention by visit</h2>
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Retention by visit (scrolls sideways)">
        <table id="retention">
          <caption>
            Of the participants with at least one session: visit done (every expected record in its window), not done (missed, or
            not reached yet), and withdrawn before its window ended; n/N (%) with the 95% exact interval
          </caption>
          <thead>
            <tr>
              <th scope="col">Visit</th>
              <th scope="col" class="number">
                Months after the final session
              </th>
              <th scope="col" class="number">
                Participants
              </th>
              <th scope="col" class="number">
                Done
              </th>
              <th scope="col" class="number">
                Not done
              </th>
              <th scope="col" class="number">
                Withdrawn
              </th>
            </tr>
          </thead>
          <tbody>
            {retention.map((r) => (
              <tr key={r.visit} data-visit={r.visit}>
                <th scope="row">
                  {r.visit}: {r.label}
                </th>
                <td class="number">{r.monthsAfterFinalSession}</td>
                <td class="number">
                  <CountCell value={r.participants} />
                </td>
                <td class="number">
                  <ProportionCell value={r.done} />
                </td>
                <td class="number">
                  <ProportionCell value={r.notDone} />
                </td>
                <td class="number">
                  <ProportionCell value={r.withdrawn} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {suppressBelow !== null && retention.some((r) => 'suppressed' in r) ? <SuppressionFootnote below={suppressBelow} id="retention-footnote" /> : null}
    </section>
  );
}
