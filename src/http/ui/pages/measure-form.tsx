/** @jsxImportSource hono/jsx */
import { addDays, addMonths } from "../../../domain/calendar";
import { catalogueInForce } from "../../../services/catalogue";
import { OpenMeasureInput, openMeasure } from "../../../services/measures/open-measure";
import { type FormFields, type FormRule, parseForm, typed } from "../form-input";
import { Checkbox, CheckboxGroup, Field, type FormState, readForm, SelectField, TextArea, withRefusal } from "../forms";
import { refusal } from "../messages";
import { permit, type UiApp, type UiContext, WRITERS } from "../session";
import { withBeneficiary } from "./beneficiaries";
import { renderBeneficiaryForm } from "./beneficiary-form-page";

const LABELS = {
  level: "Niveau",
  startDate: "Début du contrat",
  endDate: "Fin du contrat",
  managedPrestations: "Prestations gérées (art. D.271-2)",
  extension: "Extension du contrat aux prestations des items 18 à 29 (R.271-3)",
  extensionReason: "Motif de l'extension",
  livingMonthly: "Reste à vivre par mois (€)",
  reversementWhileRentShort: "Reverser le disponible même si le loyer du mois n'est pas couvert",
};

const FIELDS = {
  level: typed.choice,
  startDate: typed.date,
  endDate: typed.date,
  managedPrestations: typed.list,
  extension: typed.checkbox,
  extensionReason: typed.text,
  livingMonthly: typed.euros,
  reversementWhileRentShort: typed.checkbox,
} satisfies FormFields;

/** The extension states its reason (R.271-3): the form asks for it with the other fields. */
const reasonWithExtension: FormRule = ({ extension, extensionReason }) =>
  extension && !extensionReason ? [{ field: "extensionReason", code: "required" }] : [];

async function page(c: UiContext, form: FormState, status: 200 | 422 = 200) {
  const catalogue = await catalogueInForce(c.get("ctx").db, c.get("ctx").today());
  return renderBeneficiaryForm(
    c,
    { crumb: "Mesure", title: "Ouvrir une mesure", action: "mesure/nouvelle", submit: "Ouvrir la mesure", form, status },
    <>
      <SelectField
        form={form}
        name="level"
        options={[
          ["MASP2", "MASP 2 — avec gestion des prestations"],
          ["MASP1", "MASP 1 — accompagnement sans gestion"],
        ]}
      />
      <div class="grid2">
        <Field form={form} name="startDate" type="date" />
        <Field form={form} name="endDate" type="date" hint="De 6 mois à 2 ans ; 4 ans au plus avec les renouvellements (L.271-2)." />
      </div>
      <CheckboxGroup
        form={form}
        name="managedPrestations"
        hint="Une MASP 2 gère au moins une prestation ; les items 18 à 29 demandent l'extension."
        options={catalogue.items.map((p) => ({
          value: p.code,
          label: (
            <>
              <strong>{p.code}</strong> — {p.label}
              {p.scope === "extension" ? <span class="muted"> (extension)</span> : null}
            </>
          ),
        }))}
      />
      <Checkbox form={form} name="extension" />
      <TextArea form={form} name="extensionReason" optional hint="Obligatoire avec l'extension." rows={2} />
      <Field
        form={form}
        name="livingMonthly"
        inputmode="decimal"
        placeholder="0,00"
        optional
        hint="Mis de côté chaque mois après le loyer, avant les autres charges, et reversé à la personne (0 par défaut)."
      />
      <Checkbox form={form} name="reversementWhileRentShort" />
    </>,
  );
}

export function measureFormRoutes(ui: UiApp) {
  ui.get("/beneficiaires/:id/mesure/nouvelle", permit("beneficiary.write", WRITERS), withBeneficiary, async (c) => {
    const start = c.get("ctx").today();
    // One year is the usual first contract; the form says the bounds.
    return page(c, { values: { level: "MASP2", startDate: start, endDate: addDays(addMonths(start, 12), -1) }, errors: {}, labels: LABELS });
  });
  ui.post("/beneficiaires/:id/mesure/nouvelle", permit("beneficiary.write", WRITERS), withBeneficiary, async (c) => {
    const beneficiary = c.get("beneficiary");
    const values = await readForm(c);
    const parsed = parseForm(OpenMeasureInput, values, FIELDS, [reasonWithExtension]);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return page(c, form, 422);
    try {
      await openMeasure({ ctx: c.get("ctx"), beneficiaryId: beneficiary.id, data: parsed.data });
      return c.redirect(`/beneficiaires/${beneficiary.id}?fait=mesure`);
    } catch (error) {
      const r = refusal(error, { conflict: "Une autre mesure de ce bénéficiaire couvre déjà ces dates." });
      return page(c, withRefusal(form, r), 422);
    }
  });
}
