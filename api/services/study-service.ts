// Studies as users see them: listings for the CLI, the API and the dashboard, and a stored
// study's protocol in the bundle's terms.
import type { Db } from '../../db/kysely.ts';
import { listStudiesWithCounts, type StudyRow } from '../../db/repositories/study-repository.ts';
import type { Protocol } from '../schemas/bundle.ts';
import type { StudyListing } from '../schemas/responses.ts';

/** The protocol of a stored study, as the bundle writes it. */
export function protocolOf(study: StudyRow): Protocol {
  return {
    initialSessions: study.initial_sessions,
    sessionIntervalDays: study.session_interval_days,
    intervalToleranceDays: study.interval_tolerance_days,
    touchUpAfterDays: study.touch_up_after_days,
    touchUpToleranceDays: study.touch_up_tolerance_days,
    followUpMonths: { from: study.follow_up_from_months, to: study.follow_up_to_months },
  };
}

export async function listStudies(db: Db): Promise<StudyListing[]> {
  // One statement is one snapshot already; the transaction keeps it so if the listing grows.
  const rows = await db.readSnapshot((kysely) => listStudiesWithCounts(kysely));
  return rows.map((r) => ({
    code: r.code,
    title: r.title,
    importedAt: r.imported_at,
    sites: Number(r.sites),
    practitioners: Number(r.practitioners),
    participants: Number(r.participants),
    sessions: Number(r.sessions),
    adverseEvents: Number(r.adverse_events),
    fadingAssessments: Number(r.fading_assessments),
    surveys: Number(r.surveys),
  }));
}
