import { z } from "@hono/zod-openapi";
import type { Answer, ResultOf } from "../../services/proposals/proposals";
import type { FourEyesKind } from "../../services/proposals/verbs";
import { toJson } from "../context";
import { jsonResponse } from "../schemas";
import { beneficiaryJson } from "./views";

/**
 * How each four-eyes verb answers over HTTP: the same status and body whether it applies
 * at once or on approval (`POST /v1/proposals/{id}/approval` answers with these too).
 */
export const ANSWERS = {
  "beneficiary.update": (row: ResultOf<"beneficiary.update">) => ({ status: 200 as const, body: beneficiaryJson(row) }),
  "lease.set": (lease: ResultOf<"lease.set">) => ({ status: 200 as const, body: toJson(lease) }),
  "charge.update": (charge: ResultOf<"charge.update">) => ({ status: 200 as const, body: toJson(charge) }),
  "transaction.reverse": (reversal: ResultOf<"transaction.reverse">) => ({ status: 201 as const, body: reversal }),
  "overpayment.recover": (outcome: ResultOf<"overpayment.recover">) => ({ status: 201 as const, body: outcome.body }),
  "payment.one_off": (outcome: ResultOf<"payment.one_off">) => ({ status: 201 as const, body: outcome.body }),
  "suspense.assign": (line: ResultOf<"suspense.assign">) => ({ status: 200 as const, body: line }),
  "measure.pay_held_funds": (order: ResultOf<"measure.pay_held_funds">) => ({ status: 201 as const, body: toJson(order) }),
} satisfies { [K in FourEyesKind]: (result: ResultOf<K>) => { status: number; body: unknown } };

export const answerOf: Answer = (kind, result) => ANSWERS[kind](result as never);

const ProposalAccepted = z.object({ proposalId: z.uuid(), status: z.literal("pending_approval") }).openapi("ProposalAccepted");

export const accepted = {
  202: jsonResponse(ProposalAccepted, "Proposed: applied once someone else (finance, manager or admin) approves it"),
};
