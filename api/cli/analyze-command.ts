// `smp analyze`: the cohort summary as JSON, a Markdown report, an HTML report with PNG charts,
// or one tidy CSV table (figure, group, n, N, estimate, lower, upper, method), for a stored study
// (read in one snapshot) or for a bundle file, which is validated and analysed directly, with no
// database (its figures are the same as after importing it).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AnalysisSummary, ChartSeries, SubgroupDimension } from '../../analysis/types.ts';
import type { ReportFreeze } from '../reports/report-sections.ts';
import { checkInputFile, outOption } from './cli-files.ts';
import { parse, readJsonFile, UsageError, withDb } from './cli-support.ts';

const FORMATS = ['json', 'md', 'html', 'csv'] as const;
const DIMENSIONS: readonly SubgroupDimension[] = ['site', 'indication', 'practitioner-experience'];

async function writeText(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
}

export async function runAnalyzeCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    study: { type: 'string' },
    format: { type: 'string', default: 'json' },
    out: { type: 'string' },
    by: { type: 'string' },
    freeze: { type: 'string' },
  });
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be json, md, html or csv (got "${values.format}")`);
  const by = values.by as SubgroupDimension | undefined;
  if (by !== undefined && !DIMENSIONS.includes(by)) {
    throw new UsageError(`--by must be site, indication or practitioner-experience (got "${values.by}")`);
  }
  const out = outOption(values.out, 'directory');
  if (positionals.length > 1) throw new UsageError('analyze takes one bundle FILE.json');
  const file = positionals[0];
  if ((file === undefined) === (values.study === undefined)) {
    throw new UsageError('analyze needs either a bundle FILE.json or --study CODE, not both');
  }

  if (values.freeze !== undefined && (values.study === undefined || !/^[1-9]\d{0,8}$/.test(values.freeze))) {
    throw new UsageError(values.study === undefined ? '--freeze needs --study CODE' : `--freeze must be a freeze number (got "${values.freeze}")`);
  }
  const freezeId = values.freeze === undefined ? undefined : Number(values.freeze);
  let freeze: ReportFreeze | undefined;
  // The chart series are worked out only for the HTML report, which draws them.
  const withCharts = format === 'html';
  let analysis: { summary: AnalysisSummary; series?: ChartSeries };
  if (file !== undefined) {
    await checkInputFile(file);
    const input = await readJsonFile(file);
    const { analyzeBundle, analyzeBundleWithCharts } = await import('../services/bundle-facts.ts');
    analysis = withCharts ? await analyzeBundleWithCharts(input, { by }) : { summary: await analyzeBundle(input, { by }) };
  } else {
    const { analyzeStudy, analyzeStudyWithCharts } = await import('../services/analysis-service.ts');
    const { frozenStudyFacts } = await import('../services/freeze-service.ts');
    analysis = await withDb(async (db) => {
      const frozen = freezeId === undefined ? undefined : await frozenStudyFacts(db, undefined, values.study!, freezeId);
      freeze = frozen?.freeze;
      const options = { by, frozen: frozen && { id: frozen.freeze.id, facts: frozen.facts } };
      return withCharts ? analyzeStudyWithCharts(db, values.study!, options) : { summary: await analyzeStudy(db, values.study!, options) };
    });
  }
  const { summary, series } = analysis;

  if (format === 'json') {
    const json = JSON.stringify(summary, null, 2) + '\n';
    if (out !== undefined) {
      const target = path.join(out, 'analysis.json');
      await writeText(target, json);
      console.error(`wrote ${target}`);
    } else process.stdout.write(json);
  } else if (format === 'md') {
    const { renderMarkdown } = await import('../reports/index.ts');
    const markdown = renderMarkdown(summary, { freeze });
    if (out !== undefined) {
      const target = path.join(out, 'report.md');
      await writeText(target, markdown);
      console.error(`wrote ${target}`);
    } else process.stdout.write(markdown);
  } else if (format === 'csv') {
    const { analysisAsCsv } = await import('../services/format-service.ts');
    const csv = analysisAsCsv(summary);
    if (out !== undefined) {
      const target = path.join(out, 'analysis.csv');
      await writeText(target, csv);
      console.error(`wrote ${target}`);
    } else process.stdout.write(csv);
  } else {
    const { writeHtmlReport } = await import('../reports/index.ts');
    const outDir = out ?? `${summary.study.code}-report`;
    const written = writeHtmlReport(summary, series!, outDir, { freeze });
    console.log(`wrote ${written.length} files to ${outDir}: ${written.map((f) => path.basename(f)).join(', ')}`);
  }
}
