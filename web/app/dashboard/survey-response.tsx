// Survey response on the dashboard: for each scheduled visit that expects a survey, the
// participants invited by email and the share of them who answered in the visit's window, with
// its exact 95% interval; and who entered the surveys, staff or the participant through a link
// (the summary's `surveyResponse`). Shown only when the study uses invitations or links.
import type { AnalysisSummary } from '../../../analysis/types.ts';
import { CountCell, ProportionCell } from '../components/figure-cells.tsx';

export function SurveyResponse({ summary }: { summary: AnalysisSummary }) {
  const response = summary.surveyResponse;
  if (!response) return null;
  return (
    <section aria-labelledby="survey-response-heading">
      <h2 id="survey-response-heading">Survey response</h2>
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Survey response (scrolls sideways)">
        <table id="survey-response">
          <caption>Of the participants invited by email to a visit’s survey: those who answered in its window, n/N (%) with the 95% exact interval</caption>
          <thead>
            <tr>
              <th scope="col">Visit</th>
              <th scope="col" class="number">
                Invited
              </th>
              <th scope="col" class="number">
                Answered
              </th>
            </tr>
          </thead>
          <tbody>
            {response.byVisit.map((v) => (
              <tr key={v.visit} data-visit={v.visit}>
                <th scope="row">
                  {v.visit}: {v.label}
                </th>
                <td class="number">
                  <CountCell value={v.invited} />
                </td>
                <td class="number">
                  <ProportionCell value={v.answered} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p id="survey-entered-by">
        Surveys entered by staff: {response.enteredBy.staff}; by the participant through a link: {response.enteredBy.participant}.
      </p>
    </section>
  );
}
