// Properties of the import, on generated bundles (fast-check): a valid bundle imports and
// exports back equal (in canonical order); the same bundle with one field given a value of the
// wrong type is refused with that field's path and writes nothing. `npm run test:fuzz` runs
// them many more times (FUZZ_RUNS).
import { expect } from 'chai';
import fc from 'fast-check';
import { AppError } from '../../api/errors.ts';
import { canonicalOrder } from '../../api/schemas/bundle-order.ts';
import { formatPath } from '../../api/schemas/problems.ts';
import { validateBundle } from '../../api/schemas/validate-bundle.ts';
import { exportBundle, importBundle } from '../../api/services/study-bundle-service.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { leafPaths, runs, validBundle, wrongType } from './bundle-arbitrary.ts';

describe(`bundle properties (${DRIVER})`, function () {
  this.timeout(Number(process.env.FUZZ_RUNS ?? 0) > 100 ? 3_600_000 : 60_000);
  let db: TestDb;
  let studies = 0;
  before(async () => {
    db = await freshDb();
  });
  after(async () => {
    await db?.dispose();
  });

  it('generates bundles the validator accepts (so the properties below test what they say)', () => {
    fc.assert(
      fc.property(validBundle('PROP-CHECK'), (bundle) => {
        const result = validateBundle(bundle);
        expect(result.ok, result.ok ? '' : JSON.stringify(result.problems)).to.equal(true);
      }),
      { numRuns: runs(200) },
    );
  });

  it('imports a valid bundle and exports it back equal', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => validBundle(`PROP-${++studies}`)),
        async (bundle) => {
          const expected = canonicalOrder(structuredClone(bundle));
          await importBundle(db, bundle);
          expect(await exportBundle(db, bundle.study.code)).to.deep.equal(expected);
        },
      ),
      { numRuns: runs(25) },
    );
  });

  it('refuses a bundle with one field of the wrong type, naming that field, and writes nothing', async () => {
    const before = await tableCounts(db);
    await fc.assert(
      fc.asyncProperty(
        validBundle('PROP-BROKEN').chain((bundle) => {
          const paths = leafPaths(bundle);
          return fc.record({ bundle: fc.constant(bundle), path: fc.constantFrom(...paths) });
        }),
        async ({ bundle, path }) => {
          const broken = structuredClone(bundle) as unknown as Record<string | number, unknown>;
          let parent = broken;
          for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string | number, unknown>;
          parent[path.at(-1)!] = wrongType(parent[path.at(-1)!]);

          const error = await importBundle(db, broken).then(
            () => expect.fail(`accepted with ${formatPath(path)} broken`),
            (e: unknown) => e,
          );
          expect(error).to.be.instanceOf(AppError);
          expect((error as AppError).kind).to.equal('validation');
          expect((error as AppError).problems.map((p) => p.path)).to.include(formatPath(path));
          expect(await tableCounts(db)).to.deep.equal(before);
        },
      ),
      { numRuns: runs(100) },
    );
  });
});
