import { sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { PROPOSAL_STATUSES } from "../../domain/four-eyes";
import { sqlList } from "./sql-list";

/**
 * Changes waiting for a second person (four eyes): the verb (`kind`) and its validated
 * input (`payload`), applied by the same verb on approval. Who proposed and who decided
 * are kept apart by the database too: never the same user, never the same user-less token.
 */
export const proposals = pgTable(
  "proposals",
  {
    id: uuid("id").primaryKey(),
    kind: text("kind").notNull(),
    payload: jsonb("payload").$type<unknown>().notNull(),
    /** What the list shows (IBANs masked), computed when proposed. */
    summary: jsonb("summary").$type<Record<string, unknown>>().notNull().default({}),
    status: text("status", { enum: PROPOSAL_STATUSES }).notNull().default("pending_approval"),
    /** The caseload the proposal belongs to (a caseworker lists only theirs). */
    beneficiaryId: uuid("beneficiary_id"),
    proposedByActor: text("proposed_by_actor").notNull(),
    proposedByRole: text("proposed_by_role").notNull(),
    proposedByUser: uuid("proposed_by_user"),
    proposedByToken: uuid("proposed_by_token"),
    decidedByActor: text("decided_by_actor"),
    decidedByRole: text("decided_by_role"),
    decidedByUser: uuid("decided_by_user"),
    decidedByToken: uuid("decided_by_token"),
    comment: text("comment"),
    /** The verb's answer on approval: `{ status, body }`. */
    result: jsonb("result").$type<{ status: number; body: unknown }>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
  },
  (t) => [
    index("proposals_status_idx").on(t.status, t.createdAt),
    index("proposals_beneficiary_idx").on(t.beneficiaryId),
    check("proposals_status_valid", sql`${t.status} IN (${sqlList(PROPOSAL_STATUSES)})`),
    check("proposals_decided_by_other_user", sql`${t.decidedByUser} IS NULL OR ${t.proposedByUser} IS NULL OR ${t.decidedByUser} <> ${t.proposedByUser}`),
    check(
      "proposals_decided_by_other_token",
      sql`${t.decidedByToken} IS NULL OR ${t.proposedByUser} IS NOT NULL OR ${t.decidedByToken} <> ${t.proposedByToken}`,
    ),
    check("proposals_decision_complete", sql`(${t.status} = 'pending_approval') = (${t.decidedAt} IS NULL)`),
  ],
);
