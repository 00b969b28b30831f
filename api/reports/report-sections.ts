// The report's content as plain sections of paragraphs and tables, built once from the summary and
// rendered by both the Markdown and the HTML writers, so the two always show the same figures.
// Another site's figures that small-cell suppression hid read "suppressed (small group)†", and every table with
// one is followed by the footnote that says why.
import {
  NO_DATA,
  SUPPRESSED,
  suppressionNote,
  formatDescribe,
  formatFraction,
  formatIntercept,
  formatMedianTime,
  formatNumber,
  formatPValue,
  formatPercent,
  formatProportion,
  formatSigned,
  proportionCells,
} from '../../analysis/charts/format.ts';
import {
  ADVERSE_EVENT_CATEGORIES,
  ADVERSE_EVENT_CATEGORY_LABELS,
  CTCAE_GRADE_LABELS,
  FADING_GRADE_LABELS,
  INDICATIONS,
  INDICATION_LABELS,
  SATISFACTION_LABELS,
  SUBGROUP_DIMENSION_LABELS,
} from '../../analysis/charts/labels.ts';
import { followUpCoverageTable } from '../../analysis/charts/follow-up-coverage-chart.ts';
import type { ReportBlock, ReportSection } from './report-section.ts';
import { retentionSection } from './retention-section.ts';

export type { ReportBlock, ReportSection };
import { CTCAE_GRADES } from '../../analysis/constants.ts';
import type { DataTable } from '../../analysis/charts/types.ts';
import type {
  AnalysisSummary,
  CohortFigures,
  Describe,
  EventCount,
  GradeKey,
  SatisfactionKey,
  Subgroup,
  Suppressed,
  SuppressedFigures,
} from '../../analysis/types.ts';
import type { ShownProportion } from '../../analysis/charts/format.ts';

/** A group's figures: whole, or another site's as a clinic is shown them. */
type Figures = CohortFigures | SuppressedFigures;

export interface ReportOptions {
  /** The server's small-cell threshold, for the footnote of suppressed figures. */
  suppressBelow?: number | undefined;
  /** The freeze the report was made from (freeze-service.ts), named with its hash. */
  freeze?: ReportFreeze | undefined;
}

/** A freeze as a report names it; the label is null where the reader may not see it. */
export interface ReportFreeze {
  id: number;
  label: string | null;
  createdAt: string;
  sha256: string;
}

/** The sentence that names a report's freeze, in plain text (each renderer escapes it). */
export function freezeSentence(freeze: ReportFreeze): string {
  const label = freeze.label === null ? '' : ` "${freeze.label}"`;
  return `Made from freeze ${freeze.id}${label} of ${freeze.createdAt}; SHA-256 of the frozen bundle: ${freeze.sha256}.`;
}



/** Whether a column (after the first) holds only figures (suppressed ones too), so renderers right-align it. */
export function isNumericColumn(table: DataTable, column: number): boolean {
  return (
    column > 0 &&
    table.rows.length > 0 &&
    table.rows.every((row) => typeof row[column] === 'number' || /^[\d+\-−—.,%/<> ]+$/.test(String(row[column] ?? '').replace(SUPPRESSED, '').replace(/ of /, '')))
  );
}

/** Whether a table shows a suppressed figure (and so needs the footnote). */
const showsSuppressed = (table: DataTable) => table.rows.some((row) => row.some((cell) => String(cell).startsWith(SUPPRESSED)));

/** A count, or the mark of a suppressed one. */
const countCell = (count: number | null): string | number => (count === null ? SUPPRESSED : count);

export const DESCRIBE_COLUMN = 'Mean (SD); median [Q1, Q3]; range';
export const PROPORTION_COLUMNS = ['n/N', '%', 'Wilson 95% CI', 'Exact 95% CI'];

const paragraph = (text: string): ReportBlock => ({ kind: 'paragraph', text });
const table = (caption: string, columns: string[], rows: DataTable['rows']): ReportBlock => ({
  kind: 'table',
  table: { caption, columns, rows },
});
const section = (id: string, title: string, blocks: ReportBlock[], subsections: ReportSection[] = []): ReportSection => ({
  id,
  title,
  blocks,
  subsections,
});

export function proportionTable(caption: string, rows: Array<[string, ShownProportion]>): ReportBlock {
  return table(caption, ['Measure', ...PROPORTION_COLUMNS], rows.map(([label, p]) => [label, ...proportionCells(p)]));
}

export function describeTable(caption: string, rows: Array<[string, Describe, number?]>): ReportBlock {
  return table(
    caption,
    ['Measure', 'n', DESCRIBE_COLUMN],
    rows.map(([label, describe, digits]) => [label, describe.n, formatDescribe(describe, digits ?? 1)]),
  );
}

type ShownEventCount = { events: number | null; participants: ShownProportion };

function eventCountTable(caption: string, firstColumn: string, rows: Array<[string, EventCount | ShownEventCount]>): ReportBlock {
  return table(
    caption,
    [firstColumn, 'Events (n)', 'Participants (n/N)', 'Participants (%)', 'Wilson 95% CI', 'Exact 95% CI'],
    rows.map(([label, count]) => {
      const [fraction, percent, wilson, exact] = proportionCells(count.participants);
      return [label, countCell(count.events), fraction, percent, wilson, exact];
    }),
  );
}

const share = (count: number | null, total: number | null) =>
  count === null || total === null ? SUPPRESSED : total === 0 ? NO_DATA : formatPercent(count / total);

function participantsSection(figures: CohortFigures, prefix: string): ReportSection {
  const { enrolled, withdrawn, byIndication } = figures.participants;
  const indications = INDICATIONS.filter((indication) => byIndication[indication] !== undefined);
  return section(`${prefix}participants`, 'Participants', [
    table('Enrolment and withdrawal', ['Measure', 'Participants (n)', '% of enrolled'], [
      ['Enrolled', enrolled, share(enrolled, enrolled)],
      ['Withdrawn', withdrawn, share(withdrawn, enrolled)],
    ]),
    table(
      'Participants by indication',
      ['Indication', 'Participants (n)', '% of enrolled'],
      indications.map((indication) => {
        const count = byIndication[indication] ?? 0;
        return [INDICATION_LABELS[indication], count, share(count, enrolled)];
      }),
    ),
  ]);
}

function sessionsSection(figures: CohortFigures, prefix: string): ReportSection {
  const { total, perParticipant, durationMinutes, protocolAdherence } = figures.sessions;
  return section(`${prefix}sessions`, 'Sessions', [
    paragraph(`Sessions recorded: ${total}.`),
    describeTable('Sessions per participant and session duration', [
      ['Sessions per participant', perParticipant],
      ['Session duration (minutes)', durationMinutes],
    ]),
    proportionTable('Protocol adherence: the planned initial sessions at the planned interval, and the touch-up in its window when one is planned', [
      ['Protocol adherence', protocolAdherence],
    ]),
  ]);
}

function followUpSection(figures: CohortFigures, prefix: string): ReportSection {
  return section(`${prefix}follow-up`, 'Follow-up', [
    describeTable('Follow-up since the final session', [['Follow-up (months)', figures.followUp.months]]),
    proportionTable('Follow-up within the protocol window', [['Followed up in window', figures.followUp.inWindow]]),
    { kind: 'table', table: followUpCoverageTable(figures) },
  ]);
}

const GRADES: readonly GradeKey[] = ['0', '1', '2', '3', '4'];

function fadingSection(figures: CohortFigures, prefix: string): ReportSection {
  const { latestGrade, minimalOrNone, minimalOrNoneInWindow, densityScore, gradeTrend, touchUpFree, touchUpFreeMedian } = figures.fading;
  const assessed = GRADES.reduce((sum, grade) => sum + latestGrade[grade], 0);
  const { from, to } = figures.followUp.window;
  return section(`${prefix}fading`, 'Fading', [
    table(
      `Fading grade at each participant's latest assessment (${assessed} participants assessed)`,
      ['Grade', 'Fading', 'Participants (n)', 'Participants (%)'],
      GRADES.map((grade) => [
        Number(grade),
        FADING_GRADE_LABELS[Number(grade)] ?? NO_DATA,
        latestGrade[grade],
        share(latestGrade[grade], assessed),
      ]),
    ),
    proportionTable('Minimal or no fading (grade 0–1) at the latest assessment', [
      ['Minimal or no fading', minimalOrNone],
      [`Minimal or no fading within the ${from}–${to}-month window (primary outcome)`, minimalOrNoneInWindow],
    ]),
    describeTable('Dot density score (0–10) at the first and latest follow-up assessment', [
      ['Density score, first', densityScore.first],
      ['Density score, latest', densityScore.latest],
      ['Change (latest − first)', densityScore.change],
    ]),
    table(
      'Trend of fading grade with months since the final session (least squares; Spearman rank correlation)',
      ['Statistic', 'Value'],
      [
        ['Follow-up assessments (n)', gradeTrend.n],
        ['Slope (grade per month)', formatSigned(gradeTrend.slopePerMonth, 3)],
        ['Intercept (fitted grade at 0 months)', formatIntercept(gradeTrend.intercept)],
        ['R²', formatNumber(gradeTrend.r2, 3)],
        ['Spearman ρ', formatNumber(gradeTrend.spearmanRho, 3)],
        ['Spearman p (two-sided)', formatPValue(gradeTrend.spearmanP)],
      ],
    ),
    paragraph(
      `Touch-up-free time (Kaplan–Meier, months since the final session): ${touchUpFree.events} ` +
        `touch-ups needed among ${touchUpFree.n} participants; median ${formatMedianTime(touchUpFreeMedian)} ` +
        `(95% interval by the log-log method, as R's survfit gives it).`,
    ),
    table(
      'Kaplan–Meier steps: touch-up-free survival',
      ['Months', 'At risk (n)', 'Events (n)', 'Touch-up-free (%)'],
      touchUpFree.steps.map((step) => [
        formatNumber(step.months, 1),
        step.atRisk,
        step.events,
        formatPercent(step.survival),
      ]),
    ),
  ]);
}


function harmsTable(figures: Figures, caption: string): ReportBlock {
  const { anyEvent, seriousEvent, relatedEvent, withdrawnDueToEvent } = figures.safety;
  return proportionTable(caption, [
    ['Any adverse event', anyEvent],
    ['Serious adverse event', seriousEvent],
    ['Adverse event related to the procedure', relatedEvent],
    ['Withdrawn due to an adverse event', withdrawnDueToEvent],
  ]);
}

function categoryTable(figures: Figures, caption: string): ReportBlock {
  // Another site's lists every category, suppressed or not (its `suppressed` mark is no category).
  const byCategory = figures.safety.byCategory as Partial<Record<string, EventCount | ShownEventCount>>;
  return eventCountTable(
    caption,
    'Category',
    ADVERSE_EVENT_CATEGORIES.flatMap((category): Array<[string, EventCount | ShownEventCount]> => {
      const count = byCategory[category];
      return count ? [[ADVERSE_EVENT_CATEGORY_LABELS[category], count]] : [];
    }),
  );
}

function safetySection(figures: CohortFigures, prefix: string): ReportSection {
  const { byGrade, solicitedEvents, spontaneousEvents, eventsPer100Sessions } = figures.safety;
  return section(`${prefix}safety`, 'Safety (CONSORT Harms)', [
    harmsTable(figures, 'Participants with adverse events'),
    categoryTable(figures, 'Adverse events by category (participants with ≥1 event of the category)'),
    eventCountTable(
      'Adverse events by CTCAE grade (participants with ≥1 event of the grade)',
      'CTCAE grade',
      CTCAE_GRADES.flatMap((grade): Array<[string, EventCount]> => {
        const count = byGrade[grade];
        return count ? [[CTCAE_GRADE_LABELS[grade], count]] : [];
      }),
    ),
    table('Adverse events: how they were found, and their rate', ['Measure', 'Value'], [
      ['Solicited events (n)', solicitedEvents],
      ['Spontaneously reported events (n)', spontaneousEvents],
      ['All events (n)', solicitedEvents + spontaneousEvents],
      ['Events per 100 sessions', formatNumber(eventsPer100Sessions, 1)],
    ]),
  ]);
}

const SATISFACTION_SCORES: readonly SatisfactionKey[] = ['1', '2', '3', '4', '5'];

function satisfactionSection(figures: CohortFigures, prefix: string): ReportSection {
  const { respondents, responseRate, distribution, verySatisfied, wouldRecommend, verySatisfiedInWindow } = figures.satisfaction;
  const { from, to } = figures.followUp.window;
  const answered = SATISFACTION_SCORES.reduce((sum, score) => sum + distribution[score], 0);
  return section(`${prefix}satisfaction`, 'Satisfaction', [
    paragraph(`Respondents: ${respondents} (each participant's latest survey).`),
    proportionTable('Survey response and satisfaction', [
      ['Responded to a survey', responseRate],
      ['Very satisfied (score 5)', verySatisfied],
      ['Would recommend SMP', wouldRecommend],
      [`Very satisfied at the latest survey within the ${from}–${to}-month window`, verySatisfiedInWindow],
    ]),
    table(
      'Satisfaction score at the latest survey',
      ['Score', 'Rating', 'Respondents (n)', 'Respondents (%)'],
      SATISFACTION_SCORES.map((score, index) => [
        Number(score),
        SATISFACTION_LABELS[index] ?? NO_DATA,
        distribution[score],
        share(distribution[score], answered),
      ]),
    ),
  ]);
}

function costSection(figures: CohortFigures, prefix: string): ReportSection {
  return section(`${prefix}cost`, 'Cost', [
    describeTable('Cost per participant (USD)', [['Cost (USD)', figures.costUsd, 0]]),
  ]);
}

function cohortSections(figures: CohortFigures, prefix = ''): ReportSection[] {
  return [
    participantsSection(figures, prefix),
    sessionsSection(figures, prefix),
    followUpSection(figures, prefix),
    ...[retentionSection(figures, prefix)].filter((s): s is ReportSection => s !== null),
    fadingSection(figures, prefix),
    safetySection(figures, prefix),
    satisfactionSection(figures, prefix),
    costSection(figures, prefix),
  ];
}

/** Key figures side by side: one column for all participants, one per subgroup (another site's suppressed as it was shown). */
function comparisonTable(summary: AnalysisSummary, groups: Subgroup[], dimension: string): ReportBlock {
  const cohorts: Figures[] = [summary, ...groups.map((group) => group.figures)];
  const row = (label: string, cell: (figures: Figures) => string | number) => [label, ...cohorts.map(cell)];
  const withdrawn = (f: Figures) => {
    const { withdrawn: n, enrolled: N } = f.participants;
    if (n === null || N === null) return formatFraction({ n, N });
    return N === 0 ? NO_DATA : `${n}/${N} (${share(n, N)})`;
  };
  const meanSd = (d: Describe | Suppressed<Describe>, digits: number) =>
    d.n === null ? SUPPRESSED : 'mean' in d ? `${formatNumber(d.mean, digits)} (${formatNumber(d.sd, digits)})` : NO_DATA;
  const slope = (f: Figures) => (f.fading.gradeTrend.n === null ? SUPPRESSED : formatSigned(f.fading.gradeTrend.slopePerMonth, 3));
  // No rate without sessions; a rate hidden with sessions (or with their count hidden) is suppressed.
  const rate = (f: Figures) =>
    f.safety.eventsPer100Sessions !== null ? formatNumber(f.safety.eventsPer100Sessions, 1) : f.sessions.total === 0 ? NO_DATA : SUPPRESSED;
  return table(
    `Key figures by ${dimension}. Proportions: n/N (%) [95% exact CI]; continuous: mean (SD).`,
    ['Measure', 'All participants', ...groups.map((group) => group.label)],
    [
      row('Enrolled (n)', (f) => countCell(f.participants.enrolled)),
      row('Withdrawn', withdrawn),
      row('Protocol adherence', (f) => formatProportion(f.sessions.protocolAdherence)),
      row('Sessions per participant', (f) => meanSd(f.sessions.perParticipant, 1)),
      row('Followed up in window', (f) => formatProportion(f.followUp.inWindow)),
      row('Minimal or no fading', (f) => formatProportion(f.fading.minimalOrNone)),
      row('Fading slope (grade per month)', slope),
      row('Any adverse event', (f) => formatProportion(f.safety.anyEvent)),
      row('Serious adverse event', (f) => formatProportion(f.safety.seriousEvent)),
      row('Related adverse event', (f) => formatProportion(f.safety.relatedEvent)),
      row('Withdrawn due to an adverse event', (f) => formatProportion(f.safety.withdrawnDueToEvent)),
      row('Events per 100 sessions', rate),
      row('Very satisfied', (f) => formatProportion(f.satisfaction.verySatisfied)),
      row('Would recommend', (f) => formatProportion(f.satisfaction.wouldRecommend)),
      row('Cost (USD)', (f) => meanSd(f.costUsd, 0)),
    ],
  );
}

function subgroupSection(summary: AnalysisSummary): ReportSection | null {
  if (!summary.subgroups) return null;
  const { by, groups } = summary.subgroups;
  const dimension = SUBGROUP_DIMENSION_LABELS[by];
  return section(
    'subgroups',
    `Subgroups by ${dimension}`,
    [comparisonTable(summary, groups, dimension)],
    groups.map((group, index) =>
      section(`subgroup-${index + 1}`, `${group.label}`, [
        harmsTable(group.figures, `Participants with adverse events: ${group.label}`),
        categoryTable(group.figures, `Adverse events by category: ${group.label}`),
      ]),
    ),
  );
}

function studySection(summary: AnalysisSummary): ReportSection {
  const rows: DataTable['rows'] = [
    ['Study code', summary.study.code],
    ['Title', summary.study.title],
    ['Summary format', summary.format],
    ['Participants enrolled', summary.participants.enrolled],
  ];
  if (summary.subgroups) {
    rows.push(['Subgroups', `by ${SUBGROUP_DIMENSION_LABELS[summary.subgroups.by]} (${summary.subgroups.groups.length})`]);
  }
  return section('study', 'Study', [
    table('Study', ['Field', 'Value'], rows),
    paragraph(
      'Proportions are n/N with 95% Wilson score and exact (Clopper–Pearson) intervals. Continuous figures: ' +
        'mean (SD); median [Q1, Q3]; range min–max. "—" marks a figure with no data (n = 0).',
    ),
  ]);
}

/** Every section of the report, in order: study, the whole cohort, then subgroups when present. */
export function reportSections(summary: AnalysisSummary, options: ReportOptions = {}): ReportSection[] {
  const subgroups = subgroupSection(summary);
  return [studySection(summary), ...cohortSections(summary), ...(subgroups ? [subgroups] : [])].map((section) =>
    withFootnotes(section, suppressionNote(options.suppressBelow)),
  );
}

/** The section with the footnote after each table that shows a suppressed figure. */
function withFootnotes(section: ReportSection, note: string): ReportSection {
  return {
    ...section,
    blocks: section.blocks.flatMap((block) => (block.kind === 'table' && showsSuppressed(block.table) ? [block, paragraph(note)] : [block])),
    subsections: section.subsections.map((subsection) => withFootnotes(subsection, note)),
  };
}
