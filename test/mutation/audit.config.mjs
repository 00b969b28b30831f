// Mutation testing (npm run test:mutation), audit group: the audit trail's hash chain
// (api/services/audit-chain.ts: canonical content, chained hashes, the checker that names the
// first broken entry) and, of api/services/audit-service.ts, the row a change records (lines
// 62-79) and the trail as its readers see it (121-186: pages, a clinic's own sites only). Left to
// the integration tests: chainAuditRow and recordChange (the chain's head locked in the
// database) and the replaced study read back (gzip in the database).
import { mutationConfig } from './common.mjs';

export default mutationConfig({
  mutate: ['api/services/audit-chain.ts', 'api/services/audit-service.ts:62-79', 'api/services/audit-service.ts:121-186'],
  tests: ['test/unit/services/audit-chain.test.ts', 'test/unit/services/audit-service.test.ts'],
});
