// Response shapes of the HTTP API that are not the bundle itself.
import { z } from 'zod';
import { CHART_IDS } from '../../analysis/charts/chart-ids.ts';
import { ADVERSE_EVENT_DIMENSIONS } from './requests.ts';

export const StudyListing = z
  .object({
    code: z.string().describe('Study code'),
    title: z.string().describe('Study title'),
    importedAt: z.string().describe('When the study was imported, UTC, ISO 8601'),
    sites: z.int(),
    practitioners: z.int(),
    participants: z.int(),
    sessions: z.int(),
    adverseEvents: z.int(),
    fadingAssessments: z.int(),
    surveys: z.int(),
  })
  .meta({ id: 'StudyListing' });
export type StudyListing = z.output<typeof StudyListing>;

export const ImportResult = z
  .object({
    code: z.string(),
    replaced: z.boolean().describe('Whether an existing study with this code was replaced'),
    counts: z.record(z.string(), z.int()).describe('Rows written per table'),
  })
  .meta({ id: 'ImportResult' });
export type ImportResult = z.output<typeof ImportResult>;

export const StudyList = z.object({ studies: z.array(StudyListing) }).meta({ id: 'StudyList' });

export const Health = z
  .object({ status: z.literal('ok'), database: z.enum(['pglite', 'postgres']) })
  .meta({ id: 'Health' });

/** RFC 9457 problem details, as every error is answered. */
export const ProblemDetails = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string().describe('One sentence; each problem is listed once, in `problems`'),
    instance: z.string().optional(),
    problems: z
      .array(z.object({ path: z.string().describe('Where: a JSON path in the body, `path.x`, `query.x` or `(header) X`'), message: z.string() }))
      .optional(),
    current: z.unknown().optional().describe('On 412: the record as it is now'),
  })
  .meta({ id: 'ProblemDetails' });

export const AnalysisSummary = z
  .looseObject({ format: z.literal('smp-analysis/1') })
  .describe('The smp-analysis/1 summary: every figure of the cohort, and per subgroup with `by` (see analysis/README.md)')
  .meta({ id: 'AnalysisSummary' });

export const DataTable = z
  .object({
    caption: z.string().describe('What the table shows, with its denominators and methods'),
    columns: z.array(z.string()).describe('Column headings'),
    rows: z.array(z.array(z.union([z.string(), z.number()]))).describe('One array of cells per row, as many as columns; numbers formatted as text where units or rounding matter'),
  })
  .describe("The figures a chart shows, as a table: the chart's text equivalent")
  .meta({ id: 'DataTable' });

const SUPPRESS_BELOW = z
  .int()
  .describe("The server's small-cell threshold: another site's counts under it are suppressed in a clinic's view (null with `suppressed: true`)");

export const ChartSpec = z
  .object({
    id: z.string().describe('Stable, file-name-safe id (kebab-case), e.g. `touch-up-free`'),
    title: z.string().describe("The chart's title"),
    config: z
      .looseObject({ type: z.string().describe('chart.js chart type: bar, line or bubble') })
      .describe(
        'A JSON-safe chart.js 4 configuration ({type, data, options}): pass it to `new Chart(canvas, config)` after registering ' +
          'the chart.js parts and the plugins of analysis/charts/chart-plugins.js (errorBars, tickLabels, valueLabels), ' +
          'which read `options.plugins`. `options.responsive` is false: set it for the page.',
      ),
    table: DataTable,
  })
  .meta({ id: 'ChartSpec' });

export const StudyCharts = z
  .object({
    summary: AnalysisSummary,
    charts: z
      .array(ChartSpec)
      .describe(`Every chart of the report, in its order: ${CHART_IDS.join(', ')}`),
    suppressBelow: SUPPRESS_BELOW,
  })
  .meta({ id: 'StudyCharts' });

const Interval = z.tuple([z.number(), z.number()]).nullable();

export const SuppressibleProportion = z
  .object({
    n: z.int().nullable().describe('Participants with at least one event at this level; null when suppressed'),
    N: z.int().nullable().describe('Participants at risk: the cohort, or the site’s participants with by=site; null when suppressed'),
    proportion: z.number().nullable().describe('n / N; null when N = 0 or suppressed'),
    wilson: Interval.describe('95% Wilson score interval [lower, upper]; null when N = 0 or suppressed'),
    exact: Interval.describe('95% Clopper–Pearson exact interval [lower, upper]; null when N = 0 or suppressed'),
    suppressed: z.literal(true).optional().describe('Present when a small count of another site was hidden (clinics, by=site)'),
  })
  .meta({ id: 'SuppressibleProportion' });

export const AdverseEventRate = z
  .object({
    key: z
      .string()
      .describe('The level, as the adverse-event listing filters it: a category, a grade 1–5, true or false, a relatedness, or a site code'),
    label: z.string().describe('The level in words (a site: its name)'),
    events: z.int().nullable().describe('Adverse events at this level; null when suppressed'),
    participants: SuppressibleProportion,
    suppressed: z.literal(true).optional().describe('Present when a figure of this row was suppressed'),
  })
  .meta({ id: 'AdverseEventRate' });

export const AdverseEventRates = z
  .object({
    study: z.object({ code: z.string(), title: z.string() }),
    by: z.enum(ADVERSE_EVENT_DIMENSIONS).describe('The dimension counted by'),
    filters: z
      .object({ site: z.string().nullable(), indication: z.string().nullable() })
      .describe('The filters applied to the cohort; null for none'),
    participants: z.int().describe('Participants in the cohort the caller may see in full (a clinic: its own sites)'),
    events: z.int().describe('Adverse events of those participants'),
    rates: z
      .array(AdverseEventRate)
      .describe(
        'Every level of the dimension in vocabulary order, zero-event levels included: the 8 categories; grades 1–5; true, false; ' +
          'not_related … definite; or every site of the cohort by code (a clinic: other sites with small counts suppressed)',
      ),
    suppressBelow: SUPPRESS_BELOW,
  })
  .meta({ id: 'AdverseEventRates' });
