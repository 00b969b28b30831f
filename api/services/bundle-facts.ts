// The analysis facts of a validated bundle, without a database: what `loadStudyFacts` would read
// back after importing it, built straight from the bundle so `smp analyze FILE` needs no
// database at all. Each step mirrors the import and the facts queries: canonical order for the
// record numbers, numeric(12,2) and numeric(3,1) rounding, dates as days since 1970-01-01, and the
// same sort keys (test/integration/analyze-file.test.ts holds the two paths to equal summaries).
import { analyzeCohort, analyzeCohortWithCharts } from '../../analysis/index.ts';
import type { AnalysisSummary, ChartSeries, ParticipantFacts } from '../../analysis/types.ts';
import type { StudyBundle } from '../schemas/bundle.ts';
import { canonicalOrder } from '../schemas/bundle-order.ts';
import { ASSESSOR_RANK, type AnalysisOptions, type StudyFacts } from './analysis-service.ts';
import { parseBundle } from './study-bundle-service.ts';

const MS_PER_DAY = 86_400_000;
/** Days since 1970-01-01 of an ISO date, as `date - date '1970-01-01'` gives them. */
const dayNumber = (isoDate: string) => Math.round(Date.parse(`${isoDate}T00:00:00Z`) / MS_PER_DAY);
/** A value as a numeric(p, scale) column stores and returns it. */
const stored = (value: number, scale: number) => Number(value.toFixed(scale));

/** The facts of a bundle that has passed validation (defaults applied). */
export function studyFactsFromBundle(validated: StudyBundle): StudyFacts {
  const bundle = canonicalOrder(validated);
  const yearsOf = new Map(bundle.practitioners.map((p) => [p.code, p.yearsExperience]));
  const participants = bundle.participants.map((p): ParticipantFacts => {
    const first = p.sessions.find((s) => s.number === 1);
    const assessments = p.fadingAssessments
      .map((a, position) => ({ a, position, day: dayNumber(a.date), rank: ASSESSOR_RANK[a.assessor]! }))
      .sort((x, y) => x.day - y.day || x.rank - y.rank || x.position - y.position);
    const surveys = p.surveys
      .map((s, position) => ({ s, position, day: dayNumber(s.date) }))
      .sort((x, y) => x.day - y.day || x.position - y.position);
    return {
      code: p.code,
      site: p.site,
      indication: p.indication,
      practitionerYears: first ? (yearsOf.get(first.practitioner) ?? null) : null,
      withdrawn: p.withdrawnOn !== null,
      withdrawnDay: p.withdrawnOn === null ? null : dayNumber(p.withdrawnOn),
      withdrawalCause: p.withdrawalCause,
      costUsd: p.costUsd === null ? null : stored(p.costUsd, 2),
      sessions: p.sessions.map((s) => ({ day: dayNumber(s.date), kind: s.kind, durationMinutes: s.durationMinutes })),
      adverseEvents: p.adverseEvents.map((e) => ({
        category: e.category,
        grade: e.grade,
        serious: e.serious,
        relatedness: e.relatedness,
        solicited: e.solicited,
      })),
      assessments: assessments.map(({ a, day }) => ({
        day,
        assessor: a.assessor,
        grade: a.grade,
        densityScore: a.densityScore === null ? null : stored(a.densityScore, 1),
        needsTouchUp: a.needsTouchUp,
      })),
      surveys: surveys.map(({ s, day }) => ({ day, satisfaction: s.satisfaction, wouldRecommend: s.wouldRecommend })),
    };
  });
  return {
    study: { code: bundle.study.code, title: bundle.study.title },
    protocol: { ...bundle.study.protocol, followUpMonths: { ...bundle.study.protocol.followUpMonths } },
    sites: bundle.sites.map((site) => site.code).sort(),
    participants,
  };
}

/** The summary of a bundle (parsed JSON, not yet validated), with no database. */
export async function analyzeBundle(input: unknown, options: AnalysisOptions = {}): Promise<AnalysisSummary> {
  const facts = studyFactsFromBundle(await parseBundle(input));
  return analyzeCohort({ ...facts, ...(options.by ? { by: options.by } : {}) });
}

/** The summary and chart series of a bundle (parsed JSON, not yet validated), with no database. */
export async function analyzeBundleWithCharts(
  input: unknown,
  options: AnalysisOptions = {},
): Promise<{ summary: AnalysisSummary; series: ChartSeries }> {
  const facts = studyFactsFromBundle(await parseBundle(input));
  return analyzeCohortWithCharts({ ...facts, ...(options.by ? { by: options.by } : {}) });
}
