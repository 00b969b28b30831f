// Benchmark: the `smp` command as a user runs it, whole processes from start to exit, against
// the targets: on PostgreSQL `--version` and `studies`, `analyze --study` of a 20,000-participant
// study; on the embedded database a warm command; `analyze FILE` of the demo study, with its peak
// memory. Each figure is the median of several runs; ratio = figure / target (≤ 1 meets it).
//   npm run bench:cli [-- --runs 5]
// Needs DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); works in its own database
// and a temporary data directory.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { openMigratedDb } from '../../db/migrate.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { median, onServer, serverUrl } from './common.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const root = path.resolve(import.meta.dirname, '../..');
const smp = path.join(root, 'api/bin/smp.js');
const demoFile = path.join(root, 'fixtures/smp-2021.json');
const name = `smp_bench_${process.pid}_cli`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-bench-cli-'));

// Each run reports its peak resident memory through this preloaded hook.
const rssHook = path.join(work, 'rss-hook.cjs');
fs.writeFileSync(
  rssHook,
  "process.on('exit', () => { if (process.env.SMP_BENCH_RSS) require('fs').writeFileSync(process.env.SMP_BENCH_RSS, String(process.resourceUsage().maxRSS)); });",
);

interface Figure {
  seconds: number;
  peakMb: number;
}

/** Run `node [args]` `runs` times; the median wall time and the median peak RSS. */
function measure(args: string[], env: NodeJS.ProcessEnv, times = runs): Figure {
  const seconds: number[] = [];
  const peaks: number[] = [];
  const rssFile = path.join(work, 'rss');
  for (let run = 0; run < times; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, ['-r', rssHook, ...args], {
      env: { ...process.env, ...env, SMP_BENCH_RSS: rssFile },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    seconds.push((performance.now() - started) / 1000);
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
    peaks.push(Number(fs.readFileSync(rssFile, 'utf8')) / 1024);
  }
  return { seconds: median(seconds), peakMb: median(peaks) };
}

interface Row {
  what: string;
  figure: Figure;
  target?: { seconds: number; peakMb?: number };
}

async function main() {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const postgres = { DATABASE_URL: url.toString() };
  const dataDir = path.join(work, 'data');
  const embedded = { DATABASE_URL: '', SMP_DATA_DIR: dataDir };
  const rows: Row[] = [];

  await onServer(`drop database if exists ${name} with (force)`);
  await onServer(`create database ${name}`);
  try {
    const db = await openMigratedDb({ databaseUrl: url.toString() });
    try {
      await importBundle(db, generateCohort({ seed: 1, participants: 20_000, code: 'BENCH-20000' }));
    } finally {
      await db.close();
    }
    measure([smp, '--version'], {}, 1); // a build in dist/ that is out of date is rebuilt here, not timed

    rows.push({ what: 'node -e 0 (Node itself, for reference)', figure: measure(['-e', '0'], {}) });
    rows.push({ what: 'PostgreSQL: smp --version', figure: measure([smp, '--version'], postgres), target: { seconds: 0.15 } });
    rows.push({ what: 'PostgreSQL: smp studies', figure: measure([smp, 'studies'], postgres), target: { seconds: 0.35 } });
    rows.push({
      what: 'PostgreSQL: smp analyze --study (20,000 participants)',
      figure: measure([smp, 'analyze', '--study', 'BENCH-20000'], postgres),
      target: { seconds: 1.0 },
    });

    const cold = measure([smp, 'demo'], embedded, 1);
    rows.push({ what: 'embedded: first command, new data directory (smp demo)', figure: cold });
    rows.push({ what: 'embedded: warm command (smp studies)', figure: measure([smp, 'studies'], embedded), target: { seconds: 1.5 } });
    rows.push({
      what: 'embedded: smp analyze --study SMP-2021',
      figure: measure([smp, 'analyze', '--study', 'SMP-2021'], embedded),
      target: { seconds: 1.5 },
    });
    rows.push({
      what: 'smp analyze fixtures/smp-2021.json (no database)',
      figure: measure([smp, 'analyze', demoFile], embedded),
      target: { seconds: 2.5, peakMb: 300 },
    });
    rows.push({
      what: 'smp analyze fixtures/smp-2021.json --format html',
      figure: measure([smp, 'analyze', demoFile, '--format', 'html', '--out', path.join(work, 'report')], embedded),
      target: { seconds: 2.5, peakMb: 300 },
    });
  } finally {
    await onServer(`drop database if exists ${name} with (force)`);
    fs.rmSync(work, { recursive: true, force: true });
  }

  console.log(`smp command, whole processes, median of ${runs} runs (PostgreSQL at ${url.host}; ${os.cpus().length} cores).`);
  console.log('Timings are noisy while other work runs on the machine.\n');
  const header = ['', 'time', 'target', 'ratio', 'peak RSS', 'target', 'ratio'];
  const table = rows.map(({ what, figure, target }) => [
    what,
    `${figure.seconds.toFixed(2)} s`,
    target ? `≤ ${target.seconds} s` : '',
    target ? (figure.seconds / target.seconds).toFixed(2) : '',
    `${figure.peakMb.toFixed(0)} MB`,
    target?.peakMb ? `≤ ${target.peakMb} MB` : '',
    target?.peakMb ? (figure.peakMb / target.peakMb).toFixed(2) : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  for (const row of [header, ...table]) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  const missed = rows.filter(
    ({ figure, target }) => target && (figure.seconds > target.seconds || (target.peakMb !== undefined && figure.peakMb > target.peakMb)),
  );
  console.log(missed.length === 0 ? '\nevery figure meets its target' : `\n${missed.length} figure(s) above target: ${missed.map((r) => r.what).join('; ')}`);
}

await main();
