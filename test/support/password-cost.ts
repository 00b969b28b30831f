// Cheaper password hashes for the tests of the enclosing `describe` (N = 2^10, r = 8, p = 1: a few
// milliseconds instead of half a second), for files that sign in many times; today's parameters
// come back after them. The cost itself is tested at today's parameters in
// test/unit/services/password.test.ts and auth.test.ts, and processes started by tests
// (`smp serve`, `smp user`) always hash at today's parameters.
import { setTestPasswordCost } from '../../api/services/password.ts';

export const CHEAP_PASSWORD_COST = { ln: 10, r: 8, p: 1 } as const;

export function useCheapPasswordHashes(): void {
  before(() => setTestPasswordCost(CHEAP_PASSWORD_COST));
  after(() => setTestPasswordCost(null));
}
