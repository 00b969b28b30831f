// Mutation testing (npm run test:mutation), write-path group: optimistic concurrency
// (api/services/versions.ts) and the check of a participant before a write
// (api/services/participant-check.ts: the importer's rules, the sites and practitioners looked
// up, the problems' paths). writeParticipant (lines 99-112: the scope and the participant's site
// checked under its lock) needs the database's write queue and is left to
// test/integration/authorization-matrix.test.ts.
import { mutationConfig } from './common.mjs';

export default mutationConfig({
  mutate: ['api/services/versions.ts', 'api/services/participant-check.ts:25-87', 'api/services/participant-check.ts:115-119'],
  tests: ['test/unit/services/versions.test.ts', 'test/unit/services/participant-check.test.ts'],
});
