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

/** A Dataset-JSON 1.1 document. String columns get a `length`: the longest value, at least 1. */
export function datasetJson(spec: DatasetSpec): DatasetJson {
  const columns = spec.columns.map((column, index): DatasetColumn => {
    const out: DatasetColumn = { itemOID: `IT.${spec.name}.${column.name}`, name: column.name, label: column.label, dataType: column.dataType };
    if (column.dataType === 'string') {
      let length = 1;
      for (const row of spec.rows) {
        const value = row[index];
        if (typeof value === 'string') length = Math.max(length, [...value].length);
      }
      out.length = length;
    }
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
    records: spec.rows.length,
    name: spec.name,
    label: spec.label,
    columns,
    rows: spec.rows,
  };
}
