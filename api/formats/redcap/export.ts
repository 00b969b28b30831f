// Bundle → a REDCap project: the data dictionary (instruments participant, session,
// adverse_event, fading_assessment and survey, the last four repeating), the records in REDCap's
// import layout for repeating instruments, and study.json with what REDCap has no place for
// (the study's title and protocol, its sites' names and its practitioners' sites and experience).
import type { StudyBundle } from '../../schemas/bundle.ts';
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

/** The REDCap text of one bundle value of a layout field. */
function encode(field: LayoutField, bundle: StudyBundle, value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (field.type === 'yesno') return value ? '1' : '0';
  if (field.choices) {
    const choice = field.choices(bundle).find((c) => c.value === value);
    if (choice === undefined) throw new Error(`${String(value)} has no choice in REDCap field ${field.name}`);
    return choice.code;
  }
  return value as Cell;
}

export function writeRedcapProject(input: StudyBundle): FormatFile[] {
  const bundle = canonicalOrder(input);
  const header = recordsHeader();
  const position = new Map(header.map((column, index) => [column, index]));
  // Choices of sites and practitioners depend on the study: compute each field's choices once.
  const fields = LAYOUT_FIELDS.map((field) => {
    if (!field.choices) return field;
    const choices = field.choices(bundle);
    return { ...field, choices: () => choices };
  });
  const fieldsOf = (kind: RecordKind) => fields.filter((field) => field.kind === kind && field.name !== RECORD_ID);

  const rows: Cell[][] = [];
  const row = (code: string, kind: RecordKind, instance: number | null, record: Record<string, unknown>) => {
    const cells: Cell[] = header.map(() => null);
    cells[0] = code;
    if (instance !== null) {
      cells[1] = kind;
      cells[2] = instance;
    }
    for (const field of fieldsOf(kind)) cells[position.get(field.name)!] = encode(field, bundle, record[field.target]);
    cells[position.get(`${kind}_complete`)!] = COMPLETE;
    rows.push(cells);
  };
  for (const participant of bundle.participants) {
    row(participant.code, 'participant', null, participant);
    for (const kind of REPEATING_KINDS) {
      participant[LIST_OF[kind]].forEach((record: object, index: number) => {
        // A session's instance is its number; other records are numbered in canonical order.
        const instance = kind === 'session' ? (record as { number: number }).number : index + 1;
        row(participant.code, kind, instance, record as Record<string, unknown>);
      });
    }
  }

  const study = { format: REDCAP_STUDY_FORMAT, study: bundle.study, sites: bundle.sites, practitioners: bundle.practitioners };
  return [
    { name: REDCAP_FILES.dictionary, content: writeDictionary(layoutDictionaryRows(bundle)) },
    { name: REDCAP_FILES.records, content: writeCsv(header, rows) },
    { name: REDCAP_FILES.study, content: `${JSON.stringify(study, null, 2)}\n` },
  ];
}
