// A new embedded data directory starts as a copy of an empty store already migrated, kept in
// node_modules/.cache: making a cluster (PGlite's initdb) and running every migration on it took
// about 10 s of CPU, a copy of the 40 MB of files takes a tenth of a second. The first new store
// on a machine is made the long way, and its files, right after its migrations and before
// anything else is written, become the template. The template's name holds a hash of PGlite's
// version and of every migration's source, so a new release of either makes a new one.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'smp-outcomes-tracker');

/** PostgreSQL's own files in a data directory; not its lock (postmaster.pid), nor ours (smp.lock, socket/). */
const CLUSTER_FILE = /^(PG_VERSION|base|global|pg_[a-z_]+|pg_(hba|ident)\.conf|postgresql(\.auto)?\.conf)$/;

let cachedPath: string | null | undefined;

/** Where the template of the current migrations and PGlite lives (whether or not it exists yet); null when that cannot be told. */
export function storeTemplatePath(): string | null {
  if (cachedPath !== undefined) return cachedPath;
  try {
    // The version of the template's own making: a change to how it is made makes a new one.
    const hash = createHash('sha256').update('closed-store-2');
    const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    hash.update(fs.readFileSync(path.join(path.dirname(pglite), '..', 'package.json')));
    for (const file of fs.readdirSync(MIGRATIONS).sort()) hash.update(file).update(fs.readFileSync(path.join(MIGRATIONS, file)));
    cachedPath = path.join(CACHE, `empty-store-${hash.digest('hex').slice(0, 16)}`);
  } catch {
    cachedPath = null;
  }
  return cachedPath;
}

/** Whether `dataDir` holds no cluster yet: a new store (the lock file and the socket folder may be there). */
export const holdsNoCluster = (dataDir: string) => !fs.existsSync(path.join(dataDir, 'PG_VERSION'));

/**
 * Copy the template's files into the new data directory `dataDir`, which this process holds
 * (its lock); true when copied, false when there is no template. A copy that fails is removed,
 * and the store is then made the long way.
 */
export function copyStoreTemplate(dataDir: string, template = storeTemplatePath()): boolean {
  if (template === null || !fs.existsSync(path.join(template, 'PG_VERSION'))) return false;
  const names = fs.readdirSync(template);
  // Only into a directory that holds none of a cluster's files: nothing of the user's is replaced or removed.
  if (names.some((name) => fs.existsSync(path.join(dataDir, name)))) return false;
  try {
    for (const name of names) fs.cpSync(path.join(template, name), path.join(dataDir, name), { recursive: true });
    return true;
  } catch {
    for (const name of names) fs.rmSync(path.join(dataDir, name), { recursive: true, force: true });
    return false;
  }
}

/**
 * Keep the cluster files of `dataDir`, a store just made and migrated and not yet written to, as
 * the template. The caller has closed it: a cluster shut down cleanly opens without a recovery
 * (a copy of a running one would recover on every open, and PostgreSQL's recovery leaves a
 * timer behind in PGlite that keeps a process from exiting when nothing else runs). Written to a
 * folder of its own and renamed into place, so that a reader never sees half a template; when
 * another process got there first, or the cache cannot be written, nothing happens.
 */
export function saveStoreTemplate(dataDir: string, template = storeTemplatePath()): void {
  if (template === null || fs.existsSync(template)) return;
  const temporary = `${template}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(temporary, { recursive: true });
    for (const name of fs.readdirSync(dataDir)) {
      if (CLUSTER_FILE.test(name)) fs.cpSync(path.join(dataDir, name), path.join(temporary, name), { recursive: true });
    }
    fs.renameSync(temporary, template);
    // Templates of earlier migrations or PGlite releases are never used again.
    const folder = path.dirname(template);
    for (const name of fs.readdirSync(folder)) {
      if (/^empty-store-[0-9a-f]+$/.test(name) && path.join(folder, name) !== template) fs.rmSync(path.join(folder, name), { recursive: true, force: true });
    }
  } catch {
    // A cache, not a store: without it the next new store is made the long way.
  } finally {
    fs.rmSync(temporary, { recursive: true, force: true });
  }
}
