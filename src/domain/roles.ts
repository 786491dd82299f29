/**
 * The staff's roles: an admin may do everything; finance moves money; a caseworker (CESF)
 * sees only their own caseload; a manager (cadre) reads everything and approves the
 * proposals of others (four eyes) but moves no money and writes nothing alone.
 */
export const ROLES = ["admin", "finance", "caseworker", "manager"] as const;
export type Role = (typeof ROLES)[number];
