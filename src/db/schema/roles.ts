export const ROLES = ["admin", "finance", "caseworker"] as const;
export type Role = (typeof ROLES)[number];
