import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import type { Executor, Tx } from "../../db/client";
import { beneficiaries } from "../../db/schema/beneficiaries";
import { proposals } from "../../db/schema/proposals";
import { nestedDb, withTransaction } from "../../db/transaction";
import { ConflictError, DomainError, NotFoundError } from "../../domain/errors";
import { PROPOSAL_STATUSES, type ProposalStatus } from "../../domain/four-eyes";
import type { Role } from "../../domain/roles";
import { caseloadOf } from "../access";
import { recordAudit, type ServiceContext } from "../context";
import { type FourEyesVerb, storablePayload } from "./four-eyes";
import { FOUR_EYES_VERBS, type FourEyesKind } from "./verbs";

type Verbs = typeof FOUR_EYES_VERBS;
export type PayloadOf<K extends FourEyesKind> = Verbs[K] extends FourEyesVerb<infer P, unknown> ? P : never;
export type ResultOf<K extends FourEyesKind> = Verbs[K] extends FourEyesVerb<unknown, infer R> ? R : never;

/** What a request that may need four eyes becomes: applied at once, or a proposal waiting for a second person. */
export type Submission<R> = { applied: R } | { proposal: { proposalId: string; status: "pending_approval" } };

const verbOf = (kind: string): FourEyesVerb | undefined => FOUR_EYES_VERBS[kind as FourEyesKind] as FourEyesVerb | undefined;

/** Thrown to roll a rehearsal's savepoint back while carrying the verb's answer out. */
class Rehearsal extends Error {
  constructor(readonly result: unknown) {
    super("rehearsal");
  }
}

/**
 * The verb run for real inside a savepoint that is then rolled back: a proposal is
 * checked exactly as if it were applied (the same refusals), and nothing is written.
 */
async function rehearse(tx: Tx, ctx: ServiceContext, verb: FourEyesVerb, payload: unknown): Promise<unknown> {
  try {
    await tx.transaction(async (savepoint) => {
      throw new Rehearsal(await verb.apply({ ...ctx, db: nestedDb(savepoint) }, payload));
    });
  } catch (error) {
    if (error instanceof Rehearsal) return error.result;
    throw error;
  }
  throw new Error("a rehearsal always rolls back");
}

/**
 * The one entry of every verb that may need four eyes: applies it at once when no second
 * person is needed, otherwise checks it and records the proposal (202). Both in one transaction.
 */
export async function submit<K extends FourEyesKind>({
  ctx,
  kind,
  payload,
}: {
  ctx: ServiceContext;
  kind: K;
  payload: PayloadOf<K>;
}): Promise<Submission<ResultOf<K>>> {
  const verb = verbOf(kind) as FourEyesVerb;
  return withTransaction(ctx.db, async (tx) => {
    const inner = { ...ctx, db: nestedDb(tx) };
    const assessment = await verb.assess(inner, payload);
    if (!assessment) return { applied: (await verb.apply(inner, payload)) as ResultOf<K> };
    const rehearsed = await rehearse(tx, ctx, verb, payload);
    if (verb.replayed?.(rehearsed)) return { applied: rehearsed as ResultOf<K> };
    const id = uuidv7();
    await tx.insert(proposals).values({
      id,
      kind,
      payload: storablePayload(payload),
      summary: assessment.summary,
      beneficiaryId: assessment.beneficiaryId,
      proposedByActor: ctx.actor,
      proposedByRole: ctx.role,
      proposedByUser: ctx.userId ?? null,
      proposedByToken: ctx.tokenId ?? null,
    });
    await recordAudit(tx, ctx, {
      action: "proposal.create",
      entityType: "proposal",
      entityId: id,
      beneficiaryId: assessment.beneficiaryId,
      changes: { kind, ...assessment.summary },
    });
    return { proposal: { proposalId: id, status: "pending_approval" as const } };
  });
}

export const DecisionInput = z.object({ comment: z.string().trim().max(1000).nullish() }).strict();
export type DecisionInput = z.input<typeof DecisionInput>;

/** How the HTTP layer answers a verb's result (status and body), stored with the approval. */
export type Answer = (kind: FourEyesKind, result: unknown) => { status: number; body: unknown };

type ProposalRow = typeof proposals.$inferSelect;

/** The proposer is never the checker: the same staff member, or the same token when no one is behind it. */
function isProposer(p: Pick<ProposalRow, "proposedByUser" | "proposedByToken" | "proposedByActor">, ctx: ServiceContext): boolean {
  if (p.proposedByUser) return p.proposedByUser === ctx.userId;
  if (p.proposedByToken) return p.proposedByToken === ctx.tokenId;
  return p.proposedByActor === ctx.actor;
}

async function lockPending(tx: Tx, ctx: ServiceContext, id: string): Promise<ProposalRow> {
  // The row lock makes racing decisions take turns: the second sees the first's status.
  const [p] = await tx.select().from(proposals).where(eq(proposals.id, id)).for("update");
  if (!p || !(await inCaseload(tx, ctx, p.beneficiaryId))) throw new NotFoundError("proposal", id);
  if (p.status !== "pending_approval") throw new ConflictError(`the proposal is already ${p.status}`, { status: p.status }, "proposal_decided");
  if (isProposer(p, ctx)) throw new DomainError("self_approval", "a proposal is decided by someone other than its proposer (four eyes)");
  return p;
}

async function inCaseload(executor: Executor, ctx: ServiceContext, beneficiaryId: string | null): Promise<boolean> {
  const scope = caseloadOf(ctx);
  if (scope === null) return true;
  if (!beneficiaryId) return false;
  const [row] = await executor
    .select({ id: beneficiaries.id })
    .from(beneficiaries)
    .where(and(eq(beneficiaries.id, beneficiaryId), eq(beneficiaries.caseworkerId, scope)));
  return row !== undefined;
}

const decidedBy = (ctx: ServiceContext, comment: string | null | undefined) => ({
  decidedByActor: ctx.actor,
  decidedByRole: ctx.role,
  decidedByUser: ctx.userId ?? null,
  decidedByToken: ctx.tokenId ?? null,
  comment: comment ?? null,
  decidedAt: sql`now()`,
});

/**
 * Approval: the proposal's verb applies its payload, as the proposer would have had it
 * applied, in the same transaction as the status change, and answers as it would have.
 * A proposal that became invalid answers the verb's refusal and stays pending (nothing
 * is written): it can be approved once the situation allows, or rejected.
 */
export async function approveProposal({ ctx, id, data, answer }: { ctx: ServiceContext; id: string; data: z.output<typeof DecisionInput>; answer: Answer }) {
  return withTransaction(ctx.db, async (tx) => {
    const p = await lockPending(tx, ctx, id);
    const verb = verbOf(p.kind);
    if (!verb) throw new Error(`no four-eyes verb ${p.kind}`);
    const proposer: ServiceContext = {
      db: nestedDb(tx),
      actor: p.proposedByActor,
      role: p.proposedByRole as Role,
      userId: p.proposedByUser ?? undefined,
      tokenId: p.proposedByToken ?? undefined,
      requestId: ctx.requestId,
      today: ctx.today,
    };
    const result = await verb.apply(proposer, verb.payload.parse(p.payload));
    const response = answer(p.kind as FourEyesKind, result);
    await tx
      .update(proposals)
      .set({ status: "approved", result: response, ...decidedBy(ctx, data.comment) })
      .where(eq(proposals.id, id));
    await recordAudit(tx, ctx, {
      action: "proposal.approve",
      entityType: "proposal",
      entityId: id,
      beneficiaryId: p.beneficiaryId,
      changes: { kind: p.kind, proposedBy: p.proposedByActor, comment: data.comment ?? null, status: response.status },
    });
    return response;
  });
}

export async function rejectProposal({ ctx, id, data }: { ctx: ServiceContext; id: string; data: z.output<typeof DecisionInput> }) {
  return withTransaction(ctx.db, async (tx) => {
    const p = await lockPending(tx, ctx, id);
    const [row] = await tx
      .update(proposals)
      .set({ status: "rejected", ...decidedBy(ctx, data.comment) })
      .where(eq(proposals.id, id))
      .returning();
    await recordAudit(tx, ctx, {
      action: "proposal.reject",
      entityType: "proposal",
      entityId: id,
      beneficiaryId: p.beneficiaryId,
      changes: { kind: p.kind, proposedBy: p.proposedByActor, comment: data.comment ?? null },
    });
    return proposalView(row!);
  });
}

/** `pending` is the contract's word for `pending_approval`. */
export const ListProposalsInput = z.object({
  status: z
    .enum([...PROPOSAL_STATUSES, "pending"])
    .transform((s): ProposalStatus => (s === "pending" ? "pending_approval" : s))
    .optional(),
  beneficiaryId: z.uuid().optional(),
});
export type ListProposalsInput = z.input<typeof ListProposalsInput>;

/** What anyone who may list proposals sees: the masked summary, never the payload (full IBANs). */
const proposalView = (p: ProposalRow) => ({
  id: p.id,
  kind: p.kind,
  status: p.status,
  beneficiaryId: p.beneficiaryId,
  summary: p.summary,
  proposedBy: { actor: p.proposedByActor, role: p.proposedByRole, userId: p.proposedByUser },
  createdAt: p.createdAt,
  decidedBy: p.decidedByActor ? { actor: p.decidedByActor, role: p.decidedByRole, userId: p.decidedByUser } : null,
  decidedAt: p.decidedAt,
  comment: p.comment,
  resultStatus: p.result?.status ?? null,
});
export type ProposalView = ReturnType<typeof proposalView>;

/** Newest first, at most 500; a caseworker sees the proposals of their caseload only. */
export async function listProposals({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof ListProposalsInput> }) {
  const scope = caseloadOf(ctx);
  const rows = await ctx.db
    .select()
    .from(proposals)
    .where(
      and(
        data.status ? eq(proposals.status, data.status) : undefined,
        data.beneficiaryId ? eq(proposals.beneficiaryId, data.beneficiaryId) : undefined,
        scope === null
          ? undefined
          : inArray(proposals.beneficiaryId, ctx.db.select({ id: beneficiaries.id }).from(beneficiaries).where(eq(beneficiaries.caseworkerId, scope))),
      ),
    )
    .orderBy(desc(proposals.createdAt))
    .limit(500);
  return rows.map(proposalView);
}

export async function readProposal({ ctx, id }: { ctx: ServiceContext; id: string }) {
  const [row] = await ctx.db.select().from(proposals).where(eq(proposals.id, id));
  if (!row || !(await inCaseload(ctx.db, ctx, row.beneficiaryId))) throw new NotFoundError("proposal", id);
  return proposalView(row);
}
