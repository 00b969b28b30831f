// The roles a user may have. Kept apart from api/services/access.ts (which reads the host's user
// name) so that the schemas built on it load in the browser too.
export const ROLES = ['admin', 'researcher', 'clinic', 'reviewer'] as const;
export type Role = (typeof ROLES)[number];
