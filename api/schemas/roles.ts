// The roles a user may have. Kept apart from api/services/access.ts (which reads the host's user
// name) so that the schemas built on it load in the browser too.
export const ROLES = ['admin', 'researcher', 'clinic', 'reviewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Roles whose users may create API tokens for themselves (on their Account page): those who run
 * scripts over whole studies. A clinic's or a reviewer's token is issued by an administrator.
 */
export const ROLES_WITH_OWN_TOKENS: readonly Role[] = ['admin', 'researcher'];
