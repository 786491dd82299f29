/** @jsxImportSource hono/jsx */
import { getReversementPlan, ReversementPlanInput, setReversementPlan } from "../../../services/payments/payment-orders";
import { type FormFields, parseForm, typed } from "../form-input";
import { euros, ibanText, METHOD_LABELS } from "../format";
import { centsToInput, Field, type FormState, type FormValues, readForm, SelectField, withRefusal } from "../forms";
import { refusal } from "../messages";
import { can, permit, type UiApp, type UiContext, WRITERS } from "../session";
import { withBeneficiary } from "./beneficiaries";
import { renderBeneficiaryForm } from "./beneficiary-form-page";

type Plan = Awaited<ReturnType<typeof getReversementPlan>>;

const WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];

const LABELS = {
  frequency: "Rythme",
  weekday: "Jour de la semaine (hebdomadaire)",
  day: "Jour du mois (mensuel)",
  mode: "Montant reversé",
  amount: "Montant fixe (€)",
  buffer: "Réserve gardée sur le disponible (€)",
  method: "Moyen de paiement",
};

const FIELDS = {
  frequency: typed.choice,
  weekday: typed.int(1, 7),
  day: typed.int(1, 31),
  mode: typed.choice,
  amount: typed.euros,
  buffer: typed.euros,
  method: typed.choice,
} satisfies FormFields;

/** The plan in one French sentence: `chaque mois le 10 : tout le disponible, moins 50,00 € de réserve, par virement`. */
export function planInFrench(plan: Plan): string {
  const when = plan.frequency === "weekly" ? `chaque ${WEEKDAYS[(plan.weekday ?? 1) - 1]}` : `chaque mois le ${plan.day ?? 10}`;
  const what = plan.mode === "fixed" && plan.amount !== null ? euros(plan.amount) : "tout le disponible";
  const buffer = plan.buffer > 0n ? `, moins ${euros(plan.buffer)} de réserve` : "";
  return `${when} : ${what}${buffer}, ${(METHOD_LABELS[plan.method] ?? plan.method).toLowerCase()}`;
}

const currentValues = (plan: Plan): FormValues => ({
  frequency: plan.frequency,
  weekday: plan.weekday ? String(plan.weekday) : "",
  day: plan.day ? String(plan.day) : "",
  mode: plan.mode,
  amount: plan.amount !== null ? centsToInput(plan.amount) : "",
  buffer: centsToInput(plan.buffer),
  method: plan.method,
});

/** A field that does not apply to the rhythm or the mode chosen is left out, rather than refused. */
function applicable(values: FormValues): FormValues {
  const out = { ...values };
  if (out.frequency === "weekly") delete out.day;
  else delete out.weekday;
  if (out.mode !== "fixed") delete out.amount;
  return out;
}

function page(c: UiContext, plan: Plan, form: FormState, status: 200 | 422 = 200) {
  const b = c.get("beneficiary");
  return renderBeneficiaryForm(
    c,
    {
      crumb: "Reversements",
      title: "Plan de reversement",
      action: "reversements",
      submit: "Enregistrer le plan",
      form,
      status,
      intro: (
        <>
          <p>
            Aujourd'hui : <strong>{planInFrench(plan)}</strong>
            {plan.isDefault ? " (plan par défaut)" : ""}. Le reversement rend à la personne ce qui reste après le loyer et les charges.
          </p>
          <p>
            IBAN des reversements : <span class="iban">{ibanText(b.iban)}</span>
            {can(c, "beneficiary.write") ? (
              <>
                {" "}
                — <a href={`/beneficiaires/${b.id}/iban`}>changer l'IBAN</a> (une proposition, validée par une autre personne)
              </>
            ) : null}
            .
          </p>
        </>
      ),
    },
    <>
      <div class="grid3">
        <SelectField
          form={form}
          name="frequency"
          options={[
            ["monthly", "Mensuel"],
            ["weekly", "Hebdomadaire"],
          ]}
        />
        <Field form={form} name="day" optional inputmode="numeric" hint="Du 1 au 31 ; 10 par défaut." />
        <SelectField form={form} name="weekday" optional options={[["", "—"], ...WEEKDAYS.map((d, i) => [String(i + 1), d] as const)]} />
      </div>
      <div class="grid3">
        <SelectField
          form={form}
          name="mode"
          options={[
            ["all_available", "Tout le disponible"],
            ["fixed", "Un montant fixe"],
          ]}
        />
        <Field form={form} name="amount" optional inputmode="decimal" hint="Pour un montant fixe seulement." />
        <Field form={form} name="buffer" optional inputmode="decimal" hint="Gardée sur l'enveloppe disponible ; 0 par défaut." />
      </div>
      <SelectField form={form} name="method" options={Object.entries(METHOD_LABELS)} hint="Espèces et chèque pour une personne sans compte bancaire." />
    </>,
  );
}

/** The reversement plan of a beneficiary: when and how much of the available envelope is paid back to them. */
export function reversementPlanRoutes(ui: UiApp) {
  const path = "/beneficiaires/:id/reversements";
  ui.get(path, permit("beneficiary.write", WRITERS), withBeneficiary, async (c) => {
    const plan = await getReversementPlan({ ctx: c.get("ctx"), beneficiaryId: c.get("beneficiary").id });
    return page(c, plan, { values: currentValues(plan), errors: {}, labels: LABELS });
  });
  ui.post(path, permit("beneficiary.write", WRITERS), withBeneficiary, async (c) => {
    const b = c.get("beneficiary");
    const ctx = c.get("ctx");
    const values = await readForm(c);
    const parsed = parseForm(ReversementPlanInput, applicable(values), FIELDS);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return page(c, await getReversementPlan({ ctx, beneficiaryId: b.id }), form, 422);
    try {
      await setReversementPlan({ ctx, beneficiaryId: b.id, data: parsed.data });
      return c.redirect(`/beneficiaires/${b.id}?fait=reversements`);
    } catch (error) {
      return page(c, await getReversementPlan({ ctx, beneficiaryId: b.id }), withRefusal(form, refusal(error)), 422);
    }
  });
}
