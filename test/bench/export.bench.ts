// Benchmark: `smp export` of a generated cohort on PostgreSQL, every format, each export a whole
// command in a child process (wall time, and its peak RSS from GNU time), each run paired with a
// run of psql's COPY TO of the same tables just before it (this machine's speed drifts within
// minutes), as a ratio of the medians. The exports stream, so peak memory should not
// grow with the study: run it with --participants 20000 and 100000 and compare the peaks.
//   npm run bench:export [-- --participants 20000 --runs 1 --formats csv,json]
// Needs DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), psql and /usr/bin/time.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openMigratedDb } from '../../db/migrate.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { median, onServer, serverUrl } from './common.ts';

const { values } = parseArgs({
  options: { participants: { type: 'string', default: '20000' }, runs: { type: 'string', default: '1' }, formats: { type: 'string' }, load: { type: 'string' } },
});
const participants = Number(values.participants);
const runs = Number(values.runs);
const root = path.resolve(import.meta.dirname, '../..');
const smp = path.join(root, 'api/bin/smp.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-bench-export-'));
const CODE = 'BENCH-EXPORT';
const ALL_FORMATS = ['json', 'csv', 'redcap', 'sdtm', 'fhir'] as const;
/** The formats measured: --formats csv,json picks some (in that order), default all. */
const FORMATS = values.formats === undefined ? ALL_FORMATS : values.formats.split(',').map((format) => {
  const known = ALL_FORMATS.find((f) => f === format.trim());
  if (known === undefined) throw new Error(`--formats: unknown format ${JSON.stringify(format)} (known: ${ALL_FORMATS.join(', ')})`);
  return known;
});
const TABLES = ['site', 'practitioner', 'participant', 'treatment_session', 'adverse_event', 'fading_assessment', 'satisfaction_survey'] as const;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Run a command under GNU time: wall time in ms and peak RSS in MB, failing loudly. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}): { ms: number; peakMb: number } {
  const rssFile = path.join(work, 'rss.txt');
  const start = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, command, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 20 });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { ms, peakMb: Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 };
}

/** Bytes under a path (a file, or a folder's files). */
function sizeOf(target: string): number {
  const stat = fs.statSync(target);
  if (stat.isFile()) return stat.size;
  return fs.readdirSync(target).reduce((sum, name) => sum + sizeOf(path.join(target, name)), 0);
}

async function main() {
  const name = `smp_bench_export_${participants}`;
  await onServer(`drop database if exists ${name} with (force)`);
  await onServer(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  try {
    console.log(`generating and importing ${participants.toLocaleString('en')} participants (seed 1)…`);
    // In a child process, so that the cohort's memory is given back before the exports run.
    const load = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--load', databaseUrl, '--participants', String(participants)], { stdio: 'inherit' });
    if (load.status !== 0) throw new Error(`generating and importing the cohort failed (${load.status})`);
    const db = await openMigratedDb({ databaseUrl });
    let studyId: number;
    try {
      studyId = (await db.kysely.selectFrom('study').select('study_id').where('code', '=', CODE).executeTakeFirstOrThrow()).study_id;
    } finally {
      await db.close();
    }

    // COPY TO of every table the export reads, the study's rows, into files: one psql session.
    const copyScript = path.join(work, 'copy.sql');
    fs.writeFileSync(
      copyScript,
      TABLES.map((table) => `\\copy (select * from ${table} where study_id = ${studyId}) to '${path.join(work, `${table}.copy`)}'`).join('\n') + '\n',
    );
    const copy = () => timed('psql', ['-X', '-q', '-d', databaseUrl, '-f', copyScript]).ms;
    // One run first, so that the tables' pages are read and their hint bits set before any timing.
    copy();
    const copyBytes = TABLES.reduce((sum, table) => sum + sizeOf(path.join(work, `${table}.copy`)), 0);
    console.log(`\nCOPY TO of the ${TABLES.length} tables: ${(copyBytes / 1e6).toFixed(0)} MB; each export run is paired with a COPY TO run just before it\n`);

    console.log('| format | time | peak RSS | output | COPY TO in the same runs | time ÷ COPY TO |');
    console.log('|---|---|---|---|---|---|');
    for (const format of FORMATS) {
      const out = path.join(work, format === 'json' || format === 'fhir' ? `${format}.out` : format);
      // Each run: COPY TO, then the export, so that both meet the machine in the same state.
      const copies: number[] = [];
      const results = Array.from({ length: runs }, () => {
        copies.push(copy());
        return timed('node', [smp, 'export', CODE, '--format', format, '--out', out, '--force'], { DATABASE_URL: databaseUrl });
      });
      const time = median(results.map((r) => r.ms));
      const copyMs = median(copies);
      const peak = Math.max(...results.map((r) => r.peakMb));
      console.log(`| ${format} | ${seconds(time)} | ${peak.toFixed(0)} MB | ${(sizeOf(out) / 1e6).toFixed(0)} MB | ${seconds(copyMs)} | ${(time / copyMs).toFixed(1)}× |`);
      fs.rmSync(out, { recursive: true, force: true });
    }
  } finally {
    await onServer(`drop database if exists ${name} with (force)`);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The child's work: the cohort generated and imported into the database at `url`. */
async function loadCohort(url: string) {
  const db = await openMigratedDb({ databaseUrl: url });
  try {
    await importBundle(db, generateCohort({ seed: 1, participants, code: CODE }));
  } finally {
    await db.close();
  }
}

if (values.load === undefined) await main();
else await loadCohort(values.load);
