// Small-cell suppression of another site's figures, shown to a clinic that benchmarks itself
// against the rest of a study: no count under the threshold is shown, nor can one be worked out
// from the figures that are (complementary suppression).
//
// - Every count of the group, and every relation between them, is declared in
//   ./figure-relations.ts; ./complementary-suppression.ts picks the counts to hide: each one under
//   the threshold, and as few others as it takes that no sum, share, rate or repeated count gives
//   one of them back, nor a small group of them together.
// - A figure computed from counts (a share and its intervals, a mean, a statistic, a rate) is
//   hidden with any of them: a proportion keeps its N when N is shown, a descriptive statistic or
//   the grade trend is hidden whole. Kaplan–Meier steps and the last observed time are
//   individual times and are never shown for another site.
// - Every indication, adverse-event category and grade is listed, those with none too: a level
//   left out would say that its count is 0.
// Objects that lost a figure carry `suppressed: true`, as does the group.
import { ADVERSE_EVENT_CATEGORIES, CTCAE_GRADES } from '../../analysis/constants.ts';
import type { CohortFigures, Describe, EventCount, GradeTrend, KaplanMeier, KaplanMeierMedian, Proportion, Suppressed, SuppressedFigures, VisitRetention } from '../../analysis/types.ts';
import { complementarySuppression } from './complementary-suppression.ts';
import { everyIndication, everyLevel, figureModel } from './figure-relations.ts';

export type { SuppressedFigures };

/** Whether a proportion is hidden: n or N − n is under the threshold (either gives the other away with N). */
const hidesProportion = (p: Proportion, threshold: number) => p.n < threshold || p.N - p.n < threshold;

function suppressedProportion(p: Proportion, threshold: number): Suppressed<Proportion> {
  if (!hidesProportion(p, threshold)) return p;
  return { n: null, N: p.N < threshold ? null : p.N, proportion: null, wilson: null, exact: null, suppressed: true };
}

export type SuppressedEventCount = Suppressed<EventCount> & { suppressed?: true };

/**
 * Another site's event count and proportion of participants with an event, as the adverse-event
 * rates by site show them: the count hidden when under the threshold, the proportion whole when n
 * or N − n is, N when it is. These are the group's events, anyEvent and enrolled, which
 * `suppressSmallCells` decides first and by the same rule, so that the two answers hide them alike.
 *
 * @param value the events and the participants with one
 * @param threshold counts below this are suppressed
 * @returns the figures with small counts as null, marked `suppressed: true` when any is
 */
export function suppressEventCount(value: EventCount, threshold: number): SuppressedEventCount {
  const events = value.events < threshold ? null : value.events;
  const participants = suppressedProportion(value.participants, threshold);
  const out: SuppressedEventCount = { events, participants };
  if (events === null || participants !== value.participants) out.suppressed = true;
  return out;
}

/**
 * Another site's figures with every small count suppressed, and every figure that would give
 * one back (see figure-relations.ts for what ties them).
 *
 * Cost: that of `complementarySuppression` over the group's few dozen counts.
 *
 * @param figures one site's figures
 * @param threshold counts below this are suppressed (infinite: every count)
 * @returns the figures with the hidden ones as null, marked `suppressed: true`
 */
export function suppressSmallCells(figures: CohortFigures, threshold: number): SuppressedFigures {
  const model = figureModel(figures);
  const hidden = Number.isFinite(threshold)
    ? complementarySuppression({ cells: model.cells, sums: model.sums, threshold, order: model.order })
    : new Set(model.cells.map((cell) => cell.id));
  const nulls = new Set<string>(model.withheld);
  for (const cell of model.cells) if (hidden.has(cell.id)) for (const path of cell.paths) nulls.add(path);
  for (const dependent of model.dependents) if (dependent.on.some((id) => hidden.has(id))) nulls.add(dependent.path);
  return withNulls(figures, (path) => nulls.has(path));
}

/** The figures with the paths `isNull` names as null, in the shapes a suppressed figure takes. */
function withNulls(figures: CohortFigures, isNull: (path: string) => boolean): SuppressedFigures {
  let any = false;
  const value = <T>(path: string, shown: T): T | null => {
    if (!isNull(path)) return shown;
    any = true;
    return null;
  };
  const lost = (path: string, keys: readonly string[]) => keys.some((key) => isNull(`${path}.${key}`));

  const proportion = (path: string, p: Proportion): Suppressed<Proportion> => {
    if (!lost(path, ['n', 'N', 'proportion', 'wilson', 'exact'])) return p;
    return {
      n: value(`${path}.n`, p.n),
      N: value(`${path}.N`, p.N),
      proportion: value(`${path}.proportion`, p.proportion),
      wilson: value(`${path}.wilson`, p.wilson),
      exact: value(`${path}.exact`, p.exact),
      suppressed: true,
    };
  };
  const describe = (path: string, d: Describe): Suppressed<Describe> => {
    if (!lost(path, Object.keys(d))) return d;
    any = true;
    return { n: null, suppressed: true } as Suppressed<Describe>;
  };
  const trend = (path: string, t: GradeTrend): Suppressed<GradeTrend> => {
    if (!lost(path, Object.keys(t))) return t;
    any = true;
    return { n: null, slopePerMonth: null, intercept: null, r2: null, spearmanRho: null, spearmanP: null, suppressed: true };
  };
  const kaplanMeier = (path: string, km: KaplanMeier): Suppressed<KaplanMeier> => {
    const out = {
      n: value(`${path}.n`, km.n),
      events: value(`${path}.events`, km.events),
      median: value(`${path}.median`, km.median),
      steps: value(`${path}.steps`, km.steps),
      lastMonths: value(`${path}.lastMonths`, km.lastMonths),
    };
    return lost(path, Object.keys(km)) ? { ...out, suppressed: true } : (out as Suppressed<KaplanMeier>);
  };
  const median = (path: string, m: KaplanMeierMedian): Suppressed<KaplanMeierMedian> => {
    const out = {
      months: value(`${path}.months`, m.months),
      lower: value(`${path}.lower`, m.lower),
      upper: value(`${path}.upper`, m.upper),
      atRisk: value(`${path}.atRisk`, m.atRisk),
      unstable: value(`${path}.unstable`, m.unstable),
    };
    return lost(path, Object.keys(m)) ? { ...out, suppressed: true } : out;
  };
  const counts = <T extends object>(path: string, buckets: T): Suppressed<T> => {
    const out: Record<string, unknown> = {};
    for (const [key, n] of Object.entries(buckets)) out[key] = value(`${path}.${key}`, n);
    if (lost(path, Object.keys(buckets))) out.suppressed = true;
    return out as Suppressed<T>;
  };
  const eventCounts = <T extends Partial<Record<string, EventCount>>>(path: string, levels: T): Suppressed<T> => {
    const out: Record<string, SuppressedEventCount> = {};
    for (const [key, count] of Object.entries(levels) as Array<[string, EventCount]>) {
      const entry: SuppressedEventCount = {
        events: value(`${path}.${key}.events`, count.events),
        participants: proportion(`${path}.${key}.participants`, count.participants),
      };
      if (entry.events === null) entry.suppressed = true;
      out[key] = entry;
    }
    return out as Suppressed<T>;
  };

  const { participants, sessions, followUp, fading, safety, satisfaction } = figures;
  const out: SuppressedFigures = {
    participants: {
      enrolled: value('participants.enrolled', participants.enrolled),
      withdrawn: value('participants.withdrawn', participants.withdrawn),
      byIndication: counts('participants.byIndication', everyIndication(participants.byIndication)),
    },
    sessions: {
      total: value('sessions.total', sessions.total),
      perParticipant: describe('sessions.perParticipant', sessions.perParticipant),
      durationMinutes: describe('sessions.durationMinutes', sessions.durationMinutes),
      protocolAdherence: proportion('sessions.protocolAdherence', sessions.protocolAdherence),
    },
    followUp: {
      months: describe('followUp.months', followUp.months),
      inWindow: proportion('followUp.inWindow', followUp.inWindow),
      window: followUp.window,
      coverage: counts('followUp.coverage', followUp.coverage),
    },
    fading: {
      latestGrade: counts('fading.latestGrade', fading.latestGrade),
      minimalOrNone: proportion('fading.minimalOrNone', fading.minimalOrNone),
      densityScore: {
        first: describe('fading.densityScore.first', fading.densityScore.first),
        latest: describe('fading.densityScore.latest', fading.densityScore.latest),
        change: describe('fading.densityScore.change', fading.densityScore.change),
      },
      gradeTrend: trend('fading.gradeTrend', fading.gradeTrend),
      touchUpFree: kaplanMeier('fading.touchUpFree', fading.touchUpFree),
      touchUpFreeMedian: median('fading.touchUpFreeMedian', fading.touchUpFreeMedian),
      minimalOrNoneInWindow: proportion('fading.minimalOrNoneInWindow', fading.minimalOrNoneInWindow),
    },
    safety: {
      anyEvent: proportion('safety.anyEvent', safety.anyEvent),
      seriousEvent: proportion('safety.seriousEvent', safety.seriousEvent),
      relatedEvent: proportion('safety.relatedEvent', safety.relatedEvent),
      withdrawnDueToEvent: proportion('safety.withdrawnDueToEvent', safety.withdrawnDueToEvent),
      byCategory: eventCounts('safety.byCategory', everyLevel(ADVERSE_EVENT_CATEGORIES, safety.byCategory, participants.enrolled)),
      byGrade: eventCounts('safety.byGrade', everyLevel(CTCAE_GRADES, safety.byGrade, participants.enrolled)),
      solicitedEvents: value('safety.solicitedEvents', safety.solicitedEvents),
      spontaneousEvents: value('safety.spontaneousEvents', safety.spontaneousEvents),
      eventsPer100Sessions: value('safety.eventsPer100Sessions', safety.eventsPer100Sessions),
    },
    satisfaction: {
      respondents: value('satisfaction.respondents', satisfaction.respondents),
      responseRate: proportion('satisfaction.responseRate', satisfaction.responseRate),
      distribution: counts('satisfaction.distribution', satisfaction.distribution),
      verySatisfied: proportion('satisfaction.verySatisfied', satisfaction.verySatisfied),
      wouldRecommend: proportion('satisfaction.wouldRecommend', satisfaction.wouldRecommend),
      verySatisfiedInWindow: proportion('satisfaction.verySatisfiedInWindow', satisfaction.verySatisfiedInWindow),
    },
    costUsd: describe('costUsd', figures.costUsd),
    ...(figures.retention
      ? {
          retention: figures.retention.map(
            (visit, i): Suppressed<VisitRetention> => {
              const path = `retention.${i}`;
              const row = {
                ...visit,
                participants: value(`${path}.participants`, visit.participants),
                done: proportion(`${path}.done`, visit.done),
                notDone: proportion(`${path}.notDone`, visit.notDone),
                withdrawn: proportion(`${path}.withdrawn`, visit.withdrawn),
              };
              return lost(path, ['participants']) || row.done !== visit.done || row.notDone !== visit.notDone || row.withdrawn !== visit.withdrawn
                ? { ...row, suppressed: true }
                : row;
            },
          ) as unknown as VisitRetention[],
        }
      : {}),
  };
  if (any) out.suppressed = true;
  return out;
}
