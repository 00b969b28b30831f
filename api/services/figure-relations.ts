// The counts behind one group's figures and every relation that holds between them by the
// analysis's definitions: the one list that small-cell suppression protects against and that the
// tests prove it with. A figure that is not declared here fails those tests.
//
// - A cell is one count, with every path where the figures show it (a repeat is the same cell:
//   `followUp.months.n` is `followUp.inWindow.N`). An implied cell is a count no figure shows but
//   subtraction gives (the participants without an event): it is never shown, and protected when small.
// - A sum ties cells: total = Σ parts (grades add up to the followed-up participants; grades 0 and
//   1 to minimalOrNone's n; a proportion's N is n plus its implied remainder).
// - A dependent figure (a share, an interval, a mean, a rate, a statistic) is computed from some
//   cells and is shown only when they all are: shown with one of them hidden, it would give it back
//   (a rate times its shown denominator).
// - An inequality (the participants with a serious event are among those with any) is a sum with
//   an implied slack that cannot be negative: it bounds what subtraction leaves open.
// - Every level of a vocabulary is a cell, those with no participant or event too: another site's
//   group lists them all, since a level left out would say its count is 0 (and a level listed that
//   it is at least 1).
import { INDICATIONS } from '../../analysis/charts/labels.ts';
import { ADVERSE_EVENT_CATEGORIES, CTCAE_GRADES } from '../../analysis/constants.ts';
import { proportion } from '../../analysis/proportion.ts';
import type { CohortFigures, Describe, EventCount, Indication, Proportion } from '../../analysis/types.ts';
import type { SumRelation, SuppressionCell } from './complementary-suppression.ts';

/**
 * Events and participants at every level, those that did not occur as 0 of the enrolled.
 *
 * @param levels the vocabulary's levels, in order
 * @param counts the levels that occurred
 * @param enrolled the denominator of the participants
 */
export function everyLevel<K extends string>(levels: readonly K[], counts: Partial<Record<K, EventCount>>, enrolled: number): Record<K, EventCount> {
  return Object.fromEntries(levels.map((level) => [level, counts[level] ?? { events: 0, participants: proportion(0, enrolled) }])) as Record<K, EventCount>;
}

/** Participants of every indication, those of none as 0. */
export function everyIndication(counts: Partial<Record<Indication, number>>): Record<Indication, number> {
  return Object.fromEntries(INDICATIONS.map((indication) => [indication, counts[indication] ?? 0])) as Record<Indication, number>;
}

export interface FigureCell extends SuppressionCell {
  /** Where the figures show this count, as dotted paths; none for an implied count. */
  paths: string[];
}

/** A figure computed from counts: shown only when every one of them is. */
export interface DependentFigure {
  path: string;
  on: string[];
}

export interface FigureModel {
  cells: FigureCell[];
  sums: SumRelation[];
  dependents: DependentFigure[];
  /** Never shown for another site (individual times). */
  withheld: string[];
  /** Not counts, shown as they are (the protocol's follow-up window). */
  constants: string[];
  /** The order in which suppression tries to show the cells: the figures shared with other answers, then the headline ones. */
  order: string[];
}

const DESCRIBE_STATISTICS = ['mean', 'sd', 'median', 'q1', 'q3', 'min', 'max'] as const;
const TREND_STATISTICS = ['slopePerMonth', 'intercept', 'r2', 'spearmanRho', 'spearmanP'] as const;
const INTERVALS = ['proportion', 'wilson', 'exact'] as const;

class ModelBuilder {
  readonly model: FigureModel = { cells: [], sums: [], dependents: [], withheld: [], constants: [], order: [] };
  private readonly byId = new Map<string, FigureCell>();

  /** A count shown at `paths` (its id is the first, or `id` for a count only dependent figures show). */
  cell(paths: string[], value: number, id = paths[0]!): string {
    const cell: FigureCell = { id, value, paths };
    this.add(cell);
    return cell.id;
  }

  /** A count no figure shows. */
  implied(id: string, value: number): string {
    this.add({ id, value, paths: [], implied: true });
    return id;
  }

  /** One more place the count `id` is shown. */
  alsoAt(id: string, path: string): string {
    this.byId.get(id)!.paths.push(path);
    return id;
  }

  sum(total: string, parts: string[]): void {
    this.model.sums.push({ total, parts });
  }

  /** Σ atMost ≤ Σ atLeast, as atLeast = atMost + slack (a sum of several becomes an implied cell of its own). */
  atMost(atMost: string[], atLeast: string[]): void {
    const total = (ids: string[]) => ids.reduce((sum, id) => sum + this.byId.get(id)!.value, 0);
    const name = (ids: string[]) => ids.join(' + ');
    const side = (ids: string[]) => {
      if (ids.length === 1) return ids[0]!;
      const id = name(ids);
      if (!this.byId.has(id)) {
        this.add({ id, value: total(ids), paths: [], implied: true, unprotected: true });
        this.model.sums.push({ total: id, parts: ids, bound: true });
      }
      return id;
    };
    const slack = `${name(atLeast)} − (${name(atMost)})`;
    this.add({ id: slack, value: total(atLeast) - total(atMost), paths: [], implied: true, unprotected: true });
    this.model.sums.push({ total: side(atLeast), parts: [side(atMost), slack], bound: true });
  }


  dependent(path: string, on: string[]): void {
    this.model.dependents.push({ path, on });
  }

  /**
   * A proportion at `path`: n (a new cell, or `n` when it repeats one), N (the cell it repeats,
   * or a new one), the implied remainder N − n, and n/N with its intervals.
   */
  proportion(path: string, p: Proportion, of: { n?: string; N?: string }): { n: string; N: string } {
    const n = of.n === undefined ? this.cell([`${path}.n`], p.n) : this.alsoAt(of.n, `${path}.n`);
    const N = of.N === undefined ? this.cell([`${path}.N`], p.N) : this.alsoAt(of.N, `${path}.N`);
    const rest = this.implied(`${path}.N−n`, p.N - p.n);
    this.sum(N, [n, rest]);
    for (const key of INTERVALS) this.dependent(`${path}.${key}`, [n, N]);
    return { n, N };
  }

  /** Descriptive statistics at `path` of `n` values: shown when n is, and `alsoOn` (a mean that times n gives a count). */
  describe(path: string, d: Describe, n: string | undefined, alsoOn: string[] = []): string {
    const cell = n === undefined ? this.cell([`${path}.n`], d.n) : this.alsoAt(n, `${path}.n`);
    for (const key of DESCRIBE_STATISTICS) if (key in d) this.dependent(`${path}.${key}`, [cell, ...alsoOn]);
    return cell;
  }

  private add(cell: FigureCell): void {
    if (this.byId.has(cell.id)) throw new Error(`the count ${cell.id} is declared twice`);
    this.byId.set(cell.id, cell);
    this.model.cells.push(cell);
  }
}

/**
 * The counts, relations and dependent figures of one group's figures.
 *
 * Cost: O(k) for k figures.
 *
 * @param figures one group's figures, as the analysis computed them
 * @returns its model: cells with their values and paths, the sums (inequalities among them) and dependents
 * @example
 * figureModel(figures).sums.find((s) => s.total === 'fading.minimalOrNone.n');
 * // => { total: 'fading.minimalOrNone.n', parts: ['fading.latestGrade.0', 'fading.latestGrade.1'] }
 */
export function figureModel(figures: CohortFigures): FigureModel {
  const m = new ModelBuilder();
  const { participants, sessions, followUp, fading, safety, satisfaction } = figures;

  // Participants.
  const enrolled = m.cell(['participants.enrolled'], participants.enrolled);
  const withdrawn = m.cell(['participants.withdrawn'], participants.withdrawn);
  // Shown as a share of the enrolled (withdrawn/enrolled), so its remainder is a group too.
  m.sum(enrolled, [withdrawn, m.implied('participants.withdrawn.N−n', participants.enrolled - participants.withdrawn)]);
  const indications = Object.entries(everyIndication(participants.byIndication)).map(([key, n]) => m.cell([`participants.byIndication.${key}`], n));
  m.sum(enrolled, indications);

  // Sessions: the mean per participant times the enrolled gives the sessions back.
  const sessionsTotal = m.cell(['sessions.total'], sessions.total);
  m.describe('sessions.perParticipant', sessions.perParticipant, enrolled, [sessionsTotal]);
  m.describe('sessions.durationMinutes', sessions.durationMinutes, sessionsTotal);
  const adherent = m.proportion('sessions.protocolAdherence', sessions.protocolAdherence, { N: enrolled });

  // Follow-up: the coverage counts every enrolled participant once; all but noFollowUp are followed up.
  const followedUp = m.describe('followUp.months', followUp.months, undefined);
  const coverage = {
    noFollowUp: m.cell(['followUp.coverage.noFollowUp'], followUp.coverage.noFollowUp),
    beforeWindow: m.cell(['followUp.coverage.beforeWindow'], followUp.coverage.beforeWindow),
    inWindow: m.cell(['followUp.coverage.inWindow'], followUp.coverage.inWindow),
    afterWindow: m.cell(['followUp.coverage.afterWindow'], followUp.coverage.afterWindow),
  };
  m.proportion('followUp.inWindow', followUp.inWindow, { n: coverage.inWindow, N: followedUp });
  m.sum(enrolled, [coverage.noFollowUp, coverage.beforeWindow, coverage.inWindow, coverage.afterWindow]);
  m.sum(followedUp, [coverage.beforeWindow, coverage.inWindow, coverage.afterWindow]);
  m.model.constants.push('followUp.window.from', 'followUp.window.to');

  // Fading: the latest grades add up to the followed-up participants, grades 0 and 1 to minimalOrNone.
  const grades = (['0', '1', '2', '3', '4'] as const).map((grade) => m.cell([`fading.latestGrade.${grade}`], fading.latestGrade[grade]));
  m.sum(followedUp, grades);
  const minimal = m.proportion('fading.minimalOrNone', fading.minimalOrNone, { N: followedUp });
  m.sum(minimal.n, [grades[0]!, grades[1]!]);
  const withDensity = m.describe('fading.densityScore.first', fading.densityScore.first, undefined);
  m.describe('fading.densityScore.latest', fading.densityScore.latest, withDensity);
  const withDensityChange = m.describe('fading.densityScore.change', fading.densityScore.change, undefined);
  const assessments = m.cell(['fading.gradeTrend.n'], fading.gradeTrend.n);
  for (const key of TREND_STATISTICS) m.dependent(`fading.gradeTrend.${key}`, [assessments]);
  // Kaplan–Meier: every followed-up participant is observed; the events are a share of them.
  const { touchUpFree } = fading;
  m.alsoAt(followedUp, 'fading.touchUpFree.n');
  const touchUps = m.cell(['fading.touchUpFree.events'], touchUpFree.events);
  m.sum(followedUp, [touchUps, m.implied('fading.touchUpFree.N−events', touchUpFree.n - touchUpFree.events)]);
  m.dependent('fading.touchUpFree.median', [followedUp]);
  m.model.withheld.push('fading.touchUpFree.steps', 'fading.touchUpFree.lastMonths');
  for (const key of ['months', 'lower', 'upper']) m.dependent(`fading.touchUpFreeMedian.${key}`, [followedUp]);
  // The participants at risk at the median are a count at one time, as the steps are.
  m.model.withheld.push('fading.touchUpFreeMedian.atRisk', 'fading.touchUpFreeMedian.unstable');
  // Within the window: every participant whose latest assessment is in it has one in it.
  const assessedInWindow = m.proportion('fading.minimalOrNoneInWindow', fading.minimalOrNoneInWindow, {});
  m.atMost([assessedInWindow.N], [followedUp]);
  m.atMost([coverage.inWindow], [assessedInWindow.N]);
  m.atMost([withDensity], [followedUp]);
  m.atMost([withDensityChange], [withDensity]);
  m.atMost([followedUp], [assessments]);
  m.atMost([followedUp], [enrolled]);

  // Safety: the events (solicited or not, by category, by grade) add up to the same total, which
  // the rate per 100 sessions gives back with the sessions.
  // No figure of the group is the total, but the rate shows it, as do the adverse-event rates.
  const events = m.cell([], safety.solicitedEvents + safety.spontaneousEvents, 'safety.events');
  const anyEvent = m.proportion('safety.anyEvent', safety.anyEvent, { N: enrolled });
  const serious = m.proportion('safety.seriousEvent', safety.seriousEvent, { N: enrolled });
  const related = m.proportion('safety.relatedEvent', safety.relatedEvent, { N: enrolled });
  const withdrawnForEvent = m.proportion('safety.withdrawnDueToEvent', safety.withdrawnDueToEvent, { N: enrolled });
  m.atMost([serious.n], [anyEvent.n]);
  m.atMost([related.n], [anyEvent.n]);
  m.atMost([withdrawnForEvent.n], [withdrawn]);
  m.atMost([anyEvent.n], [events]);
  for (const [dimension, counts] of [
    ['byCategory', everyLevel(ADVERSE_EVENT_CATEGORIES, safety.byCategory, participants.enrolled)],
    ['byGrade', everyLevel(CTCAE_GRADES, safety.byGrade, participants.enrolled)],
  ] as const) {
    const levels = Object.entries(counts).map(([key, count]) => {
      const path = `safety.${dimension}.${key}`;
      const levelEvents = m.cell([`${path}.events`], count.events);
      const levelParticipants = m.proportion(`${path}.participants`, count.participants, { N: enrolled }).n;
      m.atMost([levelParticipants], [levelEvents]);
      m.atMost([levelParticipants], [anyEvent.n]);
      return { events: levelEvents, participants: levelParticipants };
    });
    m.sum(events, levels.map((level) => level.events));
    // Everyone with an event has one of some category, and of some grade.
    m.atMost([anyEvent.n], levels.map((level) => level.participants));
  }
  m.sum(events, [m.cell(['safety.solicitedEvents'], safety.solicitedEvents), m.cell(['safety.spontaneousEvents'], safety.spontaneousEvents)]);
  m.dependent('safety.eventsPer100Sessions', [events, sessionsTotal]);

  // Satisfaction: the latest scores add up to the respondents, score 5 is the very satisfied.
  const response = m.proportion('satisfaction.responseRate', satisfaction.responseRate, { n: m.cell(['satisfaction.respondents'], satisfaction.respondents), N: enrolled });
  const scores = (['1', '2', '3', '4', '5'] as const).map((score) => m.cell([`satisfaction.distribution.${score}`], satisfaction.distribution[score]));
  m.sum(response.n, scores);
  m.proportion('satisfaction.verySatisfied', satisfaction.verySatisfied, { n: scores[4]!, N: response.n });
  const recommend = m.proportion('satisfaction.wouldRecommend', satisfaction.wouldRecommend, {});
  m.atMost([recommend.N], [response.n]);
  const surveyedInWindow = m.proportion('satisfaction.verySatisfiedInWindow', satisfaction.verySatisfiedInWindow, {});
  m.atMost([surveyedInWindow.N], [response.n]);

  const withCost = m.describe('costUsd', figures.costUsd, undefined);
  m.atMost([withCost], [enrolled]);

  // Retention by scheduled visit: at every visit, done, not done and withdrawn add up to the
  // participants with a schedule (at least one session), the same count at every visit and no
  // more than the enrolled; those withdrawn before a visit are among the withdrawn.
  if (figures.retention && figures.retention.length > 0) {
    const scheduled = m.cell(
      figures.retention.map((_, i) => `retention.${i}.participants`),
      figures.retention[0]!.participants,
    );
    m.atMost([scheduled], [enrolled]);
    figures.retention.forEach((visit, i) => {
      const path = `retention.${i}`;
      m.model.constants.push(`${path}.visit`, `${path}.label`, `${path}.monthsAfterFinalSession`);
      const outcomes = (['done', 'notDone', 'withdrawn'] as const).map((outcome) => m.proportion(`${path}.${outcome}`, visit[outcome], { N: scheduled }).n);
      m.sum(scheduled, outcomes);
      m.atMost([outcomes[2]!], [withdrawn]);
    });
  }

  m.model.order = [
    // Also in the adverse-event rates by site, which decide them on their own size: first, so
    // that the two answers hide them alike.
    enrolled,
    events,
    anyEvent.n,
    // The headline figures of the site comparison.
    followedUp,
    sessionsTotal,
    withdrawn,
    adherent.n,
    coverage.inWindow,
    minimal.n,
    serious.n,
    related.n,
    withdrawnForEvent.n,
    response.n,
    scores[4]!,
    recommend.N,
    recommend.n,
  ];
  return m.model;
}
