// Mutation testing of the files that hold the rules (npm run test:mutation): Stryker changes one
// operator, condition or literal at a time and runs the focused tests below; a change no test
// notices (a surviving mutant) marks a rule that is not really tested. Not part of npm test.
// Stryker 9 (the last for Node 20) with the command runner: its mocha runner needs mocha < 12.
// The scope is narrow on purpose: each mutant runs the command once, on a 2-core machine.
const unitTests = [
  'test/unit/services/versions.test.ts',
  'test/unit/services/small-cell-suppression.test.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ['api/services/versions.ts', 'api/services/small-cell-suppression.ts'],
  testRunner: 'command',
  commandRunner: {
    // The complementary-suppression proofs take minutes each: the threshold tests and the
    // hand-worked cases decide every mutant of these files.
    command: `npx mocha --no-config --node-option import=tsx --extension ts --bail ${unitTests.join(' ')} --grep "requireVersion|at the threshold|rates by site|infinite threshold|threshold of 0|hides events, anyEvent|marks the group"`,
  },
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
