// Mutation testing (npm run test:mutation), importer group: how a csv or REDCap import lists its
// problems (reading order, the first 1,000 kept, each cell reported once), decided by the unit
// test of those two files.
import { mutationConfig } from './common.mjs';

export default mutationConfig({
  mutate: ['api/formats/located-problems.ts', 'api/formats/table-import.ts'],
  tests: ['test/unit/formats/table-import.test.ts'],
});
