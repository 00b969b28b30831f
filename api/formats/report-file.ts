// The file a de-identified export's zip holds its report in (a module of its own, so that the
// exports name it without loading the importers).

/** The report a de-identified export's zip holds (api/services/export-formats.ts writes it); imports leave it aside. */
export const DEIDENTIFICATION_REPORT_FILE = 'deidentification-report.txt';
