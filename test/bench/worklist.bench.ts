// Benchmark: the follow-up worklist of the 20,000-participant cohort with a 4-visit schedule
// (about 140,000 rows): GET …/worklist through the API, warm (median of several runs after a
// warm-up), and the whole `smp worklist --format json` command, on PostgreSQL or the embedded
// database. Targets: API under 300 ms, command under 1 s (PostgreSQL). Each figure comes with the
// CPU time it took (the API: this process, client and server; the command: the child process, from
// /proc/self/stat), which a machine shared with other work changes far less than the wall time.
//   npm run bench:worklist [-- --runs 7 --database postgres|pglite]
// PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a database of its own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { openMigratedDb } from '../../db/migrate.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { startTestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';
import { median, ms, onServer, serverUrl } from './common.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, database: { type: 'string', default: 'postgres' } } });
const runs = Number(values.runs);
const database = values.database;
if (database !== 'postgres' && database !== 'pglite') throw new Error(`--database must be postgres or pglite (got ${database})`);
const smp = path.resolve(import.meta.dirname, '../../api/bin/smp.js');
const name = `smp_bench_${process.pid}_worklist`;
const CODE = 'BENCH-WORKLIST';
const PARTICIPANTS = 20_000;
const AS_OF = '2021-06-01';

/** CPU time (ms) of this process's children that have been waited for: /proc/self/stat's cutime + cstime. */
function childrenCpuMs(): number {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ", field 3 is the state; cutime and cstime are fields 16 and 17 (1-based).
  const ticks = Number(fields[16 - 3]) + Number(fields[17 - 3]);
  return (ticks * 1000) / CLOCK_TICKS;
}
/** Clock ticks per second (getconf CLK_TCK), 100 on Linux. */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/** Four reviews within the cohort's 7–32-month follow-up, windows apart. */
const VISITS = [
  { code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 30, expects: ['fadingAssessment' as const] },
  { code: 'FU12', label: '12-month review', monthsAfterFinalSession: 12, windowBeforeDays: 45, windowAfterDays: 45, expects: ['fadingAssessment' as const, 'survey' as const] },
  { code: 'FU18', label: '18-month review', monthsAfterFinalSession: 18, windowBeforeDays: 60, windowAfterDays: 60, expects: ['fadingAssessment' as const] },
  { code: 'FU30', label: '30-month review', monthsAfterFinalSession: 30, windowBeforeDays: 90, windowAfterDays: 60, expects: ['fadingAssessment' as const, 'survey' as const] },
];

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-bench-worklist-'));
  let url: string | undefined;
  if (database === 'postgres') {
    await onServer(`drop database if exists ${name} with (force)`);
    await onServer(`create database ${name}`);
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    url = u.toString();
  }
  const dataDir = path.join(work, 'data');
  const env = { ...process.env, DATABASE_URL: url ?? '', SMP_DATA_DIR: dataDir };
  try {
    const db = await openMigratedDb(url ? { databaseUrl: url } : { dataDir });
    const bundle = generateCohort({ seed: 1, participants: PARTICIPANTS, code: CODE });
    bundle.study.protocol.visits = VISITS;
    await importBundle(db, bundle);
    const server = await startTestServer(db, { logLevel: 'silent' });
    const headers = (await createTestUser(db, 'admin')).headers;
    const timeGet = async (query: string) => {
      const times: number[] = [];
      const cpu: number[] = [];
      let rows = 0;
      for (let run = 0; run <= runs; run++) {
        const start = performance.now();
        const startCpu = process.cpuUsage();
        const response = await fetch(`${server.base}/api/studies/${CODE}/worklist?${query}`, { headers });
        const body = await response.text();
        if (response.status !== 200) throw new Error(`GET worklist?${query}: ${response.status} ${body.slice(0, 200)}`);
        if (run > 0) {
          // The first is the warm-up.
          times.push(performance.now() - start);
          cpu.push(cpuMs(process.cpuUsage(startCpu)));
        }
        rows = (JSON.parse(body) as { counts: Array<Record<string, number>> }).counts.reduce(
          (n, c) => n + c.overdue! + c.due! + c.upcoming! + c.withdrawn! + c.done!,
          0,
        );
      }
      return { time: median(times), cpu: median(cpu), rows };
    };
    const page = await timeGet(`asOf=${AS_OF}&limit=50`);
    const due = await timeGet(`asOf=${AS_OF}&status=due,overdue&limit=1000`);
    await server.close();
    await db.close();

    const commands: number[] = [];
    const commandCpu: number[] = [];
    let printed = 0;
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      const startCpu = childrenCpuMs();
      const result = spawnSync(process.execPath, [smp, 'worklist', '--study', CODE, '--as-of', AS_OF, '--format', 'json'], {
        env,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      commands.push(performance.now() - start);
      commandCpu.push(childrenCpuMs() - startCpu);
      if (result.status !== 0) throw new Error(`smp worklist failed: ${result.stderr}`);
      printed = (JSON.parse(result.stdout) as { items: unknown[] }).items.length;
    }
    const target = (value: number, limit: number) => `${ms(value)} (target < ${ms(limit)}${database === 'postgres' ? (value < limit ? ': met' : ': NOT met') : ', set for PostgreSQL'})`;
    console.log(`worklist of ${PARTICIPANTS.toLocaleString('en')} participants, 4 visits (${page.rows.toLocaleString('en')} rows), ${database}:`);
    console.log(`  API warm, first page of every status (median of ${runs}): ${target(page.time, 300)}; CPU ${ms(page.cpu)}`);
    console.log(`  API warm, due and overdue, 1,000 rows (median of ${runs}): ${target(due.time, 300)}; CPU ${ms(due.cpu)}`);
    console.log(
      `  smp worklist --format json, whole command (${printed.toLocaleString('en')} rows, median of 3): ${target(median(commands), 1000)}; ` +
        `CPU of the command ${ms(median(commandCpu))}`,
    );
    console.log(`  load average while measuring: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')}`);
  } finally {
    if (database === 'postgres') await onServer(`drop database if exists ${name} with (force)`);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
