// The export formats' names and the de-identification report's text: what the export's callers
// (the `smp export` command, the streamed export) need before any format's writer, kept apart
// from format-service.ts, which loads every reader and writer.
import { DEIDENTIFICATION_REPORT_FILE } from '../formats/report-file.ts';
import type { DeidentificationReport } from './deidentify.ts';

export { DEIDENTIFICATION_REPORT_FILE };

export const EXPORT_FORMATS = ['json', 'csv', 'redcap', 'sdtm', 'fhir'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const isExportFormat = (value: string): value is ExportFormat => (EXPORT_FORMATS as readonly string[]).includes(value);

/** The report `--deidentify` prints: what was removed or transformed. */
export function formatDeidentificationReport(report: DeidentificationReport): string {
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  return [
    'De-identified with the study\'s key:',
    `- codes replaced by pseudonyms: ${plural(report.participantCodes, 'participant')}, ${plural(report.practitionerCodes, 'practitioner')}`,
    `- pigment lots replaced by pseudonyms: ${report.pigmentLots}`,
    `- dates moved back: ${plural(report.datesShifted, 'date')}; ${report.dateShift}`,
    `- free text removed: ${plural(report.termsReplaced, 'adverse-event term')} replaced by the category, ${plural(report.withdrawalReasonsRemoved, 'withdrawal reason')} removed`,
    `- birth years top-coded (age 90 or over): ${report.birthYearsTopCoded}`,
    '- kept: study code and title, protocol, site codes, names and countries, practitioners\' experience, every coded value and number',
  ].join('\n');
}
