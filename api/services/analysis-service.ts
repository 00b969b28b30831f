// Analysis of a stored study: extract compact facts from the database, then hand them to the
// pure functions in analysis/. Callable from the CLI and the HTTP API alike.
import { allCharts, type ChartSpec } from '../../analysis/charts/index.ts';
import { analyzeCohort, analyzeCohortWithChartsInSteps, type AnalyzeCohortInput } from '../../analysis/index.ts';
import { ASSESSORS } from '../../analysis/vocabulary.ts';
import type {
  AnalysisSummary,
  ChartSeries,
  CohortFigures,
  ParticipantFacts,
  ProtocolFacts,
  SubgroupDimension,
} from '../../analysis/types.ts';
import type { Db } from '../../db/kysely.ts';
import {
  selectAdverseEventFacts,
  selectAssessmentFacts,
  selectParticipantFacts,
  selectPractitionerYears,
  selectSessionFacts,
  selectStudyChangeStamp,
  selectSurveyFacts,
} from '../../db/repositories/analysis-facts-repository.ts';
import { selectSites } from '../../db/repositories/listing-repository.ts';
import { findStudyByCode } from '../../db/repositories/study-repository.ts';
import { selectLinkAnsweredCounts } from '../../db/repositories/survey-link-repository.ts';
import { selectInvitationFacts } from '../../db/repositories/survey-message-repository.ts';
import { AppError } from '../errors.ts';
import { reachesSite, requireStudyScope, type Actor } from './access.ts';
import { inCohort, requireFilterInScope, requireKnownSite, suppressionThreshold, type CohortFilter } from './cohort-filter.ts';
import { suppressSmallCells } from './small-cell-suppression.ts';
import { AnswerCache } from './answer-cache.ts';
import { groupByParticipant } from './group-by-participant.ts';
import { runInTurns } from './in-turns.ts';
import { protocolOf } from './record-mapping.ts';

export interface StudyFacts {
  study: { code: string; title: string };
  protocol: ProtocolFacts;
  /** Every site of the study by code, participants or not. */
  sites: string[];
  participants: ParticipantFacts[];
}

/** Same-day assessments in the order the analysis reads them: clinician, panel, participant (the vocabulary's order). */
export const ASSESSOR_RANK: Readonly<Record<string, number>> = Object.fromEntries(ASSESSORS.map((assessor, index) => [assessor, index + 1]));

/**
 * One participant's assessments (in record order) in the order the analysis reads them: by day,
 * same-day ones clinician, panel, participant, then by record number. Usually they already are,
 * and the list is kept as it is.
 */
function inAssessmentOrder<A extends { day: number; assessor: string }>(assessments: A[]): A[] {
  for (let i = 1; i < assessments.length; i++) {
    const before = assessments[i - 1]!;
    const after = assessments[i]!;
    if (before.day > after.day || (before.day === after.day && ASSESSOR_RANK[before.assessor]! > ASSESSOR_RANK[after.assessor]!)) {
      // A stable sort keeps record order among equals.
      return assessments.sort((x, y) => x.day - y.day || ASSESSOR_RANK[x.assessor]! - ASSESSOR_RANK[y.assessor]!);
    }
  }
  return assessments;
}

/** Connections that read a study's facts side by side on PostgreSQL (see loadStudyFacts). */
const FACT_READERS = 3;

/** Everything the analysis needs about one study, read in narrow queries. */
export async function loadStudyFacts(db: Db, code: string): Promise<StudyFacts> {
  // One snapshot: a replace that commits meanwhile is seen whole or not at all. On PostgreSQL,
  // held by several connections, so that the large reads run side by side (largest first).
  const [study, sessions, assessments, participants, surveys, events, sites, practitioners, invitations, linkAnswers] = await db.readSnapshot(
    async (kysely) => {
      const study = await findStudyByCode(kysely, code);
      if (!study) throw new AppError('not_found', `study ${code} does not exist`);
      const id = study.study_id;
      const form = db.driver === 'pglite' ? 'json' : 'packed';
      return [
        study,
        ...(await Promise.all([
          selectSessionFacts(kysely, id, form),
          selectAssessmentFacts(kysely, id, form),
          selectParticipantFacts(kysely, id, form),
          selectSurveyFacts(kysely, id, form),
          selectAdverseEventFacts(kysely, id),
          selectSites(kysely, id),
          selectPractitionerYears(kysely, id),
          selectInvitationFacts(kysely, id),
          selectLinkAnsweredCounts(kysely, id),
        ])),
      ] as const;
    },
    { connections: FACT_READERS },
  );
  type Facts = ParticipantFacts;
  // The records come from the repository in the analysis's shape (its enumerations as the database
  // constrains them) and are used as read; each keeps its participant_no, which the analysis ignores.
  const sessionsOf = groupByParticipant(sessions as Array<(typeof sessions)[number] & Facts['sessions'][number]>);
  const eventsOf = groupByParticipant(events as Array<(typeof events)[number] & Facts['adverseEvents'][number]>);
  const assessmentsOf = groupByParticipant(assessments as Array<(typeof assessments)[number] & Facts['assessments'][number]>);
  const yearsOf = new Map(practitioners.map((row) => [row.practitioner_no, row.years_experience]));
  const surveysOf = groupByParticipant(surveys);
  // Who was invited by email, and who answered through a link: set only where there is any, so
  // that a study without them has the same facts as its bundle gives.
  const invitedOf = new Map<number, string[]>();
  for (const row of invitations) invitedOf.set(row.participant_no, [...(invitedOf.get(row.participant_no) ?? []), row.visit_code]);
  const byLinkOf = new Map(linkAnswers.map((row) => [row.participant_no, Number(row.n)]));

  return {
    study: { code: study.code, title: study.title },
    protocol: protocolOf(study),
    sites: sites.map((site) => site.code),
    participants: participants.map((p) => {
      const participantSessions = sessionsOf.get(p.participant_no) ?? [];
      const first = participantSessions[0]?.firstPractitionerNo ?? null;
      return {
        code: p.code,
        site: p.site,
        indication: p.indication as Facts['indication'],
        practitionerYears: first === null ? null : (yearsOf.get(first) ?? null),
        withdrawn: p.withdrawn_on !== null,
        withdrawnDay: p.withdrawn_on === null ? null : Date.parse(`${p.withdrawn_on}T00:00:00Z`) / 86_400_000,
        withdrawalCause: p.withdrawal_cause as Facts['withdrawalCause'],
        costUsd: p.cost_usd === null ? null : Number(p.cost_usd),
        sessions: participantSessions,
        adverseEvents: eventsOf.get(p.participant_no) ?? [],
        assessments: inAssessmentOrder(assessmentsOf.get(p.participant_no) ?? []),
        surveys: surveysOf.get(p.participant_no) ?? [],
        ...(invitedOf.has(p.participant_no) ? { invitedVisits: invitedOf.get(p.participant_no)! } : {}),
        ...(byLinkOf.has(p.participant_no) ? { surveysByLink: byLinkOf.get(p.participant_no)! } : {}),
      };
    }),
  };
}

export interface AnalysisOptions extends CohortFilter {
  by?: SubgroupDimension | undefined;
  /** Whose view (default: the whole study). A clinic's figures are its own sites'. */
  actor?: Actor | undefined;
  /** Another site's counts below this are suppressed in a clinic's `by=site` view. */
  suppressBelow?: number | undefined;
  /** The facts of a freeze (freeze-service.ts) instead of the study as stored now, and its id. */
  frozen?: { id: number; facts: StudyFacts } | undefined;
}

/**
 * The summary and chart series as the actor may see them, of the cohort the filters leave (see
 * cohort-filter.ts). A clinic's figures cover its own sites; with `by: 'site'` every site of the
 * cohort appears as a group, and other sites' small counts are suppressed (see
 * small-cell-suppression.ts).
 */
async function scopedAnalysis<Charts extends boolean>(
  db: Db,
  code: string,
  options: AnalysisOptions,
  withCharts: Charts,
): Promise<{ summary: AnalysisSummary; series: Charts extends true ? ChartSeries : undefined }> {
  const scope = options.actor ? requireStudyScope(options.actor, code) : undefined;
  if (scope) requireFilterInScope(scope, options);
  const { sites, ...facts } = options.frozen?.facts ?? (await loadStudyFacts(db, code));
  requireKnownSite(code, sites, options);
  const cohort = options.site === undefined && options.indication === undefined ? facts.participants : facts.participants.filter((p) => inCohort(options, p));
  const by = options.by;
  // The chart series only when they are drawn: a summary alone skips their work. With them (a
  // dashboard's answer, the largest work), in steps, other requests answered between them.
  const analyze = async (input: AnalyzeCohortInput) =>
    (withCharts ? await runInTurns(analyzeCohortWithChartsInSteps(input)) : { summary: analyzeCohort(input), series: undefined }) as {
      summary: AnalysisSummary;
      series: Charts extends true ? ChartSeries : undefined;
    };
  if (!scope || scope.sites === 'all') return analyze({ ...facts, participants: cohort, ...(by ? { by } : {}) });

  const own = cohort.filter((p) => reachesSite(scope, p.site));
  const result = await analyze({ ...facts, participants: own, ...(by && by !== 'site' ? { by } : {}) });
  if (by === 'site') {
    const everySite = analyzeCohort({ ...facts, participants: cohort, by: 'site' }).subgroups!;
    const threshold = suppressionThreshold(options, options.suppressBelow);
    result.summary.subgroups = {
      by: 'site',
      groups: everySite.groups.map((group) =>
        reachesSite(scope, group.key)
          ? group
          : { ...group, figures: suppressSmallCells(group.figures as CohortFigures, threshold) },
      ),
    };
  }
  return result;
}

/** The `smp-analysis/1` summary of a stored study. */
export async function analyzeStudy(db: Db, code: string, options: AnalysisOptions = {}): Promise<AnalysisSummary> {
  return (await scopedAnalysis(db, code, options, false)).summary;
}

/** The summary and the series its charts draw. */
export async function analyzeStudyWithCharts(
  db: Db,
  code: string,
  options: AnalysisOptions = {},
): Promise<{ summary: AnalysisSummary; series: ChartSeries }> {
  const { summary, series } = await scopedAnalysis(db, code, options, true);
  return { summary, series };
}

export interface StudyChartsAnswer {
  summary: AnalysisSummary;
  charts: ChartSpec[];
}

/** Chart answers kept per database (see answer-cache.ts): a dashboard opened again is answered at once. */
const chartAnswers = new WeakMap<Db, AnswerCache<StudyChartsAnswer>>();
const CHART_ANSWERS_KEPT = 32;

/** The cache of `db`'s chart answers (its hit and miss counts say how it is used). */
export function chartAnswerCache(db: Db): AnswerCache<StudyChartsAnswer> {
  let cache = chartAnswers.get(db);
  if (!cache) chartAnswers.set(db, (cache = new AnswerCache(CHART_ANSWERS_KEPT)));
  return cache;
}

/**
 * The summary and every chart of the report (configuration and table), from one extraction: what
 * a dashboard draws without recomputing anything. The answer is kept, and given again to the same
 * question (study, filters, `by`, the caller's sites and view) while the study has not changed;
 * an answer being computed for the same question is awaited, not computed twice.
 */
export async function chartStudy(db: Db, code: string, options: AnalysisOptions = {}): Promise<StudyChartsAnswer> {
  return (await startChartAnswer(db, code, options)).answer;
}

/** The answer to a chart question, once its computation is under way (or found kept): see chartStudy. */
async function startChartAnswer(db: Db, code: string, options: AnalysisOptions): Promise<{ answer: Promise<StudyChartsAnswer> }> {
  const scope = options.actor ? requireStudyScope(options.actor, code) : undefined;
  if (scope) requireFilterInScope(scope, options);
  const key = JSON.stringify([
    code,
    options.by ?? null,
    options.site ?? null,
    options.indication ?? null,
    scope ? (scope.sites === 'all' ? 'all' : [...scope.sites].sort()) : 'all',
    scope?.identified ?? true,
    options.suppressBelow ?? null,
    options.frozen?.id ?? null,
  ]);
  // Read before the analysis's snapshot: the audit trail only grows, and each change adds to it in
  // its own transaction, so the answer is at least as new as this stamp, and any change
  // committed meanwhile makes the next stamp differ.
  const stamp = await selectStudyChangeStamp(db.kysely, code);
  const answer = chartAnswerCache(db).answer(key, stamp, async () => {
    const elsewhere = chartAnswerers.get(db);
    if (!elsewhere || options.frozen) return computeChartAnswer(db, code, options);
    const { frozen: _frozen, ...asked } = options;
    return (await elsewhere.answer(code, asked)) ?? computeChartAnswer(db, code, options);
  });
  return { answer };
}

/**
 * What computes a database's chart answers off this thread (a worker thread:
 * workers/chart-answer-thread.ts): the answer, or null when it cannot give one (it failed to start
 * or stopped), and the answer is then computed here. Errors of the question (a study not found,
 * a filter refused) are thrown as here.
 */
export interface ChartAnswerer {
  answer(code: string, options: Omit<AnalysisOptions, 'frozen'>): Promise<StudyChartsAnswer | null>;
}

const chartAnswerers = new WeakMap<Db, ChartAnswerer>();

/** Have `answerer` compute `db`'s chart answers from now on, or (undefined) this thread again. */
export function answerChartsWith(db: Db, answerer: ChartAnswerer | undefined): void {
  if (answerer) chartAnswerers.set(db, answerer);
  else chartAnswerers.delete(db);
}

/** What computes `db`'s chart answers off this thread, if anything does. */
export function chartAnswererOf(db: Db): ChartAnswerer | undefined {
  return chartAnswerers.get(db);
}

/**
 * The summary and every chart of a chart question, computed now on this thread (see chartStudy,
 * which keeps answers, and chart-answer-thread.ts, whose worker calls this).
 */
export async function computeChartAnswer(db: Db, code: string, options: AnalysisOptions): Promise<StudyChartsAnswer> {
  const { summary, series } = await scopedAnalysis(db, code, options, true);
  return { summary, charts: allCharts(summary, series) };
}

/**
 * Start computing, in the background, the answer a study's dashboard asks for first (the whole
 * study by site, as an administrator or the study's researcher sees it), after the study was
 * imported, replaced or restored: the first view is then as fast as the next. Resolves once the
 * computation is under way (not done), so that a request made after that waits for it instead of
 * starting another (see chartStudy). Failures are left to that request.
 */
export async function prepareStudyCharts(db: Db, code: string, suppressBelow: number): Promise<void> {
  try {
    const { answer } = await startChartAnswer(db, code, { by: 'site', suppressBelow });
    answer.catch(() => {});
  } catch {
    // The study is gone again, or the database failed: the next request says so.
  }
}
