// `smp analyze`: the cohort summary as JSON, a Markdown report, or an HTML report with PNG
// charts, for a stored study or for a bundle file loaded into a throw-away in-memory database.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SubgroupDimension } from '../analysis/types.ts';
import { openMigratedDb } from '../db/migrate.ts';
import { parse, readJsonFile, UsageError, withDb } from './cli-support.ts';
import type { Db } from '../db/kysely.ts';
import { analyzeStudyWithCharts } from './services/analysis-service.ts';
import { importBundle } from './services/study-bundle-service.ts';

const FORMATS = ['json', 'md', 'html'] as const;
const DIMENSIONS: readonly SubgroupDimension[] = ['site', 'indication', 'practitioner-experience'];

/** Run `work` on a throw-away in-memory database holding only the bundle in `file`. */
async function withBundleDb<T>(file: string, work: (db: Db, code: string) => Promise<T>): Promise<T> {
  const input = await readJsonFile(file);
  const db = await openMigratedDb({});
  try {
    const { code } = await importBundle(db, input);
    return await work(db, code);
  } finally {
    await db.close();
  }
}

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
  });
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be json, md or html (got "${values.format}")`);
  const by = values.by as SubgroupDimension | undefined;
  if (by !== undefined && !DIMENSIONS.includes(by)) {
    throw new UsageError(`--by must be site, indication or practitioner-experience (got "${values.by}")`);
  }
  if (positionals.length > 1) throw new UsageError('analyze takes one bundle FILE.json');
  const file = positionals[0];
  if ((file === undefined) === (values.study === undefined)) {
    throw new UsageError('analyze needs either a bundle FILE.json or --study CODE, not both');
  }

  const analyze = async (db: Db, code: string) => {
    const { summary, series } = await analyzeStudyWithCharts(db, code, { by });
    if (format === 'json') {
      const json = JSON.stringify(summary, null, 2) + '\n';
      if (values.out) {
        const target = path.join(values.out, 'analysis.json');
        await writeText(target, json);
        console.error(`wrote ${target}`);
      } else process.stdout.write(json);
    } else if (format === 'md') {
      const { renderMarkdown } = await import('./reports/index.ts');
      const markdown = renderMarkdown(summary);
      if (values.out) {
        const target = path.join(values.out, 'report.md');
        await writeText(target, markdown);
        console.error(`wrote ${target}`);
      } else process.stdout.write(markdown);
    } else {
      const { writeHtmlReport } = await import('./reports/index.ts');
      const outDir = values.out ?? `${code}-report`;
      const written = writeHtmlReport(summary, series, outDir);
      console.log(`wrote ${written.length} files to ${outDir}: ${written.map((f) => path.basename(f)).join(', ')}`);
    }
  };

  if (file !== undefined) await withBundleDb(file, analyze);
  else await withDb((db) => analyze(db, values.study!));
}
