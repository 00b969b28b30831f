// The `smp` command line: serve, demo, import, export, studies, backup, restore, analyze, worklist, user, audit, db.
// Exit status: 0 success, 2 invalid input (problems on stderr), 1 any other failure.
// Each command loads its services when it runs, so `smp --help` and `smp --version` load nothing.
import fs from 'node:fs';
import { commandLine, errorReport, parse, UsageError, withDb } from './cli-support.ts';
import { configFromEnv, dbOptions } from '../config.ts';
import { isAppError } from '../errors.ts';

/** For the help texts only, which load no services; the commands use demo-service's constant. */
const DEMO_STUDY_CODE = 'SMP-2021';

interface Command {
  /**
   * Arguments after the command's name, for the usage lines. Further lines that start with
   * `smp` are other forms of the command, shown by its --help only.
   */
  usage: string;
  /** One line for the list of commands. */
  summary: string;
  /** What `smp COMMAND --help` adds below the usage. */
  help: string;
  run(args: string[]): Promise<void>;
}

const commands: Record<string, Command> = {
  serve: {
    usage: 'serve [--port N] [--workers N]',
    summary: 'serve the tracker (loads the demo study into an empty database; with no users, creates "admin" and prints a one-time sign-in link)',
    help: `Serve the tracker's web page and HTTP API on HOST (default 127.0.0.1) and the port.
On an empty database it first loads the demo study ${DEMO_STUDY_CODE}.

Options:
  --port N   the HTTP port (default: PORT, or 3000; 0 picks a free one); through npm, after
             \`--\`: npm start -- --port N
  --workers N
             serve with N processes on the one port (at most one per core), on a PostgreSQL
             server (DATABASE_URL) only: they share sessions, sign-in counts and locks through
             it, and each sees the others' writes at once. Several servers behind one proxy
             work the same way (README, "Running several server processes").

The port is taken before the database opens: a port in use fails at once.
On the embedded database the server holds SMP_DATA_DIR while it runs and answers the other smp
commands on a socket in it (SMP_DATA_DIR/socket, open to this OS user only), so they work
beside it.`,
    async run(args) {
      const { values, positionals } = parse(args, { port: { type: 'string' }, workers: { type: 'string' } });
      if (positionals.length > 0) throw new UsageError(`serve takes no arguments (got "${positionals[0]}")`);
      const config = configFromEnv();
      if (values.port !== undefined) {
        const port = Number(values.port);
        if (!/^\d+$/.test(values.port) || port > 65535) throw new UsageError(`--port must be a port number (got "${values.port}")`);
        config.port = port;
      }
      const workers = await import('./serve-workers.ts');
      if (values.workers !== undefined) {
        const count = workers.checkWorkers(values.workers, config.databaseUrl);
        if (!workers.isServeWorker()) return workers.serveWithWorkers(count);
      }
      const { bindServer } = await import('../server.ts');
      const server = await bindServer(config);
      const { openMigratedDb } = await import('../../db/migrate.ts');
      let db: Awaited<ReturnType<typeof openMigratedDb>> | undefined;
      try {
        db = await openMigratedDb({ ...dbOptions(config), lockHolder: { command: commandLine(), url: server.url }, serveLocalCommands: true });
        // A key that does not open the stored contacts stops the start, before anything is written.
        const { checkContactKey } = await import('../services/participant-contact-service.ts');
        await checkContactKey(db.kysely, config.contactKey, 'smp serve', false);
        const [{ listStudies }, { loadDemo, DEMO_STUDY_CODE: code }] = await Promise.all([
          import('../services/study-service.ts'),
          import('../services/demo-service.ts'),
        ]);
        if ((await listStudies(db)).length === 0 && (await loadDemo(db))) {
          console.error(`loaded the demo study ${code} into the empty database`);
        }
        // In a checkout whose web sources changed since `npm install`, the script is rebuilt first.
        const { webBundle } = await import('../web-bundle.ts');
        await server.serve(db, { webScript: webBundle, analysisThread: true });
      } catch (error) {
        await server.close();
        await db?.close();
        throw error;
      }
      // Stopped gracefully from the moment it says it is ready: the handlers come first.
      const openDb = db;
      const running: { outbox?: { stop(): Promise<void> } | null; stopping: boolean } = { stopping: false };
      const stop = async () => {
        running.stopping = true;
        await running.outbox?.stop();
        await server.close();
        await openDb.close();
        process.exit(0);
      };
      // A failure to close is left to crash the process, as an unhandled rejection does.
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      console.log(`SMP outcomes tracker: ${server.url} (database: ${db.driver} ${db.location})`);
      const { ensureFirstRunAdmin, firstRunMessage } = await import('../services/first-run.ts');
      const firstRun = await ensureFirstRunAdmin(db, config.publicUrl ?? server.url);
      if (firstRun) console.log(firstRunMessage(firstRun));
      // Every process looks at the survey outbox; the database hands each message to one of them.
      const { startSurveyOutbox } = await import('../services/survey-outbox-loop.ts');
      if (running.stopping) return;
      running.outbox = startSurveyOutbox(db, config, { baseUrl: config.publicUrl ?? server.url });
      workers.reportReady();
    },
  },

  demo: {
    usage: 'demo',
    summary: `load the demo study ${DEMO_STUDY_CODE} (does nothing if it is there)`,
    help: `Load the demo study ${DEMO_STUDY_CODE} (22 participants at 2 sites) from fixtures/smp-2021.json.
Does nothing if a study with that code is stored already.`,
    async run(args) {
      if (args.length > 0) throw new UsageError(`demo takes no arguments (got "${args[0]}")`);
      const { loadDemo, DEMO_STUDY_CODE: code } = await import('../services/demo-service.ts');
      await withDb(async (db) => {
        const loaded = await loadDemo(db);
        console.log(loaded ? `loaded the demo study ${code}` : `the demo study ${code} is already loaded`);
      });
    },
  },

  import: {
    usage: `import FILE.json [--replace] [--code NEW-CODE]
       smp import --format csv|redcap (FOLDER | FILE.zip) [--replace] [--code NEW-CODE]
       smp import --format redcap --dictionary DICT.csv --data DATA.csv
                  [--study STUDY.json] [--mapping MAP.json] [--replace] [--code NEW-CODE]`,
    summary: 'load a study bundle, or csv or REDCap files (format detected); --replace swaps an existing study atomically',
    help: `Load a study as one transaction: every problem is reported at once (exit 2) and nothing
is written unless all of it is valid. The study comes as a bundle (smp-study-bundle/1 JSON), or
as the files of another format, with each problem located as file:row:column. The format is
detected from the file or folder unless --format names it; a file that the format does not
read is refused with what it is and the --format that reads it, a damaged zip as damaged.

Options:
  --replace   replace the stored study with the same code, atomically (readers see the old
              study or the new one, never a mix); without it an existing code is refused
  --code NEW-CODE
              import the study under NEW-CODE instead of its own code, as a new study (an
              export copied as another study); everything else is imported unchanged
  --format F  detected when not given; json: FILE.json is a bundle;
              csv: the tables of \`smp export --format csv\` (study.csv, sites.csv, …) in a
              folder or a zip; codebook.csv and the derived columns are not read back;
              redcap: a REDCap project, as a folder or zip of its files (the data dictionary,
              the records export, study.json, and a file named *mapping*.json if any), or
              as the files one by one:
  --dictionary DICT.csv
              the REDCap data dictionary
  --data DATA.csv
              the records export, in REDCap's layout for repeating instruments
  --study STUDY.json
              the study, its sites and practitioners, which REDCap does not hold (study.json
              of \`smp export --format redcap\`); or give them in the mapping's "study" section
  --mapping MAP.json
              a mapping (smp-redcap-mapping/1) from another project's field names and choice
              codes to the bundle's; data in fields mapped to nothing is reported, not dropped`,
    async run(args) {
      const { runImportCommand } = await import('./import-command.ts');
      await runImportCommand(args);
    },
  },

  export: {
    usage: 'export CODE [--format json|csv|redcap|sdtm|fhir] [--out PATH] [--deidentify] [--force]',
    summary: 'write a study as a bundle (to stdout by default) or in an interchange format',
    help: `Write a stored study, read in one snapshot. Importing a bundle, csv or REDCap export gives
the same study back.

Options:
  --format F     json (default): the bundle (smp-study-bundle/1);
                 csv: tidy tables for R, Stata, SPSS and Python, with codebook.csv;
                 redcap: data_dictionary.csv, records.csv and study.json for a REDCap project;
                 sdtm: CDISC SDTM domains (DM, EX, AE, QS, FA) as Dataset-JSON 1.1 and CSV;
                 fhir: one FHIR R4 Bundle of type collection
  --out PATH     a path ending in .zip: a zip holding the files in one folder;
                 otherwise for json and fhir the file (default: stdout), and for csv, redcap
                 and sdtm a folder, made if needed (default: CODE-FORMAT/ here,
                 CODE-FORMAT-deidentified/ with --deidentify)
  --deidentify   de-identify with the study's key, as for a reviewer: codes and pigment lots
                 become pseudonyms, each participant's dates move back by their own 1-364 days,
                 free text goes, birth years of those aged 90 or more are top-coded; what
                 changed is printed on stderr
  --force        overwrite an existing file, or the export's files in an existing folder
                 (each replaced whole, never half-written); other files are left alone`,
    async run(args) {
      const { runExportCommand } = await import('./export-command.ts');
      await runExportCommand(args);
    },
  },

  studies: {
    usage: 'studies',
    summary: 'list studies with their record counts',
    help: 'List the stored studies with the number of records in each table.',
    async run(args) {
      if (args.length > 0) throw new UsageError(`studies takes no arguments (got "${args[0]}")`);
      const { listStudies } = await import('../services/study-service.ts');
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
  },

  backup: {
    usage: 'backup FILE [--force]',
    summary: 'write the whole store to one archive (smp-backup/1)',
    help: `Write every table of the store (studies and all their records, and whatever later versions
add) to FILE: one gzip archive, read in one consistent snapshot, with a checksum. It restores
into either kind of store, so it moves data from the embedded database to a PostgreSQL server.

Options:
  --force   overwrite FILE if it exists (it is replaced whole, never half-written)`,
    async run(args) {
      const { runBackupCommand } = await import('./backup-command.ts');
      await runBackupCommand(args);
    },
  },

  restore: {
    usage: 'restore FILE',
    summary: 'load an archive made by `smp backup` into an empty store',
    help: `Load an archive made by \`smp backup\` into the configured store, which must be empty: a new
PostgreSQL database (DATABASE_URL) or a new embedded data directory (SMP_DATA_DIR).
The whole archive is checked first (its format, structure and checksum, and the audit trail's
hash chains); a damaged one, or one whose audit trail was edited, is refused and nothing is written. Then every table is loaded in one transaction.

To move from the embedded database to PostgreSQL:
  smp backup store.smpbackup
  createdb smp && DATABASE_URL=postgres://localhost/smp smp restore store.smpbackup`,
    async run(args) {
      const { runRestoreCommand } = await import('./backup-command.ts');
      await runRestoreCommand(args);
    },
  },

  analyze: {
    usage: `analyze (FILE.json | --study CODE [--freeze ID]) [--format json|md|html|csv] [--out DIR]
          [--by site|indication|practitioner-experience]`,
    summary: 'summary statistics, a Markdown report, an HTML report with charts, or one CSV table',
    help: `The cohort summary (smp-analysis/1) of a bundle file or a stored study. A bundle file is
validated and analysed directly, with no database: the figures are the same as after importing it.

Options:
  --study CODE      analyse a stored study (read in one snapshot) instead of a file
  --freeze ID       with --study: that freeze of the study (smp freeze), byte for byte as it was
  --format F        json (default): the summary; md: a Markdown report with tables;
                    html: report.html (charts beside their tables) and one PNG per chart;
                    csv: the summary as one tidy table, a row per figure, group and method:
                    figure, group, n, N, estimate, lower, upper, method
  --out DIR         write analysis.json, report.md, analysis.csv or the HTML report into DIR
                    (html default: CODE-report/)
  --by DIMENSION    repeat every figure per site, indication or practitioner-experience`,
    async run(args) {
      const { runAnalyzeCommand } = await import('./analyze-command.ts');
      await runAnalyzeCommand(args);
    },
  },

  worklist: {
    usage: `worklist --study CODE [--as-of DATE] [--status S,…] [--site CODE,…] [--visit STEP,…]
          [--horizon DAYS] [--format table|csv|json|ics] [--out FILE] [--force]`,
    summary: "the follow-up worklist: each participant's treatment steps and scheduled visits with their windows and status",
    help: `Every step of every participant's schedule (session-K, touch-up, and the visits of the
protocol's "visits") with its target date, window and status as of a day: done, upcoming
(before the window), due (in it), overdue (after it), or withdrawn (the participant withdrew on
or before the window's last day without it). Overdue first, then due, upcoming, withdrawn, done;
then by target date, participant and step. Every status is listed unless --status narrows it.

Options:
  --study CODE      the stored study (read in one snapshot)
  --as-of DATE      the day statuses are judged on, YYYY-MM-DD (default: today in SMP_TIME_ZONE,
                    or the computer's time zone)
  --status S,…      only these statuses: overdue, due, upcoming, withdrawn, done
  --site CODE,…     only these sites' participants
  --visit STEP,…    only these steps: visit codes, session-K, touch-up
  --horizon DAYS    upcoming steps only when their window opens within DAYS of --as-of
  --format F        table (default); csv; json: {"asOf": DATE, "items": [rows]}, the rows of
                    GET /api/studies/CODE/worklist; ics: an iCalendar file of the upcoming and
                    due steps
  --out FILE        write to FILE instead of stdout (--force to overwrite it)`,
    async run(args) {
      const { runWorklistCommand } = await import('./worklist-command.ts');
      await runWorklistCommand(args);
    },
  },

  user: {
    usage: 'user (add|list|grant|revoke|enable|invite|token|tokens) …',
    summary: 'manage users, their roles and access, and API tokens',
    help: `Manage the people who sign in, as an administrator of the configured database.

  user add NAME --role ROLE [--study CODE [--site CODE]]... [--full-name TEXT] [--may-sign]
                                   create a user (admin, researcher, clinic, reviewer); prints an invite link
  user list                        users with their role, state and access
  user grant NAME [--role ROLE] [--study CODE [--site CODE]]... [--full-name TEXT] [--may-sign|--no-sign]
                                   change a role, full name or signing right; grant studies (sites: clinic only)
  user revoke NAME (--study CODE [--site CODE]... | --token ID | --all)
                                   revoke grants, one API token, or everything (disables the user)
  user enable|invite|tokens NAME   enable a disabled user; print a new invite link; list API tokens
  user token NAME [--expires DAYS] create an API token, printed alone on the last line`,
    async run(args) {
      const { runUserCommand } = await import('./user-command.ts');
      await runUserCommand(args);
    },
  },

  freeze: {
    usage: 'freeze --study CODE --label TEXT',
    summary: "freeze a study: keep its canonical bundle with an id, time, label and SHA-256; prints the id last",
    help: `Keep the study's canonical bundle as it is now, compressed, with its SHA-256 (never deleted).
smp analyze --study CODE --freeze ID reproduces its summary byte for byte, however the data change.
Prints the freeze's time and hash, then its id alone on the last line.`,
    async run(args) {
      const { runFreezeCommand } = await import('./freeze-command.ts');
      await runFreezeCommand(args);
    },
  },

  audit: {
    usage: 'audit verify [--study CODE]',
    summary: "recompute the audit trail's hash chains; names the first entry that breaks one (exit 1)",
    help: `Recompute the SHA-256 hash chain of the audit trail from the stored entries, in one snapshot:
each study's entries form a chain, and the changes outside any study (users, grants) another.
An entry that was changed, or removed, after it was written breaks its chain there.

Options:
  --study CODE   verify that study's chain only

When every chain holds, prints the number of entries verified and each chain's last entry and
hash (keep a copy elsewhere: a trail rewritten from before that entry no longer ends in it).
Otherwise names the first broken entry of each broken chain (its id, time and study) and exits 1.`,
    async run(args) {
      const { runAuditCommand } = await import('./audit-command.ts');
      await runAuditCommand(args);
    },
  },

  db: {
    usage: `db (migrate|roles) …
       smp db migrate
       smp db roles [--print] [--owner NAME] [--runtime NAME]`,
    summary: 'bring the schema up to date; on PostgreSQL, make the owner and runtime roles (--print: the SQL)',
    help: `  db migrate      bring the configured database to the current schema (every command does so
                  on start; run it as the owner role when the roles are split)
  db roles        PostgreSQL only, as a superuser: make an owner role, which owns the schema and
                  runs migrations, and a runtime role for \`smp serve\`, which reads and writes rows
                  and of the audit trail may only read and append (INSERT, SELECT); it owns nothing,
                  so it cannot switch off the trail's triggers

Options of db roles:
  --print          print the SQL instead of running it
  --owner NAME     the owner role (default smp_owner)
  --runtime NAME   the runtime role (default smp_app)`,
    async run(args) {
      const { runDbCommand } = await import('./db-command.ts');
      await runDbCommand(args);
    },
  },
};

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const USAGE = `Usage: smp <command> [options]

Commands:
${Object.entries(commands)
  .map(([, command]) => {
    // Further forms of a command (lines starting "smp …") are left to its own --help.
    const lines = command.usage.split('\n');
    const further = lines.findIndex((line) => line.trimStart().startsWith('smp '));
    const [first, ...rest] = further === -1 ? lines : lines.slice(0, further);
    return first!.length <= 31
      ? `  ${first!.padEnd(31)}  ${command.summary}`
      : [`  ${first}`, ...rest, `${' '.repeat(35)}${command.summary}`].join('\n');
  })
  .join('\n')}

Run \`smp COMMAND --help\` for a command's options, \`smp --version\` for the version.
Configuration: DATABASE_URL (PostgreSQL server; default: embedded database in SMP_DATA_DIR, ./data),
SMP_DB_CONNECT_TIMEOUT, PORT, HOST. Exit status: 0 success, 2 invalid input, 1 other failure.`;

const commandHelp = (name: string, command: Command) => `Usage: smp ${command.usage}\n\n${command.help}`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    // Called without a command: a usage error, on stderr.
    console.error(USAGE);
    return 2;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    console.log(`smp ${version()}`);
    return 0;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = args[0] === undefined ? undefined : commands[args[0]];
    console.log(topic ? commandHelp(args[0]!, topic) : USAGE);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command && (args.includes('--help') || args.includes('-h'))) {
    console.log(commandHelp(name, command));
    return 0;
  }
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`);
    await command.run(args);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(
        command
          ? `smp ${name}: ${error.message}\nUsage: smp ${command.usage}\nRun \`smp ${name} --help\` for its options.`
          : `smp: ${error.message}\n\n${USAGE}`,
      );
      return 2;
    }
    if (isAppError(error)) {
      const hint = error.kind === 'not_found' && /^study \S+ does not exist/.test(error.message) ? ' (`smp studies` lists the stored studies)' : '';
      console.error(`smp ${name}: ${errorReport(error)}${hint}`);
      return 2;
    }
    console.error(`smp ${name}: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.SMP_DEBUG) console.error(error);
    return 1;
  }
}

const status = await main(process.argv.slice(2));
if (process.argv[2] === 'serve' && status === 0) {
  // The server runs on; it exits when it is stopped.
} else {
  // The command's work, the closing of its database included, has ended. The embedded database
  // leaves a timer armed after it recovers a store that a killed process left behind, which would
  // keep the finished command waiting for ever; so the command exits now (its output to a file or
  // pipe is written synchronously).
  process.exit(status);
}
