// The `smp` command line: serve, demo, import, export, studies, analyze, user.
// Exit status: 0 success, 2 invalid input (problems on stderr), 1 any other failure.
import fs from 'node:fs/promises';
import { openMigratedDb } from '../db/migrate.ts';
import { listStudies } from './services/study-service.ts';
import { parse, readJsonFile, UsageError, withDb } from './cli-support.ts';
import { configFromEnv } from './config.ts';
import { isAppError } from './errors.ts';
import { loadDemo, DEMO_STUDY_CODE } from './services/demo-service.ts';
import { ensureFirstRunAdmin, firstRunMessage } from './services/first-run.ts';
import { exportBundle, importBundle, type ImportProgress } from './services/study-bundle-service.ts';

const USAGE = `Usage: smp <command> [options]

Commands:
  serve [--port N]                 serve the tracker (loads the demo study into an empty database;
                                   with no users, creates "admin" and prints a one-time sign-in link)
  demo                             load the demo study ${DEMO_STUDY_CODE} (does nothing if it is there)
  import FILE.json [--replace]     load a study bundle; --replace swaps an existing study atomically
  export CODE [--out FILE]         write a study as a bundle (to stdout by default)
  studies                          list studies with their record counts
  analyze (FILE.json | --study CODE) [--format json|md|html] [--out DIR]
          [--by site|indication|practitioner-experience]
                                   summary statistics, a Markdown report or an HTML report with charts
  user add NAME --role ROLE [--study CODE [--site CODE]]...
                                   create a user (admin, researcher, clinic, reviewer); prints an invite link
  user list                        users with their role, state and access
  user grant NAME [--role ROLE] [--study CODE [--site CODE]]...
                                   change a role; grant studies (sites: clinic users only)
  user revoke NAME (--study CODE [--site CODE]... | --token ID | --all)
                                   revoke grants, one API token, or everything (disables the user)
  user enable|invite|tokens NAME   enable a disabled user; print a new invite link; list API tokens
  user token NAME [--expires DAYS] create an API token, printed alone on the last line

Configuration: DATABASE_URL (PostgreSQL server; default: embedded database in SMP_DATA_DIR, ./data),
PORT, HOST. Exit status: 0 success, 2 invalid input, 1 other failure.`;

function progressReporter(): ((step: ImportProgress) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (step) => {
    process.stderr.write(
      `\r\x1b[Kloading ${step.tablesDone}/${step.tablesTotal}: ${step.rows.toLocaleString('en')} ${step.table.replace(/_/g, ' ')} rows`,
    );
    if (step.tablesDone === step.tablesTotal) process.stderr.write('\r\x1b[K');
  };
}

const commands: Record<string, (args: string[]) => Promise<void>> = {
  async serve(args) {
    const { values, positionals } = parse(args, { port: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`serve takes no arguments (got "${positionals[0]}")`);
    const config = configFromEnv();
    if (values.port !== undefined) {
      const port = Number(values.port);
      if (!/^\d+$/.test(values.port) || port > 65535) throw new UsageError(`--port must be a port number (got "${values.port}")`);
      config.port = port;
    }
    const db = await openMigratedDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    if ((await listStudies(db)).length === 0 && (await loadDemo(db))) {
      console.error(`loaded the demo study ${DEMO_STUDY_CODE} into the empty database`);
    }
    const { startServer } = await import('./server.ts');
    const server = await startServer(db, config);
    console.log(`SMP outcomes tracker: ${server.url} (database: ${db.driver} ${db.location})`);
    const firstRun = await ensureFirstRunAdmin(db, config.publicUrl ?? server.url);
    if (firstRun) console.log(firstRunMessage(firstRun));
    const stop = async () => {
      await server.close();
      await db.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },

  async demo(args) {
    if (args.length > 0) throw new UsageError(`demo takes no arguments (got "${args[0]}")`);
    await withDb(async (db) => {
      const loaded = await loadDemo(db);
      console.log(loaded ? `loaded the demo study ${DEMO_STUDY_CODE}` : `the demo study ${DEMO_STUDY_CODE} is already loaded`);
    });
  },

  async import(args) {
    const { values, positionals } = parse(args, { replace: { type: 'boolean', default: false } });
    if (positionals.length !== 1) throw new UsageError('import needs exactly one FILE.json');
    const file = positionals[0]!;
    const input = await readJsonFile(file);
    await withDb(async (db) => {
      const onProgress = progressReporter();
      const result = await importBundle(db, input, { replace: values.replace, ...(onProgress ? { onProgress } : {}) });
      const counts = Object.entries(result.counts)
        .map(([table, count]) => `${count} ${table.replace(/_/g, ' ')}`)
        .join(', ');
      console.log(`${result.replaced ? 'replaced' : 'imported'} study ${result.code}: ${counts}`);
    });
  },

  async export(args) {
    const { values, positionals } = parse(args, { out: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError('export needs exactly one study CODE');
    await withDb(async (db) => {
      const bundle = await exportBundle(db, positionals[0]!);
      const json = JSON.stringify(bundle, null, 2) + '\n';
      if (values.out) {
        await fs.writeFile(values.out, json);
        console.error(`wrote study ${bundle.study.code} to ${values.out}`);
      } else {
        await new Promise<void>((resolve, reject) => process.stdout.write(json, (error) => (error ? reject(error) : resolve())));
      }
    });
  },

  async studies(args) {
    if (args.length > 0) throw new UsageError(`studies takes no arguments (got "${args[0]}")`);
    await withDb(async (db) => {
      const studies = await listStudies(db);
      if (studies.length === 0) {
        console.log('no studies (load the demo with `smp demo` or a bundle with `smp import FILE.json`)');
        return;
      }
      const header = ['CODE', 'SITES', 'PARTICIPANTS', 'SESSIONS', 'ADVERSE EVENTS', 'ASSESSMENTS', 'SURVEYS', 'TITLE'];
      const rows = studies.map((s) => [
        s.code,
        String(s.sites),
        String(s.participants),
        String(s.sessions),
        String(s.adverseEvents),
        String(s.fadingAssessments),
        String(s.surveys),
        s.title,
      ]);
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      for (const row of [header, ...rows]) {
        console.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
      }
    });
  },

  async analyze(args) {
    const { runAnalyzeCommand } = await import('./analyze-command.ts');
    await runAnalyzeCommand(args);
  },
  user: async (args) => (await import('./user-command.ts')).runUserCommand(args),
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    // Asked for: usage on stdout. Called without a command: a usage error, on stderr.
    if (command === undefined) {
      console.error(USAGE);
      return 2;
    }
    console.log(USAGE);
    return 0;
  }
  const run = commands[command];
  try {
    if (!run) throw new UsageError(`unknown command "${command}"`);
    await run(args);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`smp: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (isAppError(error)) {
      console.error(`smp ${command}: ${error.message}`);
      return 2;
    }
    console.error(`smp ${command}: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.SMP_DEBUG) console.error(error);
    return 1;
  }
}

const status = await main(process.argv.slice(2));
if (process.argv[2] !== 'serve' || status !== 0) process.exitCode = status;
