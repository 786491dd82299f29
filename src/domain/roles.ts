/** The staff's roles: an admin may do everything; a caseworker (CESF) sees only their own caseload. */
export const ROLES = ["admin", "finance", "caseworker"] as const;
export type Role = (typeof ROLES)[number];
