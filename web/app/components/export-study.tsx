// Downloading a study in any interchange format (json, csv, redcap, sdtm, fhir), plain or
// de-identified: a format choice, a de-identify box and the link GET /export answers. A
// reviewer's export is always de-identified, so the box is ticked and fixed for them.
import { useState } from 'preact/hooks';
import { ExportQuery } from '../../../api/schemas/requests.ts';
import { useMe } from '../session.ts';

const FORMATS = ExportQuery.shape.format.unwrap().options;

const FORMAT_LABELS: Record<(typeof FORMATS)[number], string> = {
  json: 'Study bundle (JSON)',
  csv: 'csv tables (zip)',
  redcap: 'REDCap project (zip)',
  sdtm: 'CDISC SDTM Dataset-JSON (zip)',
  fhir: 'FHIR R4 Bundle (JSON)',
};

export function ExportStudy({ code, idPrefix }: { code: string; idPrefix: string }) {
  const me = useMe();
  const alwaysDeidentified = me.role === 'reviewer';
  const [format, setFormat] = useState<(typeof FORMATS)[number]>('json');
  const [deidentify, setDeidentify] = useState(alwaysDeidentified);
  const deidentified = alwaysDeidentified || deidentify;
  const href = `/api/studies/${encodeURIComponent(code)}/export?format=${format}${deidentified ? '&deidentify=true' : ''}`;
  return (
    <span class="export-study" role="group" aria-label={`Export ${code}`}>
      <label for={`${idPrefix}-format`} class="visually-hidden">
        Export format of {code}
      </label>
      <select id={`${idPrefix}-format`} value={format} onChange={(event) => setFormat(event.currentTarget.value as (typeof FORMATS)[number])}>
        {FORMATS.map((value) => (
          <option key={value} value={value}>
            {FORMAT_LABELS[value]}
          </option>
        ))}
      </select>{' '}
      <input
        id={`${idPrefix}-deidentify`}
        type="checkbox"
        checked={deidentified}
        disabled={alwaysDeidentified}
        onChange={(event) => setDeidentify(event.currentTarget.checked)}
      />
      <label for={`${idPrefix}-deidentify`}>
        De-identified<span class="visually-hidden"> export of {code}</span>
      </label>{' '}
      {/* The server names the file (Content-Disposition). */}
      <a href={href} download>
        Export<span class="visually-hidden"> {code}</span>
      </a>
    </span>
  );
}
