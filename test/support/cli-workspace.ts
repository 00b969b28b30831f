// The `smp` command as users run it, for the command-line tests: a real process (waited for, or
// run beside the test), and a temporary working folder with its own store — an embedded data
// directory in the folder, or a new database on the PostgreSQL server — removed afterwards.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServerDatabase, migratedServerTemplate, SERVER_URL } from './database.ts';

/** The `smp` command's script, as `npm start` and the installed `smp` run it. */
export const SMP = fileURLToPath(new URL('../../api/bin/smp.js', import.meta.url));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  maxBuffer?: number;
  /** Milliseconds after which the command is stopped (its status is then null). */
  timeout?: number;
}

/** Runs `smp ARGS…` to its end with exactly `env`, and returns its exit status and output. */
export function runSmp(env: NodeJS.ProcessEnv, args: readonly string[], options: RunOptions = {}): CliRun {
  const result = spawnSync(process.execPath, [SMP, ...args], { env, encoding: 'utf8', ...options });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `smp ARGS…` without blocking this process, so that the test goes on meanwhile (HTTP writes, timers). */
export function runSmpBeside(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SMP, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The store an `smp` environment names, as `openDb` and `openMigratedDb` take it. */
export function storeOf(env: NodeJS.ProcessEnv): { databaseUrl: string | undefined; dataDir: string | undefined } {
  return { databaseUrl: env.DATABASE_URL || undefined, dataDir: env.SMP_DATA_DIR };
}

export interface CliWorkspace {
  /** The temporary working folder: the commands' working directory, and where `write` puts files. */
  dir: string;
  /**
   * The environment of the workspace's store: SMP_DATA_DIR in the folder, and DATABASE_URL a new
   * database on server runs ('' on embedded runs, so that the caller's own setting is not used).
   */
  env: NodeJS.ProcessEnv;
  /** The workspace's store as `openDb` and `openMigratedDb` take it, to work on it in this process. */
  readonly store: { databaseUrl: string | undefined; dataDir: string | undefined };
  /** Runs `smp ARGS…` in the folder on the workspace's store. */
  smp(...args: string[]): CliRun;
  /** Writes a file into the folder (objects as JSON) and returns its path. */
  write(name: string, content: unknown): string;
  /** Another store of the configured kind (a new database, or the data directory `name` in the folder), with its environment. */
  newStore(name: string): Promise<NodeJS.ProcessEnv>;
}

export interface WorkspaceOptions {
  /** Variables added to the store's environment, e.g. `{ PORT: '' }`. */
  env?: NodeJS.ProcessEnv;
  maxBuffer?: number;
  /**
   * The workspace's server databases start migrated and empty, as after their first `smp`
   * command: copies of the migrated template database. Leave it off where a test is about what
   * the first command on a new store does. (A new embedded data directory is a copy of the
   * product's own migrated empty store either way: db/store-template.ts.)
   */
  migrated?: boolean;
}

/**
 * A CLI workspace for the tests of the enclosing `describe`: made before them, removed (folder and
 * databases) after them.
 */
export function useCliWorkspace(prefix: string, options: WorkspaceOptions = {}): CliWorkspace {
  const drops: Array<() => Promise<void>> = [];
  /** A new database on the server, migrated or empty. */
  const serverStore = async () => {
    const database = await createServerDatabase(options.migrated ? await migratedServerTemplate() : undefined);
    drops.push(database.drop);
    return database.url;
  };
  const workspace: CliWorkspace = {
    dir: '',
    env: {},
    get store() {
      return storeOf(workspace.env);
    },
    smp: (...args) => runSmp(workspace.env, args, { cwd: workspace.dir, ...(options.maxBuffer ? { maxBuffer: options.maxBuffer } : {}) }),
    write(name, content) {
      const file = path.join(workspace.dir, name);
      fs.writeFileSync(file, typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content));
      return file;
    },
    async newStore(name) {
      if (!SERVER_URL) return { ...workspace.env, SMP_DATA_DIR: path.join(workspace.dir, name) };
      return { ...workspace.env, DATABASE_URL: await serverStore() };
    },
  };
  before(async () => {
    workspace.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    workspace.env = {
      ...process.env,
      SMP_DATA_DIR: path.join(workspace.dir, 'data'),
      DATABASE_URL: '',
      ...options.env,
    };
    if (SERVER_URL) workspace.env.DATABASE_URL = await serverStore();
  });
  after(async () => {
    for (const drop of drops.splice(0)) await drop();
    if (workspace.dir) fs.rmSync(workspace.dir, { recursive: true, force: true });
  });
  return workspace;
}
