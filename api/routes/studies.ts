// /api/studies: list, import and export studies.
import { Router } from 'express';
import type { Db } from '../../db/kysely.ts';
import { listStudies } from '../services/study-service.ts';
import { AnalysisQuery, ImportQuery, StudyCodeParams } from '../schemas/requests.ts';
import { analyzeStudy, analyzeStudyWithCharts } from '../services/analysis-service.ts';
import { exportBundle, importBundle } from '../services/study-bundle-service.ts';
import { parseOrThrow } from '../validate.ts';

export function studiesRouter(db: Db): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    res.json({ studies: await listStudies(db) });
  });

  router.post('/', async (req, res) => {
    const { replace } = parseOrThrow(ImportQuery, req.query, 'query');
    const result = await importBundle(db, req.body, { replace });
    res.status(replace && result.replaced ? 200 : 201).location(`/api/studies/${result.code}`).json(result);
  });

  router.get('/:code/bundle', async (req, res) => {
    const { code } = parseOrThrow(StudyCodeParams, req.params, 'path');
    const bundle = await exportBundle(db, code);
    res.attachment(`${code}.json`).json(bundle);
  });

  router.get('/:code/analysis', async (req, res) => {
    const { code } = parseOrThrow(StudyCodeParams, req.params, 'path');
    const { by } = parseOrThrow(AnalysisQuery, req.query, 'query');
    res.json(await analyzeStudy(db, code, { by }));
  });

  router.get('/:code/report', async (req, res) => {
    const { code } = parseOrThrow(StudyCodeParams, req.params, 'path');
    const { by } = parseOrThrow(AnalysisQuery, req.query, 'query');
    const { summary, series } = await analyzeStudyWithCharts(db, code, { by });
    const { renderHtml } = await import('../reports/index.ts');
    res.type('html').send(renderHtml(summary, series));
  });

  return router;
}
