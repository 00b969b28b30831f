// Study listings for the CLI, the API and the dashboard.
import type { Db } from '../../db/kysely.ts';
import { listStudiesWithCounts } from '../../db/repositories/study-repository.ts';
import type { StudyListing } from '../schemas/responses.ts';

export async function listStudies(db: Db): Promise<StudyListing[]> {
  const rows = await listStudiesWithCounts(db.kysely);
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
