// Stopping `smp serve` (SIGTERM, as a service manager does) finishes the requests under way: an
// import that is being written completes and is kept, then the process exits 0.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { openMigratedDb } from '../../db/migrate.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { listStudies } from '../../api/services/study-service.ts';
import { createServerDatabase, DRIVER, SERVER_URL } from '../support/database.ts';
import { adminTokenInStore } from '../support/users.ts';

const SMP = fileURLToPath(new URL('../../api/bin/smp.js', import.meta.url));

describe(`graceful shutdown of smp serve (${DRIVER})`, function () {
  this.timeout(120_000);
  let work: string;
  let drop: (() => Promise<void>) | undefined;
  const store: { databaseUrl?: string; dataDir?: string } = {};

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-shutdown-'));
    if (SERVER_URL) {
      const database = await createServerDatabase();
      store.databaseUrl = database.url;
      drop = database.drop;
    } else {
      store.dataDir = path.join(work, 'data');
    }
  });
  after(async () => {
    await drop?.();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('finishes an import under way when stopped, keeps it, and exits 0', async () => {
    const token = await adminTokenInStore(store);
    const env = { ...process.env, DATABASE_URL: store.databaseUrl ?? '', SMP_DATA_DIR: store.dataDir ?? path.join(work, 'unused') };
    const child = spawn(process.execPath, [SMP, 'serve', '--port', '0'], { env });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /SMP outcomes tracker: (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const body = JSON.stringify(generateCohort({ seed: 9, participants: 3000, code: 'STOP-1' }));
    let answered = false;
    const answer = fetch(`${url}api/studies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    }).then((response) => {
      answered = true;
      return response;
    });
    // Stop the server while the import is under way, and confirm that it was: no answer yet.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered, 'the import was still under way when SIGTERM was sent').to.equal(false);
    child.kill('SIGTERM');
    const response = await answer;
    expect(response.status).to.equal(201);
    expect(((await response.json()) as { code: string }).code).to.equal('STOP-1');
    expect(await exited).to.equal(0);
    const db = await openMigratedDb(store);
    try {
      expect((await listStudies(db)).find((s) => s.code === 'STOP-1')?.participants).to.equal(3000);
    } finally {
      await db.close();
    }
  });
});
