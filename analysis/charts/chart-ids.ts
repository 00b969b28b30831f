// The report's charts by id, in report order: who took part, what they received, how long they
// were followed, outcomes, then harms. The ids name the PNG files and the page's canvases.
export const CHART_IDS = [
  'participant-flow',
  'sessions-per-participant',
  'follow-up-coverage',
  'fading-grade',
  'density-score',
  'touch-up-free',
  'satisfaction',
  'adverse-events',
] as const;

export type ChartId = (typeof CHART_IDS)[number];
