// Bundle → a REDCap project: the data dictionary (instruments participant, session,
// adverse_event, fading_assessment and survey, the last four repeating), the records in REDCap's
// import layout for repeating instruments, and study.json with what REDCap has no place for
// (the study's title and protocol, its sites' names and its practitioners' sites and experience).
import type { Participant, StudyBundle } from '../../schemas/bundle.ts';
import { canonicalOrder } from '../../schemas/bundle-order.ts';
import { writeCsv, type Cell } from '../csv-text.ts';
import type { FormatFile } from '../types.ts';
import { writeDictionary } from './dictionary.ts';
import { LAYOUT_FIELDS, LAYOUT_FORMS, LIST_OF, RECORD_ID, REPEAT_INSTANCE, REPEAT_INSTRUMENT, REPEATING_KINDS, layoutDictionaryRows, type LayoutField, type RecordKind } from './layout.ts';
import { REDCAP_STUDY_FORMAT } from './mapping.ts';

export const REDCAP_FILES = { dictionary: 'data_dictionary.csv', records: 'records.csv', study: 'study.json' } as const;

/** REDCap's form status "Complete". */
const COMPLETE = '2';

/** The records file's columns: the record ID, the repeat columns, then each form's fields and its `_complete`. */
export function recordsHeader(): string[] {
  const header = [RECORD_ID, REPEAT_INSTRUMENT, REPEAT_INSTANCE];
  for (const form of LAYOUT_FORMS) {
    header.push(...LAYOUT_FIELDS.filter((field) => field.kind === form && field.name !== RECORD_ID).map((field) => field.name));
    header.push(`${form}_complete`);
  }
  return header;
}

/** A layout field with its choices looked up by value, once per export. */
interface EncodedField {
  field: LayoutField;
  position: number;
  codes: Map<unknown, string> | null;
}

/** The REDCap text of one bundle value of a layout field. */
function encode({ field, codes }: EncodedField, value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (field.type === 'yesno') return value ? '1' : '0';
  if (codes !== null) {
    const code = codes.get(value);
    if (code === undefined) throw new Error(`${String(value)} has no choice in REDCap field ${field.name}`);
    return code;
  }
  return value as Cell;
}

/**
 * The records file's rows of one participant, for a study whose sites and practitioners are
 * those of `head` (the choices of the site and practitioner fields): the participant's row, then
 * each repeating instrument's.
 */
export function redcapRowWriter(head: StudyBundle): (participant: Participant) => Cell[][] {
  const header = recordsHeader();
  const position = new Map(header.map((column, index) => [column, index]));
  // Choices of sites and practitioners depend on the study: computed once, looked up by value.
  const fieldsOf = new Map<RecordKind, EncodedField[]>();
  for (const field of LAYOUT_FIELDS) {
    if (field.name === RECORD_ID) continue;
    let codes: Map<unknown, string> | null = null;
    if (field.choices) {
      codes = new Map();
      for (const choice of field.choices(head)) if (!codes.has(choice.value)) codes.set(choice.value, choice.code);
    }
    const list = fieldsOf.get(field.kind) ?? [];
    list.push({ field, position: position.get(field.name)!, codes });
    fieldsOf.set(field.kind, list);
  }
  const complete = new Map(LAYOUT_FORMS.map((form) => [form, position.get(`${form}_complete`)!]));
  return (participant) => {
    const rows: Cell[][] = [];
    const row = (kind: RecordKind, instance: number | null, record: Record<string, unknown>) => {
      const cells: Cell[] = new Array<Cell>(header.length).fill(null);
      cells[0] = participant.code;
      if (instance !== null) {
        cells[1] = kind;
        cells[2] = instance;
      }
      for (const encoded of fieldsOf.get(kind) ?? []) cells[encoded.position] = encode(encoded, record[encoded.field.target]);
      cells[complete.get(kind)!] = COMPLETE;
      rows.push(cells);
    };
    row('participant', null, participant);
    for (const kind of REPEATING_KINDS) {
      participant[LIST_OF[kind]].forEach((record: object, index: number) => {
        // A session's instance is its number; other records are numbered in canonical order.
        const instance = kind === 'session' ? (record as { number: number }).number : index + 1;
        row(kind, instance, record as Record<string, unknown>);
      });
    }
    return rows;
  };
}

/** study.json: what REDCap has no place for. */
export const redcapStudyJson = (bundle: StudyBundle): string =>
  `${JSON.stringify({ format: REDCAP_STUDY_FORMAT, study: bundle.study, sites: bundle.sites, practitioners: bundle.practitioners }, null, 2)}\n`;

export function writeRedcapProject(input: StudyBundle): FormatFile[] {
  const bundle = canonicalOrder(input);
  const rowsOf = redcapRowWriter(bundle);
  const rows = bundle.participants.flatMap(rowsOf);
  return [
    { name: REDCAP_FILES.dictionary, content: writeDictionary(layoutDictionaryRows(bundle)) },
    { name: REDCAP_FILES.records, content: writeCsv(recordsHeader(), rows) },
    { name: REDCAP_FILES.study, content: redcapStudyJson(bundle) },
  ];
}
