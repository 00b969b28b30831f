// The committed expected exports of a small fixed study (test/fixtures/exports/EXP-1.json),
// which the HTTP and command-line export tests compare against file by file, and the structural
// checks of a de-identified export, whose pseudonyms and shifts come from a per-store secret.
// The expected files were read against the study by hand; `regenerate.ts` beside them rewrites
// them when a format changes on purpose, and any diff must then be reviewed by hand.
import fs from 'node:fs';
import { expect } from 'chai';
import type { FormatFile } from '../../api/formats/types.ts';
import { AE_CATEGORIES, type Participant, type StudyBundle } from '../../api/schemas/bundle.ts';
import { canonicalOrder } from '../../api/schemas/bundle-order.ts';
import type { ExportFormat } from '../../api/services/format-service.ts';
import { csvRecords, textOf, valid } from '../unit/formats/helpers.ts';
import { participantDates } from './leaks.ts';

export const FIXTURE_CODE = 'EXP-1';
/** The creation time the committed SDTM and FHIR files carry. */
export const FIXTURE_CREATED_AT = '2024-01-01T00:00:00Z';
/** The views with committed files: the whole study, and what a clinic at LON may see. */
export const FIXTURE_VIEWS: Record<string, string | null> = { all: null, 'site-LON': 'LON' };
export type FixtureView = 'all' | 'site-LON';

const FIXTURES = new URL('../fixtures/exports/', import.meta.url);
export const FIXTURE_FILE = new URL('EXP-1.json', FIXTURES);

/** Each format's files, in the order an export writes them (the fixture study has no visit schedule, so no visits.csv). */
export const FIXTURE_FILE_NAMES: Record<ExportFormat, readonly string[]> = {
  json: ['EXP-1.json'],
  csv: ['study.csv', 'sites.csv', 'practitioners.csv', 'participants.csv', 'sessions.csv', 'adverse_events.csv', 'fading_assessments.csv', 'surveys.csv', 'codebook.csv'],
  redcap: ['data_dictionary.csv', 'records.csv', 'study.json'],
  sdtm: ['dm.json', 'dm.csv', 'ex.json', 'ex.csv', 'ae.json', 'ae.csv', 'qs.json', 'qs.csv', 'fa.json', 'fa.csv'],
  fhir: ['EXP-1.fhir.json'],
};

/** The fixture study as the store gives it back (validated, in canonical order). */
export const fixtureStudy = (): StudyBundle => canonicalOrder(valid(JSON.parse(fs.readFileSync(FIXTURE_FILE, 'utf8'))));

/** The committed expected text of one export file. */
export const expectedText = (view: FixtureView, format: ExportFormat, name: string): string =>
  fs.readFileSync(new URL(`expected/${view}/${format}/${name}`, FIXTURES), 'utf8');

const CREATED_FIELDS = [/("datasetJSONCreationDateTime":")([^"]*)(")/g, /("timestamp": ")([^"]*)(")/g];

/**
 * The text of an export file with its creation time (SDTM's datasetJSONCreationDateTime, the FHIR
 * Bundle's timestamp) set to the fixture's, after checking that it is a UTC time to the second.
 */
export function withFixtureCreatedAt(text: string): string {
  let out = text;
  for (const field of CREATED_FIELDS) {
    out = out.replace(field, (_all, before: string, value: string, after: string) => {
      expect(value).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      return `${before}${FIXTURE_CREATED_AT}${after}`;
    });
  }
  return out;
}

/** Checks that `files` are the committed export of `view` in `format`, file by file and byte for byte (but for the creation time). */
export function expectFixtureExport(files: readonly FormatFile[], view: FixtureView, format: ExportFormat): void {
  expect(files.map((f) => f.name), `${view} ${format}`).to.deep.equal(FIXTURE_FILE_NAMES[format]);
  for (const file of files) {
    expect(withFixtureCreatedAt(textOf(file)), `${view}/${format}/${file.name}`).to.equal(expectedText(view, format, file.name));
  }
}

const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

/** What identifies a participant of the fixture study without its code or dates. */
const shapeOf = (p: Participant) =>
  JSON.stringify([p.site, p.sex, p.birthYear, p.indication, p.sessions.map((s) => s.durationMinutes), p.adverseEvents.map((e) => e.category), p.surveys.length]);

const datesOf = participantDates;

/**
 * Checks a de-identified bundle against the source it came from, without the key: every code a
 * pseudonym (one per code, none repeated), each participant's dates moved back by one shift of
 * 1–364 days, free-text terms replaced by their category, withdrawal reasons gone, pigment lots
 * pseudonymised consistently, and everything else as it was.
 */
export function expectDeidentifiedFrom(deidentified: StudyBundle, source: StudyBundle): void {
  expect(deidentified.participants.length).to.equal(source.participants.length);
  expect(deidentified.sites).to.deep.equal(source.sites);
  const byShape = new Map(deidentified.participants.map((p) => [shapeOf(p), p]));
  expect(byShape.size, 'the fixture\'s participants differ in shape').to.equal(source.participants.length);
  const codes = new Set(deidentified.participants.map((p) => p.code));
  expect(codes.size).to.equal(source.participants.length);
  const practitioners = new Map<string, string>();
  const lots = new Map<string, string>();
  const pair = (map: Map<string, string>, from: string, to: string) => {
    expect(map.get(from) ?? to, `${from} has one pseudonym`).to.equal(to);
    map.set(from, to);
  };
  for (const original of source.participants) {
    const p = byShape.get(shapeOf(original))!;
    expect(p, original.code).to.not.equal(undefined);
    expect(p.code).to.match(/^P-[0-9A-HJKMNP-TV-Z]{13}$/);
    const shift = dayOf(original.enrolledOn) - dayOf(p.enrolledOn);
    expect(shift, `${original.code}'s shift`).to.be.within(1, 364);
    const before = datesOf(original);
    const after = datesOf(p);
    expect(after.length).to.equal(before.length);
    before.forEach((date, i) => {
      if (date === null) expect(after[i]).to.equal(null);
      else expect(dayOf(after[i]!), `${original.code} date ${date}`).to.equal(dayOf(date) - shift);
    });
    expect(p.withdrawalReason).to.equal(null);
    expect(p.withdrawalCause).to.equal(original.withdrawalCause);
    p.adverseEvents.forEach((e, i) => {
      expect(e.term).to.equal(e.category);
      expect(e).to.deep.include({ category: original.adverseEvents[i]!.category, grade: original.adverseEvents[i]!.grade, serious: original.adverseEvents[i]!.serious });
    });
    p.sessions.forEach((s, i) => {
      expect(s.practitioner).to.match(/^PR-[0-9A-HJKMNP-TV-Z]{13}$/);
      expect(s.pigmentLot).to.match(/^LOT-[0-9A-HJKMNP-TV-Z]{13}$/);
      pair(practitioners, original.sessions[i]!.practitioner, s.practitioner);
      pair(lots, original.sessions[i]!.pigmentLot, s.pigmentLot);
    });
  }
  expect(new Set(practitioners.values()).size).to.equal(practitioners.size);
  expect(new Set(lots.values()).size).to.equal(lots.size);
}

/** A CSV file's header and its number of data rows. */
const csvShape = (text: string) => ({ header: text.split(/\r?\n/)[0], rows: csvRecords(text).length });

/**
 * Checks that a de-identified export of `view` has the committed plain export's shape: the same
 * files, each CSV with the same header and number of rows, SDTM's coded columns and FHIR's
 * resources and seriousness codes as in the plain export, and no trace of a code or free text.
 */
export function expectDeidentifiedShape(files: readonly FormatFile[], view: FixtureView, format: ExportFormat, source: StudyBundle): void {
  if (format !== 'json' && format !== 'fhir') expect(files.map((f) => f.name)).to.deep.equal(FIXTURE_FILE_NAMES[format]);
  for (const file of files) {
    const expectedName = format === 'json' || format === 'fhir' ? FIXTURE_FILE_NAMES[format][0]! : file.name;
    const plain = expectedText(view, format, expectedName);
    const text = textOf(file);
    if (file.name.endsWith('.csv')) expect(csvShape(text), file.name).to.deep.equal(csvShape(plain));
    for (const p of source.participants) {
      for (const value of [p.code, p.withdrawalReason, ...p.adverseEvents.map((e) => e.term).filter((t) => !(AE_CATEGORIES as readonly string[]).includes(t)), ...p.sessions.map((s) => s.pigmentLot)]) {
        if (value !== null) expect(text, `${file.name} holds ${value}`).to.not.match(new RegExp(`(^|[^A-Za-z0-9])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9])`));
      }
    }
  }
  const sorted = (rows: string[]) => [...rows].sort();
  if (format === 'sdtm') {
    // AGE is left out: the birth year stays while the reference date moves back, so it may drop by one.
    const dm = (text: string) => sorted(csvRecords(text).map((r) => [r.SITEID, r.COUNTRY, r.SEX, r.ACTARMCD, r.ARMNRS].join('|')));
    const ae = (text: string) => sorted(csvRecords(text).map((r) => [r.AEDECOD, r.AEBODSYS, r.AESER, r.AETOXGR].join('|')));
    const dmText = textOf(files.find((f) => f.name === 'dm.csv')!);
    const aeText = textOf(files.find((f) => f.name === 'ae.csv')!);
    expect(dm(dmText)).to.deep.equal(dm(expectedText(view, 'sdtm', 'dm.csv')));
    expect(ae(aeText)).to.deep.equal(ae(expectedText(view, 'sdtm', 'ae.csv')));
    for (const row of csvRecords(aeText)) expect(AE_CATEGORIES as readonly string[]).to.include(row.AETERM);
  }
  if (format === 'fhir') {
    const summary = (text: string) => {
      const bundle = JSON.parse(text) as { entry: Array<{ resource: { resourceType: string; seriousness?: { coding: Array<{ code: string }> } } }> };
      return {
        resources: sorted(bundle.entry.map((e) => e.resource.resourceType)),
        seriousness: sorted(bundle.entry.flatMap((e) => e.resource.seriousness?.coding.map((c) => c.code) ?? [])),
      };
    };
    expect(summary(textOf(files[0]!))).to.deep.equal(summary(expectedText(view, 'fhir', FIXTURE_FILE_NAMES.fhir[0]!)));
  }
}
