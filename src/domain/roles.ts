/** Who may do what: admins manage users and tokens, finance runs the money, caseworkers (CESF) follow their caseload. */
export const ROLES = ["admin", "finance", "caseworker"] as const;
export type Role = (typeof ROLES)[number];
