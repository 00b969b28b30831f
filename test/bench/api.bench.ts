// Benchmark: the record-level API under load, on the local PostgreSQL. A 2,000-participant study
// is imported; `smp serve` runs as its own process; 50 clients with API tokens then create
// sessions, adverse events, fading assessments and surveys for 20 s, with reads and If-Match
// updates mixed in. Prints writes/s, reads/s and latency percentiles, then checks that the rows
// in the database equal the 2xx answers (nothing lost or duplicated) and that the audit trail
// has exactly one entry per write.
//   npm run bench:api [-- --clients 50 --seconds 20] [-- --without-edit-checks]
// --without-edit-checks runs the server without the edit checks and the verification upkeep
// after each write (SMP_BENCH_WITHOUT_EDIT_CHECKS=1), to measure what they add to the write path.
// Needs DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); works in its own database.
import { spawn, type ChildProcess } from 'node:child_process';
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
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    participants: { type: 'string', default: '2000' },
    'without-edit-checks': { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const PARTICIPANTS = Number(values.participants);
const TARGET_WRITES = 1000;
const TARGET_P99_MS = 50;
const smp = path.resolve(import.meta.dirname, '../../api/bin/smp.js');
const name = `smp_bench_${process.pid}_api`;
const CODE = 'LOAD-1';
const LOG_PATH = path.join(os.tmpdir(), `smp-bench-api-${process.pid}.log`);

/** CPU seconds (user + system) used so far by the processes whose command name is `name`, or by one pid. */
function cpuSeconds(filter: { pid: number } | { name: string }): number {
  const ticks = 100; // USER_HZ on Linux
  const pids = 'pid' in filter ? [String(filter.pid)] : fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if ('name' in filter && name !== filter.name) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
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

async function main() {
  await onServer(`drop database if exists ${name} with (force)`);
  await onServer(`create database ${name}`);
  if (process.env.SMP_BENCH_LOG_STATEMENTS) await onServer(`alter database ${name} set log_statement = 'all'`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  let server: ChildProcess | undefined;
  try {
    const db = await openMigratedDb({ databaseUrl });
    const cohort = generateCohort({ seed: 3, participants: PARTICIPANTS, code: CODE });
    await importBundle(db, cohort);
    const tokens: string[] = [];
    for (let i = 0; i < CLIENTS; i++) tokens.push((await createTestUser(db, 'researcher', [{ studyCode: CODE, siteCode: null }])).token);
    await db.close();

    // Participants a client may add to: treated and not withdrawn, each owned by one client.
    const eligible = cohort.participants.filter((p) => p.sessions.length > 0 && p.withdrawnOn === null);
    const owned: Owned[][] = Array.from({ length: CLIENTS }, () => []);
    eligible.forEach((p, i) => {
      const last = Date.parse(`${p.sessions.at(-1)!.date}T00:00:00Z`) / DAY;
      owned[i % CLIENTS]!.push({ code: p.code, nextDay: Math.max(last + 1, Date.parse('2025-01-01T00:00:00Z') / DAY), lastEvent: null });
    });

    // SMP_BENCH_CPU_PROFILE=DIR writes the server's CPU profile there (node --cpu-prof).
    const profile = process.env.SMP_BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SMP_BENCH_CPU_PROFILE}`] : [];
    server = spawn(process.execPath, [...profile, smp, 'serve', '--port', '0'], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        SMP_LOG_LEVEL: process.env.SMP_LOG_LEVEL ?? 'info',
        ...(values['without-edit-checks'] ? { SMP_BENCH_WITHOUT_EDIT_CHECKS: '1' } : {}),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // The server's request log (one JSON line per request) goes on to a file, as it would in
    // production; only the lines before the address are searched, so the load generator does
    // not spend its CPU on them.
    const logFile = fs.createWriteStream(LOG_PATH);
    const base = await new Promise<URL>((resolve, reject) => {
      let out = '';
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        const match = /SMP outcomes tracker: (http:\/\/\S+)/.exec(out);
        if (match) {
          server!.stdout!.off('data', onData);
          resolve(new URL(match[1]!));
        }
      };
      server!.stdout!.on('data', onData);
      server!.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    server.stdout!.pipe(logFile);

    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
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
    const deadline = performance.now() + SECONDS * 1000;

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
    await Promise.all(tokens.map((token, i) => request('GET', `/participants/${encodeURIComponent(owned[i]![0]!.code)}`, token)));
    const cpuBefore = { load: process.cpuUsage(), server: cpuSeconds({ pid: server.pid! }), database: cpuSeconds({ name: 'postgres' }) };
    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    const elapsed = (performance.now() - started) / 1000;
    const loadCpu = process.cpuUsage(cpuBefore.load);
    const cpu = {
      load: (loadCpu.user + loadCpu.system) / 1e6,
      server: cpuSeconds({ pid: server.pid! }) - cpuBefore.server,
      database: cpuSeconds({ name: 'postgres' }) - cpuBefore.database,
    };
    agent.destroy();

    const writes = counts.session.ok + counts.adverse_event.ok + counts.fading_assessment.ok + counts.survey.ok + counts.update.ok;
    const reads = counts.read.ok;
    const sorted = latencies.toSorted((a, b) => a - b);
    const writesPerSecond = writes / elapsed;
    const p99 = percentile(sorted, 99);
    console.log(`record-level API load: ${CLIENTS} clients, ${elapsed.toFixed(1)} s, study of ${PARTICIPANTS} participants on PostgreSQL`);
    console.log(`  writes   ${writes} (${writesPerSecond.toFixed(0)}/s; target ≥ ${TARGET_WRITES}/s, ratio ${(writesPerSecond / TARGET_WRITES).toFixed(2)})`);
    console.log(`  reads    ${reads} (${(reads / elapsed).toFixed(0)}/s)`);
    console.log(`  latency  p50 ${percentile(sorted, 50).toFixed(1)} ms, p90 ${percentile(sorted, 90).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (target < ${TARGET_P99_MS} ms), max ${sorted.at(-1)!.toFixed(1)} ms`);
    // Each client waits for its answer before it asks again (a closed loop, no think time), so by
    // Little's law the mean latency is the number of clients over the rate of answers: more
    // clients on the same machine lengthen every wait without adding throughput.
    const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
    console.log(
      `  queueing ${CLIENTS} clients ÷ ${(latencies.length / elapsed).toFixed(0)} answers/s = ${((CLIENTS / latencies.length) * elapsed * 1000).toFixed(1)} ms ` +
        `mean wait by Little's law (measured mean ${mean.toFixed(1)} ms); p99 < ${TARGET_P99_MS} ms at ${CLIENTS} clients needs a mean well ` +
        `under ${TARGET_P99_MS} ms, so well over ${Math.round(CLIENTS / (TARGET_P99_MS / 1000))} answers/s`,
    );
    console.log(
      `  CPU      server ${(cpu.server / elapsed * 100).toFixed(0)}%, PostgreSQL ${(cpu.database / elapsed * 100).toFixed(0)}%, ` +
        `load generator ${(cpu.load / elapsed * 100).toFixed(0)}% of one core (2 cores in all); ` +
        `per write ${((cpu.server / writes) * 1000).toFixed(2)} ms server, ${((cpu.database / writes) * 1000).toFixed(2)} ms PostgreSQL`,
    );
    for (const [kind, c] of Object.entries(counts)) console.log(`  ${kind.padEnd(18)} ${c.ok} ok, ${c.failed} refused`);
    for (const [key, n] of failures) console.log(`  refused ×${n}: ${key}`);

    // No loss, no duplicates: the rows added equal the 2xx answers, and one audit entry per write.
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    const imported = cohort.participants.reduce(
      (n, p) => ({
        session: n.session + p.sessions.length,
        adverse_event: n.adverse_event + p.adverseEvents.length,
        fading_assessment: n.fading_assessment + p.fadingAssessments.length,
        survey: n.survey + p.surveys.length,
      }),
      { session: 0, adverse_event: 0, fading_assessment: 0, survey: 0 },
    );
    const count = async (sql: string) => Number((await check.query<{ n: string }>(sql)).rows[0]!.n);
    const rows = {
      session: (await count('select count(*) as n from treatment_session')) - imported.session,
      adverse_event: (await count('select count(*) as n from adverse_event')) - imported.adverse_event,
      fading_assessment: (await count('select count(*) as n from fading_assessment')) - imported.fading_assessment,
      survey: (await count('select count(*) as n from satisfaction_survey')) - imported.survey,
    };
    const resolved = await count(`select count(*) as n from adverse_event where term = 'Bench event' and outcome = 'recovered'`);
    // The records' own entries: the edit checks' queries have entries of their own.
    const audit = await count(
      `select count(*) as n from audit_event where action in ('create', 'update') and entity in ('session', 'adverse_event', 'fading_assessment', 'survey')`,
    );
    const queries = await count('select count(*) as n from data_query');
    await check.end();
    const problems: string[] = [];
    for (const kind of ['session', 'adverse_event', 'fading_assessment', 'survey'] as const) {
      if (rows[kind] !== counts[kind].ok) problems.push(`${kind}: ${rows[kind]} rows added, ${counts[kind].ok} answered 201`);
    }
    if (resolved !== counts.update.ok) problems.push(`updates: ${resolved} events resolved, ${counts.update.ok} answered 200`);
    if (audit !== writes) problems.push(`audit trail: ${audit} entries for ${writes} writes`);
    console.log(`  edit checks ${values['without-edit-checks'] ? 'off' : 'on'}: ${queries} automatic queries opened`);
    console.log(
      problems.length === 0
        ? `  no loss: rows added equal the 2xx answers (${writes}), and the audit trail has exactly one entry per write`
        : `  LOSS OR DUPLICATION:\n    ${problems.join('\n    ')}`,
    );
    process.exitCode = problems.length === 0 ? 0 : 1;
  } finally {
    server?.kill('SIGTERM');
    if (server) await new Promise((resolve) => server!.once('exit', resolve));
    fs.rmSync(LOG_PATH, { force: true });
    await onServer(`drop database if exists ${name} with (force)`);
  }
}

await main();
