// Mutation testing (npm run test:mutation), access group: who reaches which study, site and
// right (api/services/access.ts), decided by its unit test, which answers the two look-ups of a
// write to one participant from a canned database.
import { mutationConfig } from './common.mjs';

export default mutationConfig({
  mutate: ['api/services/access.ts'],
  tests: ['test/unit/services/access.test.ts'],
  // Half of the file's mutants are the refusals' wording; the test checks every message, but at
  // about 10 s a mutant on a shared machine those runs are left out.
  skip: ['StringLiteral'],
});
