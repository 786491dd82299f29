import type { Role } from "./tokens";

/**
 * Who may do what, for the API and the web UI alike: the `/v1` routes and the pages ask
 * the same question with the same action name. Admins may do everything; a role not
 * listed gets a 403 (the caseload itself is the services' filter: 404 outside it).
 */
export const PERMISSIONS = {
  /** Create and change beneficiaries, their measures, lease, charges and reversement plan. */
  "beneficiary.write": ["finance", "caseworker"],
  /** Choose a beneficiary's caseworker (a caseworker's new beneficiaries are their own). */
  "beneficiary.assign": ["finance"],
  /** Every beneficiary, not only one's own caseload. */
  "beneficiary.readAll": ["finance"],
  /** Record a credit, reverse it, recover an overpayment (money in). */
  "credit.record": ["finance"],
  /** The finance pages: payment orders and job runs. */
  "operations.view": ["finance"],
  "ledger.trialBalance": ["finance"],
  "ledger.verify": [],
  /** Run a job by hand for a business date. */
  "job.run": [],
  /** The queue dashboard (bull-board). */
  "queue.dashboard": [],
  /** Acknowledge and close the alerts about a beneficiary. */
  "alert.handle": ["caseworker"],
  "user.create": [],
  /** Disable and re-enable staff, reset their password, list and revoke API tokens. */
  "user.manage": [],
  "user.list": ["finance", "caseworker"],
} as const satisfies Record<string, readonly Exclude<Role, "admin">[]>;

export type Action = keyof typeof PERMISSIONS;

export function may(role: Role, action: Action): boolean {
  return role === "admin" || (PERMISSIONS[action] as readonly Role[]).includes(role);
}

/** The roles that may, for a refusal's message. */
export const rolesFor = (action: Action): Role[] => ["admin", ...PERMISSIONS[action]];
