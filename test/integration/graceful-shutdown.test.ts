// Stopping `smp serve` (SIGTERM, as a service manager does) finishes the requests under way: an
// import that is being written completes and is kept, then the process exits 0.
import { expect } from 'chai';
import { openMigratedDb } from '../../db/migrate.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { listStudies } from '../../api/services/study-service.ts';
import { useCliWorkspace } from '../support/cli-workspace.ts';
import { DRIVER } from '../support/database.ts';
import { startServe } from '../support/server-process.ts';
import { adminTokenInStore } from '../support/users.ts';

describe(`graceful shutdown of smp serve (${DRIVER})`, function () {
  this.timeout(120_000);
  const cli = useCliWorkspace('smp-shutdown-');

  it('finishes an import under way when stopped, keeps it, and exits 0', async () => {
    const token = await adminTokenInStore(cli.store);
    const served = await startServe(cli.env);
    const { url, exited } = served;
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
    served.child.kill('SIGTERM');
    const response = await answer;
    expect(response.status).to.equal(201);
    expect(((await response.json()) as { code: string }).code).to.equal('STOP-1');
    expect(await exited).to.equal(0);
    const db = await openMigratedDb(cli.store);
    try {
      expect((await listStudies(db)).find((s) => s.code === 'STOP-1')?.participants).to.equal(3000);
    } finally {
      await db.close();
    }
  });
});
