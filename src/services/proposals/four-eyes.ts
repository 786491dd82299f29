import type { z } from "zod";
import { centsToJson } from "../../domain/money";
import type { ServiceContext } from "../context";

/**
 * A verb that needs a second person declares it here: how its input is stored and read
 * back, whether a given request needs approval (with what the list shows, IBANs masked),
 * and the verb itself. Proposing, checking, approving and rejecting are the same for all.
 */
export interface FourEyesVerb<Payload = unknown, Result = unknown> {
  /** The payload as stored (JSON, cents as numbers), parsed again when it comes back from the database. */
  payload: z.ZodType<Payload>;
  /**
   * Whether this request needs approval, reading the current state (an IBAN that differs
   * from the recorded one; a reversal always): null applies at once; otherwise the
   * beneficiary concerned (the caseload the proposal belongs to) and a masked summary.
   */
  assess(ctx: ServiceContext, payload: Payload): Promise<Assessment | null>;
  /** The verb, exactly as the route calls it. */
  apply(ctx: ServiceContext, payload: Payload): Promise<Result>;
  /** A replay of an earlier request (idempotency): answered at once, nothing to approve. */
  replayed?(result: Result): boolean;
}

export interface Assessment {
  beneficiaryId: string | null;
  summary: Record<string, unknown>;
}

/** Declares a four-eyes verb with its payload's type inferred from the schema. */
export const fourEyes = <S extends z.ZodType, Result>(verb: {
  payload: S;
  assess(ctx: ServiceContext, payload: z.output<S>): Promise<Assessment | null>;
  apply(ctx: ServiceContext, payload: z.output<S>): Promise<Result>;
  replayed?(result: Result): boolean;
}): FourEyesVerb<z.output<S>, Result> => verb as FourEyesVerb<z.output<S>, Result>;

/** The payload as JSON stores it: cents (bigint) become numbers, which the verb's schema reads back. */
export const storablePayload = (payload: unknown): unknown =>
  JSON.parse(JSON.stringify(payload, (_key, value) => (typeof value === "bigint" ? centsToJson(value) : value)));
