// The analysis module's input and output shapes. Input: compact per-participant facts, as
// db/repositories/analysis-facts-repository.ts extracts them. Output: the `smp-analysis/1`
// summary. Plain data only, so the module stays pure and the browser can import the types.

import type { AdverseEventCategory, Assessor, CtcaeGradeKey, Indication, Relatedness, SessionKind, WithdrawalCause } from './vocabulary.ts';

/** Days since 1970-01-01 (a PostgreSQL `date - date '1970-01-01'`). */
export type DayNumber = number;

export type { AdverseEventCategory, Assessor, CtcaeGradeKey, Indication, Relatedness, SessionKind, WithdrawalCause };

/** The protocol figures the analysis needs (a study's `protocol` in the bundle). */
export interface ProtocolFacts {
  initialSessions: number;
  sessionIntervalDays: number;
  intervalToleranceDays: number;
  touchUpAfterDays: number | null;
  touchUpToleranceDays: number;
  followUpMonths: { from: number; to: number };
  /** The scheduled follow-up visits; absent or null when the protocol schedules none. */
  visits?: readonly ScheduledVisitFacts[] | null | undefined;
}

/** The kinds of record a follow-up visit can expect. */
export type VisitRecordKind = 'fadingAssessment' | 'survey';

/** A follow-up visit the protocol schedules (a study's `protocol.visits[]` in the bundle). */
export interface ScheduledVisitFacts {
  /** Unique in the study, e.g. `FU6`. */
  code: string;
  label: string;
  /** Months (of 30.4375 days) after the final session. */
  monthsAfterFinalSession: number;
  windowBeforeDays: number;
  windowAfterDays: number;
  /** The kinds of record the visit collects: a non-empty subset. */
  expects: readonly VisitRecordKind[];
}

/** Everything the analysis needs to know about one participant. Arrays are in date order. */
export interface ParticipantFacts {
  code: string;
  /** Site code */
  site: string;
  indication: Indication;
  /** Years of experience of the practitioner of the participant's first session; null without sessions. */
  practitionerYears: number | null;
  withdrawn: boolean;
  /** Day of withdrawal; null (or absent, where only `withdrawn` is known) when not withdrawn. */
  withdrawnDay?: DayNumber | null | undefined;
  withdrawalCause: WithdrawalCause | null;
  costUsd: number | null;
  /** In session-number order (which is date order). */
  sessions: Array<{ day: DayNumber; kind: SessionKind; durationMinutes: number }>;
  adverseEvents: Array<{
    category: AdverseEventCategory;
    grade: number;
    serious: boolean;
    relatedness: Relatedness;
    solicited: boolean;
  }>;
  /** Every fading assessment, in date order; same-day ones clinician, then panel, then participant. */
  assessments: Array<{
    day: DayNumber;
    assessor: Assessor;
    grade: number;
    densityScore: number | null;
    needsTouchUp: boolean | null;
  }>;
  /** Every survey, in date order (the last is the participant's latest). */
  surveys: Array<{ day: DayNumber; satisfaction: number; wouldRecommend: boolean | null }>;
  /** Visits whose survey invitation was emailed to the participant (absent: none, or not known). */
  invitedVisits?: readonly string[] | undefined;
  /** How many of `surveys` the participant entered through a survey link (absent: none, or not known). */
  surveysByLink?: number | undefined;
}

/** Descriptive statistics; only `n` when there are no values. `sd` is null when n < 2. */
export type Describe =
  | { n: 0 }
  | { n: number; mean: number; sd: number | null; median: number; q1: number; q3: number; min: number; max: number };

/** n of N with 95% Wilson score and Clopper–Pearson exact intervals; null when N = 0. */
export interface Proportion {
  n: number;
  N: number;
  proportion: number | null;
  wilson: [number, number] | null;
  exact: [number, number] | null;
}

export interface GradeTrend {
  /** Number of follow-up assessments used. */
  n: number;
  /** Ordinary least squares of grade on months since the final session; null when n < 2 or months do not vary. */
  slopePerMonth: number | null;
  intercept: number | null;
  r2: number | null;
  /** Spearman's rho with average ranks for ties; null when n < 3 or either variable is constant. */
  spearmanRho: number | null;
  /** Two-sided p from Student's t with n − 2 degrees of freedom. */
  spearmanP: number | null;
}

export interface KaplanMeierStep {
  months: number;
  atRisk: number;
  events: number;
  survival: number;
}

export interface KaplanMeier {
  n: number;
  events: number;
  /** First time at which survival ≤ 0.5; null if it never falls that far. */
  median: number | null;
  /** One step per distinct event time, ascending; survival is 1 before the first. */
  steps: KaplanMeierStep[];
  /** The longest time observed, event or censoring: the estimate is defined up to it. Null when n = 0. */
  lastMonths: number | null;
}

/**
 * The median of a Kaplan–Meier curve with its 95% log-log interval, as R's
 * `quantile(survfit(..., conf.type = "log-log"), 0.5)` gives them; null where not reached.
 */
export interface KaplanMeierMedian {
  /** Null when the curve stays above 50% ("not reached"). */
  months: number | null;
  lower: number | null;
  /** Null when the upper pointwise limit stays above 50% ("not reached"). */
  upper: number | null;
  /** Participants still at risk at the median; null when it is not reached. */
  atRisk: number | null;
  /** Fewer than 5 participants at risk at the median. */
  unstable: boolean;
}

export type GradeKey = '0' | '1' | '2' | '3' | '4';
export type SatisfactionKey = '1' | '2' | '3' | '4' | '5';

/**
 * Enrolled participants by where their latest follow-up assessment falls against the protocol's
 * follow-up window [from, to] months after the final session (bounds inside the window); the four
 * counts add up to the enrolled participants, and `inWindow` equals `followUp.inWindow.n`.
 */
export interface FollowUpCoverage {
  /** No follow-up assessment (none on or after the final session, or no sessions). */
  noFollowUp: number;
  /** Latest follow-up assessment earlier than `from` months. */
  beforeWindow: number;
  /** Latest follow-up assessment from `from` to `to` months. */
  inWindow: number;
  /** Latest follow-up assessment later than `to` months. */
  afterWindow: number;
}

export interface EventCount {
  events: number;
  participants: Proportion;
}

/** Every figure of the summary, for a whole cohort or one subgroup. */
export interface CohortFigures {
  participants: { enrolled: number; withdrawn: number; byIndication: Partial<Record<Indication, number>> };
  sessions: { total: number; perParticipant: Describe; durationMinutes: Describe; protocolAdherence: Proportion };
  followUp: {
    months: Describe;
    inWindow: Proportion;
    /** The protocol's follow-up window, months after the final session. */
    window: { from: number; to: number };
    coverage: FollowUpCoverage;
  };
  fading: {
    latestGrade: Record<GradeKey, number>;
    minimalOrNone: Proportion;
    densityScore: { first: Describe; latest: Describe; change: Describe };
    gradeTrend: GradeTrend;
    touchUpFree: KaplanMeier;
    /** The median of `touchUpFree` with its 95% log-log interval and the participants at risk at it. */
    touchUpFreeMedian: KaplanMeierMedian;
    /** Grade ≤ 1 at the latest assessment within the protocol's follow-up window (the primary outcome). */
    minimalOrNoneInWindow: Proportion;
  };
  safety: {
    anyEvent: Proportion;
    seriousEvent: Proportion;
    relatedEvent: Proportion;
    withdrawnDueToEvent: Proportion;
    byCategory: Partial<Record<AdverseEventCategory, EventCount>>;
    byGrade: Partial<Record<CtcaeGradeKey, EventCount>>;
    solicitedEvents: number;
    spontaneousEvents: number;
    /** Null when there are no sessions. */
    eventsPer100Sessions: number | null;
  };
  satisfaction: {
    respondents: number;
    responseRate: Proportion;
    distribution: Record<SatisfactionKey, number>;
    verySatisfied: Proportion;
    wouldRecommend: Proportion;
    /** Satisfaction 5 on the latest survey within the protocol's follow-up window. */
    verySatisfiedInWindow: Proportion;
  };
  costUsd: Describe;
  /** Retention by scheduled visit; present only when the protocol schedules visits. */
  retention?: VisitRetention[];
}

/**
 * Retention at one scheduled visit, over the participants who have a schedule (at least one
 * session): done, withdrawn before the window ended without it, and neither (not done: missed,
 * or not yet reached). The three add up to `participants`.
 */
export interface VisitRetention {
  visit: string;
  label: string;
  monthsAfterFinalSession: number;
  /** Participants with at least one session. */
  participants: number;
  done: Proportion;
  notDone: Proportion;
  withdrawn: Proportion;
}

/**
 * A figure as another site's group shows it to a clinic (small-cell suppression): any count, and
 * any figure computed from one, may be hidden (null); an object that lost a figure says `suppressed: true`.
 */
export type Suppressed<T> = T extends number
  ? number | null
  : T extends boolean
    ? boolean | null
  : T extends Array<unknown>
    ? T | null
    : T extends object
      ? { [K in keyof T]: Suppressed<T[K]> } & { suppressed?: true }
      : T;

/** Another site's figures as a clinic is shown them: `suppressed: true` when any was hidden. */
export type SuppressedFigures = Suppressed<CohortFigures> & { suppressed?: true };

export type SubgroupDimension = 'site' | 'indication' | 'practitioner-experience';

export interface Subgroup {
  /** Site code, indication, or `under_1_year` / `1_year_or_more` / `no_sessions`. */
  key: string;
  label: string;
  /** Suppressed for another site of a clinic's `by=site` summary. */
  figures: CohortFigures | SuppressedFigures;
}

/** Response to the emailed survey invitations, and who entered the surveys. */
export interface SurveyResponseFigures {
  /** Per visit that expects a survey: invited participants, and the proportion of them who answered in the window. */
  byVisit: Array<{ visit: string; label: string; invited: number; answered: Proportion }>;
  /** The cohort's surveys by who entered them: staff, or the participant through a link. */
  enteredBy: { staff: number; participant: number };
}

/** The `smp-analysis/1` summary. */
export interface AnalysisSummary extends CohortFigures {
  format: 'smp-analysis/1';
  study: { code: string; title: string };
  /** The protocol's primary outcome: the summary key of its figure, and its name. */
  primaryOutcome: { figure: string; label: string };
  /** Present with `--by`: every figure repeated per subgroup. */
  subgroups?: { by: SubgroupDimension; groups: Subgroup[] };
  /** Present when the study's surveys are invited by email or entered through links. */
  surveyResponse?: SurveyResponseFigures;
}

/** Participant flow through the study, for the flow chart. */
export interface ParticipantFlow {
  enrolled: number;
  /** Received at least the planned initial sessions, and a touch-up when one is planned. */
  completedProtocol: number;
  /** Have at least one follow-up assessment (on or after the final session). */
  followedUp: number;
  /** Returned at least one survey. */
  surveyed: number;
  withdrawn: number;
}

/** What the charts draw beyond the summary's own figures, aggregated so size stays bounded. */
export interface ChartSeries {
  /** Follow-up assessments counted by (months since final session rounded to 0.1, grade). */
  fadingPoints: Array<{ months: number; grade: number; count: number }>;
  /** Participants counted by (first, latest) non-null density score in follow-up, where both exist and differ in date. */
  densityPairs: Array<{ first: number; latest: number; count: number }>;
  /** Participants counted by their number of sessions, every count from 0 to the maximum present. */
  sessionsPerParticipant: Array<{ sessions: number; participants: number }>;
  /** Every category of the protocol's list, zero-event ones included, with participants as a Proportion of enrolled. */
  adverseEventCategories: Array<{ category: AdverseEventCategory; events: number; participants: Proportion }>;
  flow: ParticipantFlow;
  /** Touch-up-free times censored (no touch-up needed by the latest follow-up), counted by months rounded to 0.1. */
  touchUpFreeCensored: Array<{ months: number; count: number }>;
  /** Participants at risk of a first touch-up need (time ≥ t) at every whole year t from 0 to the longest time observed. */
  touchUpFreeAtRisk: Array<{ months: number; atRisk: number }>;
}
