/** @jsxImportSource hono/jsx */
import { listCharges, UpdateChargeInput } from "../../../services/charges/update-charge";
import { submit } from "../../../services/proposals/proposals";
import { AddressFields, addressFields, addressLabels, withoutEmptyAddress } from "../address-fields";
import { type FormFields, parseForm, typed } from "../form-input";
import { CATEGORY_LABELS, FREQUENCY_LABELS, ibanText } from "../format";
import { centsToInput, Field, type FormState, type FormValues, isUuid, readForm, withRefusal } from "../forms";
import { refusal } from "../messages";
import { permit, render, type UiApp, type UiContext, WRITERS } from "../session";
import { withBeneficiary } from "./beneficiaries";
import { renderBeneficiaryForm } from "./beneficiary-form-page";

type Charge = Awaited<ReturnType<typeof listCharges>>[number];

const LABELS = {
  label: "Libellé",
  amount: "Montant (€)",
  dueDay: "Jour d'échéance",
  priority: "Priorité",
  "creditor.name": "Créancier",
  "creditor.iban": "IBAN du créancier",
  ...addressLabels("creditor.address", "créancier"),
  endDate: "Fin de la charge",
};

const FIELDS = {
  label: typed.text,
  amount: typed.euros,
  dueDay: typed.int(1, 28),
  priority: typed.int(1, 1000),
  "creditor.name": typed.text,
  "creditor.iban": typed.iban,
  ...addressFields("creditor.address"),
  endDate: typed.date,
} satisfies FormFields;

const currentValues = (ch: Charge): FormValues => ({
  label: ch.label,
  amount: centsToInput(ch.amount),
  dueDay: String(ch.dueDay),
  priority: String(ch.priority),
  "creditor.name": ch.creditor.name,
  "creditor.iban": ibanText(ch.creditor.iban),
  "creditor.address.street": ch.creditor.address?.street ?? "",
  "creditor.address.postalCode": ch.creditor.address?.postalCode ?? "",
  "creditor.address.town": ch.creditor.address?.town ?? "",
  "creditor.address.country": ch.creditor.address?.country ?? "FR",
  endDate: ch.endDate ?? "",
});

function page(c: UiContext, charge: Charge, form: FormState, status: 200 | 422 = 200) {
  return renderBeneficiaryForm(
    c,
    {
      crumb: "Charge",
      title: `Modifier la charge ${charge.label}`,
      action: `charges/${charge.id}/modifier`,
      submit: "Enregistrer la charge",
      form,
      status,
      intro: (
        <>
          <p class="muted">
            {CATEGORY_LABELS[charge.category] ?? charge.category}, {FREQUENCY_LABELS[charge.frequency] ?? charge.frequency}. Le loyer passe toujours en premier
            ; les charges sont ensuite servies par priorité croissante (1 d'abord).
          </p>
          <p>
            <strong>
              Un changement d'IBAN du créancier est une proposition : la modification entière s'applique quand une autre personne (service financier, cadre ou
              administrateur) l'approuve.
            </strong>{" "}
            Sans changement d'IBAN, elle s'applique tout de suite.
          </p>
        </>
      ),
    },
    <>
      <Field form={form} name="label" />
      <div class="grid3">
        <Field form={form} name="amount" inputmode="decimal" />
        <Field form={form} name="dueDay" inputmode="numeric" hint="Du 1 au 28." />
        <Field form={form} name="priority" inputmode="numeric" hint="De 1 à 1000 ; 1 est servie d'abord." />
      </div>
      <div class="grid2">
        <Field form={form} name="creditor.name" />
        <Field form={form} name="creditor.iban" />
      </div>
      <AddressFields form={form} prefix="creditor.address" legend="Adresse du créancier" />
      <Field form={form} name="endDate" type="date" optional hint="La charge n'est plus due après cette date ; laissez vide si elle continue." />
    </>,
  );
}

const chargeNotFound = (c: UiContext) =>
  render(
    c,
    "Charge introuvable",
    <>
      <h1>Charge introuvable</h1>
      <p>Cette charge n'existe pas ou n'appartient pas à ce bénéficiaire.</p>
      <p>
        <a href={`/beneficiaires/${c.get("beneficiary").id}#budget`}>Retour au budget</a>
      </p>
    </>,
    404,
  );

async function chargeOf(c: UiContext): Promise<Charge | undefined> {
  const id = c.req.param("chargeId") ?? "";
  if (!isUuid(id)) return undefined;
  const charges = await listCharges({ ctx: c.get("ctx"), beneficiaryId: c.get("beneficiary").id });
  return charges.find((ch) => ch.id === id);
}

/** A charge of the budget plan: amount, day, priority, creditor (four eyes when its IBAN changes), end. */
export function chargeEditRoutes(ui: UiApp) {
  const path = "/beneficiaires/:id/charges/:chargeId/modifier";
  ui.get(path, permit("beneficiary.write", WRITERS), withBeneficiary, async (c) => {
    const charge = await chargeOf(c);
    if (!charge) return chargeNotFound(c);
    return page(c, charge, { values: currentValues(charge), errors: {}, labels: LABELS });
  });
  ui.post(path, permit("beneficiary.write", WRITERS), withBeneficiary, async (c) => {
    const charge = await chargeOf(c);
    if (!charge) return chargeNotFound(c);
    const b = c.get("beneficiary");
    const values = await readForm(c);
    const parsed = parseForm(UpdateChargeInput, withoutEmptyAddress(values, "creditor.address"), FIELDS);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return page(c, charge, form, 422);
    // An emptied end date means the charge goes on.
    const data = { ...parsed.data, endDate: parsed.data.endDate ?? null };
    try {
      const outcome = await submit({ ctx: c.get("ctx"), kind: "charge.update", payload: { beneficiaryId: b.id, chargeId: charge.id, data } });
      return c.redirect(`/beneficiaires/${b.id}?fait=${"proposal" in outcome ? "proposition" : "charge-modifiee"}#budget`);
    } catch (error) {
      return page(c, charge, withRefusal(form, refusal(error)), 422);
    }
  });
}
