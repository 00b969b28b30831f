// The shape of a report: sections of paragraphs and tables, with subsections. The section
// builders (report-sections.ts and its parts) make it; the HTML and Markdown renderers read it.
import type { DataTable } from '../../analysis/charts/types.ts';

export type ReportBlock = { kind: 'paragraph'; text: string } | { kind: 'table'; table: DataTable };

export interface ReportSection {
  /** Fragment-safe id, unique in the report. */
  id: string;
  title: string;
  blocks: ReportBlock[];
  subsections: ReportSection[];
}
