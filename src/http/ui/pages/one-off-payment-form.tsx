/** @jsxImportSource hono/jsx */
import { randomUUID } from "node:crypto";
import { DomainError } from "../../../domain/errors";
import { OneOffPaymentInput } from "../../../services/banking/pay-one-off";
import { listCharges } from "../../../services/charges/update-charge";
import { getBalances } from "../../../services/credits/read-accounts";
import { submit } from "../../../services/proposals/proposals";
import { AddressFields, addressFields, addressLabels, withoutEmptyAddress } from "../address-fields";
import { type FormFields, parseForm, typed } from "../form-input";
import { euros, KIND_LABELS } from "../format";
import { Field, type FormState, type FormValues, readForm, SelectField, withRefusal } from "../forms";
import { refusal } from "../messages";
import { permit, type UiApp, type UiContext } from "../session";
import { withBeneficiary } from "./beneficiaries";
import { renderBeneficiaryForm } from "./beneficiary-form-page";

const LABELS = {
  envelope: "Enveloppe qui paie",
  amount: "Montant (€)",
  method: "Moyen de paiement",
  "creditor.name": "Créancier",
  "creditor.iban": "IBAN du créancier",
  ...addressLabels("creditor.address", "créancier"),
  reason: "Motif (lu par le créancier)",
  executionDate: "Date d'exécution",
};

const FIELDS = {
  envelope: typed.choice,
  chargeId: typed.choice,
  amount: typed.euros,
  method: typed.choice,
  "creditor.name": typed.text,
  "creditor.iban": typed.iban,
  ...addressFields("creditor.address"),
  reason: typed.text,
  executionDate: typed.date,
} satisfies FormFields;

const METHODS = [
  ["transfer", "Virement"],
  ["cheque", "Chèque"],
  ["cash", "Espèces"],
] as const;

/** The envelopes with what each holds, as the one list the form chooses from (`charge:<id>` names a charge's). */
async function envelopeOptions(c: UiContext) {
  const ctx = c.get("ctx");
  const beneficiaryId = c.get("beneficiary").id;
  const [balances, charges] = await Promise.all([getBalances({ ctx, beneficiaryId }), listCharges({ ctx, beneficiaryId })]);
  const held = new Map(balances.byCharge.map((ch) => [ch.chargeId, ch.balance]));
  const options: [string, string][] = [
    ["available", `${KIND_LABELS.available} — ${euros(balances.available)}`],
    ["care", `${KIND_LABELS.care} — ${euros(balances.care)}`],
    ["rent", `${KIND_LABELS.rent} — ${euros(balances.rent)}`],
    ...charges.map((ch): [string, string] => [`charge:${ch.id}`, `Charge ${ch.label} — ${euros(held.get(ch.id) ?? 0n)}`]),
  ];
  return options;
}

async function page(c: UiContext, form: FormState, status: 200 | 409 | 422 = 200) {
  const options = await envelopeOptions(c);
  return renderBeneficiaryForm(
    c,
    {
      crumb: "Paiement ponctuel",
      title: "Paiement ponctuel",
      action: "paiement-ponctuel",
      submit: "Enregistrer le paiement",
      form,
      status: status === 200 ? 200 : 422,
      intro: (
        <p class="muted">
          Une facture, une régularisation d'énergie, une avance, des soins payés sur l'enveloppe aide à domicile. Jamais plus que ce que l'enveloppe contient.
          Au-delà du seuil de double validation, ou vers un IBAN jamais utilisé pour cette personne, le paiement attend l'accord d'une autre personne.
        </p>
      ),
    },
    <>
      <input type="hidden" name="key" value={String(form.values.key ?? "")} />
      <div class="grid2">
        <SelectField form={form} name="envelope" options={options} hint="Le solde de chaque enveloppe est indiqué." />
        <Field form={form} name="amount" inputmode="decimal" placeholder="120,00" />
      </div>
      <div class="grid2">
        <SelectField form={form} name="method" options={METHODS} hint="Les chèques et les espèces ne partent pas dans les remises SEPA." />
        <Field form={form} name="executionDate" type="date" />
      </div>
      <Field form={form} name="reason" placeholder="Facture EDF n° 2026-118" />
      <fieldset>
        <legend>Créancier</legend>
        <p class="hint">Laissez vide pour payer le bénéficiaire lui-même (sur son IBAN pour un virement).</p>
        <div class="grid2">
          <Field form={form} name="creditor.name" optional />
          <Field form={form} name="creditor.iban" optional hint="Pour un virement seulement." />
        </div>
        <AddressFields form={form} prefix="creditor.address" legend="Adresse du créancier" />
      </fieldset>
    </>,
  );
}

/** The form's values in the service's shape: the envelope list names a charge as `charge:<id>`; an empty creditor is no creditor. */
function toInput(values: FormValues): FormValues {
  const out: FormValues = withoutEmptyAddress(values, "creditor.address");
  const envelope = String(values.envelope ?? "");
  if (envelope.startsWith("charge:")) {
    out.envelope = "charge";
    out.chargeId = envelope.slice("charge:".length);
  }
  const creditorGiven = ["creditor.name", "creditor.iban", "creditor.address.street", "creditor.address.postalCode", "creditor.address.town"].some(
    (k) => String(values[k] ?? "").trim() !== "",
  );
  if (!creditorGiven) for (const k of Object.keys(out)) if (k.startsWith("creditor.")) delete out[k];
  return out;
}

/** A refusal in French: an envelope that holds too little says what it holds. */
function refusedBecause(error: unknown) {
  if (error instanceof DomainError && error.code === "insufficient_funds") {
    const d = error.details as { envelope?: string; held?: number; amount?: number } | undefined;
    const label = KIND_LABELS[d?.envelope ?? ""] ?? "choisie";
    return {
      summary: `L'enveloppe ${label} ne contient que ${euros(d?.held ?? 0)} : le paiement de ${euros(d?.amount ?? 0)} est refusé.`,
      fields: { amount: `${euros(d?.held ?? 0)} au plus` },
    };
  }
  return refusal(error, {
    no_active_measure: "Aucune mesure MASP 2 n'est en cours aujourd'hui : rien ne peut être payé pour cette personne.",
    idempotency_conflict: "Ce formulaire a déjà été envoyé avec d'autres valeurs : rechargez la page pour saisir un nouveau paiement.",
  });
}

export function oneOffPaymentRoutes(ui: UiApp) {
  const path = "/beneficiaires/:id/paiement-ponctuel";
  ui.get(path, permit("payment.execute"), withBeneficiary, (c) =>
    // The key rides with the form: sending it twice (a double click, a reload) pays once.
    page(c, {
      values: { key: randomUUID(), method: "transfer", executionDate: c.get("ctx").today(), "creditor.address.country": "FR" },
      errors: {},
      labels: LABELS,
    }),
  );
  ui.post(path, permit("payment.execute"), withBeneficiary, async (c) => {
    const beneficiary = c.get("beneficiary");
    const values = await readForm(c);
    const key = String(values.key ?? "");
    const parsed = parseForm(OneOffPaymentInput, toInput(values), FIELDS);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return page(c, form, 422);
    if (!/^[0-9a-f-]{36}$/.test(key))
      return page(c, { ...form, values: { ...values, key: randomUUID() }, summary: "Formulaire expiré : vérifiez et renvoyez." }, 422);
    try {
      const outcome = await submit({
        ctx: c.get("ctx"),
        kind: "payment.one_off",
        payload: { beneficiaryId: beneficiary.id, idempotencyKey: key, data: parsed.data },
      });
      return c.redirect(`/beneficiaires/${beneficiary.id}?fait=${"proposal" in outcome ? "proposition" : "paiement"}`);
    } catch (error) {
      return page(c, withRefusal(form, refusedBecause(error)), error instanceof DomainError && error.code === "insufficient_funds" ? 409 : 422);
    }
  });
}
