// Reads that overlap a replace: back-to-back `replace` imports alternate two versions of one
// study while concurrent exports, analyses and listings run. Every read must be one of the two
// versions whole; a read that mixes them (a study row with no participants, participants with
// no sessions, `enrolled: 0`) is a wrong answer.
import { expect } from 'chai';
import { sql } from 'kysely';
import { analyzeStudy } from '../../api/services/analysis-service.ts';
import { exportBundle, importBundle } from '../../api/services/study-bundle-service.ts';
import { listStudies } from '../../api/services/study-service.ts';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';

const CODE = 'RACE-1';
const REPLACES = 40;
const READERS = 4;

/** Two versions of one study that differ in every table's row count. */
function versions(): [StudyBundle, StudyBundle] {
  const a = generateCohort({ seed: 11, participants: 60, code: CODE });
  const b = generateCohort({ seed: 12, participants: 35, sites: 3, code: CODE });
  a.study.title = 'Version A';
  b.study.title = 'Version B';
  return [a, b];
}

describe(`reads that overlap a replace (${DRIVER})`, function () {
  this.timeout(180_000);
  let db: TestDb;

  before(async () => {
    db = await freshDb();
  });
  after(async () => {
    await db?.dispose();
  });

  it('runs a snapshot read-only: a write inside it is refused', async () => {
    let refused: unknown;
    try {
      await db.readSnapshot((kysely) => sql`create table snapshot_probe (x int)`.execute(kysely));
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).to.match(/read-only transaction/);
    const probe = await sql<{ n: string }>`select count(*)::text as n from pg_tables where tablename = 'snapshot_probe'`.execute(db.kysely);
    expect(probe.rows[0]!.n).to.equal('0');
  });

  // PGlite has one session, which a snapshot holds: a write beside it would wait for it to end.
  if (DRIVER === 'postgres') {
    it('shares one snapshot among several connections: a change committed meanwhile is seen by none', async () => {
      await sql`create table snapshot_share (x int)`.execute(db.kysely);
      try {
        const count = async (kysely: typeof db.kysely) => {
          const { rows } = await sql<{ n: string; pid: number }>`select count(*)::text as n, pg_backend_pid() as pid from snapshot_share`.execute(kysely);
          return rows[0]!;
        };
        const seen = await db.readSnapshot(
          async (kysely) => {
            const before = await count(kysely);
            await sql`insert into snapshot_share values (1)`.execute(db.kysely);
            return [before, ...(await Promise.all([count(kysely), count(kysely), count(kysely)]))];
          },
          { connections: 3 },
        );
        expect(seen.map((s) => s.n)).to.deep.equal(['0', '0', '0', '0']);
        expect(new Set(seen.slice(1).map((s) => s.pid)).size, 'connections').to.equal(3);
        expect((await count(db.kysely)).n).to.equal('1');
        let refused: unknown;
        try {
          await db.readSnapshot((kysely) => Promise.all([count(kysely), sql`insert into snapshot_share values (2)`.execute(kysely)]), { connections: 2 });
        } catch (error) {
          refused = error;
        }
        expect(String(refused)).to.match(/read-only transaction/);
      } finally {
        await sql`drop table snapshot_share`.execute(db.kysely);
      }
    });

    it('reads twelve shared snapshots at once without taking the whole pool: each one sees the same data', async function () {
      this.timeout(30_000);
      // Each would hold a connection of the pool's ten while waiting for two more: all twelve at
      // once would wait on each other until the pool's time limit. One shares at a time; the rest
      // read on one connection.
      const reads = await Promise.all(
        Array.from({ length: 12 }, () =>
          db.readSnapshot(
            async (kysely) => {
              const rows = await Promise.all(
                [1, 2, 3].map(async () => (await sql<{ n: number }>`select 1 + 1 as n from pg_sleep(0.05)`.execute(kysely)).rows[0]!.n),
              );
              return rows;
            },
            { connections: 3 },
          ),
        ),
      );
      expect(reads).to.deep.equal(Array.from({ length: 12 }, () => [2, 2, 2]));
    });
  }

  it('sees one version whole in every export, analysis and listing (0 wrong reads)', async () => {
    const [a, b] = versions();
    const expected: Record<'A' | 'B', { bundle: string; analysis: string; listing: string }> = {} as never;
    const listingOf = async () =>
      JSON.stringify((await listStudies(db)).map(({ importedAt: _importedAt, ...counts }) => counts));
    for (const [name, bundle] of [['A', a], ['B', b]] as const) {
      await importBundle(db, bundle, { replace: true });
      expected[name] = {
        bundle: JSON.stringify(await exportBundle(db, CODE)),
        analysis: JSON.stringify(await analyzeStudy(db, CODE)),
        listing: await listingOf(),
      };
    }
    expect(expected.A.bundle).not.to.equal(expected.B.bundle);
    expect(expected.A.analysis).not.to.equal(expected.B.analysis);
    expect(expected.A.listing).not.to.equal(expected.B.listing);

    let replacing = true;
    const seen = { A: 0, B: 0 };
    const wrong: string[] = [];
    const classify = (kind: 'bundle' | 'analysis' | 'listing', text: string) => {
      if (text === expected.A[kind]) seen.A++;
      else if (text === expected.B[kind]) seen.B++;
      else wrong.push(`${kind}: ${text.slice(0, 160)}`);
    };

    const replacer = (async () => {
      try {
        for (let i = 0; i < REPLACES; i++) await importBundle(db, i % 2 === 0 ? a : b, { replace: true });
      } finally {
        replacing = false;
      }
    })();
    const reader = async (offset: number) => {
      for (let i = offset; replacing; i++) {
        const kind = (['bundle', 'analysis', 'listing'] as const)[i % 3]!;
        if (kind === 'bundle') classify(kind, JSON.stringify(await exportBundle(db, CODE)));
        else if (kind === 'analysis') classify(kind, JSON.stringify(await analyzeStudy(db, CODE)));
        else classify(kind, await listingOf());
      }
    };
    await Promise.all([replacer, ...Array.from({ length: READERS }, (_, i) => reader(i))]);

    expect(wrong, `${wrong.length} wrong reads of ${wrong.length + seen.A + seen.B}; first: ${wrong[0]}`).to.deep.equal([]);
    // The reads really overlapped the replaces: both versions were seen, many times.
    expect(seen.A, 'reads of version A').to.be.greaterThan(5);
    expect(seen.B, 'reads of version B').to.be.greaterThan(5);
  });
});
