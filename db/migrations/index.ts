// Every migration, in order. Listed explicitly so that migrations load the same way under tsx,
// in tests and in a bundled build; the key is the name recorded in kysely_migration.
import type { Migration } from 'kysely';
import * as studyDataStore from './2026-11-23-01-study-data-store.ts';
import * as liveDataCapture from './2026-11-24-01-live-data-capture.ts';
import * as siteCountry from './2026-12-06-01-site-country.ts';
import * as auditHashChain from './2026-12-06-02-audit-hash-chain.ts';
import * as signInHardening from './2026-12-06-03-sign-in-hardening.ts';
import * as visitSchedule from './2026-12-06-07-visit-schedule.ts';
import * as surveyLinks from './2026-12-06-09-survey-links.ts';
import * as sharedServerState from './2026-12-06-11-shared-server-state.ts';
import * as surveyOutbox from './2026-12-06-12-survey-outbox.ts';
import * as signaturesFreezes from './2026-12-06-13-signatures-freezes.ts';
import * as dataQueries from './2026-12-06-14-data-queries.ts';

export const migrations: Record<string, Migration> = {
  '2026-11-23-01-study-data-store': studyDataStore,
  '2026-11-24-01-live-data-capture': liveDataCapture,
  '2026-12-06-01-site-country': siteCountry,
  '2026-12-06-02-audit-hash-chain': auditHashChain,
  '2026-12-06-03-sign-in-hardening': signInHardening,
  '2026-12-06-07-visit-schedule': visitSchedule,
  '2026-12-06-09-survey-links': surveyLinks,
  '2026-12-06-11-shared-server-state': sharedServerState,
  '2026-12-06-12-survey-outbox': surveyOutbox,
  '2026-12-06-13-signatures-freezes': signaturesFreezes,
  '2026-12-06-14-data-queries': dataQueries,
};
