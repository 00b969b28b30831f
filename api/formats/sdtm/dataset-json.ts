// CDISC Dataset-JSON v1.1: one dataset per file, its columns' metadata and its rows as arrays in
// column order. The top-level keys are written in the order the specification recommends, so
// that streaming readers find the metadata before the rows.

import packageJson from '../../../package.json' with { type: 'json' };

export type DatasetJsonDataType = 'string' | 'integer' | 'decimal' | 'float' | 'double' | 'boolean' | 'datetime' | 'date' | 'time' | 'URI';
export type DatasetValue = string | number | boolean | null;

export interface DatasetColumn {
  itemOID: string;
  name: string;
  label: string;
  dataType: DatasetJsonDataType;
  length?: number;
  keySequence?: number;
}

export interface DatasetJson {
  datasetJSONCreationDateTime: string;
  datasetJSONVersion: '1.1.0';
  fileOID: string;
  originator: string;
  sourceSystem: { name: string; version: string };
  studyOID: string;
  itemGroupOID: string;
  records: number;
  name: string;
  label: string;
  columns: DatasetColumn[];
  rows: DatasetValue[][];
}

export const DATASET_JSON_VERSION = '1.1.0';

export interface DatasetSpec {
  name: string;
  label: string;
  studyCode: string;
  createdAt: Date;
  columns: Array<{ name: string; label: string; dataType: DatasetJsonDataType; keySequence?: number }>;
  rows: DatasetValue[][];
}

/** `2024-05-01T09:30:00Z`: the creation time, to the second, in UTC. */
export const creationDateTime = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

/** A column's measure for its `length`: the longest string value seen, at least 1. */
export function measureRows(lengths: number[], rows: readonly DatasetValue[][]): void {
  for (const row of rows) {
    for (let index = 0; index < row.length; index++) {
      const value = row[index];
      if (typeof value === 'string' && value.length >= (lengths[index] ?? 1)) {
        // Characters, not UTF-16 units: only a string at least as long in units can be longer.
        lengths[index] = Math.max(lengths[index] ?? 1, [...value].length);
      }
    }
  }
}

/**
 * A Dataset-JSON 1.1 document without its rows, for `records` rows whose string columns are at
 * most `lengths` characters long (index by column; missing means 1).
 */
export function datasetJsonHead(spec: Omit<DatasetSpec, 'rows'>, records: number, lengths: readonly number[]): DatasetJson {
  const columns = spec.columns.map((column, index): DatasetColumn => {
    const out: DatasetColumn = { itemOID: `IT.${spec.name}.${column.name}`, name: column.name, label: column.label, dataType: column.dataType };
    if (column.dataType === 'string') out.length = Math.max(1, lengths[index] ?? 1);
    if (column.keySequence !== undefined) out.keySequence = column.keySequence;
    return out;
  });
  return {
    datasetJSONCreationDateTime: creationDateTime(spec.createdAt),
    datasetJSONVersion: DATASET_JSON_VERSION,
    fileOID: `SMP.${spec.studyCode}.SDTM.${spec.name}`,
    originator: 'SMP outcomes tracker',
    sourceSystem: { name: 'SMP outcomes tracker', version: packageJson.version },
    studyOID: `SMP.${spec.studyCode}`,
    itemGroupOID: `IG.${spec.name}`,
    records,
    name: spec.name,
    label: spec.label,
    columns,
    rows: [],
  };
}

/** A Dataset-JSON 1.1 document. String columns get a `length`: the longest value, at least 1. */
export function datasetJson(spec: DatasetSpec): DatasetJson {
  const lengths: number[] = [];
  measureRows(lengths, spec.rows);
  return { ...datasetJsonHead(spec, spec.rows.length, lengths), rows: spec.rows };
}
