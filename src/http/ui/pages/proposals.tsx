/** @jsxImportSource hono/jsx */
import { DomainError } from "../../../domain/errors";
import { approveProposal, DecisionInput, ListProposalsInput, listProposals, type ProposalView, rejectProposal } from "../../../services/proposals/proposals";
import { answerOf } from "../../api/four-eyes";
import { Notice } from "../components";
import { parseForm, typed } from "../form-input";
import { euros, frDate, PROPOSAL_LABELS, ROLE_LABELS } from "../format";
import { isUuid, readForm } from "../forms";
import { refusal } from "../messages";
import { CsrfField, can, permit, render, type UiApp, type UiContext } from "../session";

const PENDING = ListProposalsInput.parse({ status: "pending" });
const DONE: Record<string, string> = { approuvee: "Proposition approuvée : elle est appliquée.", rejetee: "Proposition rejetée : rien n'a été appliqué." };
const REFUSALS = {
  not_found: "Cette proposition n'existe pas ou ne fait pas partie de vos accompagnements.",
  self_approval: "Vous avez fait cette proposition : une autre personne doit la valider (quatre yeux).",
  proposal_decided: "Cette proposition a déjà été décidée.",
};

const METHOD_LABELS: Record<string, string> = { transfer: "virement", cash: "espèces", cheque: "chèque" };

const SUSPENSE_DECISIONS: Record<string, string> = {
  assign: "Attribuer ou répartir entre bénéficiaires et prestations",
  forward: "Reverser à la personne",
  return: "Rendre au payeur",
  expense: "Passer en frais bancaires",
};

/** A decision on a bank statement line in suspense (Banque): what it does with which line, and its parts. */
function SuspenseDecision({ s, linked }: { s: Record<string, unknown>; linked: boolean }) {
  const parts = Array.isArray(s.parts) ? (s.parts as { payer: string; prestation: string; amount: number }[]) : [];
  return (
    <>
      <dt>Décision</dt>
      <dd>{SUSPENSE_DECISIONS[String(s.decision)] ?? String(s.decision ?? "")}</dd>
      <dt>Ligne de relevé</dt>
      <dd>
        {typeof s.amount === "number" ? euros(s.amount) : "—"} du {frDate(String(s.bookingDate ?? ""))}
        {/* Only those who see the Banque pages get a link to the line. */}
        {linked ? (
          <>
            {" — "}
            <a href={`/banque/attente/${String(s.lineId ?? "")}`}>voir la ligne</a>
          </>
        ) : null}
      </dd>
      {parts.length ? (
        <>
          <dt>Parts</dt>
          <dd>{parts.map((part) => `${part.payer} ${part.prestation} ${euros(part.amount)}`).join(" ; ")}</dd>
        </>
      ) : null}
    </>
  );
}

/** One line per part of the change, IBANs masked as the service gives them. */
function Summary({ p, linked }: { p: ProposalView; linked: boolean }) {
  const s = p.summary as Record<string, unknown>;
  const iban = s.iban as { from: string | null; to: string | null } | undefined;
  return (
    <dl>
      {iban ? (
        <>
          <dt>IBAN</dt>
          <dd class="iban">
            {iban.from ?? "aucun"} → {iban.to ?? "aucun"}
          </dd>
        </>
      ) : null}
      {typeof s.landlord === "string" ? (
        <>
          <dt>Bailleur</dt>
          <dd>{s.landlord}</dd>
        </>
      ) : null}
      {typeof s.charge === "string" ? (
        <>
          <dt>Charge</dt>
          <dd>
            {s.charge} ({String(s.creditor ?? "")})
          </dd>
        </>
      ) : null}
      {p.kind === "payment.one_off" ? (
        <>
          <dt>Paiement ponctuel</dt>
          <dd>
            {euros(Number(s.amount ?? 0))} à {String(s.creditor ?? "la personne")} ({METHOD_LABELS[String(s.method)] ?? String(s.method ?? "")}, le{" "}
            {frDate(String(s.executionDate ?? ""))})
          </dd>
          <dt>IBAN</dt>
          <dd class="iban">{String(s.creditorIban ?? "—")}</dd>
          <dt>Motif</dt>
          <dd>{String(s.reason ?? "")}</dd>
        </>
      ) : null}
      {p.kind === "suspense.assign" ? <SuspenseDecision s={s} linked={linked} /> : null}
      {typeof s.amount === "number" && p.kind !== "payment.one_off" && p.kind !== "suspense.assign" ? (
        <>
          <dt>Montant</dt>
          <dd>
            {euros(s.amount)} ({String(s.payer ?? "")} {String(s.prestation ?? "")}, valeur {frDate(String(s.valueDate ?? ""))})
          </dd>
        </>
      ) : null}
      {typeof s.heldFundsTo === "string" ? (
        <>
          <dt>Fonds conservés payés à</dt>
          <dd>
            {s.heldFundsTo} ({METHOD_LABELS[String(s.method)] ?? String(s.method ?? "")}, le {frDate(String(s.date ?? ""))})
          </dd>
        </>
      ) : null}
      {typeof s.description === "string" ? (
        <>
          <dt>Opération</dt>
          <dd>{s.description}</dd>
        </>
      ) : null}
      {typeof s.reason === "string" ? (
        <>
          <dt>Motif</dt>
          <dd>{s.reason}</dd>
        </>
      ) : null}
    </dl>
  );
}

async function listPage(c: UiContext, problem?: { id: string; text: string }, status: 200 | 403 | 404 | 409 | 422 = 200) {
  const ctx = c.get("ctx");
  const pending = await listProposals({ ctx, data: PENDING });
  const fait = c.req.query("fait") ?? "";
  return render(
    c,
    "Propositions",
    <>
      <h1>Propositions à valider</h1>
      <p class="muted">
        Un changement d'IBAN, une annulation de versement ou une récupération d'indu s'applique quand une seconde personne l'approuve (quatre yeux) ; jamais
        celle qui l'a proposé.
      </p>
      <Notice text={Object.hasOwn(DONE, fait) ? DONE[fait] : undefined} />
      {problem && !pending.some((p) => p.id === problem.id) ? (
        <p class="error" role="alert">
          {problem.text}
        </p>
      ) : null}
      {pending.length === 0 ? <p>Aucune proposition en attente.</p> : <p>{pending.length} proposition(s) en attente.</p>}
      {pending.map((p) => {
        const mine = p.proposedBy.userId !== null && p.proposedBy.userId === ctx.userId;
        return (
          <section class="card proposal" aria-labelledby={`p-${p.id}`}>
            <h2 id={`p-${p.id}`}>{PROPOSAL_LABELS[p.kind] ?? p.kind}</h2>
            <p>
              Proposée par {p.proposedBy.actor.replace(/^(user|token):/, "")} ({ROLE_LABELS[p.proposedBy.role ?? ""] ?? p.proposedBy.role}) le{" "}
              {frDate(p.createdAt.toISOString().slice(0, 10))} à {p.createdAt.toISOString().slice(11, 16)} UTC
              {p.beneficiaryId ? (
                <>
                  {" "}
                  — <a href={`/beneficiaires/${p.beneficiaryId}`}>voir la fiche du bénéficiaire</a>
                </>
              ) : null}
            </p>
            <Summary p={p} linked={can(c, "operations.view")} />
            {problem?.id === p.id ? (
              <p class="error" role="alert">
                {problem.text}
              </p>
            ) : null}
            {mine ? (
              <p class="muted">Vous avez fait cette proposition : une autre personne doit la valider.</p>
            ) : can(c, "proposal.decide") ? (
              <form method="post" action={`/propositions/${p.id}/approbation`}>
                <CsrfField c={c} />
                <label>
                  Commentaire <input name="comment" maxlength={1000} />
                </label>{" "}
                <button type="submit">Approuver</button>{" "}
                <button type="submit" formaction={`/propositions/${p.id}/rejet`} class="secondary">
                  Rejeter
                </button>
              </form>
            ) : null}
          </section>
        );
      })}
    </>,
    status,
  );
}

const statusOf = (error: unknown): 403 | 404 | 409 | 422 => {
  if (!(error instanceof DomainError)) return 422;
  if (error.code === "self_approval") return 403;
  if (error.code === "not_found") return 404;
  return error.code === "validation_failed" ? 422 : 409;
};

/** The proposals waiting for a second person; finance, managers and admins approve or reject them. */
export function proposalRoutes(ui: UiApp) {
  ui.get("/propositions", permit("proposal.list", "au personnel"), (c) => listPage(c));
  ui.use("/propositions/:id/*", permit("proposal.decide", "au service financier, aux cadres et aux administrateurs"));
  ui.use("/propositions/:id/*", async (c, next) => (isUuid(c.req.param("id") ?? "") ? next() : listPage(c, { id: "", text: REFUSALS.not_found }, 404)));
  const decide = (verb: "approve" | "reject") => async (c: UiContext) => {
    const id = c.req.param("id") ?? "";
    const parsed = parseForm(DecisionInput, await readForm(c), { comment: typed.text });
    if (!parsed.ok) return listPage(c, { id, text: `Commentaire : ${parsed.errors.comment}.` }, 422);
    try {
      const ctx = c.get("ctx");
      if (verb === "approve") await approveProposal({ ctx, id, data: parsed.data, answer: answerOf });
      else await rejectProposal({ ctx, id, data: parsed.data });
    } catch (error) {
      // The verb's own refusal when the proposal no longer holds: it stays pending.
      return listPage(c, { id, text: refusal(error, REFUSALS).summary }, statusOf(error));
    }
    return c.redirect(`/propositions?fait=${verb === "approve" ? "approuvee" : "rejetee"}`);
  };
  ui.post("/propositions/:id/approbation", decide("approve"));
  ui.post("/propositions/:id/rejet", decide("reject"));
}
