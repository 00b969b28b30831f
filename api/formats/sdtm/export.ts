// Bundle → CDISC SDTM: each domain as a Dataset-JSON 1.1 file and as a CSV file with the same
// columns (null as an empty cell). Rows follow the bundle's canonical order; the creation time
// is the only value that changes between two exports of one study, and callers can fix it.
import type { StudyBundle } from '../../schemas/bundle.ts';
import { canonicalOrder } from '../../schemas/bundle-order.ts';
import { writeCsv } from '../csv-text.ts';
import type { FormatFile } from '../types.ts';
import { datasetJson, type DatasetValue } from './dataset-json.ts';
import { SDTM_DOMAINS, type SdtmDomain } from './domains.ts';

export interface SdtmOptions {
  /** datasetJSONCreationDateTime; now unless given. */
  createdAt?: Date;
}

export function writeSdtm(input: StudyBundle, options: SdtmOptions = {}): FormatFile[] {
  const bundle = canonicalOrder(input);
  const createdAt = options.createdAt ?? new Date();
  const files: FormatFile[] = [];
  for (const domain of SDTM_DOMAINS as ReadonlyArray<SdtmDomain<unknown>>) {
    const rows: DatasetValue[][] = domain.rows(bundle).map((row) => domain.variables.map((variable) => variable.value(row)));
    const dataset = datasetJson({
      name: domain.name,
      label: domain.label,
      studyCode: bundle.study.code,
      createdAt,
      columns: domain.variables.map(({ name, label, dataType, keySequence }) => ({ name, label, dataType, ...(keySequence === undefined ? {} : { keySequence }) })),
      rows,
    });
    const stem = domain.name.toLowerCase();
    files.push({ name: `${stem}.json`, content: `${JSON.stringify(dataset)}\n` });
    files.push({ name: `${stem}.csv`, content: writeCsv(dataset.columns.map((column) => column.name), rows) });
  }
  return files;
}
