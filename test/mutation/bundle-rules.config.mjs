// Mutation testing (npm run test:mutation), bundle-rules group: the importer's cross-record rules
// of api/schemas/validate-bundle.ts (lines 248-279: unknown sites, repeated participant codes;
// 292-446: repeated codes, dates in order, sessions numbered 1..n, adverse events and their
// sessions), which every import (JSON, csv, REDCap) and every write through the API runs, decided
// by the rule cases of test/support/bundle-rule-cases.ts run against the validation alone. The
// shape rules above line 248 are zod schemas. Mutants of the messages' wording (StringLiteral)
// are left out for time; the cases check every message exactly.
import { mutationConfig } from './common.mjs';

export default mutationConfig({
  mutate: ['api/schemas/validate-bundle.ts:248-279', 'api/schemas/validate-bundle.ts:292-446'],
  tests: ['test/unit/input/bundle-rules.test.ts'],
  skip: ['StringLiteral'],
});
