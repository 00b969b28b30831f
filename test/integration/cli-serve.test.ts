// `smp serve` and the other commands side by side: a port in use fails at once and holds
// nothing (not even the embedded database's lock); requests that arrive while the database
// opens are told to retry; and with the server running, a second command works beside it.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { bindServer } from '../../api/server.ts';
import { smallBundle } from '../support/bundles.ts';
import { createServerDatabase, DRIVER, freshDb, SERVER_URL } from '../support/database.ts';
import { adminTokenInStore } from '../support/users.ts';

const SMP = fileURLToPath(new URL('../../api/bin/smp.js', import.meta.url));

describe(`smp serve beside other commands (${DRIVER})`, function () {
  this.timeout(120_000);
  let work: string;
  let env: NodeJS.ProcessEnv;
  let dropDatabase: (() => Promise<void>) | undefined;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-serve-test-'));
    env = { ...process.env, SMP_DATA_DIR: path.join(work, 'data'), DATABASE_URL: '' };
    if (SERVER_URL) {
      const database = await createServerDatabase();
      env.DATABASE_URL = database.url;
      dropDatabase = database.drop;
    }
  });
  after(async () => {
    await dropDatabase?.();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('exits 1 at once on a port in use, before opening the database, and holds nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const started = performance.now();
      const run = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [SMP, 'serve', '--port', String(port)], { env });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('exit', (status) => resolve({ status, stderr }));
      });
      const seconds = (performance.now() - started) / 1000;
      expect(run.status).to.equal(1);
      expect(run.stderr.trim()).to.equal(
        `smp serve: port ${port} on 127.0.0.1 is in use; choose another: \`npm start -- --port N\`, \`smp serve --port N\` or \`PORT=N npm start\``,
      );
      // It did not wait for the database (seconds on the embedded one): it never opened it.
      expect(seconds).to.be.below(5);
      expect(fs.existsSync(path.join(env.SMP_DATA_DIR!, 'smp.lock'))).to.equal(false);
      expect(fs.existsSync(env.SMP_DATA_DIR!)).to.equal(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('takes the port from `npm start -- --port N`, as the port-in-use message says', async () => {
    const blockers = [net.createServer(), net.createServer()];
    for (const blocker of blockers) await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const [port, other] = blockers.map((blocker) => (blocker.address() as net.AddressInfo).port);
    try {
      // Both ports are in use, so the message names the one the server tried: N, not PORT.
      const run = spawnSync('npm', ['start', '--silent', '--', '--port', String(port)], {
        cwd: path.dirname(path.dirname(path.dirname(SMP))),
        env: { ...env, PORT: String(other) },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).to.equal(1);
      expect(run.stderr).to.include(`smp serve: port ${port} on 127.0.0.1 is in use; choose another: \`npm start -- --port N\``);
    } finally {
      for (const blocker of blockers) await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('answers 503 with Retry-After until the database is open, then serves', async () => {
    const server = await bindServer({ host: '127.0.0.1', port: 0 });
    const db = await freshDb();
    try {
      const early = await fetch(`${server.url}api/health`);
      expect(early.status).to.equal(503);
      expect(early.headers.get('retry-after')).to.equal('1');
      expect(((await early.json()) as { title: string }).title).to.equal('starting');
      await server.serve(db);
      const ready = await fetch(`${server.url}api/health`);
      expect(ready.status).to.equal(200);
      expect(await ready.json()).to.deep.equal({ status: 'ok', database: DRIVER });
    } finally {
      await server.close();
      await db.dispose();
    }
  });

  async function startServe(): Promise<{ child: ChildProcessWithoutNullStreams; url: string; token: string }> {
    // An administrator's token, made while no server holds the store.
    const token = await adminTokenInStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.SMP_DATA_DIR });
    const child = spawn(process.execPath, [SMP, 'serve', '--port', '0'], { env });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /SMP outcomes tracker: (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    return { child, url, token };
  }

  it('imports with `smp import` while the server runs on the same database (embedded: through its socket)', async () => {
    const file = path.join(work, 'serve-1.json');
    fs.writeFileSync(file, JSON.stringify(smallBundle('SERVE-1')));
    const { child, url, token } = await startServe();
    try {
      const run = spawnSync(process.execPath, [SMP, 'import', file], { env, encoding: 'utf8' });
      const listed = ((await (await fetch(`${url}api/studies`, { headers: { authorization: `Bearer ${token}` } })).json()) as { studies: Array<{ code: string }> }).studies.map((s) => s.code);
      expect(run.status, run.stderr).to.equal(0);
      expect(listed).to.deep.equal(['SERVE-1', 'SMP-2021']);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    // Once the server has stopped, the embedded database is free again.
    const after = spawnSync(process.execPath, [SMP, 'import', file, '--replace'], { env, encoding: 'utf8' });
    expect(after.status, after.stderr).to.equal(0);
    expect(fs.existsSync(path.join(env.SMP_DATA_DIR!, 'smp.lock'))).to.equal(false);
  });
});
