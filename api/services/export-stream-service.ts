// A stored study exported as a stream: read in one read-only snapshot (REPEATABLE READ on
// PostgreSQL; PGlite's one connection), participants in keyset batches, each batch written
// before the next is read, so that memory holds one batch whatever the study's size. What must
// be known before the first byte (the de-identification report, the export's warnings, the file
// names) is counted in SQL first, in the same snapshot. The bytes equal those of the whole-file
// export (format-service.ts exportStoredStudy) of the same study and view.
import type { Kysely } from 'kysely';
import type { Database, Db, DbTransaction, SnapshotReader } from '../../db/kysely.ts';
import { anySurvey, codePointCollation, deidentificationCounts, participantBatches, participantsPerSite, topCodingCandidates } from '../../db/repositories/export-repository.ts';
import { copyCsvTable, csvCopySession, csvCopyTable, type CsvCopyScope } from '../../db/repositories/csv-export-repository.ts';
import { selectRecords } from '../../db/repositories/study-records-repository.ts';
import { findStudyByCode, selectStudySecret } from '../../db/repositories/study-repository.ts';
import { AppError } from '../errors.ts';
import type { Writable } from 'node:stream';
import { OutputClosedError, singleFileTarget, writableSink, zipTarget, type ExportTarget } from '../formats/export-sink.ts';
import { streamExport, writeExtraFiles, type RecordKinds, type StudySource } from '../formats/export-stream.ts';
import type { ExportWarning } from '../formats/types.ts';
import { BUNDLE_FORMAT, type Participant, type StudyBundle } from '../schemas/bundle.ts';
import { canonicalOrder } from '../schemas/bundle-order.ts';
import { reachesSite, requireStudyScope, type Actor } from './access.ts';
import {
  DATE_SHIFT_RULE,
  deidentifyBundle,
  deidentifyParticipant,
  deidentifyParticipantFields,
  participantDeidentifier,
  type DeidentificationReport,
} from './deidentify.ts';
import { DEIDENTIFICATION_REPORT_FILE, formatDeidentificationReport, type ExportFormat } from './export-formats.ts';
import { groupByParticipant } from './group-by-participant.ts';
import {
  adverseEventFromRow,
  assessmentFromRow,
  participantFromRow,
  practitionerFromRow,
  protocolOf,
  sessionFromRow,
  siteFromRow,
  surveyFromRow,
} from './record-mapping.ts';

/** Participants read and written at a time. */
export const EXPORT_BATCH_PARTICIPANTS = 500;

/** What is known of an export before its first byte: enough for a response's headers. */
export interface ExportHeading {
  format: ExportFormat;
  /** The folder (or archive without `.zip`) the files go in: `SMP-2021-csv`, `SMP-2021-sdtm-deidentified`. */
  name: string;
  /** The one file of a one-file format (json, fhir); null for a folder. */
  fileName: string | null;
  createdAt: Date;
  deidentification: DeidentificationReport | null;
  warnings: ExportWarning[];
}

export interface StreamOptions {
  /** Whose view: a clinic's sites only; a reviewer's de-identified. Default: everything. */
  actor?: Actor;
  deidentify?: boolean;
  createdAt?: Date;
  /** A zip's de-identification report file, after the format's files. */
  withReport?: boolean;
  /** Participants per batch (default EXPORT_BATCH_PARTICIPANTS). */
  batchSize?: number;
}

const ONE_FILE: Partial<Record<ExportFormat, string>> = { json: '.json', fhir: '.fhir.json' };

/**
 * Export a stored study in `format` as the actor may see it. `open` is given the heading once it
 * is known (a refusal or a missing study throws before) and returns where the files go; the files
 * are then written there, and the target finished, inside the snapshot.
 */
export async function streamStoredStudy(
  db: Db,
  code: string,
  format: ExportFormat,
  options: StreamOptions,
  open: (heading: ExportHeading) => ExportTarget | Promise<ExportTarget>,
): Promise<ExportHeading> {
  const scope = options.actor ? requireStudyScope(options.actor, code) : undefined;
  const createdAt = options.createdAt ?? new Date();
  return db.transaction(async (trx) => {
    const { kysely } = trx;
    const study = await findStudyByCode(kysely, code);
    if (!study) throw new AppError('not_found', `study ${code} does not exist`);
    const studyId = study.study_id;
    const deidentify = options.deidentify === true || scope?.identified === false;
    const secret = deidentify ? await selectStudySecret(kysely, studyId) : null;
    const siteRows = await selectRecords(kysely, 'site', studyId);
    const practitionerRows = await selectRecords(kysely, 'practitioner', studyId);
    const siteCode = new Map(siteRows.map((s) => [s.site_no, s.code]));
    const practitionerCode = new Map(practitionerRows.map((p) => [p.practitioner_no, p.code]));
    const siteNos = scope && scope.sites !== 'all' ? siteRows.filter((s) => reachesSite(scope, s.code)).map((s) => s.site_no) : null;

    const identifiedHead: StudyBundle = canonicalOrder({
      format: BUNDLE_FORMAT,
      study: { code: study.code, title: study.title, protocol: protocolOf(study) },
      sites: siteRows.map(siteFromRow),
      practitioners: practitionerRows.map((p) => practitionerFromRow(p, siteCode.get(p.site_no)!)),
      participants: [],
    });
    const head = secret === null ? identifiedHead : canonicalOrder(deidentifyBundle(identifiedHead, secret).bundle);

    const codePoint = await codePointCollation(kysely);
    // The csv tables through PostgreSQL's COPY, in this snapshot, where it streams and the rows
    // need no de-identification (which needs the study's key, here in JavaScript).
    const copied = format === 'csv' && secret === null && db.driver === 'postgres';
    if (copied) await csvCopySession(kysely);
    const source: StudySource = {
      head,
      createdAt,
      hasSurveys: format === 'fhir' ? await anySurvey(kysely, studyId, siteNos) : false,
      batches: (kinds) =>
        participantsOf(kysely, { studyId, siteNos, kinds, secret, siteCode, practitionerCode, codePoint, batchSize: options.batchSize ?? EXPORT_BATCH_PARTICIPANTS }),
      ...(copied ? { csvTable: copiedCsvTables(trx, { studyId, siteNos }) } : {}),
    };
    const deidentification = secret === null ? null : await reportOf(kysely, studyId, siteNos, secret, siteCode);
    let warnings: ExportWarning[] = [];
    if (format === 'sdtm' && head.sites.some((site) => site.country === null)) {
      const { sdtmSiteWarnings } = await import('../formats/sdtm/domains.ts');
      const perSite = await participantsPerSite(kysely, studyId, siteNos);
      warnings = sdtmSiteWarnings(head.sites, new Map([...perSite].map(([siteNo, n]) => [siteCode.get(siteNo)!, n])));
    }
    const suffix = ONE_FILE[format];
    const heading: ExportHeading = {
      format,
      name: `${code}-${format}${deidentify ? '-deidentified' : ''}`,
      fileName: suffix === undefined ? null : `${code}${deidentify ? '-deidentified' : ''}${suffix}`,
      createdAt,
      deidentification,
      warnings,
    };
    const target = await open(heading);
    await streamExport(format, source, target, heading.fileName ?? '');
    if (options.withReport && deidentification && heading.fileName === null) {
      await writeExtraFiles(target, [{ name: DEIDENTIFICATION_REPORT_FILE, content: `${formatDeidentificationReport(deidentification)}\n` }]);
    }
    await target.finish();
    return heading;
  }, { readOnlySnapshot: true });
}

/**
 * Connections that copy a folder's csv tables side by side, in one snapshot: with two, the
 * database's work for the 20,000-participant cohort's five tables takes about half the time
 * (sessions on one connection while the others follow one another on the second); more gain
 * little on a two-core machine, and each is a connection of the pool held for the export.
 */
const CSV_COPY_CONNECTIONS = 2;

/**
 * The csv tables by name, each copied on a free connection of the transaction's snapshot: the
 * transaction's own, and (where the database has them) up to CSV_COPY_CONNECTIONS in all, opened
 * when a table is asked for while the others are busy.
 */
function copiedCsvTables(trx: DbTransaction, scope: CsvCopyScope): (name: string) => AsyncIterable<Uint8Array> {
  const free: SnapshotReader[] = [trx];
  const waiting: Array<(reader: SnapshotReader) => void> = [];
  let connections = 1;
  const take = async (): Promise<SnapshotReader> => {
    const reader = free.pop();
    if (reader) return reader;
    if (trx.alongside && connections < CSV_COPY_CONNECTIONS) {
      connections += 1;
      const other = await trx.alongside();
      await csvCopySession(other.kysely);
      return other;
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const giveBack = (reader: SnapshotReader) => {
    const next = waiting.shift();
    if (next) next(reader);
    else free.push(reader);
  };
  return async function* (name) {
    const table = csvCopyTable(name);
    const reader = await take();
    try {
      yield* copyCsvTable(reader, table, scope);
    } finally {
      giveBack(reader);
    }
  };
}

interface BatchContext {
  studyId: number;
  siteNos: number[] | null;
  kinds: RecordKinds;
  secret: Uint8Array | null;
  siteCode: Map<number, string>;
  practitionerCode: Map<number, string>;
  codePoint: boolean;
  batchSize: number;
}

/** The participants in canonical order, batch by batch, as bundle records (de-identified with `secret`). */
async function* participantsOf(kysely: Kysely<Database>, context: BatchContext): AsyncGenerator<Participant[]> {
  const { secret, siteCode, practitionerCode } = context;
  const batches = participantBatches(kysely, {
    studyId: context.studyId,
    orderBy: secret === null ? 'code' : 'pseudonym',
    siteNos: context.siteNos,
    kinds: context.kinds,
    batchSize: context.batchSize,
    codePointCollation: context.codePoint,
  });
  for await (const batch of batches) {
    const sessionsOf = groupByParticipant(batch.sessions, (s) => sessionFromRow(s, practitionerCode.get(s.practitioner_no)!));
    const eventsOf = groupByParticipant(batch.adverseEvents, adverseEventFromRow);
    const assessmentsOf = groupByParticipant(batch.fadingAssessments, assessmentFromRow);
    const surveysOf = groupByParticipant(batch.surveys, surveyFromRow);
    let participants: Participant[] = batch.participants.map((p) => ({
      ...participantFromRow(p, siteCode.get(p.site_no)!),
      sessions: sessionsOf.get(p.participant_no) ?? [],
      adverseEvents: eventsOf.get(p.participant_no) ?? [],
      fadingAssessments: assessmentsOf.get(p.participant_no) ?? [],
      surveys: surveysOf.get(p.participant_no) ?? [],
    }));
    if (secret !== null) {
      participants = participants.map((p, index) => {
        const { participant } = deidentifyParticipant(secret, p);
        // The batches are ordered by the stored pseudonym: it must be the one written.
        if (participant.code !== batch.participants[index]!.pseudonym) {
          throw new Error(`the stored pseudonym of participant ${index} of a batch differs from its key's; report this as a defect`);
        }
        return participant;
      });
    }
    // Records in canonical order within each participant; the participants already are.
    yield canonicalOrder({ format: BUNDLE_FORMAT, study: null as never, sites: [], practitioners: [], participants }).participants;
  }
}

/** The de-identification report of the participants in view, counted in SQL; top-coding checked participant by participant. */
async function reportOf(
  kysely: Kysely<Database>,
  studyId: number,
  siteNos: number[] | null,
  secret: Uint8Array,
  siteCode: Map<number, string>,
): Promise<DeidentificationReport> {
  const counts = await deidentificationCounts(kysely, studyId, siteNos);
  let birthYearsTopCoded = 0;
  for (const row of await topCodingCandidates(kysely, studyId, siteNos)) {
    const participant = participantFromRow(row, siteCode.get(row.site_no)!);
    if (deidentifyParticipantFields(participantDeidentifier(secret, participant), participant).topCoded) birthYearsTopCoded += 1;
  }
  return {
    participantCodes: counts.participants,
    practitionerCodes: counts.practitioners,
    pigmentLots: counts.lots,
    datesShifted: counts.participants + counts.withdrawn + counts.sessions + counts.assessments + counts.surveys + counts.events + counts.resolved,
    dateShift: DATE_SHIFT_RULE,
    termsReplaced: counts.events,
    withdrawalReasonsRemoved: counts.reasons,
    birthYearsTopCoded,
  };
}

/** The media type of a download: its one file's, or a zip's. */
const CONTENT_TYPES: Readonly<Record<string, string>> = { json: 'application/json', fhir: 'application/fhir+json' };

/** An export as one download: its file when it has one (json, fhir), else a zip of its folder. */
export const downloadOf = (heading: ExportHeading): { name: string; contentType: string } =>
  heading.fileName === null
    ? { name: `${heading.name}.zip`, contentType: 'application/zip' }
    : { name: heading.fileName, contentType: CONTENT_TYPES[heading.format] ?? 'application/octet-stream' };

/**
 * Send a stored study as a download to `output` (an HTTP response): `begin` sets the headers from
 * the heading before the first byte; a zip holds the de-identification report too. When the
 * output closes early (the client went away) the export stops, its snapshot is let go, and this
 * returns false; true when the whole export was written.
 */
export async function sendStoredStudy(
  db: Db,
  code: string,
  format: ExportFormat,
  options: Pick<StreamOptions, 'actor' | 'deidentify' | 'createdAt'>,
  output: Writable,
  begin: (heading: ExportHeading, download: { name: string; contentType: string }) => void,
): Promise<boolean> {
  try {
    await streamStoredStudy(db, code, format, { ...options, withReport: true }, (heading) => {
      const download = downloadOf(heading);
      begin(heading, download);
      const sink = writableSink(output);
      return heading.fileName === null ? zipTarget(heading.name, heading.createdAt, sink) : singleFileTarget(sink);
    });
  } catch (error) {
    if (error instanceof OutputClosedError) return false;
    throw error;
  }
  await new Promise<void>((resolve) => output.end(resolve));
  return true;
}
