// Analysis of a stored study: extract compact facts from the database, then hand them to the
// pure functions in analysis/. Callable from the CLI and the HTTP API alike.
import { analyzeCohort, analyzeCohortWithCharts } from '../../analysis/index.ts';
import type {
  AnalysisSummary,
  ChartSeries,
  ParticipantFacts,
  ProtocolFacts,
  SubgroupDimension,
} from '../../analysis/types.ts';
import type { Db } from '../../db/kysely.ts';
import {
  selectAdverseEventFacts,
  selectAssessmentFacts,
  selectParticipantFacts,
  selectSessionFacts,
  selectSurveyFacts,
} from '../../db/repositories/analysis-facts-repository.ts';
import { findStudyByCode } from '../../db/repositories/study-repository.ts';
import { AppError } from '../errors.ts';
import { reachesSite, requireStudyScope, type Actor } from './access.ts';
import { suppressSmallCells } from './small-cell-suppression.ts';
import { groupByParticipant } from './group-by-participant.ts';
import { protocolOf } from './record-mapping.ts';

export interface StudyFacts {
  study: { code: string; title: string };
  protocol: ProtocolFacts;
  participants: ParticipantFacts[];
}

/** Everything the analysis needs about one study, read in five narrow queries. */
export async function loadStudyFacts(db: Db, code: string): Promise<StudyFacts> {
  // One snapshot: a replace that commits meanwhile is seen whole or not at all.
  const [study, participants, sessions, events, assessments, surveys] = await db.readSnapshot(async (kysely) => {
    const study = await findStudyByCode(kysely, code);
    if (!study) throw new AppError('not_found', `study ${code} does not exist`);
    const id = study.study_id;
    return [
      study,
      ...(await Promise.all([
        selectParticipantFacts(kysely, id),
        selectSessionFacts(kysely, id),
        selectAdverseEventFacts(kysely, id),
        selectAssessmentFacts(kysely, id),
        selectSurveyFacts(kysely, id),
      ])),
    ] as const;
  });
  type Facts = ParticipantFacts;
  const sessionsOf = groupByParticipant(sessions, (s): Facts['sessions'][number] => ({
    day: s.day,
    kind: s.kind as 'initial' | 'touch_up',
    durationMinutes: s.duration_minutes,
  }));
  const eventsOf = groupByParticipant(events, (e): Facts['adverseEvents'][number] => ({
    category: e.category as Facts['adverseEvents'][number]['category'],
    grade: e.grade,
    serious: e.serious,
    relatedness: e.relatedness as Facts['adverseEvents'][number]['relatedness'],
    solicited: e.solicited,
  }));
  const assessmentsOf = groupByParticipant(assessments, (a): Facts['assessments'][number] => ({
    day: a.day,
    assessor: a.assessor as Facts['assessments'][number]['assessor'],
    grade: a.grade,
    densityScore: a.density_score === null ? null : Number(a.density_score),
    needsTouchUp: a.needs_touch_up,
  }));
  const surveysOf = groupByParticipant(surveys, (s): Facts['surveys'][number] => ({
    day: s.day,
    satisfaction: s.satisfaction,
    wouldRecommend: s.would_recommend,
  }));

  return {
    study: { code: study.code, title: study.title },
    protocol: protocolOf(study),
    participants: participants.map((p) => ({
      code: p.code,
      site: p.site,
      indication: p.indication as Facts['indication'],
      practitionerYears: p.practitioner_years,
      withdrawn: p.withdrawn_on !== null,
      withdrawalCause: p.withdrawal_cause as Facts['withdrawalCause'],
      costUsd: p.cost_usd === null ? null : Number(p.cost_usd),
      sessions: sessionsOf.get(p.participant_no) ?? [],
      adverseEvents: eventsOf.get(p.participant_no) ?? [],
      assessments: assessmentsOf.get(p.participant_no) ?? [],
      surveys: surveysOf.get(p.participant_no) ?? [],
    })),
  };
}

export interface AnalysisOptions {
  by?: SubgroupDimension | undefined;
  /** Whose view (default: the whole study). A clinic's figures are its own sites'. */
  actor?: Actor | undefined;
  /** Another site's counts below this are suppressed in a clinic's `by=site` view. */
  suppressBelow?: number | undefined;
}

/**
 * The summary and chart series as the actor may see them. A clinic's figures cover its own
 * sites; with `by: 'site'` every site appears as a group, and other sites' small counts are
 * suppressed (see small-cell-suppression.ts).
 */
async function scopedAnalysis(db: Db, code: string, options: AnalysisOptions): Promise<{ summary: AnalysisSummary; series: ChartSeries }> {
  const scope = options.actor ? requireStudyScope(options.actor, code) : undefined;
  const facts = await loadStudyFacts(db, code);
  const by = options.by;
  if (!scope || scope.sites === 'all') return analyzeCohortWithCharts({ ...facts, ...(by ? { by } : {}) });

  const own = facts.participants.filter((p) => reachesSite(scope, p.site));
  const result = analyzeCohortWithCharts({ ...facts, participants: own, ...(by && by !== 'site' ? { by } : {}) });
  if (by === 'site') {
    const everySite = analyzeCohort({ ...facts, by: 'site' }).subgroups!;
    result.summary.subgroups = {
      by: 'site',
      groups: everySite.groups.map((group) =>
        reachesSite(scope, group.key)
          ? group
          : { ...group, figures: suppressSmallCells(group.figures, options.suppressBelow ?? 5) as unknown as typeof group.figures },
      ),
    };
  }
  return result;
}

/** The `smp-analysis/1` summary of a stored study. */
export async function analyzeStudy(db: Db, code: string, options: AnalysisOptions = {}): Promise<AnalysisSummary> {
  return (await scopedAnalysis(db, code, options)).summary;
}

/** The summary and the series its charts draw. */
export async function analyzeStudyWithCharts(
  db: Db,
  code: string,
  options: AnalysisOptions = {},
): Promise<{ summary: AnalysisSummary; series: ChartSeries }> {
  return scopedAnalysis(db, code, options);
}
