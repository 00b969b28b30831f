// The summary's safety figures, reported as CONSORT-Harms asks: participants with events, not only event counts.
import { ADVERSE_EVENT_CATEGORIES, CTCAE_GRADES, ctcaeGradeKey, RELATED_JUDGEMENTS } from './constants.ts';
import type { ParticipantOutcome } from './participant-outcome.ts';
import { proportion } from './proportion.ts';
import type { AdverseEventCategory, CohortFigures, CtcaeGradeKey, EventCount } from './types.ts';

/**
 * Safety figures. Proportions of enrolled participants with at least one adverse event, one
 * serious event, one related event (relatedness possible, probable or definite), and withdrawn
 * because of an adverse event. By category and by CTCAE grade: the number of events and the
 * proportion of enrolled participants with at least one such event, only for categories and
 * grades that occurred (categories in the protocol list's order, grades ascending). Counts of
 * solicited and spontaneous events, and events per 100 sessions (null without sessions).
 *
 * Reference: Ioannidis J. P. A. et al. (2004), "Better reporting of harms in randomized trials:
 * an extension of the CONSORT statement", Annals of Internal Medicine 141(10):781–788.
 *
 * Cost: O(p + e) time for p participants and e events.
 *
 * @param outcomes the participants' derived outcomes
 * @returns the `safety` block of the summary
 * @throws {Error} if an event's grade is not an integer from 1 to 5
 * @example
 * safetyFigures(outcomes).anyEvent; // => { n: 2, N: 6, proportion: 0.333..., ... }
 */
export function safetyFigures(outcomes: readonly ParticipantOutcome[]): CohortFigures['safety'] {
  const enrolled = outcomes.length;
  let anyEvent = 0;
  let seriousEvent = 0;
  let relatedEvent = 0;
  let withdrawnDueToEvent = 0;
  let solicitedEvents = 0;
  let spontaneousEvents = 0;
  let totalEvents = 0;
  let totalSessions = 0;
  const categoryTally = new Map<AdverseEventCategory, { events: number; participants: number }>();
  const gradeTally = new Map<CtcaeGradeKey, { events: number; participants: number }>();
  for (const { participant } of outcomes) {
    totalSessions += participant.sessions.length;
    if (participant.withdrawn && participant.withdrawalCause === 'adverse_event') withdrawnDueToEvent++;
    const events = participant.adverseEvents;
    if (events.length === 0) continue;
    anyEvent++;
    let serious = false;
    let related = false;
    const categoriesSeen = new Set<AdverseEventCategory>();
    const gradesSeen = new Set<CtcaeGradeKey>();
    for (const event of events) {
      totalEvents++;
      if (event.solicited) solicitedEvents++;
      else spontaneousEvents++;
      if (event.serious) serious = true;
      if (RELATED_JUDGEMENTS.has(event.relatedness)) related = true;
      tally(categoryTally, event.category, categoriesSeen);
      tally(gradeTally, ctcaeGradeKey(event.grade), gradesSeen);
    }
    if (serious) seriousEvent++;
    if (related) relatedEvent++;
  }
  const byCategory: Partial<Record<AdverseEventCategory, EventCount>> = {};
  for (const category of ADVERSE_EVENT_CATEGORIES) {
    const counts = categoryTally.get(category);
    if (counts !== undefined) byCategory[category] = { events: counts.events, participants: proportion(counts.participants, enrolled) };
  }
  const byGrade: Partial<Record<CtcaeGradeKey, EventCount>> = {};
  for (const grade of CTCAE_GRADES) {
    const counts = gradeTally.get(grade);
    if (counts !== undefined) byGrade[grade] = { events: counts.events, participants: proportion(counts.participants, enrolled) };
  }
  return {
    anyEvent: proportion(anyEvent, enrolled),
    seriousEvent: proportion(seriousEvent, enrolled),
    relatedEvent: proportion(relatedEvent, enrolled),
    withdrawnDueToEvent: proportion(withdrawnDueToEvent, enrolled),
    byCategory,
    byGrade,
    solicitedEvents,
    spontaneousEvents,
    eventsPer100Sessions: totalSessions === 0 ? null : (100 * totalEvents) / totalSessions,
  };
}

/** Adds one event under `key`, and its participant the first time this participant has one. */
function tally<K>(counts: Map<K, { events: number; participants: number }>, key: K, seenForParticipant: Set<K>): void {
  let entry = counts.get(key);
  if (entry === undefined) {
    entry = { events: 0, participants: 0 };
    counts.set(key, entry);
  }
  entry.events++;
  if (!seenForParticipant.has(key)) {
    seenForParticipant.add(key);
    entry.participants++;
  }
}
