// Benchmark: the record-level API under load, on the local PostgreSQL, against what the database
// itself does with the same transaction. A 2,000-participant study is imported; `smp serve` runs
// as its own process(es), with --workers 1 and then 2; 10 and then 50 clients with API tokens
// create sessions, adverse events, fading assessments and surveys for 15 s each, with reads and
// If-Match updates mixed in. Each run prints writes/s, reads/s and latency percentiles, then
// checks that the rows added equal the 2xx answers (nothing lost or duplicated) and that the
// audit trail has exactly one entry per write. Then `pgbench` runs a record write's transaction
// (lock the participant, read its records, move its counters, insert the record, insert the
// audit row) on the same database with as many clients, and the API's writes/s are printed as a
// ratio to its transactions/s.
//   npm run bench:api [-- --clients 10,50 --workers 1,2 --seconds 15] [-- --without-edit-checks]
// --without-edit-checks runs the server without the edit checks and the verification upkeep
// after each write (SMP_BENCH_WITHOUT_EDIT_CHECKS=1), to measure what they add to the write path.
// Needs DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) and pgbench; works in its
// own database.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { openMigratedDb } from '../../db/migrate.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { createTestUser } from '../support/users.ts';
import { onServer, serverUrl } from './common.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '10,50' },
    workers: { type: 'string', default: '1,2' },
    seconds: { type: 'string', default: '15' },
    participants: { type: 'string', default: '2000' },
    'without-edit-checks': { type: 'boolean', default: false },
  },
});
const list = (text: string) => text.split(',').map(Number);
const CLIENT_COUNTS = list(values.clients);
const WORKER_COUNTS = list(values.workers);
const SECONDS = Number(values.seconds);
const PARTICIPANTS = Number(values.participants);
const MAX_CLIENTS = Math.max(...CLIENT_COUNTS);
/** The target: API writes/s at least this share of pgbench's transactions/s, at 50 clients, p99 under 100 ms. */
const TARGET_RATIO = 0.3;
const TARGET_P99_MS = 100;
const smp = path.resolve(import.meta.dirname, '../../api/bin/smp.js');
const name = `smp_bench_${process.pid}_api`;
const CODE = 'LOAD-1';
const LOG_PATH = path.join(os.tmpdir(), `smp-bench-api-${process.pid}.log`);

/** CPU seconds (user + system) used so far by a process and its children, or by the processes called `name`. */
function cpuSeconds(filter: { tree: number } | { name: string }): number {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const mine = 'name' in filter ? command === filter.name : Number(pid) === filter.tree || Number(fields[1]) === filter.tree;
      if (mine) total += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/**
 * Once a server's start-up work is done (its chart thread loads its code and warms the analysis
 * on a generated cohort, and computes the study's first dashboard answer): until its processes
 * use under a tenth of a core over half a second, at most 30 s.
 */
async function settled(serverPid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let before = cpuSeconds({ tree: serverPid });
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = cpuSeconds({ tree: serverPid });
    if (now - before < 0.05) return;
    before = now;
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

type Kind = 'session' | 'adverse_event' | 'fading_assessment' | 'survey' | 'update' | 'read';

/** Per participant, what a client knows: the next free session date, and the last record to edit. */
interface Owned {
  code: string;
  nextDay: number;
  lastEvent: number | null;
}

const DAY = 86_400_000;
const iso = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

/** One load run's figures. */
interface Run {
  workers: number;
  clients: number;
  writesPerSecond: number;
  readsPerSecond: number;
  /** Every answered request, the reads before the updates included. */
  requestsPerSecond: number;
  meanMs: number;
  p50: number;
  p99: number;
  ok: boolean;
}

/** pgbench's figures for one client count. */
interface Pgbench {
  clients: number;
  tps: number;
  latencyMs: number;
  /** Percentiles of its transactions' latencies, from its per-transaction log. */
  p50: number;
  p99: number;
}

/** The record write's transaction, as pgbench runs it: the shape of the API's, without the API. */
const PGBENCH_SCRIPT = `\\set p random(1, :participants)
BEGIN;
SELECT participant_no, records_version FROM participant WHERE study_id = :study AND participant_no = :p FOR UPDATE;
SELECT survey_no, surveyed_on, satisfaction, would_recommend FROM satisfaction_survey WHERE study_id = :study AND participant_no = :p;
UPDATE participant SET last_survey_no = last_survey_no + 1, records_version = records_version + 1 WHERE study_id = :study AND participant_no = :p RETURNING last_survey_no AS n \\gset
INSERT INTO satisfaction_survey (study_id, participant_no, survey_no, surveyed_on, satisfaction, would_recommend) VALUES (:study, :p, :n, date '2025-06-01', 4, true);
INSERT INTO audit_event (username, role, action, entity, entity_key, study_code, site_codes, participant_code, after, chain_hash) VALUES ('pgbench', 'researcher', 'create', 'survey', 'P' || :p || '/surveys/' || :n, '${CODE}', '{}', 'P' || :p, '{"satisfaction": 4, "wouldRecommend": true}', sha256(('pgbench' || :p || '/' || :n)::bytea));
COMMIT;
`;

/** Run pgbench with `clients` clients for the bench's seconds; its transactions/s and mean latency. */
function runPgbench(databaseUrl: string, studyId: number, clients: number): Pgbench | null {
  const script = path.join(os.tmpdir(), `smp-bench-api-${process.pid}.pgbench.sql`);
  fs.writeFileSync(script, PGBENCH_SCRIPT);
  // Its per-transaction log (-l): one line per transaction, the third field its latency in µs.
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-bench-pgbench-'));
  try {
    const result = spawnSync(
      'pgbench',
      [
        '-n', '-c', String(clients), '-j', '2', '-T', String(SECONDS), '-D', `study=${studyId}`, '-D', `participants=${PARTICIPANTS}`,
        '-l', `--log-prefix=${path.join(logDir, 'pgbench')}`, '-f', script, databaseUrl,
      ],
      { encoding: 'utf8', cwd: logDir },
    );
    if (result.error || result.status !== 0) {
      console.log(`  pgbench did not run: ${result.error?.message ?? result.stderr.trim().split('\n').at(-1)}`);
      return null;
    }
    const tps = /tps = ([\d.]+)/.exec(result.stdout);
    const latency = /latency average = ([\d.]+) ms/.exec(result.stdout);
    const latencies = fs
      .readdirSync(logDir)
      .flatMap((file) => fs.readFileSync(path.join(logDir, file), 'utf8').trim().split('\n'))
      .map((line) => Number(line.split(' ')[2]) / 1000)
      .toSorted((a, b) => a - b);
    return { clients, tps: Number(tps?.[1]), latencyMs: Number(latency?.[1]), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    fs.rmSync(script, { force: true });
    fs.rmSync(logDir, { recursive: true, force: true });
  }
}

/** A running `smp serve` (with its workers) and its address. */
async function startServer(databaseUrl: string, workers: number): Promise<{ server: ChildProcess; base: URL }> {
  // SMP_BENCH_CPU_PROFILE=DIR writes the server's CPU profile there (node --cpu-prof).
  const profile = process.env.SMP_BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SMP_BENCH_CPU_PROFILE}`] : [];
  const server = spawn(process.execPath, [...profile, smp, 'serve', '--port', '0', ...(workers > 1 ? ['--workers', String(workers)] : [])], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SMP_LOG_LEVEL: process.env.SMP_LOG_LEVEL ?? 'info',
      ...(values['without-edit-checks'] ? { SMP_BENCH_WITHOUT_EDIT_CHECKS: '1' } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The server's request log (one JSON line per request) goes on to a file, as it would in
  // production; only the lines before it is ready are searched, so the load generator does not
  // spend its CPU on them. With workers, it is ready when the first process says all serve.
  const logFile = fs.createWriteStream(LOG_PATH, { flags: 'a' });
  const base = await new Promise<URL>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /SMP outcomes tracker: (http:\/\/\S+)/.exec(out);
      if (match && (workers === 1 || /server processes on one port/.test(out))) {
        server.stdout!.off('data', onData);
        resolve(new URL(match[1]!));
      }
    };
    server.stdout!.on('data', onData);
    server.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  server.stdout!.pipe(logFile);
  return { server, base };
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
}

async function main() {
  await onServer(`drop database if exists ${name} with (force)`);
  await onServer(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  let server: ChildProcess | undefined;
  const check = new pg.Client({ connectionString: databaseUrl });
  try {
    const db = await openMigratedDb({ databaseUrl });
    const cohort = generateCohort({ seed: 3, participants: PARTICIPANTS, code: CODE });
    await importBundle(db, cohort);
    const tokens: string[] = [];
    for (let i = 0; i < MAX_CLIENTS; i++) tokens.push((await createTestUser(db, 'researcher', [{ studyCode: CODE, siteCode: null }])).token);
    await db.close();
    await check.connect();
    const studyId = Number((await check.query<{ study_id: number }>('select study_id from study where code = $1', [CODE])).rows[0]!.study_id);

    // Participants a client may add to: treated and not withdrawn, each owned by one client.
    const eligible = cohort.participants.filter((p) => p.sessions.length > 0 && p.withdrawnOn === null);
    const owned: Owned[][] = Array.from({ length: MAX_CLIENTS }, () => []);
    eligible.forEach((p, i) => {
      const last = Date.parse(`${p.sessions.at(-1)!.date}T00:00:00Z`) / DAY;
      owned[i % MAX_CLIENTS]!.push({ code: p.code, nextDay: Math.max(last + 1, Date.parse('2025-01-01T00:00:00Z') / DAY), lastEvent: null });
    });

    /** What the database holds that the load adds to: to compare with the 2xx answers of a run. */
    const count = async (sql: string) => Number((await check.query<{ n: string }>(sql)).rows[0]!.n);
    const tally = async () => ({
      session: await count('select count(*) as n from treatment_session'),
      adverse_event: await count('select count(*) as n from adverse_event'),
      fading_assessment: await count('select count(*) as n from fading_assessment'),
      survey: await count('select count(*) as n from satisfaction_survey'),
      resolved: await count(`select count(*) as n from adverse_event where term = 'Bench event' and outcome = 'recovered'`),
      // The records' own entries: the edit checks' queries have entries of their own.
      audit: await count(
        `select count(*) as n from audit_event where action in ('create', 'update') and entity in ('session', 'adverse_event', 'fading_assessment', 'survey')`,
      ),
      queries: await count('select count(*) as n from data_query'),
    });

    async function load(base: URL, workers: number, clients: number, serverPid: number): Promise<Run> {
      const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
      function request(method: string, pathname: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
        return new Promise<{ status: number; body: string; etag: string | undefined }>((resolve, reject) => {
          const payload = body === undefined ? undefined : JSON.stringify(body);
          const req = http.request(
            new URL(`/api/studies/${CODE}${pathname}`, base),
            {
              method,
              agent,
              headers: {
                authorization: `Bearer ${token}`,
                ...(payload ? { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' } : {}),
                ...headers,
              },
            },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => (text += chunk));
              res.on('end', () => resolve({ status: res.statusCode!, body: text, etag: res.headers.etag }));
            },
          );
          req.on('error', reject);
          req.end(payload);
        });
      }

      const latencies: number[] = [];
      const counts: Record<Kind, { ok: number; failed: number }> = {
        session: { ok: 0, failed: 0 },
        adverse_event: { ok: 0, failed: 0 },
        fading_assessment: { ok: 0, failed: 0 },
        survey: { ok: 0, failed: 0 },
        update: { ok: 0, failed: 0 },
        read: { ok: 0, failed: 0 },
      };
      const failures = new Map<string, number>();
      let deadline = 0;

      async function client(index: number) {
        const token = tokens[index]!;
        const mine = owned[index]!;
        let step = 0;
        while (performance.now() < deadline) {
          // Ten steps on one participant, then the next: its event is there to update.
          const p = mine[Math.floor(step / 10) % mine.length]!;
          const roll = step++ % 10;
          const start = performance.now();
          let kind: Kind;
          let reply: { status: number; body: string };
          const participant = `/participants/${encodeURIComponent(p.code)}`;
          if (roll < 3) {
            kind = 'session';
            const date = iso(p.nextDay++);
            reply = await request('POST', `${participant}/sessions`, token, {
              kind: 'touch_up', date, durationMinutes: 90, practitioner: cohort.practitioners[0]!.code, pigmentLot: 'BENCH', anesthesia: 'none',
            });
          } else if (roll < 4) {
            kind = 'adverse_event';
            reply = await request('POST', `${participant}/adverse-events`, token, {
              category: 'other', term: 'Bench event', onsetDate: iso(p.nextDay), grade: 1, serious: false, relatedness: 'unlikely', outcome: 'recovering',
            });
            if (reply.status === 201) p.lastEvent = (JSON.parse(reply.body) as { no: number }).no;
          } else if (roll < 6) {
            kind = 'fading_assessment';
            reply = await request('POST', `${participant}/fading-assessments`, token, { date: iso(p.nextDay), grade: 1, densityScore: 7.5, assessor: 'clinician' });
          } else if (roll < 7) {
            kind = 'survey';
            reply = await request('POST', `${participant}/surveys`, token, { date: iso(p.nextDay), satisfaction: 4, wouldRecommend: true });
          } else if (roll < 8 && p.lastEvent !== null) {
            // An If-Match update: read the event's version, then resolve it.
            const read = await request('GET', `${participant}/adverse-events/${p.lastEvent}`, token);
            counts.read[read.status === 200 ? 'ok' : 'failed']++;
            kind = 'update';
            reply = await request('PATCH', `${participant}/adverse-events/${p.lastEvent}`, token, { outcome: 'recovered', resolvedDate: iso(p.nextDay) }, {
              'if-match': read.etag ?? '""',
              'x-change-reason': 'Resolved%20at%20follow-up',
            });
            p.lastEvent = null;
          } else {
            kind = 'read';
            reply = await request('GET', roll % 2 ? participant : `${participant}/sessions`, token);
          }
          latencies.push(performance.now() - start);
          const ok = reply.status >= 200 && reply.status < 300;
          counts[kind][ok ? 'ok' : 'failed']++;
          if (!ok) {
            const key = `${kind} ${reply.status} ${reply.body.slice(0, 160)}`;
            failures.set(key, (failures.get(key) ?? 0) + 1);
          }
        }
      }

      // Warm-up: one request per client, not counted.
      await Promise.all(tokens.slice(0, clients).map((token, i) => request('GET', `/participants/${encodeURIComponent(owned[i]![0]!.code)}`, token)));
      const before = await tally();
      const cpuBefore = { load: process.cpuUsage(), server: cpuSeconds({ tree: serverPid }), database: cpuSeconds({ name: 'postgres' }) };
      const started = performance.now();
      deadline = started + SECONDS * 1000;
      await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
      const elapsed = (performance.now() - started) / 1000;
      const loadCpu = process.cpuUsage(cpuBefore.load);
      const cpu = {
        load: (loadCpu.user + loadCpu.system) / 1e6,
        server: cpuSeconds({ tree: serverPid }) - cpuBefore.server,
        database: cpuSeconds({ name: 'postgres' }) - cpuBefore.database,
      };
      agent.destroy();

      const writes = counts.session.ok + counts.adverse_event.ok + counts.fading_assessment.ok + counts.survey.ok + counts.update.ok;
      const reads = counts.read.ok;
      const sorted = latencies.toSorted((a, b) => a - b);
      const run: Run = {
        workers,
        clients,
        writesPerSecond: writes / elapsed,
        readsPerSecond: reads / elapsed,
        requestsPerSecond: latencies.length / elapsed,
        meanMs: latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        ok: true,
      };
      console.log(`\n--workers ${workers}, ${clients} clients, ${elapsed.toFixed(1)} s, study of ${PARTICIPANTS} participants on PostgreSQL`);
      console.log(`  writes   ${writes} (${run.writesPerSecond.toFixed(0)}/s)`);
      console.log(`  reads    ${reads} (${run.readsPerSecond.toFixed(0)}/s)`);
      console.log(
        `  latency  p50 ${run.p50.toFixed(1)} ms, p90 ${percentile(sorted, 90).toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
      );
      console.log(
        `  CPU      server ${((cpu.server / elapsed) * 100).toFixed(0)}%, PostgreSQL ${((cpu.database / elapsed) * 100).toFixed(0)}%, ` +
          `load generator ${((cpu.load / elapsed) * 100).toFixed(0)}% of one core (${os.availableParallelism()} cores in all); ` +
          `per write ${((cpu.server / writes) * 1000).toFixed(2)} ms server, ${((cpu.database / writes) * 1000).toFixed(2)} ms PostgreSQL`,
      );
      for (const [kind, c] of Object.entries(counts)) console.log(`  ${kind.padEnd(18)} ${c.ok} ok, ${c.failed} refused`);
      for (const [key, n] of failures) console.log(`  refused ×${n}: ${key}`);

      // No loss, no duplicates: the rows added equal the 2xx answers, and one audit entry per write.
      const after = await tally();
      const problems: string[] = [];
      for (const kind of ['session', 'adverse_event', 'fading_assessment', 'survey'] as const) {
        const added = after[kind] - before[kind];
        if (added !== counts[kind].ok) problems.push(`${kind}: ${added} rows added, ${counts[kind].ok} answered 201`);
      }
      if (after.resolved - before.resolved !== counts.update.ok) {
        problems.push(`updates: ${after.resolved - before.resolved} events resolved, ${counts.update.ok} answered 200`);
      }
      if (after.audit - before.audit !== writes) problems.push(`audit trail: ${after.audit - before.audit} entries for ${writes} writes`);
      console.log(`  edit checks ${values['without-edit-checks'] ? 'off' : 'on'}: ${after.queries - before.queries} automatic queries opened`);
      console.log(
        problems.length === 0
          ? `  no loss: rows added equal the 2xx answers (${writes}), and the audit trail has exactly one entry per write`
          : `  LOSS OR DUPLICATION:\n    ${problems.join('\n    ')}`,
      );
      run.ok = problems.length === 0;
      return run;
    }

    const runs: Run[] = [];
    for (const workers of WORKER_COUNTS) {
      const started = await startServer(databaseUrl, workers);
      server = started.server;
      await settled(server.pid!);
      for (const clients of CLIENT_COUNTS) runs.push(await load(started.base, workers, clients, server.pid!));
      await stopServer(server);
      server = undefined;
    }

    // The database's own pace for the same transaction, on the same machine in the same run.
    const pgbench = new Map<number, Pgbench>();
    for (const clients of CLIENT_COUNTS) {
      const result = runPgbench(databaseUrl, studyId, clients);
      if (result) pgbench.set(clients, result);
    }

    console.log(`\nwrites/s of the API against pgbench's transactions/s, same database, same run (target at 50 clients: ≥ ${TARGET_RATIO}, p99 < ${TARGET_P99_MS} ms):`);
    console.log('  workers  clients  writes/s   p50 ms   p99 ms   pgbench tps   ratio');
    for (const run of runs) {
      const base = pgbench.get(run.clients);
      console.log(
        `  ${String(run.workers).padStart(7)}  ${String(run.clients).padStart(7)}  ${run.writesPerSecond.toFixed(0).padStart(8)}  ${run.p50.toFixed(1).padStart(7)}  ${run.p99
          .toFixed(1)
          .padStart(7)}  ${base ? base.tps.toFixed(0).padStart(12) : '           –'}   ${base ? (run.writesPerSecond / base.tps).toFixed(2) : '–'}`,
      );
    }
    for (const [clients, base] of pgbench) {
      console.log(
        `  pgbench, ${clients} clients: ${base.tps.toFixed(0)} transactions/s, latency mean ${base.latencyMs.toFixed(1)} ms, ` +
          `p50 ${base.p50.toFixed(1)} ms, p99 ${base.p99.toFixed(1)} ms`,
      );
    }
    // Clients that send their next request as soon as the last is answered keep `clients`
    // requests in flight, so the mean latency is clients ÷ requests/s (Little's law): a p99 under
    // the target needs at least clients ÷ target requests/s, and the p99 is never below the mean.
    console.log('\nlatency against throughput (clients that never pause: mean latency = clients ÷ requests/s):');
    for (const run of runs) {
      console.log(
        `  --workers ${run.workers}, ${run.clients} clients: ${run.requestsPerSecond.toFixed(0)} requests/s, mean ${run.meanMs.toFixed(1)} ms ` +
          `(clients ÷ requests/s = ${((run.clients / run.requestsPerSecond) * 1000).toFixed(1)} ms); a p99 under ${TARGET_P99_MS} ms needs more than ` +
          `${Math.ceil((run.clients * 1000) / TARGET_P99_MS)} requests/s`,
      );
    }
    const at50 = runs.filter((run) => run.clients === 50 && pgbench.has(50));
    if (at50.length > 0) {
      const best = at50.reduce((a, b) => (b.writesPerSecond > a.writesPerSecond ? b : a));
      const ratio = best.writesPerSecond / pgbench.get(50)!.tps;
      console.log(
        `  best at 50 clients: --workers ${best.workers}, ratio ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'not met'}), ` +
          `p99 ${best.p99.toFixed(1)} ms (target < ${TARGET_P99_MS} ms: ${best.p99 < TARGET_P99_MS ? 'met' : 'not met'}; ` +
          `pgbench's own p99 ${pgbench.get(50)!.p99.toFixed(1)} ms)`,
      );
    }
    process.exitCode = runs.every((run) => run.ok) ? 0 : 1;
  } finally {
    if (server) await stopServer(server);
    await check.end().catch(() => undefined);
    fs.rmSync(LOG_PATH, { force: true });
    await onServer(`drop database if exists ${name} with (force)`);
  }
}

await main();
