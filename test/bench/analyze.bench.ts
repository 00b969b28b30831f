// Benchmark: the analysis of a stored study on real PostgreSQL, warm and in-process (median of
// several runs), at 20,000 and 2,000 participants, the whole `smp analyze --study` command, and
// the dashboard's `GET /charts` and `GET /adverse-events/rates` over HTTP (in-process server).
//   npm run bench:analyze [-- --runs 7]
// Needs DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); works in its own database.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeStudy, loadStudyFacts } from '../../api/services/analysis-service.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { analyzeCohort } from '../../analysis/index.ts';
import { openMigratedDb } from '../../db/migrate.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { startTestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';
import { median, ms, onServer, serverUrl } from './common.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
const smp = path.resolve(import.meta.dirname, '../../api/bin/smp.js');
const name = `smp_bench_${process.pid}_analyze`;

async function main() {
  await onServer(`drop database if exists ${name} with (force)`);
  await onServer(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openMigratedDb({ databaseUrl: url.toString() });
  const sizes = [2_000, 20_000];
  const results: Record<
    number,
    { total: number; extract: number; compute: number; command: number; charts: number; chartsBytes: number; rates: number }
  > = {};
  const server = await startTestServer(db, { logLevel: 'silent' });
  const headers = (await createTestUser(db, 'admin')).headers;
  /** Median time of a GET (whole response read) and the size of its body. */
  const timeGet = async (path: string) => {
    const times: number[] = [];
    let bytes = 0;
    for (let run = 0; run <= runs; run++) {
      const start = performance.now();
      const response = await fetch(`${server.base}/api${path}`, { headers });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${body.slice(0, 200)}`);
      if (run > 0) times.push(performance.now() - start); // the first is the warm-up
      bytes = Buffer.byteLength(body);
    }
    return { time: median(times), bytes };
  };
  try {
    for (const size of sizes) {
      const code = `BENCH-${size}`;
      await importBundle(db, generateCohort({ seed: 1, participants: size, code }));
      await analyzeStudy(db, code); // warm-up: JIT, connection pool, buffer cache

      const totals: number[] = [];
      const extracts: number[] = [];
      const computes: number[] = [];
      for (let run = 0; run < runs; run++) {
        const start = performance.now();
        const facts = await loadStudyFacts(db, code);
        const extracted = performance.now();
        analyzeCohort(facts);
        const end = performance.now();
        totals.push(end - start);
        extracts.push(extracted - start);
        computes.push(end - extracted);
      }
      const commands: number[] = [];
      for (let run = 0; run < 3; run++) {
        const start = performance.now();
        const result = spawnSync(process.execPath, [smp, 'analyze', '--study', code], {
          env: { ...process.env, DATABASE_URL: url.toString() },
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        });
        commands.push(performance.now() - start);
        if (result.status !== 0) throw new Error(`smp analyze failed: ${result.stderr}`);
      }
      const charts = await timeGet(`/studies/${code}/charts`);
      const rates = await timeGet(`/studies/${code}/adverse-events/rates?by=site`);
      results[size] = {
        total: median(totals),
        extract: median(extracts),
        compute: median(computes),
        command: median(commands),
        charts: charts.time,
        chartsBytes: charts.bytes,
        rates: rates.time,
      };
    }
  } finally {
    await server.close();
    await db.close();
    await onServer(`drop database if exists ${name} with (force)`);
  }

  console.log(`analysis on PostgreSQL (${new URL(serverUrl).host}), warm, in-process, median of ${runs} runs:`);
  for (const size of sizes) {
    const r = results[size]!;
    console.log(
      `  ${size.toLocaleString('en').padStart(6)} participants: ${ms(r.total).padStart(7)}  ` +
        `(extract ${ms(r.extract)}, compute ${ms(r.compute)});  whole \`smp analyze --study\` command ${ms(r.command)} (median of 3)`,
    );
  }
  const ratio = results[20_000]!.total / results[2_000]!.total;
  console.log(`  20k / 2k ratio: ${ratio.toFixed(2)} (target ≤ 12; linear would be 10)`);
  console.log(`  20k analysis: ${ms(results[20_000]!.total)} (target < 1000 ms)`);
  console.log(`dashboard endpoints over HTTP (in-process server), warm, median of ${runs} runs:`);
  for (const size of sizes) {
    const r = results[size]!;
    console.log(
      `  ${size.toLocaleString('en').padStart(6)} participants: GET /charts ${ms(r.charts).padStart(7)} ` +
        `(${(r.chartsBytes / 1024).toFixed(0)} KiB);  GET /adverse-events/rates?by=site ${ms(r.rates)}`,
    );
  }
  console.log(`  20k GET /charts: ${ms(results[20_000]!.charts)} (target < 1000 ms)`);
}

await main();
