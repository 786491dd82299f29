/**
 * Access traces (CNIL, 2021 recommendation on logging): who signed in, failed to, signed
 * out, created or revoked an API token, and who read lists, searches and records of
 * personal data. Kept apart from the business audit, and for a limited time.
 */
const ACCESS_ACTIONS = [
  "login.succeeded",
  "login.failed",
  "logout",
  "token.created",
  "token.revoked",
  "beneficiary.list",
  "beneficiary.search",
  "beneficiary.read",
  "alert.list",
  "payment_order.list",
  "audit.read",
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

/** CNIL: six months to a year for access traces; we keep a year. */
export const ACCESS_TRACE_RETENTION_MONTHS = 12;
/** Technical logs (job run details, the log shipper's files): six months. */
export const TECHNICAL_LOG_RETENTION_MONTHS = 6;

/** The two trails `GET /v1/audit` reads: the business audit (never purged) and the access traces. */
export const AUDIT_KINDS = ["business", "access"] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];
