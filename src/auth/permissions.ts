import type { Role } from "./tokens";

/**
 * Who may do what, for the API and the web UI alike: the `/v1` routes and the pages ask
 * the same question with the same action name. Admins may do everything; a role not
 * listed gets a 403 (the caseload itself is the services' filter: 404 outside it).
 *
 * The manager (cadre) is the checker of four eyes: every read, and the approval of what
 * others propose, but no write of their own — a cadre who could also make changes could
 * approve a colleague's proposal made at their request, and the point is two people.
 */
export const PERMISSIONS = {
  /** Create and change beneficiaries, their measures, lease, charges and reversement plan (manager: no write alone). */
  "beneficiary.write": ["finance", "caseworker"],
  /** Choose a beneficiary's caseworker (a caseworker's new beneficiaries are their own). */
  "beneficiary.assign": ["finance"],
  /** Every beneficiary, not only one's own caseload. */
  "beneficiary.readAll": ["finance", "manager"],
  /** Record a credit, reverse it, recover an overpayment (money in); the manager moves no money. */
  "credit.record": ["finance"],
  /** Create the bank accounts the money is held in (their list is `operations.view`). */
  "banking.manage": [],
  /** Close an ended measure's accounts (final payment, payers' notices, final statement) and pay out what it still holds. */
  "measure.close": ["finance"],
  /** Move orders through their life: settle, reject, return, cancel; batches and files. */
  "payment.execute": ["finance"],
  /** Import bank statements and status reports; decide suspense lines (four eyes). */
  "statement.import": ["finance"],
  /** Edit the rules that recognise incoming lines (payer, number, prestation). */
  "matching.manage": [],
  /** The finance pages: payment orders and job runs. */
  "operations.view": ["finance", "manager"],
  "ledger.trialBalance": ["finance", "manager"],
  /** A read, however heavy: the control a cadre runs before approving corrections. */
  "ledger.verify": ["manager"],
  /** Run a job by hand for a business date. */
  "job.run": [],
  /** The queue dashboard (bull-board). */
  "queue.dashboard": [],
  /**
   * Acknowledge and close alerts (the manager reads them only): caseworkers those about a
   * beneficiary (`caseworker` audience), finance staff those about money (`finance`);
   * `mayHandleAlert` is the rule per alert.
   */
  "alert.handle": ["caseworker", "finance"],
  "user.create": [],
  /** Disable and re-enable staff, reset their password, list and revoke API tokens. */
  "user.manage": [],
  "user.list": ["finance", "caseworker", "manager"],
  /** Webhook subscriptions and their delivery log, the mails kept in the database (Courriels): admins only. */
  "delivery.manage": [],
  /** See the proposals waiting for a second person (a caseworker: those of their caseload). */
  "proposal.list": ["finance", "caseworker", "manager"],
  /** Approve or reject someone else's proposal: the checkers of four eyes. */
  "proposal.decide": ["finance", "manager"],
  /** The journal: business audit and access traces (`GET /v1/audit`, the Journal page); the manager controls. */
  "audit.read": ["manager"],
} as const satisfies Record<string, readonly Exclude<Role, "admin">[]>;

export type Action = keyof typeof PERMISSIONS;

export function may(role: Role, action: Action): boolean {
  return role === "admin" || (PERMISSIONS[action] as readonly Role[]).includes(role);
}

/** The roles that may, for a refusal's message. */
export const rolesFor = (action: Action): Role[] => ["admin", ...PERMISSIONS[action]];

/** Contract, *Alerts for finance staff*: who handles an alert depends on its audience. Admins handle both. */
export function mayHandleAlert(role: Role, audience: "caseworker" | "finance"): boolean {
  return role === "admin" || role === audience;
}
