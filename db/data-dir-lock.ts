// PGlite is a single-process database: two processes opening one data directory corrupt it.
// A lock file naming the owner (pid, command, and the server's address when it serves) keeps a
// second `smp` process out with a message that says what to do instead.
import fs from 'node:fs';
import path from 'node:path';

const LOCK_FILE = 'smp.lock';

/** Who holds the data directory, as another process's message describes it. */
export interface LockHolder {
  /** The command line, e.g. `smp serve`. */
  command: string;
  /** The address of the server holding it, for `smp serve`. */
  url?: string | undefined;
  /** Whether it answers other local commands on the data directory's socket (`smp serve`). */
  servesSocket?: boolean | undefined;
}

interface LockRecord extends LockHolder {
  pid: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's owner: JSON, or the bare pid that earlier versions wrote. */
function readLock(lockPath: string): LockRecord | null {
  const text = fs.readFileSync(lockPath, 'utf8').trim();
  try {
    const record = JSON.parse(text) as Partial<LockRecord> | number;
    if (typeof record === 'number') return { pid: record, command: 'smp' };
    if (Number.isInteger(record.pid) && record.pid! > 0) {
      return { pid: record.pid!, command: record.command ?? 'smp', url: record.url, servesSocket: record.servesSocket === true };
    }
  } catch {
    // not a lock this program wrote: treated as no owner
  }
  return null;
}

/**
 * The live process holding `dataDir` that answers local commands on its socket, or null when
 * none does (no lock, a lock left by a process that has ended, or a holder without a socket).
 */
export function serverHolding(dataDir: string): { pid: number; url?: string | undefined } | null {
  let owner: LockRecord | null;
  try {
    owner = readLock(path.join(dataDir, LOCK_FILE));
  } catch {
    return null; // no lock
  }
  if (!owner || !owner.servesSocket || !isAlive(owner.pid)) return null;
  return { pid: owner.pid, url: owner.url };
}

/** The message for a data directory held by another live process: who holds it and what to do. */
export function dataDirInUseMessage(dataDir: string, owner: LockRecord): string {
  const lines = [`the embedded database in ${dataDir} is in use by another process: ${owner.command} (pid ${owner.pid})${owner.url ? ` at ${owner.url}` : ''}.`];
  lines.push('The embedded database serves one process at a time. Either:');
  if (owner.url) {
    lines.push(`  - stop that server (Ctrl-C in its terminal) and run this command again; or`);
  } else {
    lines.push(`  - wait for that command to finish and run this one again; or`);
  }
  lines.push(
    '  - run the server and the commands on a PostgreSQL server instead: set DATABASE_URL=postgres://… for both',
    '    (`smp backup FILE` here, then `smp restore FILE` with DATABASE_URL set, moves the data over).',
  );
  if (owner.url) lines.push(`Meanwhile the server's page at ${owner.url} imports bundles and downloads each study's bundle, analysis and report.`);
  return lines.join('\n');
}

/** Take the data directory for this process; returns the release function. */
export function lockDataDir(dataDir: string, holder: LockHolder = { command: 'smp' }): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_FILE);
  const record: LockRecord = { pid: process.pid, ...holder };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // Written whole under another name, then linked into place: linking fails if the lock
      // exists, and a reader never sees a half-written owner.
      const temporary = `${lockPath}.${process.pid}`;
      fs.writeFileSync(temporary, `${JSON.stringify(record)}\n`);
      try {
        fs.linkSync(temporary, lockPath);
      } finally {
        fs.rmSync(temporary, { force: true });
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          if (readLock(lockPath)?.pid === process.pid) fs.unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readLock(lockPath);
      if (owner && owner.pid !== process.pid && isAlive(owner.pid)) throw new Error(dataDirInUseMessage(dataDir, owner));
      fs.unlinkSync(lockPath); // left behind by a process that has ended
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}
