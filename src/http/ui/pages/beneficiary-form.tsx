/** @jsxImportSource hono/jsx */
import { isCalendarDate } from "../../../domain/business-date";
import { birthDateIssue } from "../../../domain/measure-rules";
import { CreateBeneficiaryInput, createBeneficiary } from "../../../services/beneficiaries/create-beneficiary";
import { listUsers } from "../../../services/users/users";
import { AddressFields, addressFields, addressLabels, withoutEmptyAddress } from "../address-fields";
import { type FormFields, type FormRule, parseForm, typed } from "../form-input";
import { Checkbox, ErrorSummary, Field, type FormState, readForm, SelectField, withRefusal } from "../forms";
import { refusal } from "../messages";
import { CsrfField, can, permit, render, type UiApp, type UiContext, WRITERS } from "../session";

/** The person's identity, IBAN and address: the fields the creation and the edit forms share. */
export const IDENTITY_LABELS = {
  lastName: "Nom",
  firstName: "Prénom",
  birthDate: "Date de naissance",
  cafNumber: "N° allocataire CAF",
  msaNumber: "N° MSA",
  iban: "IBAN du bénéficiaire (pour les reversements)",
  ...addressLabels("address", "bénéficiaire"),
  mjagbf: "Une mesure judiciaire d'aide à la gestion du budget familial (MJAGBF) est en cours",
};
const LABELS = { ...IDENTITY_LABELS, caseworkerId: "Travailleur social référent" };

export const IDENTITY_FIELDS = {
  lastName: typed.text,
  firstName: typed.text,
  birthDate: typed.date,
  cafNumber: typed.digits(13),
  msaNumber: typed.digits(13),
  iban: typed.iban,
  ...addressFields("address"),
  mjagbf: typed.checkbox,
} satisfies FormFields;
const FIELDS = { ...IDENTITY_FIELDS, caseworkerId: typed.choice } satisfies FormFields;

/** L.271-1: the MASP is for adults; checked with the format, so a minor and a bad IBAN are reported together. */
export const adultToday =
  (today: string): FormRule =>
  ({ birthDate }) => {
    if (typeof birthDate !== "string" || !isCalendarDate(birthDate)) return [];
    const code = birthDateIssue(birthDate, today);
    return code ? [{ field: "birthDate", code }] : [];
  };

async function page(c: UiContext, form: FormState, status: 200 | 422 = 200) {
  const ctx = c.get("ctx");
  // A caseworker takes the person into their own caseload; finance staff choose the referent.
  const caseworkers = !can(c, "beneficiary.assign") ? [] : await listUsers({ ctx, role: "caseworker" });
  return render(
    c,
    "Nouveau bénéficiaire",
    <>
      <p class="crumbs">
        <a href="/beneficiaires">Bénéficiaires</a> › Nouveau
      </p>
      <h1>Nouveau bénéficiaire</h1>
      <ErrorSummary form={form} />
      <form method="post" action="/beneficiaires/nouveau" novalidate>
        <CsrfField c={c} />
        <div class="grid2">
          <Field form={form} name="lastName" autocomplete="off" />
          <Field form={form} name="firstName" autocomplete="off" />
        </div>
        <Field form={form} name="birthDate" type="date" hint="La MASP est réservée aux personnes majeures (L.271-1)." />
        <div class="grid2">
          <Field form={form} name="cafNumber" optional inputmode="numeric" />
          <Field form={form} name="msaNumber" optional inputmode="numeric" />
        </div>
        <Field form={form} name="iban" optional hint="FR76 3000 6000 0112 3456 7890 189 — les espaces sont acceptés." />
        <AddressFields form={form} prefix="address" legend="Adresse du bénéficiaire" />
        {!can(c, "beneficiary.assign") ? null : (
          <SelectField form={form} name="caseworkerId" optional options={[["", "— à désigner —"], ...caseworkers.map((u) => [u.id, u.displayName] as const)]} />
        )}
        <Checkbox form={form} name="mjagbf" hint="Elle interdit l'extension du contrat aux prestations des items 18 à 29 (R.271-3)." />
        <p class="actions">
          <button type="submit">Enregistrer le bénéficiaire</button> <a href="/beneficiaires">Annuler</a>
        </p>
      </form>
    </>,
    status,
  );
}

export function beneficiaryFormRoutes(ui: UiApp) {
  ui.get("/beneficiaires/nouveau", permit("beneficiary.write", WRITERS), (c) => page(c, { values: { "address.country": "FR" }, errors: {}, labels: LABELS }));
  ui.post("/beneficiaires/nouveau", permit("beneficiary.write", WRITERS), async (c) => {
    const values = withoutEmptyAddress(await readForm(c), "address");
    // The referent is the finance staff's choice; a caseworker's own beneficiaries are theirs.
    const parsed = parseForm(CreateBeneficiaryInput, can(c, "beneficiary.assign") ? values : { ...values, caseworkerId: "" }, FIELDS, [
      adultToday(c.get("ctx").today()),
    ]);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return page(c, form, 422);
    try {
      const created = await createBeneficiary({ ctx: c.get("ctx"), data: parsed.data });
      return c.redirect(`/beneficiaires/${created.id}?fait=beneficiaire`);
    } catch (error) {
      return page(c, withRefusal(form, refusal(error)), 422);
    }
  });
}
