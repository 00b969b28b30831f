// Chart configurations for the analysis summary: pure functions from the summary and its chart
// series to chart.js configurations (plain, JSON-safe data) plus the table of the figures each
// chart shows. Renderers register chart.js parts and the plugins in chart-plugins.js.
import type { ChartConfiguration } from 'chart.js';
import type { AnalysisSummary, ChartSeries } from '../types.ts';
import { CHART_IDS, type ChartId } from './chart-ids.ts';
import { ADVERSE_EVENTS_CHART_TITLE, adverseEventsChart, adverseEventsTable } from './adverse-events-chart.ts';
import { DENSITY_CHART_TITLE, densityChart, densityTable } from './density-chart.ts';
import { FADING_CHART_TITLE, fadingChart, fadingTable } from './fading-chart.ts';
import { FOLLOW_UP_COVERAGE_CHART_TITLE, followUpCoverageChart, followUpCoverageTable } from './follow-up-coverage-chart.ts';
import { PARTICIPANT_FLOW_CHART_TITLE, participantFlowChart, participantFlowTable } from './participant-flow-chart.ts';
import { SATISFACTION_CHART_TITLE, satisfactionChart, satisfactionTable } from './satisfaction-chart.ts';
import { SESSIONS_CHART_TITLE, sessionsChart, sessionsTable } from './sessions-chart.ts';
import { TOUCH_UP_FREE_CHART_TITLE, touchUpFreeChart, touchUpFreeTable } from './touch-up-free-chart.ts';
import type { ChartSpec, DataTable } from './types.ts';

interface ChartDefinition {
  title: string;
  chart: (summary: AnalysisSummary, series: ChartSeries) => ChartConfiguration;
  table: (summary: AnalysisSummary, series: ChartSeries) => DataTable;
}

const CHARTS: Readonly<Record<ChartId, ChartDefinition>> = {
  'participant-flow': { title: PARTICIPANT_FLOW_CHART_TITLE, chart: participantFlowChart, table: participantFlowTable },
  'sessions-per-participant': { title: SESSIONS_CHART_TITLE, chart: sessionsChart, table: sessionsTable },
  'follow-up-coverage': { title: FOLLOW_UP_COVERAGE_CHART_TITLE, chart: followUpCoverageChart, table: followUpCoverageTable },
  'fading-grade': { title: FADING_CHART_TITLE, chart: fadingChart, table: fadingTable },
  'density-score': { title: DENSITY_CHART_TITLE, chart: densityChart, table: densityTable },
  'touch-up-free': { title: TOUCH_UP_FREE_CHART_TITLE, chart: touchUpFreeChart, table: touchUpFreeTable },
  satisfaction: { title: SATISFACTION_CHART_TITLE, chart: satisfactionChart, table: satisfactionTable },
  'adverse-events': { title: ADVERSE_EVENTS_CHART_TITLE, chart: adverseEventsChart, table: adverseEventsTable },
};

/** Every chart of the report, each with its configuration and its table. */
export function allCharts(summary: AnalysisSummary, series: ChartSeries): ChartSpec[] {
  return CHART_IDS.map((id) => ({
    id,
    title: CHARTS[id].title,
    config: CHARTS[id].chart(summary, series),
    table: CHARTS[id].table(summary, series),
  }));
}

export { CHART_IDS, type ChartId } from './chart-ids.ts';
export { adverseEventErrorBars, adverseEventsChart, adverseEventsTable } from './adverse-events-chart.ts';
export { bubbleRadius } from './bubble-size.ts';
export { DENSITY_SCALE, densityChart, densityTable } from './density-chart.ts';
export { FADING_GRADE_TICKS, fadingChart, fadingTable, fadingTrendLine } from './fading-chart.ts';
export { FLOW_STAGES, participantFlowChart, participantFlowTable } from './participant-flow-chart.ts';
export {
  COVERAGE_STAGES,
  followUpCoverageChart,
  followUpCoverageTable,
  formatWindowMonths,
} from './follow-up-coverage-chart.ts';
export { touchUpFreeCensorMarks, touchUpFreeChart, touchUpFreeCurve, touchUpFreeTable } from './touch-up-free-chart.ts';
export { SATISFACTION_COLOURS, satisfactionChart, satisfactionTable } from './satisfaction-chart.ts';
export { sessionsChart, sessionsTable } from './sessions-chart.ts';
export { FONT_FAMILY, OKABE_ITO, OKABE_ITO_ORDER, withAlpha } from './palette.ts';
export type { OkabeItoColour } from './palette.ts';
export type { ChartSpec, DataTable } from './types.ts';
export type { ErrorBarsOptions, TickLabelsOptions, ValueLabelsOptions } from './chart-plugins.js';
