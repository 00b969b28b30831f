// What every mutation-testing config shares (test/mutation/*.config.mjs, run one after another by
// npm run test:mutation). Stryker 9 (the last for Node 20) with the command runner: its mocha
// runner needs mocha < 12. One mutant at a time on a 2-core machine, so each group names only the
// few fast unit tests that decide its mutants, and mocha stops at the first failure (--bail).

/**
 * A Stryker config for one group of files.
 * @param {{ mutate: string[], tests: string[], grep?: string, skip?: string[] }} group files (or
 *   `file:from-to` line ranges) to mutate, the unit test files that decide them, optionally which
 *   tests, and which of Stryker's mutators to leave out (e.g. `StringLiteral`, whose mutants of a
 *   file of refusals are mostly the refusals' wording)
 */
export function mutationConfig({ mutate, tests, grep, skip = [] }) {
  const only = grep ? ` --grep "${grep}"` : '';
  /** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
  const config = {
    mutate,
    testRunner: 'command',
    commandRunner: {
      // mocha's own script under node, not npx: a second less per mutant.
      command: `node node_modules/mocha/bin/mocha.js --no-config --import=tsx --extension ts --bail ${tests.join(' ')}${only}`,
    },
    mutator: { excludedMutations: skip },
    coverageAnalysis: 'off',
    concurrency: 1,
    timeoutMS: 60_000,
    reporters: ['clear-text', 'progress'],
    // TypeScript 7 is native and has no JavaScript API for Stryker's tsconfig rewriting, which a
    // sandbox copied whole does not need: point it at no file.
    tsconfigFile: 'test/mutation/no-tsconfig.json',
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
    thresholds: { high: 90, low: 80, break: null },
  };
  return config;
}
