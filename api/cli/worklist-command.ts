// `smp worklist`: a stored study's follow-up worklist as of a day (default today), every status
// unless narrowed, as a table, CSV, JSON (`{"asOf", "items"}`, the API's rows) or iCalendar.
import type { WorklistRow } from '../schemas/worklist.ts';
import { outOption, writeOutputFile } from './cli-files.ts';
import { parse, UsageError, withDb } from './cli-support.ts';
import { configFromEnv } from '../config.ts';

const FORMATS = ['table', 'csv', 'json', 'ics'] as const;

/** The options as the API's query names them, for the shared checks and their messages. */
const OPTION_OF: Record<string, string> = { asOf: '--as-of', status: '--status', site: '--site', visit: '--visit', horizonDays: '--horizon' };

function tableText(items: readonly WorklistRow[]): string {
  const header = ['PARTICIPANT', 'SITE', 'STEP', 'TARGET', 'WINDOW', 'STATUS', 'MISSING'];
  const rows = items.map((r) => [r.participant, r.site, r.step, r.target, `${r.windowStart} to ${r.windowEnd}`, r.status, r.missing.join(', ')]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

export async function runWorklistCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    study: { type: 'string' },
    'as-of': { type: 'string' },
    status: { type: 'string' },
    site: { type: 'string' },
    visit: { type: 'string' },
    horizon: { type: 'string' },
    format: { type: 'string', default: 'table' },
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`worklist takes no arguments (got "${positionals[0]}")`);
  if (values.study === undefined) throw new UsageError('worklist needs --study CODE');
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be table, csv, json or ics (got "${values.format}")`);
  const out = outOption(values.out, 'file');

  const { WorklistFilters } = await import('../schemas/worklist.ts');
  const raw = { asOf: values['as-of'], status: values.status, site: values.site, visit: values.visit, horizonDays: values.horizon };
  const parsed = WorklistFilters.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)), {
    error: (await import('../schemas/problems.ts')).issueMessage,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const option = OPTION_OF[String(issue.path[0])] ?? String(issue.path[0]);
    throw new UsageError(`${option} ${issue.message}`);
  }
  const timeZone = configFromEnv().timeZone;
  const { worklistJson, worklistRows } = await import('../services/worklist-service.ts');
  const options = { ...parsed.data, timeZone };
  if (format === 'json') {
    const { asOf, rows, json } = await withDb((db) => worklistJson(db, values.study!, options));
    await emit(json, out, values.force, `the worklist of ${values.study} as of ${asOf} (${rows} rows)`);
    return;
  }
  const { asOf, items } = await withDb((db) => worklistRows(db, values.study!, options));

  let text: string;
  if (format === 'csv') text = (await import('../formats/worklist-csv.ts')).worklistCsv(items);
  else if (format === 'ics') text = (await import('../formats/worklist-ics.ts')).worklistIcs(values.study, items, new Date());
  else text = items.length === 0 ? `no steps on the worklist of ${values.study} as of ${asOf}\n` : tableText(items);
  await emit(text, out, values.force, `the worklist of ${values.study} as of ${asOf} (${items.length} rows)`);
}

/** The text (or its bytes) on stdout, or written whole to --out. */
async function emit(text: string | Uint8Array, out: string | undefined, force: boolean, what: string): Promise<void> {
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  await writeOutputFile(out, text, force);
  console.error(`wrote ${what} to ${out}`);
}
