// /api/studies: list, import and export studies.
import { Router } from 'express';
import type { Db } from '../../db/kysely.ts';
import { listStudies } from '../services/study-service.ts';
import { ImportQuery, StudyCodeParams } from '../schemas/requests.ts';
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

  return router;
}
