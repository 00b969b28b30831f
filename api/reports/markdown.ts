// Renders the analysis summary as a Markdown report (GitHub-flavoured tables). Study titles and
// subgroup labels come from users, so every text is escaped; our own formatted figures survive
// escaping unchanged (e.g. "[0.1%, 22.8%]").
import type { DataTable } from '../../analysis/charts/types.ts';
import type { AnalysisSummary } from '../../analysis/types.ts';
import { freezeSentence, isNumericColumn, reportSections, type ReportOptions, type ReportSection } from './report-sections.ts';

/**
 * Escapes text for inline Markdown: no emphasis, code, strikethrough or table breaks; no raw HTML,
 * autolinks or entities ("<" before a letter, "/", "!" or "?", "&" before a letter or "#"); no
 * links or images (a "]" before "(", "[" or ":"). Our figures pass unchanged: "[0.1%, 22.8%]".
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[\\`*_|~]/g, '\\$&')
    .replace(/<(?=[A-Za-z/!?])/g, '\\<')
    .replace(/&(?=[A-Za-z#])/g, '\\&')
    .replace(/\](?=[([:])/g, '\\]');
}

/** Also keeps a paragraph or heading from opening a block (heading, quote, list) or closing an ATX heading. */
function escapeBlock(text: string): string {
  return escapeMarkdown(text)
    .replace(/^[#>+=-]/, '\\$&')
    .replace(/^(\d+)([.)])/, '$1\\$2')
    .replace(/(#+)(\s*)$/, '\\$1$2');
}

const cell = (value: string | number) => (typeof value === 'number' ? String(value) : escapeMarkdown(value));

export function markdownTable(table: DataTable): string {
  const header = `| ${table.columns.map(cell).join(' | ')} |`;
  const rule = `|${table.columns.map((_, index) => (isNumericColumn(table, index) ? ' ---: ' : ' --- ')).join('|')}|`;
  const rows = table.rows.map((row) => `| ${table.columns.map((_, index) => cell(row[index] ?? '')).join(' | ')} |`);
  return [`**${escapeMarkdown(table.caption)}**`, '', header, rule, ...(rows.length > 0 ? rows : [])].join('\n');
}

function markdownSection(section: ReportSection, level: number): string {
  const parts = [`${'#'.repeat(level)} ${escapeBlock(section.title)}`];
  for (const block of section.blocks) {
    if (block.kind === 'paragraph') parts.push(escapeBlock(block.text));
    else parts.push(block.table.rows.length > 0 ? markdownTable(block.table) : `**${escapeMarkdown(block.table.caption)}**\n\nNone.`);
  }
  for (const subsection of section.subsections) parts.push(markdownSection(subsection, level + 1));
  return parts.join('\n\n');
}

/** The whole report as Markdown: study, participants, sessions, follow-up, fading, safety, satisfaction, cost, subgroups. */
export function renderMarkdown(summary: AnalysisSummary, options: ReportOptions = {}): string {
  const heading = `# ${escapeBlock(summary.study.title)}\n\nOutcomes report for study ${escapeMarkdown(summary.study.code)}.${
    options.freeze ? `\n\n${escapeBlock(freezeSentence(options.freeze))}` : ''
  }`;
  return `${[heading, ...reportSections(summary, options).map((section) => markdownSection(section, 2))].join('\n\n')}\n`;
}
