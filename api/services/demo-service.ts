// The demo study SMP-2021 (fixtures/smp-2021.json): loaded on first start and by `smp demo`.
import fs from 'node:fs/promises';
import type { Db } from '../../db/kysely.ts';
import { findStudyByCode } from '../../db/repositories/study-repository.ts';
import { isAppError } from '../errors.ts';
import { importBundle } from './study-bundle-service.ts';

export const DEMO_STUDY_CODE = 'SMP-2021';
const DEMO_BUNDLE_URL = new URL('../../fixtures/smp-2021.json', import.meta.url);

export async function readDemoBundle(): Promise<unknown> {
  return JSON.parse(await fs.readFile(DEMO_BUNDLE_URL, 'utf8'));
}

/** Load the demo study unless it is there already. Returns whether it was loaded now. */
export async function loadDemo(db: Db): Promise<boolean> {
  if (await findStudyByCode(db.kysely, DEMO_STUDY_CODE)) return false;
  try {
    await importBundle(db, await readDemoBundle());
    return true;
  } catch (error) {
    // Another process loaded it between the check and the import.
    if (isAppError(error) && error.kind === 'conflict') return false;
    throw error;
  }
}
