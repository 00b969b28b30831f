// `smp serve` and the other commands side by side: a port in use fails at once and holds
// nothing (not even the embedded database's lock); requests that arrive while the database
// opens are told to retry; and with the server running, a second command works beside it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { bindServer } from '../../api/server.ts';
import { smallBundle } from '../support/bundles.ts';
import { runSmp, runSmpBeside, SMP, useCliWorkspace } from '../support/cli-workspace.ts';
import { DRIVER, freshDb } from '../support/database.ts';
import { startServe } from '../support/server-process.ts';
import { adminTokenInStore } from '../support/users.ts';

describe(`smp serve beside other commands (${DRIVER})`, function () {
  this.timeout(120_000);
  const cli = useCliWorkspace('smp-serve-test-');

  it('exits 1 at once on a port in use, before opening the database, and holds nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const started = performance.now();
      const run = await runSmpBeside(cli.env, ['serve', '--port', String(port)]);
      const seconds = (performance.now() - started) / 1000;
      expect(run.status).to.equal(1);
      expect(run.stderr.trim()).to.equal(
        `smp serve: port ${port} on 127.0.0.1 is in use; choose another: \`npm start -- --port N\`, \`smp serve --port N\` or \`PORT=N npm start\``,
      );
      // It did not wait for the database (seconds on the embedded one): it never opened it.
      expect(seconds).to.be.below(5);
      expect(fs.existsSync(path.join(cli.env.SMP_DATA_DIR!, 'smp.lock'))).to.equal(false);
      expect(fs.existsSync(cli.env.SMP_DATA_DIR!)).to.equal(false);
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
        env: { ...cli.env, PORT: String(other) },
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

  it('imports with `smp import` while the server runs on the same database (embedded: through its socket)', async () => {
    const file = path.join(cli.dir, 'serve-1.json');
    fs.writeFileSync(file, JSON.stringify(smallBundle('SERVE-1')));
    // An administrator's token, made while no server holds the store.
    const token = await adminTokenInStore(cli.store);
    const served = await startServe(cli.env);
    const { url } = served;
    try {
      const run = runSmp(cli.env, ['import', file]);
      const listed = ((await (await fetch(`${url}api/studies`, { headers: { authorization: `Bearer ${token}` } })).json()) as { studies: Array<{ code: string }> }).studies.map((s) => s.code);
      expect(run.status, run.stderr).to.equal(0);
      expect(listed).to.deep.equal(['SERVE-1', 'SMP-2021']);
    } finally {
      await served.stop();
    }
    // Once the server has stopped, the embedded database is free again.
    const after = runSmp(cli.env, ['import', file, '--replace']);
    expect(after.status, after.stderr).to.equal(0);
    expect(fs.existsSync(path.join(cli.env.SMP_DATA_DIR!, 'smp.lock'))).to.equal(false);
  });
});
