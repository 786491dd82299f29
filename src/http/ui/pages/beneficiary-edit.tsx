/** @jsxImportSource hono/jsx */
import { UpdateBeneficiaryInput } from "../../../services/beneficiaries/update-beneficiary";
import { submit } from "../../../services/proposals/proposals";
import { AddressFields, withoutEmptyAddress } from "../address-fields";
import { parseForm } from "../form-input";
import { ibanText } from "../format";
import { Checkbox, Field, type FormState, type FormValues, readForm, withRefusal } from "../forms";
import { refusal } from "../messages";
import { permit, type UiApp, type UiContext, type UiEnv, WRITERS } from "../session";
import { withBeneficiary } from "./beneficiaries";
import { adultToday, IDENTITY_FIELDS, IDENTITY_LABELS } from "./beneficiary-form";
import { renderBeneficiaryForm } from "./beneficiary-form-page";

const LABELS = IDENTITY_LABELS;
const FIELDS = IDENTITY_FIELDS;

/** The record as the form shows it. */
function currentValues(b: UiEnv["Variables"]["beneficiary"]): FormValues {
  return {
    lastName: b.lastName,
    firstName: b.firstName,
    birthDate: b.birthDate,
    cafNumber: b.cafNumber ?? "",
    msaNumber: b.msaNumber ?? "",
    iban: ibanText(b.iban) === "—" ? "" : ibanText(b.iban),
    "address.street": b.address?.street ?? "",
    "address.postalCode": b.address?.postalCode ?? "",
    "address.town": b.address?.town ?? "",
    "address.country": b.address?.country ?? "FR",
    mjagbf: b.mjagbf ? "on" : "",
  };
}

function page(c: UiContext, form: FormState, status: 200 | 422 = 200) {
  const b = c.get("beneficiary");
  return renderBeneficiaryForm(
    c,
    {
      crumb: "Modifier",
      title: "Modifier la fiche",
      action: "modifier",
      submit: "Enregistrer les modifications",
      form,
      status,
      intro: (
        <p>
          IBAN actuel : <span class="iban">{ibanText(b.iban)}</span>.{" "}
          <strong>
            Un changement d'IBAN est une proposition : la modification entière (IBAN compris) s'applique quand une autre personne (service financier, cadre ou
            administrateur) l'approuve.
          </strong>{" "}
          Sans changement d'IBAN, elle s'applique tout de suite.
        </p>
      ),
    },
    <>
      <div class="grid2">
        <Field form={form} name="lastName" />
        <Field form={form} name="firstName" />
      </div>
      <Field form={form} name="birthDate" type="date" hint="La MASP est réservée aux personnes majeures (L.271-1)." />
      <div class="grid2">
        <Field form={form} name="cafNumber" optional inputmode="numeric" hint="Laissez vide pour l'effacer." />
        <Field form={form} name="msaNumber" optional inputmode="numeric" hint="Laissez vide pour l'effacer." />
      </div>
      <Field
        form={form}
        name="iban"
        optional
        hint="FR76 3000 6000 0112 3456 7890 189 — les espaces sont acceptés. Un IBAN changé attend l'accord d'une deuxième personne ; laissé vide, l'IBAN actuel reste."
      />
      <AddressFields form={form} prefix="address" legend="Adresse du bénéficiaire" />
      <Checkbox form={form} name="mjagbf" hint="Elle interdit l'extension du contrat aux prestations des items 18 à 29 (R.271-3)." />
    </>,
  );
}

/** Identity, numbers, IBAN and address of a beneficiary, through the one update verb (four eyes when the IBAN changes). */
export function beneficiaryEditRoutes(ui: UiApp) {
  const path = "/beneficiaires/:id/modifier";
  ui.get(path, permit("beneficiary.write", WRITERS), withBeneficiary, (c) =>
    page(c, { values: currentValues(c.get("beneficiary")), errors: {}, labels: LABELS }),
  );
  ui.post(path, permit("beneficiary.write", WRITERS), withBeneficiary, async (c) => {
    const b = c.get("beneficiary");
    const values = await readForm(c);
    const parsed = parseForm(UpdateBeneficiaryInput, withoutEmptyAddress(values, "address"), FIELDS, [adultToday(c.get("ctx").today())]);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return page(c, form, 422);
    // An emptied number or address is cleared; an emptied IBAN keeps the current one (a person is never left without it by mistake).
    const data = { ...parsed.data, cafNumber: parsed.data.cafNumber ?? null, msaNumber: parsed.data.msaNumber ?? null, address: parsed.data.address ?? null };
    try {
      const outcome = await submit({ ctx: c.get("ctx"), kind: "beneficiary.update", payload: { id: b.id, data } });
      return c.redirect(`/beneficiaires/${b.id}?fait=${"proposal" in outcome ? "proposition" : "modification"}`);
    } catch (error) {
      return page(c, withRefusal(form, refusal(error)), 422);
    }
  });
}
