import { z } from "zod";
import { PAYMENT_REASON_CODES } from "../../domain/payment-reasons";
import type { ServiceContext } from "../context";
import { CalendarDate, Label } from "../schemas";
import { settleOne } from "./settle-orders";
import { transitionOrder } from "./transition-order";

/**
 * The verbs of an order's life for the cases no bank statement reports (the statement
 * import calls the same ones). Each is `transitionOrder`: one transaction, 409 from a
 * state it does not start from.
 */
export const SettlementInput = z.object({
  date: CalendarDate,
  /** Paid by hand before go-live: settled from pending, so the first file never pays it twice. */
  outside: z.boolean().default(false),
});
export type SettlementInput = z.input<typeof SettlementInput>;

export const RejectionInput = z.object({ date: CalendarDate, reasonCode: z.enum(PAYMENT_REASON_CODES) });
export type RejectionInput = z.input<typeof RejectionInput>;

export const ReturnInput = z.object({ date: CalendarDate, reasonCode: z.enum(PAYMENT_REASON_CODES) });
export type ReturnInput = z.input<typeof ReturnInput>;

export const CancellationInput = z.object({ reason: Label });
export type CancellationInput = z.input<typeof CancellationInput>;

type Verb<S extends z.ZodType> = { ctx: ServiceContext; id: string; data: z.output<S> };

/** The same code path as the bulk settlement of a statement import (settle-orders.ts). */
export const settleOrder = ({ ctx, id, data }: Verb<typeof SettlementInput>) => settleOne(ctx, id, data);

export const rejectOrder = ({ ctx, id, data }: Verb<typeof RejectionInput>) => transitionOrder(ctx, id, "reject", data);

export const returnOrder = ({ ctx, id, data }: Verb<typeof ReturnInput>) => transitionOrder(ctx, id, "return", data);

export const cancelOrder = ({ ctx, id, data }: Verb<typeof CancellationInput>) =>
  transitionOrder(ctx, id, "cancel", { date: ctx.today(), reason: data.reason });
