// The dashboard's headline figures, as cards: each the API's figure, with the fraction and exact
// 95% interval behind a percentage. Formatting only; nothing is computed here.
import type { ComponentChildren } from 'preact';
import type { AnalysisSummary, Proportion } from '../../../analysis/types.ts';
import { formatCount, formatFraction, formatInterval, formatPercent, NO_DATA } from '../components/figure-cells.tsx';
import { formatNumber } from '../../../analysis/charts/format.ts';

function Figure({ id, value, what, children }: { id: string; value: string; what: string; children?: ComponentChildren }) {
  return (
    <div class="figure" data-figure={id}>
      <div class="value">{value}</div>
      <div class="what">{what}</div>
      {children ? <div class="detail">{children}</div> : null}
    </div>
  );
}

/** "1/22 · 95% exact [0.1%, 22.8%]", or "no one to count" without a denominator. */
function fractionWithInterval(p: Proportion): string {
  return p.N === 0 ? 'no one to count' : `${formatFraction(p)} · 95% exact ${formatInterval(p.exact)}`;
}

export function HeadlineFigures({ summary }: { summary: AnalysisSummary }) {
  const { participants, sessions, followUp, fading, safety, satisfaction } = summary;
  const km = fading.touchUpFree;
  const median = fading.touchUpFreeMedian;
  const limit = (value: number | null) => (value === null ? 'not reached' : formatNumber(value));
  return (
    <section aria-labelledby="headline-heading">
      <h2 id="headline-heading">Headline figures</h2>
      <div class="figures">
        <Figure id="enrolled" value={formatCount(participants.enrolled)} what="participants enrolled">
          {formatCount(participants.withdrawn)} withdrawn
        </Figure>
        <Figure id="sessions" value={formatCount(sessions.total)} what="treatment sessions">
          protocol followed by {formatFraction(sessions.protocolAdherence)} ({formatPercent(sessions.protocolAdherence.proportion)})
        </Figure>
        <Figure
          id="follow-up-in-window"
          value={formatPercent(followUp.inWindow.proportion)}
          what={`followed up ${followUp.window.from}–${followUp.window.to} months after the final session`}
        >
          {fractionWithInterval(followUp.inWindow)}
        </Figure>
        <Figure
          id="minimal-or-no-fading-in-window"
          value={formatPercent(fading.minimalOrNoneInWindow.proportion)}
          what={`minimal or no fading at the latest assessment ${followUp.window.from}–${followUp.window.to} months after the final session (primary outcome)`}
        >
          {fractionWithInterval(fading.minimalOrNoneInWindow)}
        </Figure>
        <Figure id="minimal-or-no-fading" value={formatPercent(fading.minimalOrNone.proportion)} what="minimal or no fading at the latest assessment">
          {fractionWithInterval(fading.minimalOrNone)}
        </Figure>
        <Figure
          id="touch-up-free-median"
          value={median.months === null ? (km.n === 0 ? NO_DATA : 'not reached') : `${formatNumber(median.months)} months`}
          what="median time free of a touch-up need"
        >
          {median.months === null ? null : (
            <>
              95% CI {limit(median.lower)} to {limit(median.upper)} (log-log)
              <br />
            </>
          )}
          {median.unstable ? (
            <>
              <strong class="unstable">unstable: {median.atRisk === null ? NO_DATA : formatCount(median.atRisk)} at risk at the median</strong>
              <br />
            </>
          ) : null}
          {formatCount(km.events)} touch-up{km.events === 1 ? '' : 's'} needed among {formatCount(km.n)} followed up
        </Figure>
        <Figure id="any-adverse-event" value={formatPercent(safety.anyEvent.proportion)} what="participants with an adverse event">
          {fractionWithInterval(safety.anyEvent)}
          <br />
          {formatCount(safety.solicitedEvents)} solicited and {formatCount(safety.spontaneousEvents)} spontaneous events
        </Figure>
        <Figure id="serious-adverse-event" value={formatPercent(safety.seriousEvent.proportion)} what="participants with a serious adverse event">
          {fractionWithInterval(safety.seriousEvent)}
        </Figure>
        <Figure id="very-satisfied" value={formatPercent(satisfaction.verySatisfied.proportion)} what="of respondents very satisfied">
          {fractionWithInterval(satisfaction.verySatisfied)}
          <br />
          would recommend: {formatFraction(satisfaction.wouldRecommend)} ({formatPercent(satisfaction.wouldRecommend.proportion)})
        </Figure>
      </div>
    </section>
  );
}
