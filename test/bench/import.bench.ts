// Benchmark: `smp import` of a generated cohort against loading the same rows with raw
// PostgreSQL COPY (psql \copy) into the same tables. Both are whole commands, file to committed
// rows, each on a fresh migrated database; medians of several runs. Also the PGlite figure.
//   npm run bench:import [-- --participants 20000 --runs 3]
// Needs DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) and psql.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openMigratedDb } from '../../db/migrate.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { median, onServer, serverUrl } from './common.ts';

const { values } = parseArgs({
  options: { participants: { type: 'string', default: '20000' }, runs: { type: 'string', default: '3' } },
});
const participants = Number(values.participants);
const runs = Number(values.runs);
const root = path.resolve(import.meta.dirname, '../..');
const smp = path.join(root, 'api/bin/smp.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-bench-import-'));

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Run a command; returns wall time in ms, and peak RSS in MB and CPU time in ms (GNU time), failing loudly. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv): { ms: number; peakMb: number | null; cpuMs: number | null } {
  const useTime = fs.existsSync('/usr/bin/time');
  const rssFile = path.join(work, 'rss.txt');
  const [cmd, cmdArgs] = useTime ? ['/usr/bin/time', ['-f', '%M %U %S', '-o', rssFile, command, ...args]] : [command, args];
  const start = performance.now();
  const result = spawnSync(cmd, cmdArgs as string[], { env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  const [peakKb, user, system] = useTime ? fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : [];
  return { ms, peakMb: peakKb === undefined ? null : peakKb / 1024, cpuMs: user === undefined ? null : (user + system!) * 1000 };
}

/** A new migrated database; returns its URL. */
async function freshDatabase(name: string): Promise<string> {
  await onServer(`drop database if exists ${name} with (force)`);
  await onServer(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openMigratedDb({ databaseUrl: url.toString() });
  await db.close();
  return url.toString();
}

const TABLES = [
  'site', 'practitioner', 'participant', 'treatment_session',
  'adverse_event', 'fading_assessment', 'satisfaction_survey',
] as const;

async function main() {
  console.log(`generating ${participants.toLocaleString('en')} participants (seed 1)…`);
  const bundle = generateCohort({ seed: 1, participants, code: 'BENCH-IMPORT' });
  const file = path.join(work, 'cohort.json');
  fs.writeFileSync(file, JSON.stringify(bundle));
  const counts = {
    participants: bundle.participants.length,
    sessions: bundle.participants.reduce((n, p) => n + p.sessions.length, 0),
    assessments: bundle.participants.reduce((n, p) => n + p.fadingAssessments.length, 0),
    adverseEvents: bundle.participants.reduce((n, p) => n + p.adverseEvents.length, 0),
    surveys: bundle.participants.reduce((n, p) => n + p.surveys.length, 0),
  };
  const fileMb = fs.statSync(file).size / 1e6;
  const rows = 1 + bundle.sites.length + bundle.practitioners.length + Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(
    `bundle: ${fileMb.toFixed(1)} MB, ${rows.toLocaleString('en')} rows ` +
      `(${counts.sessions.toLocaleString('en')} sessions, ${counts.assessments.toLocaleString('en')} assessments)`,
  );
  const databases: string[] = [];

  // smp import, whole command, on fresh databases; then the same rows as the import committed
  // them, as COPY text files; then raw COPY, whole command (one psql session, one transaction), on
  // fresh databases. The runs of each alternate after the first import, so that both meet the
  // same load on a shared machine.
  const importTimes: number[] = [];
  const importPeaks: number[] = [];
  const importCpu: number[] = [];
  const copyTimes: number[] = [];
  const dumpDir = path.join(work, 'copy');
  fs.mkdirSync(dumpDir);
  const script = path.join(dumpDir, 'load.sql');
  const psql = (url: string, args: string[]) => {
    const result = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  };
  const importRun = async (run: number) => {
    const name = `smp_bench_${process.pid}_import_${run}`;
    databases.push(name);
    const url = await freshDatabase(name);
    const { ms, peakMb, cpuMs } = timed(process.execPath, [smp, 'import', file], { DATABASE_URL: url });
    importTimes.push(ms);
    if (peakMb !== null) importPeaks.push(peakMb);
    if (cpuMs !== null) importCpu.push(cpuMs);
    return url;
  };
  const copyRun = async (run: number) => {
    const name = `smp_bench_${process.pid}_copy_${run}`;
    databases.push(name);
    const url = await freshDatabase(name);
    copyTimes.push(timed('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-d', url, '-f', script], {}).ms);
  };

  const loadedUrl = await importRun(1);
  for (const table of ['study', ...TABLES]) {
    psql(loadedUrl, ['-c', `\\copy (select * from ${table}) to '${path.join(dumpDir, `${table}.tsv`)}'`]);
  }
  fs.writeFileSync(
    script,
    [
      'create temporary table study_in (like study);',
      `\\copy study_in from '${path.join(dumpDir, 'study.tsv')}'`,
      'insert into study overriding system value select * from study_in;',
      ...TABLES.map((table) => `\\copy ${table} from '${path.join(dumpDir, `${table}.tsv`)}'`),
    ].join('\n') + '\n',
  );
  for (let run = 1; run <= runs; run++) {
    await copyRun(run);
    if (run < runs) await importRun(run + 1);
  }

  // PGlite: the same command on a fresh data directory that has been initialised.
  const dataDir = path.join(work, 'pglite');
  timed(process.execPath, [smp, 'studies'], { SMP_DATA_DIR: dataDir, DATABASE_URL: '' });
  const pglite = timed(process.execPath, [smp, 'import', file], { SMP_DATA_DIR: dataDir, DATABASE_URL: '' });

  for (const name of databases) await onServer(`drop database if exists ${name} with (force)`);
  fs.rmSync(work, { recursive: true, force: true });

  const importMedian = median(importTimes);
  const copyMedian = median(copyTimes);
  console.log(`\nPostgreSQL (${new URL(serverUrl).host}), median of ${runs} runs, whole commands, file to committed rows:`);
  console.log(`  smp import          ${seconds(importMedian)}  (${Math.round(rows / (importMedian / 1000)).toLocaleString('en')} rows/s; runs: ${importTimes.map(seconds).join(', ')}${importCpu.length ? `; CPU ${seconds(median(importCpu))}` : ''})`);
  console.log(`  psql \\copy (raw)    ${seconds(copyMedian)}  (${Math.round(rows / (copyMedian / 1000)).toLocaleString('en')} rows/s; runs: ${copyTimes.map(seconds).join(', ')})`);
  console.log(`  ratio import / COPY ${(importMedian / copyMedian).toFixed(2)}×  (target ≤ 1.5×)`);
  if (importPeaks.length) console.log(`  smp import peak RSS ${Math.round(Math.max(...importPeaks))} MB (bundle file ${fileMb.toFixed(1)} MB)`);
  console.log(`\nPGlite (embedded, data directory on disk):`);
  console.log(`  smp import          ${seconds(pglite.ms)}  (${Math.round(rows / (pglite.ms / 1000)).toLocaleString('en')} rows/s${pglite.peakMb ? `, peak RSS ${Math.round(pglite.peakMb)} MB` : ''})`);
  console.log(`  ratio to raw COPY on PostgreSQL ${(pglite.ms / copyMedian).toFixed(2)}×`);
}

await main();
