// Mutation testing of the files that hold the rules (npm run test:mutation): Stryker changes one
// operator, condition or literal at a time and runs the focused tests below; a change no test
// notices (a surviving mutant) marks a rule that is not really tested. Not part of npm test.
// This group: optimistic concurrency and small-cell suppression. The other groups are the
// *.config.mjs files beside this one; common.mjs holds what they share.
import { mutationConfig } from './common.mjs';

export default mutationConfig({
  mutate: ['api/services/versions.ts', 'api/services/small-cell-suppression.ts'],
  tests: ['test/unit/services/versions.test.ts', 'test/unit/services/small-cell-suppression.test.ts'],
  // The complementary-suppression proofs take minutes each: the threshold tests and the
  // hand-worked cases decide every mutant of these files.
  grep: 'requireVersion|at the threshold|rates by site|infinite threshold|threshold of 0|hides events, anyEvent|marks the group|retention by visit',
});
