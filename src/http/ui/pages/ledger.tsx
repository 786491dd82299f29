/** @jsxImportSource hono/jsx */
import { randomUUID } from "node:crypto";
import type { FC } from "hono/jsx";
import { DomainError } from "../../../domain/errors";
import { parseEnvelopeAddress } from "../../../ledger/accounts";
import { listCharges } from "../../../services/charges/update-charge";
import { ListTransactionsInput, listTransactions, readTransaction } from "../../../services/credits/read-accounts";
import { RecoverOverpaymentInput } from "../../../services/credits/recover-overpayment";
import { ReverseTransactionInput } from "../../../services/credits/reverse-transaction";
import { ListProposalsInput, listProposals, submit } from "../../../services/proposals/proposals";
import { type FormFields, parseForm, parseQuery, typed } from "../form-input";
import { euros, frDate, frMonth, KIND_LABELS, STATUS_LABELS } from "../format";
import { Field, type FormState, readForm, TextArea, withRefusal } from "../forms";
import { refusal } from "../messages";
import { can, permit, render, type UiApp, type UiContext } from "../session";
import { withBeneficiary } from "./beneficiaries";
import { renderBeneficiaryForm } from "./beneficiary-form-page";

type Transaction = Awaited<ReturnType<typeof listTransactions>>["items"][number];

/** What a reversal or a recovery may undo (the verb says the same: `REVERSIBLE`). */
const REVERSIBLE = new Set(["credit", "overpayment_recovery"]);

const SYSTEM_ACCOUNTS: Record<string, string> = { "bank:main": "Banque", "payments:in-transit": "Paiements émis" };

/** A posting's account in words: the envelope (and the charge it serves), the bank, the payer. */
const accountLabel = (address: string, beneficiaryId: string, chargeLabels: Map<string, string>) => {
  const envelope = parseEnvelopeAddress(address);
  if (envelope?.beneficiaryId === beneficiaryId) {
    const label = KIND_LABELS[envelope.envelope] ?? envelope.envelope;
    return envelope.envelope === "charge" ? `${label} ${chargeLabels.get(envelope.chargeId) ?? ""}`.trim() : label;
  }
  if (address.startsWith("payer:")) return `Payeur ${address.slice("payer:".length)}`;
  return SYSTEM_ACCOUNTS[address] ?? address;
};

/**
 * A transaction's description as staff read it: `Loyer 2026-01` → `Loyer janvier 2026`,
 * `Reversement 2026-03-10` → `Reversement 10/03/2026`, `Ordre de paiement rent … : sent`
 * → `Ordre de paiement Loyer … : émis`. The stored description is not changed.
 */
export function describeInFrench(description: string): string {
  return description
    .replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, (iso) => frDate(iso))
    .replace(/\b(\d{4})-(0[1-9]|1[0-2])\b/g, (month) => frMonth(month))
    .replace(/^Ordre de paiement (\w+)/, (_all, kind: string) => `Ordre de paiement ${KIND_LABELS[kind] ?? kind}`)
    .replace(/ : (\w+)$/, (_all, status: string) => ` : ${STATUS_LABELS[status] ?? status}`);
}

/** The entries whose reversal waits for a second person: no second "Annuler" link for them. */
export async function pendingReversals(c: UiContext, beneficiaryId: string): Promise<Set<string>> {
  if (!can(c, "credit.record")) return new Set();
  const waiting = await listProposals({ ctx: c.get("ctx"), data: ListProposalsInput.parse({ status: "pending", beneficiaryId }) });
  return new Set(
    waiting.filter((p) => p.kind === "transaction.reverse").map((p) => String((p.summary as { transactionId?: unknown } | null)?.transactionId ?? "")),
  );
}

/** The ledger's entries, newest first, each with its reference and, for finance staff, the reversal it may still get. */
/** Rule 9: a credit the payer paid short of an indu shows what it was worth, what was kept back and what came in. */
const Deduction = ({ metadata }: { metadata: unknown }) => {
  const m = (metadata ?? {}) as { gross?: string; net?: string; deduction?: { amount: string; prestation: string; reference: string | null } };
  if (!m.deduction || m.gross === undefined || m.net === undefined) return null;
  return (
    <div class="muted">
      Brut {euros(BigInt(m.gross))} − retenue pour indu {m.deduction.prestation} {euros(BigInt(m.deduction.amount))}
      {m.deduction.reference ? ` (réf. ${m.deduction.reference})` : ""} = net reçu {euros(BigInt(m.net))}
    </div>
  );
};

export const LedgerTable: FC<{
  c: UiContext;
  beneficiaryId: string;
  items: Transaction[];
  chargeLabels: Map<string, string>;
  caption: string;
  proposed: Set<string>;
}> = ({ c, beneficiaryId, items, chargeLabels, caption, proposed }) => {
  const mayReverse = can(c, "credit.record");
  return (
    <table>
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Date de valeur</th>
          <th scope="col">Nature</th>
          <th scope="col">Référence</th>
          <th scope="col">Écritures</th>
          {mayReverse ? (
            <th scope="col">
              <span class="sr-only">Correction</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {items.map((t) => (
          <tr data-transaction={t.id}>
            <td>{frDate(t.valueDate)}</td>
            <td>
              {describeInFrench(t.description)}
              {t.reversesId ? <span class="muted"> (annulation)</span> : null}
              {t.reversedById ? <span class="muted"> (annulé)</span> : null}
              <Deduction metadata={t.metadata} />
            </td>
            <td>{t.reference ?? "—"}</td>
            <td>
              {t.postings.map((p) => (
                <div>
                  {p.direction === "debit" ? "Débit" : "Crédit"} {accountLabel(p.account, beneficiaryId, chargeLabels)}{" "}
                  <span class="num">{euros(p.amount)}</span>
                </div>
              ))}
            </td>
            {mayReverse ? (
              <td>
                {proposed.has(t.id) ? (
                  <span class="muted">annulation proposée</span>
                ) : REVERSIBLE.has(t.kind) && !t.reversedById ? (
                  <a href={`/beneficiaires/${beneficiaryId}/grand-livre/${t.id}/annulation`}>
                    Annuler<span class="sr-only"> l'opération du {frDate(t.valueDate)}</span>
                  </a>
                ) : null}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
};

const PAGE_SIZE = 50;

const REVERSAL_LABELS = { reason: "Motif de l'annulation", valueDate: "Date de l'annulation" };
const REVERSAL_FIELDS = { reason: typed.text, valueDate: typed.date } satisfies FormFields;

const RECOVERY_LABELS = {
  amount: "Montant de l'indu (€)",
  payer: "Organisme payeur",
  prestation: "Prestation",
  valueDate: "Date de la retenue",
  reference: "Référence de la notification",
};
const RECOVERY_FIELDS = {
  amount: typed.euros,
  payer: typed.text,
  prestation: typed.text,
  valueDate: typed.date,
  reference: typed.text,
} satisfies FormFields;

/** The refusal of a reversal in French: the money paid out is named. */
const reversalRefusal = (error: unknown) =>
  refusal(error, {
    not_found: "Cette opération n'existe pas ou ne fait pas partie de vos accompagnements.",
    funds_already_paid_out: "L'argent de ce versement a déjà été payé : les enveloppes ne contiennent plus ce que l'annulation reprendrait.",
    not_reversible: "Seuls un versement reçu et une retenue d'indu s'annulent ainsi ; un paiement se corrige par son rejet.",
  });

const recoveryRefusal = (error: unknown) => {
  if (error instanceof DomainError && error.code === "insufficient_funds") {
    const d = error.details as { held?: number } | undefined;
    return { summary: `Les enveloppes ne contiennent que ${euros(d?.held ?? 0)} en tout : l'indu ne peut pas être repris.`, fields: { amount: "trop élevé" } };
  }
  return refusal(error, {
    idempotency_conflict: "Ce formulaire a déjà été envoyé avec d'autres valeurs : rechargez la page pour saisir un nouvel indu.",
  });
};

const FOUR_EYES_NOTE =
  "C'est une proposition : elle s'applique quand une autre personne (service financier, cadre ou administrateur) l'approuve sur la page Propositions.";

export function ledgerRoutes(ui: UiApp) {
  // The whole ledger, by pages of 50 from the newest: "Entrées plus anciennes" follows the cursor.
  ui.get("/beneficiaires/:id/grand-livre", withBeneficiary, async (c) => {
    const ctx = c.get("ctx");
    const b = c.get("beneficiary");
    const cursor = c.req.query("apres") || undefined;
    const query = parseQuery(ListTransactionsInput, { limit: PAGE_SIZE, cursor });
    const parsed = query.ok && (!cursor || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(cursor));
    const [page, charges, proposed] = await Promise.all([
      parsed && query.ok ? listTransactions({ ctx, beneficiaryId: b.id, data: query.data }) : { items: [], nextCursor: null },
      listCharges({ ctx, beneficiaryId: b.id }),
      pendingReversals(c, b.id),
    ]);
    const chargeLabels = new Map(charges.map((ch) => [ch.id, ch.label]));
    const fiche = `/beneficiaires/${b.id}`;
    return render(
      c,
      `Grand livre — ${b.firstName} ${b.lastName}`,
      <>
        <p class="crumbs">
          <a href="/beneficiaires">Bénéficiaires</a> › <a href={fiche}>{b.lastName}</a> › Grand livre
        </p>
        <h1>
          Grand livre — {b.firstName} {b.lastName}
        </h1>
        {parsed ? null : (
          <p class="error" role="alert">
            Cette page du grand livre n'existe pas : reprenez depuis les entrées les plus récentes.
          </p>
        )}
        <p>
          {cursor ? "Entrées plus anciennes" : "Entrées les plus récentes"}, {PAGE_SIZE} par page, de la plus récente à la plus ancienne.{" "}
          {cursor ? <a href={`${fiche}/grand-livre`}>Revenir aux plus récentes</a> : null}
        </p>
        {page.items.length ? (
          <LedgerTable c={c} beneficiaryId={b.id} items={page.items} chargeLabels={chargeLabels} caption="Grand livre du bénéficiaire" proposed={proposed} />
        ) : (
          <p class="muted">Aucune opération.</p>
        )}
        {page.nextCursor ? (
          <p>
            <a class="button secondary" href={`${fiche}/grand-livre?apres=${page.nextCursor}`}>
              Entrées plus anciennes
            </a>
          </p>
        ) : null}
      </>,
      parsed ? 200 : 422,
    );
  });

  const reversalPath = "/beneficiaires/:id/grand-livre/:transactionId/annulation";
  const reversalPage = async (c: UiContext, form: FormState, status: 200 | 404 | 422 = 200) => {
    const b = c.get("beneficiary");
    const id = c.req.param("transactionId") ?? "";
    const txn = await readTransaction({ ctx: c.get("ctx"), beneficiaryId: b.id, id }).catch((error) => {
      if (error instanceof DomainError && error.code === "not_found") return null;
      throw error;
    });
    if (!txn || !REVERSIBLE.has(txn.kind)) {
      return render(
        c,
        "Opération introuvable",
        <>
          <h1>Opération introuvable</h1>
          <p>Cette opération n'existe pas, n'est pas à ce bénéficiaire, ou ne s'annule pas ainsi (seuls les versements reçus et les indus).</p>
          <p>
            <a href={`/beneficiaires/${b.id}/grand-livre`}>Retour au grand livre</a>
          </p>
        </>,
        404,
      );
    }
    const total = txn.postings.filter((p) => p.direction === "debit").reduce((s, p) => s + p.amount, 0n);
    return renderBeneficiaryForm(
      c,
      {
        crumb: "Annulation",
        title: "Annuler une opération",
        action: `grand-livre/${txn.id}/annulation`,
        submit: "Proposer l'annulation",
        form,
        status: status === 404 ? 422 : status,
        intro: (
          <>
            <p>
              {describeInFrench(txn.description)} du {frDate(txn.valueDate)}, {euros(total)}
              {txn.reference ? `, référence ${txn.reference}` : ""}. L'annulation passe l'écriture inverse : chaque enveloppe rend ce qu'elle avait reçu. Elle
              est refusée si l'argent a déjà été payé.
            </p>
            <p>
              <strong>{FOUR_EYES_NOTE}</strong>
            </p>
          </>
        ),
      },
      <>
        <TextArea form={form} name="reason" hint="Par exemple : versement saisi deux fois, mauvais bénéficiaire." />
        <Field form={form} name="valueDate" type="date" optional hint="Par défaut aujourd'hui." />
      </>,
    );
  };
  ui.get(reversalPath, permit("credit.record"), withBeneficiary, (c) => reversalPage(c, { values: {}, errors: {}, labels: REVERSAL_LABELS }));
  ui.post(reversalPath, permit("credit.record"), withBeneficiary, async (c) => {
    const b = c.get("beneficiary");
    const values = await readForm(c);
    const parsed = parseForm(ReverseTransactionInput, values, REVERSAL_FIELDS);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: REVERSAL_LABELS };
    if (!parsed.ok) return reversalPage(c, form, 422);
    const transactionId = c.req.param("transactionId");
    try {
      // Only a transaction of this page's beneficiary: another's answers like an unknown one.
      await readTransaction({ ctx: c.get("ctx"), beneficiaryId: b.id, id: transactionId });
      const outcome = await submit({ ctx: c.get("ctx"), kind: "transaction.reverse", payload: { transactionId, data: parsed.data } });
      return c.redirect(`/beneficiaires/${b.id}?fait=${"proposal" in outcome ? "proposition" : "annulation"}#grand-livre`);
    } catch (error) {
      return reversalPage(c, withRefusal(form, reversalRefusal(error)), 422);
    }
  });

  const recoveryPath = "/beneficiaires/:id/indu";
  const recoveryPage = (c: UiContext, form: FormState, status: 200 | 422 = 200) =>
    renderBeneficiaryForm(
      c,
      {
        crumb: "Indu",
        title: "Enregistrer un indu repris par l'organisme",
        action: "indu",
        submit: "Proposer la retenue",
        form,
        status,
        intro: (
          <>
            <p class="muted">
              L'organisme (CAF, MSA…) retient un trop-perçu sur ses versements. La retenue est prise sur le disponible d'abord, puis sur les charges (de la
              moins prioritaire à la plus prioritaire), l'aide / soins, et le loyer en dernier ; jamais au-delà de ce que les enveloppes contiennent.
            </p>
            <p>
              <strong>{FOUR_EYES_NOTE}</strong>
            </p>
          </>
        ),
      },
      <>
        <input type="hidden" name="key" value={String(form.values.key ?? "")} />
        <div class="grid2">
          <Field form={form} name="amount" inputmode="decimal" placeholder="120,00" />
          <Field form={form} name="valueDate" type="date" />
        </div>
        <div class="grid2">
          <Field form={form} name="payer" placeholder="CAF" />
          <Field form={form} name="prestation" optional placeholder="RSA" />
        </div>
        <Field form={form} name="reference" optional placeholder="Notification d'indu n° …" />
      </>,
    );
  ui.get(recoveryPath, permit("credit.record"), withBeneficiary, (c) =>
    // The key rides with the form: sending it twice (a double click, a reload) proposes once.
    recoveryPage(c, { values: { key: randomUUID(), payer: "CAF", valueDate: c.get("ctx").today() }, errors: {}, labels: RECOVERY_LABELS }),
  );
  ui.post(recoveryPath, permit("credit.record"), withBeneficiary, async (c) => {
    const b = c.get("beneficiary");
    const values = await readForm(c);
    const key = String(values.key ?? "");
    const parsed = parseForm(RecoverOverpaymentInput, values, RECOVERY_FIELDS);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: RECOVERY_LABELS };
    if (!parsed.ok) return recoveryPage(c, form, 422);
    if (!/^[0-9a-f-]{36}$/.test(key))
      return recoveryPage(c, { ...form, values: { ...values, key: randomUUID() }, summary: "Formulaire expiré : vérifiez et renvoyez." }, 422);
    try {
      const outcome = await submit({
        ctx: c.get("ctx"),
        kind: "overpayment.recover",
        payload: { beneficiaryId: b.id, idempotencyKey: key, data: parsed.data },
      });
      return c.redirect(`/beneficiaires/${b.id}?fait=${"proposal" in outcome ? "proposition" : "indu"}`);
    } catch (error) {
      return recoveryPage(c, withRefusal(form, recoveryRefusal(error)), 422);
    }
  });
}
