// Mutation testing (npm run test:mutation), de-identification group: pseudonyms, date shifts,
// free text removed, birth years top-coded, and the report (api/services/deidentify.ts).
import { mutationConfig } from './common.mjs';

export default mutationConfig({
  mutate: ['api/services/deidentify.ts'],
  tests: ['test/unit/services/deidentify.test.ts'],
});
