// Small-cell suppression of another site's figures, shown to a clinic that benchmarks itself
// against the rest of a study: every count under the threshold becomes null, so that no one
// learns about a small group of participants elsewhere.
//
// - A count (enrolled, events, a bucket of a distribution) under the threshold is null.
// - A distribution with a suppressed bucket has at least two, adding up to at least the
//   threshold, so the total gives back neither one of them nor a small group.
// - A proportion is suppressed whole when either n or N − n is under the threshold (either
//   gives the other away with N); N stays when it is not small itself.
// - Descriptive statistics, the grade trend and the Kaplan–Meier summary are suppressed whole
//   when their n is under the threshold. Kaplan–Meier steps and the last observed time are
//   individual times and are never shown for another site.
// - The follow-up coverage counts are a distribution (they add up to enrolled); its inWindow is
//   hidden whenever the in-window proportion is; the protocol's window stays.
// Objects that lost a figure carry `suppressed: true`, as does the group.
import type { CohortFigures, Describe, EventCount, GradeTrend, KaplanMeier, Proportion, VisitRetention } from '../../analysis/types.ts';

/** A figure as another site's group shows it to a clinic. */
type Suppressed<T> = T extends number
  ? number | null
  : T extends Array<unknown>
    ? T | null
    : T extends object
      ? { [K in keyof T]: Suppressed<T[K]> } & { suppressed?: true }
      : T;

export type SuppressedFigures = Suppressed<CohortFigures> & { suppressed?: true };

interface Suppressor {
  threshold: number;
  any: boolean;
}

function count(s: Suppressor, value: number): number | null {
  if (value < s.threshold) {
    s.any = true;
    return null;
  }
  return value;
}

/** Whether a proportion is hidden: n or N − n is under the threshold (either gives the other away with N). */
const hidesProportion = (p: Proportion, threshold: number) => p.n < threshold || p.N - p.n < threshold;

function proportion(s: Suppressor, p: Proportion): Suppressed<Proportion> {
  if (hidesProportion(p, s.threshold)) {
    s.any = true;
    return { n: null, N: count(s, p.N), proportion: null, wilson: null, exact: null, suppressed: true };
  }
  return p;
}

function describe(s: Suppressor, d: Describe): Suppressed<Describe> {
  if (d.n >= s.threshold) return d;
  s.any = true;
  return { n: null, suppressed: true } as Suppressed<Describe>;
}

function trend(s: Suppressor, t: GradeTrend): Suppressed<GradeTrend> {
  if (t.n >= s.threshold) return t;
  s.any = true;
  return { n: null, slopePerMonth: null, intercept: null, r2: null, spearmanRho: null, spearmanP: null, suppressed: true };
}

function kaplanMeier(s: Suppressor, km: KaplanMeier): Suppressed<KaplanMeier> {
  s.any = true;
  if (km.n < s.threshold) return { n: null, events: null, median: null, steps: null, lastMonths: null, suppressed: true };
  return { n: km.n, events: count(s, km.events), median: km.median, steps: null, lastMonths: null, suppressed: true };
}

/** A distribution of counts, some of them suppressed. */
type SuppressedCounts = Record<string, number | null> & { suppressed?: true };

/**
 * Each bucket under the threshold is null, and so is each bucket in `alsoHide` (one that another
 * figure hides). The buckets are known to add up to a total, so the hidden ones must not be
 * given back by it: while fewer than two are hidden, or the hidden ones add up to less than the
 * threshold (itself a small group), the smallest shown bucket is hidden too.
 */
function distribution(s: Suppressor, buckets: Partial<Record<string, number>>, alsoHide: readonly string[] = []): SuppressedCounts {
  const entries = Object.entries(buckets) as Array<[string, number]>;
  const hidden = new Set(entries.filter(([key, n]) => n < s.threshold || alsoHide.includes(key)).map(([key]) => key));
  const shown = entries.filter(([key]) => !hidden.has(key)).sort((a, b) => a[1] - b[1]);
  let hiddenTotal = entries.reduce((sum, [key, n]) => (hidden.has(key) ? sum + n : sum), 0);
  while (hidden.size > 0 && (hidden.size < 2 || hiddenTotal < s.threshold) && shown.length > 0) {
    const [key, n] = shown.shift()!;
    hidden.add(key);
    hiddenTotal += n;
  }
  const out: SuppressedCounts = Object.fromEntries(entries.map(([key, n]) => [key, hidden.has(key) ? null : n]));
  if (hidden.size > 0) {
    s.any = true;
    out.suppressed = true;
  }
  return out;
}

function eventCounts<K extends string>(s: Suppressor, counts: Partial<Record<K, EventCount>>) {
  const out: Partial<Record<K, Suppressed<EventCount>>> = {};
  for (const [key, value] of Object.entries(counts) as Array<[K, EventCount]>) {
    out[key] = { events: count(s, value.events), participants: proportion(s, value.participants) };
  }
  return out;
}

export type SuppressedEventCount = Suppressed<EventCount> & { suppressed?: true };

/**
 * Another site's event count and proportion of participants with an event, suppressed as in
 * `suppressSmallCells`: the count when under the threshold, the proportion whole when n or N − n is.
 *
 * @param value the events and the participants with one
 * @param threshold counts below this are suppressed
 * @returns the figures with small counts as null, marked `suppressed: true` when any is
 */
export function suppressEventCount(value: EventCount, threshold: number): SuppressedEventCount {
  const s: Suppressor = { threshold, any: false };
  const out: SuppressedEventCount = { events: count(s, value.events), participants: proportion(s, value.participants) };
  if (s.any) out.suppressed = true;
  return out;
}

/**
 * Retention at a visit: done, not done and withdrawn add up to the participants, so they are a
 * distribution (a hidden one takes others with it), and each is also hidden with its proportion.
 */
function retentionRow(s: Suppressor, visit: VisitRetention): Suppressed<VisitRetention> {
  const outcomes = ['done', 'notDone', 'withdrawn'] as const;
  const hidden = distribution(
    s,
    Object.fromEntries(outcomes.map((o) => [o, visit[o].n])),
    outcomes.filter((o) => hidesProportion(visit[o], s.threshold)),
  );
  const shown = (o: (typeof outcomes)[number]) =>
    hidden[o] === null ? { n: null, N: count(s, visit.participants), proportion: null, wilson: null, exact: null, suppressed: true as const } : visit[o];
  return { ...visit, participants: count(s, visit.participants), done: shown('done'), notDone: shown('notDone'), withdrawn: shown('withdrawn') };
}

/**
 * Another site's figures with every small count suppressed.
 *
 * @param figures one site's figures
 * @param threshold counts below this are suppressed (5 by default)
 * @returns the figures with small counts as null, marked `suppressed: true`
 */
export function suppressSmallCells(figures: CohortFigures, threshold: number): SuppressedFigures {
  const s: Suppressor = { threshold, any: false };
  const { participants, sessions, followUp, fading, safety, satisfaction } = figures;
  const events = safety.solicitedEvents + safety.spontaneousEvents;
  const inWindowHidden = hidesProportion(followUp.inWindow, threshold);
  const out: SuppressedFigures = {
    participants: {
      enrolled: count(s, participants.enrolled),
      withdrawn: count(s, participants.withdrawn),
      byIndication: distribution(s, participants.byIndication) as Suppressed<CohortFigures['participants']['byIndication']>,
    },
    sessions: {
      total: count(s, sessions.total),
      perParticipant: describe(s, sessions.perParticipant),
      durationMinutes: describe(s, sessions.durationMinutes),
      protocolAdherence: proportion(s, sessions.protocolAdherence),
    },
    followUp: {
      months: describe(s, followUp.months),
      inWindow: proportion(s, followUp.inWindow),
      window: followUp.window,
      // The coverage's inWindow is the proportion's n: hidden with it, or N − n would give back
      // what the proportion hides.
      coverage: distribution(s, { ...followUp.coverage }, inWindowHidden ? ['inWindow'] : []) as unknown as Suppressed<
        CohortFigures['followUp']['coverage']
      >,
    },
    fading: {
      latestGrade: distribution(s, fading.latestGrade) as unknown as Suppressed<CohortFigures['fading']['latestGrade']>,
      minimalOrNone: proportion(s, fading.minimalOrNone),
      densityScore: {
        first: describe(s, fading.densityScore.first),
        latest: describe(s, fading.densityScore.latest),
        change: describe(s, fading.densityScore.change),
      },
      gradeTrend: trend(s, fading.gradeTrend),
      touchUpFree: kaplanMeier(s, fading.touchUpFree),
    },
    safety: {
      anyEvent: proportion(s, safety.anyEvent),
      seriousEvent: proportion(s, safety.seriousEvent),
      relatedEvent: proportion(s, safety.relatedEvent),
      withdrawnDueToEvent: proportion(s, safety.withdrawnDueToEvent),
      byCategory: eventCounts(s, safety.byCategory),
      byGrade: eventCounts(s, safety.byGrade),
      solicitedEvents: count(s, safety.solicitedEvents),
      spontaneousEvents: count(s, safety.spontaneousEvents),
      eventsPer100Sessions: events < threshold ? (count(s, events), null) : safety.eventsPer100Sessions,
    },
    satisfaction: {
      respondents: count(s, satisfaction.respondents),
      responseRate: proportion(s, satisfaction.responseRate),
      distribution: distribution(s, satisfaction.distribution) as unknown as Suppressed<CohortFigures['satisfaction']['distribution']>,
      verySatisfied: proportion(s, satisfaction.verySatisfied),
      wouldRecommend: proportion(s, satisfaction.wouldRecommend),
    },
    costUsd: describe(s, figures.costUsd),
    ...(figures.retention ? { retention: figures.retention.map((visit) => retentionRow(s, visit)) as unknown as VisitRetention[] } : {}),
  };
  if (s.any) out.suppressed = true;
  return out;
}
