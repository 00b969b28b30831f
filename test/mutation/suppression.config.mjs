// Mutation testing (npm run test:mutation), suppression group: small-cell suppression of another
// site's figures (api/services/small-cell-suppression.ts). The complementary-suppression proofs
// take minutes each: the threshold tests, the hand-worked cases and retention by visit decide
// every mutant of this file.
import { mutationConfig } from './common.mjs';

export default mutationConfig({
  mutate: ['api/services/small-cell-suppression.ts'],
  tests: ['test/unit/services/small-cell-suppression.test.ts'],
  grep: 'at the threshold|rates by site|infinite threshold|threshold of 0|hides events, anyEvent|marks the group|retention by visit',
});
