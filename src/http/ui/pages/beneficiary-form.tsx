/** @jsxImportSource hono/jsx */
import { createBeneficiary } from "../../../services/beneficiaries/create-beneficiary";
import { listUsers } from "../../../services/users/users";
import { Checkbox, ErrorSummary, Field, FormReader, readForm, SelectField, withRefusal, type FormState, type FormValues } from "../forms";
import { refusal } from "../messages";
import { can, CsrfField, render, type UiApp, type UiContext } from "../session";

const LABELS = {
  lastName: "Nom",
  firstName: "Prénom",
  birthDate: "Date de naissance",
  cafNumber: "N° allocataire CAF",
  msaNumber: "N° MSA",
  iban: "IBAN du bénéficiaire (pour les reversements)",
  caseworkerId: "Travailleur social référent",
  mjagbf: "Une mesure judiciaire d'aide à la gestion du budget familial (MJAGBF) est en cours",
};

async function page(c: UiContext, form: FormState, status: 200 | 422 = 200) {
  const ctx = c.get("ctx");
  // A caseworker takes the person into their own caseload; finance staff choose the referent.
  const caseworkers = !can(c, "beneficiary.assign") ? [] : await listUsers({ ctx, role: "caseworker" });
  return render(
    c,
    "Nouveau bénéficiaire",
    <>
      <p class="crumbs"><a href="/beneficiaires">Bénéficiaires</a> › Nouveau</p>
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
        {!can(c, "beneficiary.assign") ? null : (
          <SelectField form={form} name="caseworkerId" optional options={[["", "— à désigner —"], ...caseworkers.map((u) => [u.id, u.displayName] as const)]} />
        )}
        <Checkbox form={form} name="mjagbf" hint="Elle interdit l'extension du contrat aux prestations des items 18 à 29 (R.271-3)." />
        <p class="actions"><button type="submit">Enregistrer le bénéficiaire</button> <a href="/beneficiaires">Annuler</a></p>
      </form>
    </>,
    status,
  );
}

export function beneficiaryFormRoutes(ui: UiApp) {
  ui.get("/beneficiaires/nouveau", (c) => page(c, { values: {}, errors: {}, labels: LABELS }));
  ui.post("/beneficiaires/nouveau", async (c) => {
    const values: FormValues = await readForm(c);
    const f = new FormReader(values);
    const input = {
      lastName: f.text("lastName", { max: 100 }),
      firstName: f.text("firstName", { max: 100 }),
      birthDate: f.date("birthDate"),
      cafNumber: f.digits("cafNumber", 13) ?? null,
      msaNumber: f.digits("msaNumber", 13) ?? null,
      iban: f.iban("iban", { required: false }) ?? null,
      // The referent is the finance staff's choice; a caseworker's own beneficiaries are theirs.
      caseworkerId: !can(c, "beneficiary.assign") ? null : (f.text("caseworkerId", { required: false }) ?? null),
      mjagbf: f.checked("mjagbf"),
    };
    const form: FormState = { values, errors: f.errors, labels: LABELS };
    if (!f.ok) return page(c, form, 422);
    try {
      const created = await createBeneficiary({ ctx: c.get("ctx"), input: input as Parameters<typeof createBeneficiary>[0]["input"] });
      return c.redirect(`/beneficiaires/${created.id}?fait=beneficiaire`);
    } catch (error) {
      return page(c, withRefusal(form, refusal(error)), 422);
    }
  });
}
