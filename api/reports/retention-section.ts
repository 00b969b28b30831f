// The report's retention section: for each scheduled visit, the participants with a schedule who
// did it, did not, and withdrew before its window ended, as proportions with exact intervals.
import { formatProportion } from '../../analysis/charts/format.ts';
import type { CohortFigures } from '../../analysis/types.ts';
import type { ReportSection } from './report-section.ts';

export function retentionSection(figures: CohortFigures, prefix: string): ReportSection | null {
  const retention = figures.retention;
  if (!retention || retention.length === 0) return null;
  return {
    id: `${prefix}retention`,
    title: 'Retention by visit',
    blocks: [
      {
        kind: 'paragraph',
        text:
          'Of the participants with at least one session: those whose visit is done (every expected record in its window), ' +
          'withdrawn (withdrew on or before the window’s last day without it) and not done (missed, or not reached yet).',
      },
      {
        kind: 'table',
        table: {
          caption: 'Retention by scheduled visit: n/N (%) [95% exact CI]',
          columns: ['Visit', 'Months after the final session', 'Participants', 'Done', 'Not done', 'Withdrawn'],
          rows: retention.map((r) => [
            `${r.visit}: ${r.label}`,
            r.monthsAfterFinalSession,
            r.participants,
            formatProportion(r.done),
            formatProportion(r.notDone),
            formatProportion(r.withdrawn),
          ]),
        },
      },
    ],
    subsections: [],
  };
}
