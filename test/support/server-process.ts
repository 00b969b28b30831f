// `smp serve` as a real process for the tests: started on a free port with a given environment,
// ready once it has printed its address, and stopped by a signal, waiting for its exit.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { SMP } from './cli-workspace.ts';

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  /** The address it printed, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  /** Everything it printed on stdout until it was ready. */
  out: string;
  /** Its exit status, once it exits. */
  exited: Promise<number | null>;
  /** Sends `signal` (SIGTERM unless told) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `smp serve --port 0` with exactly `env`; resolves once stdout matches `until` (by default
 * the line with the address), and rejects, with what it printed on stderr, if it exits before.
 */
export async function startServe(env: NodeJS.ProcessEnv, until = /SMP outcomes tracker: http:\/\/\S+/): Promise<ServeProcess> {
  const child = spawn(process.execPath, [SMP, 'serve', '--port', '0'], { env });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let out = '';
  let err = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (until.test(out)) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  const url = /SMP outcomes tracker: (http:\/\/\S+)/.exec(out)?.[1];
  if (url === undefined) throw new Error(`serve printed no address: ${out}`);
  return {
    child,
    url,
    out,
    exited,
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      return exited;
    },
  };
}
