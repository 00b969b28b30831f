// Shared by the format tests: the demo study and a 2,000-participant cohort as validated
// bundles, and small tools to read and bend the files an export writes.
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { generateCohort } from '../../../fixtures/generate-cohort.ts';
import type { FormatFile, LocatedProblem } from '../../../api/formats/types.ts';
import type { StudyBundle } from '../../../api/schemas/bundle.ts';
import { canonicalOrder } from '../../../api/schemas/bundle-order.ts';
import { validateBundle } from '../../../api/schemas/validate-bundle.ts';

export function valid(input: unknown): StudyBundle {
  const result = validateBundle(input);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return result.bundle;
}

export const demoBundle = (): StudyBundle => valid(JSON.parse(fs.readFileSync(new URL('../../../fixtures/smp-2021.json', import.meta.url), 'utf8')));

let cohort: StudyBundle | undefined;
/** A generated 2,000-participant cohort (seed 2021), made once per run. */
export const cohortBundle = (): StudyBundle => (cohort ??= valid(generateCohort({ participants: 2000, seed: 2021 })));

/** A bundle as an importer gives it back, in canonical order, for deep equality. */
export const canonical = (bundle: StudyBundle) => canonicalOrder(bundle);

export const textOf = (file: FormatFile) => (typeof file.content === 'string' ? file.content : new TextDecoder().decode(file.content));

export function fileNamed(files: readonly FormatFile[], name: string): FormatFile {
  const file = files.find((f) => f.name === name);
  if (file === undefined) throw new Error(`no file ${name} among ${files.map((f) => f.name).join(', ')}`);
  return file;
}

/** Rows of a CSV text as objects by column name (RFC 4180, as R's read.csv would read it). */
export function csvRecords(text: string): Array<Record<string, string>> {
  return parse(text, { columns: true, bom: true }) as Array<Record<string, string>>;
}

/** A CSV file changed by `edit`, which gets the header and the data rows as arrays of cells. */
export function editCsv(file: FormatFile, edit: (table: { header: string[]; rows: string[][] }) => void): FormatFile {
  const [header, ...rows] = parse(textOf(file), { bom: true }) as string[][];
  const table = { header: header!, rows };
  edit(table);
  return { name: file.name, content: stringify([table.header, ...table.rows], { record_delimiter: 'windows', quoted_match: /[\r\n]/ }) };
}

/** Set a cell by data row (0 = first row under the header) and column name. */
export function setCell(table: { header: string[]; rows: string[][] }, row: number, column: string, value: string): void {
  const index = table.header.indexOf(column);
  if (index === -1) throw new Error(`no column ${column}`);
  table.rows[row]![index] = value;
}

/** Files with one of them replaced. */
export const replaceFile = (files: readonly FormatFile[], file: FormatFile) => files.map((f) => (f.name === file.name ? file : f));

/** Problems as `file:row:column: message` lines, for exact comparison. */
export const lines = (problems: readonly LocatedProblem[]) => problems.map((p) => `${p.path}: ${p.message}`);
