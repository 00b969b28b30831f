// REDCap data dictionaries: the standard 18-column CSV that REDCap exports and imports (Project
// Setup → Data Dictionary). Read: every field with its instrument, type and parsed choices, and
// every problem at its row and column. Write: rows of our own layout.
import { readCsv, writeCsv, type Cell } from '../csv-text.ts';
import { locatedProblem, type FormatFile, type LocatedProblem } from '../types.ts';

export const DICTIONARY_HEADER = [
  'Variable / Field Name',
  'Form Name',
  'Section Header',
  'Field Type',
  'Field Label',
  'Choices, Calculations, OR Slider Labels',
  'Field Note',
  'Text Validation Type OR Show Slider Number',
  'Text Validation Min',
  'Text Validation Max',
  'Identifier?',
  'Branching Logic (Show field only if...)',
  'Required Field?',
  'Custom Alignment',
  'Question Number (surveys only)',
  'Matrix Group Name',
  'Matrix Ranking?',
  'Field Annotation',
] as const;

const [NAME, FORM, , TYPE, LABEL, CHOICES, , VALIDATION] = DICTIONARY_HEADER;

export const FIELD_TYPES = ['text', 'notes', 'dropdown', 'radio', 'checkbox', 'yesno', 'truefalse', 'calc', 'file', 'slider', 'descriptive', 'sql'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Field types whose values are choice codes listed in the dictionary (or fixed, for yes/no and true/false). */
const CHOICE_TYPES = new Set<FieldType>(['dropdown', 'radio', 'checkbox']);

export interface Choice {
  code: string;
  label: string;
}

export interface DictionaryField {
  name: string;
  form: string;
  type: FieldType;
  label: string;
  /** The allowed codes: listed ones for dropdown, radio and checkbox; 1/0 for yesno and truefalse; null otherwise. */
  choices: Choice[] | null;
  validation: string;
  /** Row in the dictionary file (the header is row 1). */
  row: number;
}

export interface Dictionary {
  file: string;
  fields: DictionaryField[];
  byName: Map<string, DictionaryField>;
  /** Instrument names in dictionary order. */
  forms: string[];
}

const FIXED_CHOICES: Partial<Record<FieldType, Choice[]>> = {
  yesno: [
    { code: '1', label: 'Yes' },
    { code: '0', label: 'No' },
  ],
  truefalse: [
    { code: '1', label: 'True' },
    { code: '0', label: 'False' },
  ],
};

/** `1, Female | 2, Male` → choices; null if an item has no "code, label" shape. */
export function parseChoices(text: string): Choice[] | null {
  const choices: Choice[] = [];
  for (const item of text.split('|')) {
    const comma = item.indexOf(',');
    if (comma === -1) return null;
    const code = item.slice(0, comma).trim();
    if (code === '') return null;
    choices.push({ code, label: item.slice(comma + 1).trim() });
  }
  return choices;
}

export function formatChoices(choices: readonly Choice[]): string {
  return choices.map((choice) => `${choice.code}, ${choice.label}`).join(' | ');
}

/** Columns of a checkbox field in a records file: `name___code`, REDCap's spelling of each code. */
export const checkboxColumn = (field: string, code: string) => `${field}___${code.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;

/**
 * Read a data dictionary, handing each problem to `report` with its row and column; null when
 * the fields cannot be read at all.
 */
export function readDictionary(file: FormatFile, report: (problem: LocatedProblem) => void): Dictionary | null {
  let problemCount = 0;
  const problem = (row: number | null, column: string | null, message: string) => {
    problemCount++;
    report(locatedProblem(file.name, row, column, message));
  };
  const table = readCsv(file, (found) => {
    problemCount++;
    report(found);
  });
  if (table === null) return null;
  const missing = DICTIONARY_HEADER.filter((name) => !table.header.includes(name));
  const unknown = table.header.filter((name) => !(DICTIONARY_HEADER as readonly string[]).includes(name));
  if (missing.length > 0 || unknown.length > 0 || table.header.length !== DICTIONARY_HEADER.length) {
    for (const name of missing) problem(1, name, 'column of the REDCap data dictionary is missing');
    for (const name of unknown) problem(1, name, 'is not a column of a REDCap data dictionary');
    if (missing.includes(NAME) || missing.includes(FORM) || missing.includes(TYPE)) return null;
  }
  const at = new Map(table.header.map((name, index) => [name, index]));
  const get = (cells: string[], column: string) => cells[at.get(column) ?? -1] ?? '';

  const fields: DictionaryField[] = [];
  const byName = new Map<string, DictionaryField>();
  const forms: string[] = [];
  for (const { row, cells } of table.rows) {
    const name = get(cells, NAME).trim();
    const form = get(cells, FORM).trim();
    const type = get(cells, TYPE).trim() as FieldType;
    if (name === '') {
      problem(row, NAME, 'is required (the cell is empty)');
      continue;
    }
    if (byName.has(name)) {
      problem(row, NAME, `field "${name}" is already defined on row ${byName.get(name)!.row}`);
      continue;
    }
    if (form === '') problem(row, FORM, 'is required (the cell is empty)');
    if (!(FIELD_TYPES as readonly string[]).includes(type)) {
      problem(row, TYPE, `"${type}" is not a REDCap field type (${FIELD_TYPES.join(', ')})`);
      continue;
    }
    let choices: Choice[] | null = FIXED_CHOICES[type] ?? null;
    if (CHOICE_TYPES.has(type)) {
      choices = parseChoices(get(cells, CHOICES));
      if (choices === null) {
        problem(row, CHOICES, 'choices must be written "code, label | code, label"');
      } else {
        const codes = new Set<string>();
        for (const choice of choices) {
          if (codes.has(choice.code)) problem(row, CHOICES, `choice code "${choice.code}" appears twice`);
          codes.add(choice.code);
        }
      }
    }
    const field: DictionaryField = { name, form, type, label: get(cells, LABEL), choices, validation: get(cells, VALIDATION).trim(), row };
    fields.push(field);
    byName.set(name, field);
    if (form !== '' && !forms.includes(form)) forms.push(form);
  }
  if (fields.length === 0 && problemCount === 0) problem(2, null, 'defines no fields');
  return { file: file.name, fields, byName, forms };
}

/** One field of a dictionary we write, in the standard columns' terms. */
export interface DictionaryRow {
  name: string;
  form: string;
  sectionHeader?: string;
  type: FieldType;
  label: string;
  choices?: readonly Choice[];
  note?: string;
  validation?: string;
  min?: string;
  max?: string;
  identifier?: boolean;
  branching?: string;
  required?: boolean;
  annotation?: string;
}

export function writeDictionary(rows: readonly DictionaryRow[]): string {
  return writeCsv(
    DICTIONARY_HEADER,
    rows.map((row): Cell[] => [
      row.name,
      row.form,
      row.sectionHeader ?? null,
      row.type,
      row.label,
      row.choices === undefined ? null : formatChoices(row.choices),
      row.note ?? null,
      row.validation ?? null,
      row.min ?? null,
      row.max ?? null,
      row.identifier ? 'y' : null,
      row.branching ?? null,
      row.required ? 'y' : null,
      null,
      null,
      null,
      null,
      row.annotation ?? null,
    ]),
  );
}
