// The REDCap mapping file (`smp-redcap-mapping/1`): which REDCap instruments hold which bundle
// records, which field holds each bundle field, and which choice code stands for which value.
// It lets `smp import --format redcap` read a clinic's existing project. Without one, our own
// layout (layout.ts) is read. It can also carry the study-level data REDCap has no place for
// (the same content as the study.json written beside an export).
import { z } from 'zod';
import { isCalendarDate } from '../../schemas/fields.ts';
import { formatPath, issueMessage, problemsFromZod } from '../../schemas/problems.ts';
import { readCell, type CellType } from '../cells.ts';
import { locatedProblem, type LocatedProblem } from '../types.ts';
import type { Dictionary, DictionaryField } from './dictionary.ts';
import {
  BUNDLE_FIELDS,
  LAYOUT_FIELDS,
  RECORD_ID,
  RECORD_KINDS,
  REPEAT_INSTANCE,
  REPEATING_KINDS,
  type RecordKind,
  type RepeatingKind,
} from './layout.ts';

export const REDCAP_MAPPING_FORMAT = 'smp-redcap-mapping/1';
export const REDCAP_STUDY_FORMAT = 'smp-redcap-study/1';

/** The study-level part of a bundle: what study.json holds (checked in full by the bundle's validation). */
export const StudyPart = z.strictObject({
  study: z.unknown().describe('The bundle\'s `study`: code, title and protocol'),
  sites: z.array(z.unknown()).describe('The bundle\'s `sites`'),
  practitioners: z.array(z.unknown()).describe('The bundle\'s `practitioners`'),
});

/** study.json, written beside a REDCap export. */
export const StudyFile = StudyPart.extend({
  format: z.literal(REDCAP_STUDY_FORMAT, { error: (issue) => `must be "${REDCAP_STUDY_FORMAT}" (got ${JSON.stringify(issue.input)})` }),
});

const Value = z.union([z.string(), z.number(), z.boolean()]);
const FieldSource = z.union([
  z.string().min(1).describe('A REDCap field name, or "redcap_repeat_instance" for the row\'s instance number'),
  z.strictObject({
    field: z.string().min(1).describe('REDCap field name'),
    choices: z
      .union([z.literal('code'), z.literal('label'), z.record(z.string(), Value)])
      .optional()
      .describe('Choice code → bundle value; "code": the code is the value; "label": the choice\'s label is the value'),
  }),
  z.strictObject({
    field: z.string().min(1).describe('REDCap date field (validation date_ymd, date_dmy, date_mdy or a datetime)'),
    part: z.literal('year').describe('"year": the year of the date, e.g. a date of birth for birthYear; the rest of the date is not read'),
  }),
  z.strictObject({ value: Value.nullable().describe('The same value for every record') }),
]);
export type FieldSource = z.output<typeof FieldSource>;

const fieldsOf = z.record(z.string(), FieldSource);

export const RedcapMapping = z.strictObject({
  format: z.literal(REDCAP_MAPPING_FORMAT, { error: (issue) => `must be "${REDCAP_MAPPING_FORMAT}" (got ${JSON.stringify(issue.input)})` }),
  description: z.string().optional(),
  study: StudyPart.optional().describe('Study-level data; a study file given on its own wins over it'),
  instruments: z
    .strictObject(Object.fromEntries(REPEATING_KINDS.map((kind) => [kind, z.string().min(1).optional()])) as Record<RepeatingKind, z.ZodOptional<z.ZodString>>)
    .describe('The repeating instrument that holds each kind of record; a kind left out is not imported'),
  fields: z
    .strictObject(Object.fromEntries(RECORD_KINDS.map((kind) => [kind, fieldsOf.optional()])) as Record<RecordKind, z.ZodOptional<typeof fieldsOf>>)
    .describe('For each kind of record: bundle field → its source'),
  ignore: z.array(z.string().min(1)).default([]).describe('REDCap fields and instruments deliberately not imported'),
});
export type RedcapMapping = z.output<typeof RedcapMapping>;

/** The mapping of our own layout: what an import without a mapping file reads. */
export function defaultMapping(): RedcapMapping {
  const fields = Object.fromEntries(RECORD_KINDS.map((kind) => [kind, {} as Record<string, FieldSource>])) as Record<RecordKind, Record<string, FieldSource>>;
  for (const field of LAYOUT_FIELDS) {
    let source: FieldSource = field.name;
    if (field.byLabel) source = { field: field.name, choices: 'label' };
    else if (field.choices) source = { field: field.name, choices: Object.fromEntries(field.choices({} as never).map((c) => [c.code, c.value])) };
    fields[field.kind][field.target] = source;
  }
  fields.session.number = REPEAT_INSTANCE;
  return {
    format: REDCAP_MAPPING_FORMAT,
    instruments: { session: 'session', adverse_event: 'adverse_event', fading_assessment: 'fading_assessment', survey: 'survey' },
    fields,
    ignore: [],
  };
}

/** How one bundle field is read from a row. */
export type ResolvedSource =
  | { kind: 'constant'; value: unknown }
  | { kind: 'instance' }
  | { kind: 'year'; field: DictionaryField }
  | { kind: 'field'; field: DictionaryField; choices: 'code' | 'label' | Readonly<Record<string, string | number | boolean>> | null };

export interface ResolvedMapping {
  /** REDCap field that holds the participant code (the record ID). */
  recordId: string;
  /** Repeating instrument → the kind of record it holds. */
  instruments: Map<string, RepeatingKind>;
  fields: Record<RecordKind, Array<{ target: string; source: ResolvedSource }>>;
  /** REDCap fields some bundle field is read from. */
  mapped: Set<string>;
  /** Fields and instruments not to import. */
  ignored: Set<string>;
}

/** Where mapping problems are reported: the mapping file, or (for our own layout) the dictionary. */
export interface MappingOrigin {
  file: string;
  /** True when no mapping file was given and our layout is expected. */
  builtIn: boolean;
}

/** Parse a mapping file's JSON text. */
export function parseMapping(file: string, text: string): { mapping: RedcapMapping | null; study: unknown; problems: LocatedProblem[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { mapping: null, study: undefined, problems: [locatedProblem(file, null, null, `is not valid JSON: ${(error as Error).message}`)] };
  }
  const parsed = RedcapMapping.safeParse(json, { error: issueMessage });
  if (!parsed.success) {
    return { mapping: null, study: undefined, problems: problemsFromZod(parsed.error).map((p) => locatedProblem(file, null, p.path, p.message)) };
  }
  return { mapping: parsed.data, study: parsed.data.study, problems: [] };
}

/**
 * Check a mapping against a dictionary and resolve every source to its dictionary field.
 * Problems: unknown bundle fields or REDCap fields, required bundle fields left unmapped, choice
 * codes the dictionary does not have, checkbox fields (several values cannot fill one field).
 */
export function resolveMapping(mapping: RedcapMapping, dictionary: Dictionary, origin: MappingOrigin): { resolved: ResolvedMapping; problems: LocatedProblem[] } {
  const problems: LocatedProblem[] = [];
  const at = (path: (string | number)[], message: string) => problems.push(locatedProblem(origin.file, null, formatPath(path), message));

  const instruments = new Map<string, RepeatingKind>();
  const formOfKind = new Map<RecordKind, string>();
  /** Kinds whose instrument is wrong: their fields cannot be checked against it. */
  const unchecked = new Set<RecordKind>();
  for (const kind of REPEATING_KINDS) {
    const form = mapping.instruments[kind];
    if (form === undefined) continue;
    if (!dictionary.forms.includes(form)) {
      at(['instruments', kind], `instrument "${form}" is not in the data dictionary (its instruments: ${dictionary.forms.join(', ')})`);
      unchecked.add(kind);
    } else if (instruments.has(form)) {
      at(['instruments', kind], `instrument "${form}" already holds ${instruments.get(form)} records`);
      unchecked.add(kind);
    }
    instruments.set(form, kind);
    formOfKind.set(kind, form);
  }

  const fields = Object.fromEntries(RECORD_KINDS.map((kind) => [kind, []])) as unknown as ResolvedMapping['fields'];
  const mapped = new Set<string>();
  let recordId = dictionary.fields[0]?.name ?? RECORD_ID;
  for (const kind of RECORD_KINDS) {
    if (unchecked.has(kind)) continue;
    const sources = mapping.fields[kind] ?? {};
    const bundleFields = BUNDLE_FIELDS[kind];
    if (kind !== 'participant' && !formOfKind.has(kind)) {
      if (Object.keys(sources).length > 0) at(['fields', kind], `maps ${kind} fields, but instruments.${kind} names no instrument`);
      continue;
    }
    for (const [target, source] of Object.entries(sources)) {
      const path = ['fields', kind, target];
      const bundleField = bundleFields[target];
      if (bundleField === undefined) {
        at(path, `"${target}" is not a field of a bundle ${kind} (its fields: ${Object.keys(bundleFields).join(', ')})`);
        continue;
      }
      if (typeof source === 'object' && 'value' in source) {
        fields[kind].push({ target, source: { kind: 'constant', value: source.value } });
        continue;
      }
      const name = typeof source === 'string' ? source : source.field;
      const choices = typeof source === 'string' || 'part' in source ? undefined : source.choices;
      if (name === REPEAT_INSTANCE) {
        if (kind === 'participant') at(path, 'participant fields cannot come from redcap_repeat_instance (the participant row is not repeating)');
        else fields[kind].push({ target, source: { kind: 'instance' } });
        continue;
      }
      const field = dictionary.byName.get(name);
      if (field === undefined) {
        at(path, `REDCap field "${name}" is not in the data dictionary`);
        continue;
      }
      const expectedForm = formOfKind.get(kind);
      if (expectedForm !== undefined && field.form !== expectedForm) {
        at(path, `REDCap field "${name}" is on instrument "${field.form}", not on "${expectedForm}", which holds the ${kind} records`);
      } else if (kind === 'participant' && instruments.has(field.form)) {
        at(path, `REDCap field "${name}" is on the repeating instrument "${field.form}"; participant fields come from non-repeating instruments`);
      }
      if (typeof source === 'object' && 'part' in source) {
        if (field.type !== 'text' || !DATE_VALIDATIONS.has(field.validation)) {
          const validation = field.validation === '' ? 'no validation' : `validation ${field.validation}`;
          at([...path, 'part'], `REDCap field "${name}" is a ${field.type} field with ${validation}, not a date: "part": "year" reads the year of a date field (date_ymd, date_dmy, date_mdy or a datetime)`);
        }
        if (bundleField.type !== 'integer') at([...path, 'part'], `${kind}.${target} does not hold a year: "part": "year" fills a whole-number field such as birthYear`);
        fields[kind].push({ target, source: { kind: 'year', field } });
        mapped.add(name);
        continue;
      }
      if (field.type === 'checkbox') at(path, `REDCap field "${name}" is a checkbox, which holds several values; map a dropdown, radio or text field`);
      if (choices !== undefined && typeof choices === 'object' && field.choices !== null) {
        const known = new Set(field.choices.map((choice) => choice.code));
        for (const code of Object.keys(choices)) {
          if (!known.has(code)) at([...path, 'choices', code], `"${code}" is not a choice code of "${name}" (its codes: ${[...known].join(', ')})`);
        }
      }
      if (choices !== undefined && field.choices === null) at([...path, 'choices'], `REDCap field "${name}" is a ${field.type} field and has no choices`);
      const resolvedChoices = choices ?? (field.choices !== null && bundleField.type === 'boolean' ? { '1': true, '0': false } : null);
      fields[kind].push({ target, source: { kind: 'field', field, choices: resolvedChoices } });
      mapped.add(name);
      if (kind === 'participant' && target === 'code') recordId = name;
    }
    for (const [target, bundleField] of Object.entries(bundleFields)) {
      if (bundleField.required && !(target in sources)) {
        at(['fields', kind, target], `the bundle field ${kind}.${target} is required: map a REDCap field to it, or give it a fixed {"value": …}`);
      }
    }
  }
  if (dictionary.fields[0] !== undefined && recordId !== dictionary.fields[0].name) {
    at(['fields', 'participant', 'code'], `the participant code must come from the record ID field "${dictionary.fields[0].name}" (the first field of the dictionary)`);
  }
  const resolved = { recordId, instruments, fields, mapped, ignored: new Set(mapping.ignore) };
  if (origin.builtIn && problems.length > 0) return { resolved, problems: [notOurLayout(dictionary)] };
  return { resolved, problems };
}

/** Without a mapping file the dictionary must be ours; if it is not, one problem says what it lacks. */
function notOurLayout(dictionary: Dictionary): LocatedProblem {
  const forms = RECORD_KINDS.filter((kind) => !dictionary.forms.includes(kind));
  const fields = LAYOUT_FIELDS.filter((field) => !dictionary.byName.has(field.name)).map((field) => field.name);
  const lacks = [
    ...(forms.length > 0 ? [`the instruments ${forms.join(', ')}`] : []),
    ...(fields.length > 0 ? [`the fields ${fields.join(', ')}`] : []),
  ];
  return locatedProblem(
    dictionary.file,
    null,
    null,
    `is not the SMP layout${lacks.length > 0 ? ` (it lacks ${lacks.join(' and ')})` : ''}; to read a project of your own, give a mapping file (--mapping)`,
  );
}

/** REDCap's date and datetime validations; a records export writes them all as `YYYY-MM-DD[ HH:MM[:SS]]`. */
const DATE_VALIDATIONS = new Set([
  'date_ymd', 'date_dmy', 'date_mdy',
  'datetime_ymd', 'datetime_dmy', 'datetime_mdy',
  'datetime_seconds_ymd', 'datetime_seconds_dmy', 'datetime_seconds_mdy',
]);
const EXPORTED_DATE = /^(\d{4}-\d{2}-\d{2})(?: \d{2}:\d{2}(?::\d{2})?)?$/;

/**
 * Read the year of a date cell (`{"field", "part": "year"}`): REDCap exports dates as
 * `YYYY-MM-DD` (datetimes with the time after a space) whatever the field's display format.
 * Only the year is kept.
 *
 * @returns the year, null for an empty cell of a nullable field, or a message for the cell
 */
export function decodeYear(target: { type: CellType; nullable: boolean }, raw: string): { ok: true; value: unknown } | { ok: false; message: string; raw: string } {
  if (raw === '') return readCell(target.type, raw, target.nullable);
  const match = EXPORTED_DATE.exec(raw);
  if (match === null) return { ok: false, message: `must be a date as REDCap exports it, YYYY-MM-DD (got ${JSON.stringify(raw)})`, raw };
  if (!isCalendarDate(match[1]!)) return { ok: false, message: `${match[1]} is not a calendar date`, raw };
  return { ok: true, value: Number(raw.slice(0, 4)) };
}

/**
 * Read one mapped value from a cell.
 *
 * @returns the bundle value, or a message for the cell
 */
export function decodeValue(
  source: Extract<ResolvedSource, { kind: 'field' }>,
  target: { type: CellType; nullable: boolean },
  raw: string,
): { ok: true; value: unknown } | { ok: false; message: string; raw: string } {
  const { field, choices } = source;
  if (raw === '') return readCell(target.type, raw, target.nullable);
  if (field.choices !== null) {
    const choice = field.choices.find((c) => c.code === raw);
    if (choice === undefined) {
      const list = field.choices.map((c) => `${c.code} (${c.label})`).join(', ');
      return { ok: false, message: `"${raw}" is not a choice code of ${field.name}; the dictionary's codes are ${list}`, raw };
    }
    if (choices === 'label') return readCell(target.type, choice.label, target.nullable);
    if (choices === 'code' || choices === null) return readCell(target.type, raw, target.nullable);
    if (!(raw in choices)) {
      return { ok: false, message: `choice ${raw} ("${choice.label}") of ${field.name} is not mapped to a bundle value; add it to the mapping's choices`, raw };
    }
    return { ok: true, value: choices[raw] };
  }
  return readCell(target.type, raw, target.nullable);
}
