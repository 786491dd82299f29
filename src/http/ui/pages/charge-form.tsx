/** @jsxImportSource hono/jsx */
import { CHARGE_CATEGORIES, CHARGE_FREQUENCIES } from "../../../domain/charge-schedule";
import { AddChargeInput, addCharge } from "../../../services/charges/add-charge";
import { listCharges } from "../../../services/charges/update-charge";
import { AddressFields, addressFields, addressLabels, withoutEmptyAddress } from "../address-fields";
import { type FormFields, parseForm, typed } from "../form-input";
import { CATEGORY_LABELS, FREQUENCY_LABELS } from "../format";
import { Field, type FormState, readForm, SelectField, withRefusal } from "../forms";
import { refusal } from "../messages";
import { permit, type UiApp, type UiContext, WRITERS } from "../session";
import { withBeneficiary } from "./beneficiaries";
import { renderBeneficiaryForm } from "./beneficiary-form-page";

const LABELS = {
  label: "Libellé",
  category: "Catégorie",
  amount: "Montant (€)",
  dueDay: "Jour d'échéance",
  priority: "Priorité",
  "creditor.name": "Créancier",
  "creditor.iban": "IBAN du créancier",
  frequency: "Fréquence",
  startDate: "À partir du",
  ...addressLabels("creditor.address", "créancier"),
};

const FIELDS = {
  label: typed.text,
  category: typed.choice,
  amount: typed.euros,
  frequency: typed.choice,
  dueDay: typed.int(1, 28),
  "creditor.name": typed.text,
  "creditor.iban": typed.iban,
  ...addressFields("creditor.address"),
  priority: typed.int(1, 1000),
  startDate: typed.date,
} satisfies FormFields;

function page(c: UiContext, form: FormState, status: 200 | 422 = 200) {
  return renderBeneficiaryForm(
    c,
    {
      crumb: "Charge",
      title: "Ajouter une charge au budget",
      action: "charges/nouvelle",
      submit: "Ajouter la charge",
      form,
      status,
      intro: <p class="muted">Le loyer passe toujours en premier ; les charges sont ensuite servies par priorité croissante (1 d'abord).</p>,
    },
    <>
      <div class="grid2">
        <Field form={form} name="label" placeholder="Électricité" />
        <SelectField form={form} name="category" options={CHARGE_CATEGORIES.map((k) => [k, CATEGORY_LABELS[k] ?? k] as const)} />
      </div>
      <div class="grid3">
        <Field form={form} name="amount" inputmode="decimal" placeholder="60,00" />
        <SelectField
          form={form}
          name="frequency"
          options={CHARGE_FREQUENCIES.map((k) => [k, FREQUENCY_LABELS[k] ?? k] as const)}
          hint="Trimestrielle et annuelle : à partir du mois de début."
        />
        <Field form={form} name="dueDay" inputmode="numeric" hint="Du 1 au 28." />
      </div>
      <div class="grid2">
        <Field form={form} name="creditor.name" />
        <Field form={form} name="creditor.iban" />
      </div>
      <AddressFields form={form} prefix="creditor.address" legend="Adresse du créancier" />
      <div class="grid2">
        <Field form={form} name="priority" inputmode="numeric" hint="De 1 à 1000 ; 1 est servie d'abord." />
        <Field form={form} name="startDate" type="date" optional hint="Par défaut aujourd'hui." />
      </div>
    </>,
  );
}

export function chargeFormRoutes(ui: UiApp) {
  ui.get("/beneficiaires/:id/charges/nouvelle", permit("beneficiary.write", WRITERS), withBeneficiary, async (c) => {
    const beneficiary = c.get("beneficiary");
    const existing = await listCharges({ ctx: c.get("ctx"), beneficiaryId: beneficiary.id });
    // The next free priority: a new charge is served after the ones already planned.
    const priority = existing.reduce((max, ch) => Math.max(max, ch.priority), 0) + 1;
    return page(c, {
      values: { category: "energy", frequency: "monthly", dueDay: "15", priority: String(priority), "creditor.address.country": "FR" },
      errors: {},
      labels: LABELS,
    });
  });
  ui.post("/beneficiaires/:id/charges/nouvelle", permit("beneficiary.write", WRITERS), withBeneficiary, async (c) => {
    const beneficiary = c.get("beneficiary");
    const values = await readForm(c);
    const parsed = parseForm(AddChargeInput, withoutEmptyAddress(values, "creditor.address"), FIELDS);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return page(c, form, 422);
    try {
      await addCharge({ ctx: c.get("ctx"), beneficiaryId: beneficiary.id, data: parsed.data });
      return c.redirect(`/beneficiaires/${beneficiary.id}?fait=charge#budget`);
    } catch (error) {
      return page(c, withRefusal(form, refusal(error)), 422);
    }
  });
}
