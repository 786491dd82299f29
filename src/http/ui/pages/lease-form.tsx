/** @jsxImportSource hono/jsx */
import { getLease, SetLeaseInput } from "../../../services/leases/set-lease";
import { submit } from "../../../services/proposals/proposals";
import { AddressFields, addressFields, addressLabels, withoutEmptyAddress } from "../address-fields";
import { type FormFields, parseForm, typed } from "../form-input";
import { euros, frDate, frMonth } from "../format";
import { centsToInput, Field, type FormState, type FormValues, readForm, withRefusal } from "../forms";
import { refusal } from "../messages";
import { permit, type UiApp, type UiContext, WRITERS } from "../session";
import { withBeneficiary } from "./beneficiaries";
import { renderBeneficiaryForm } from "./beneficiary-form-page";

const LABELS = {
  "landlord.name": "Bailleur",
  "landlord.iban": "IBAN du bailleur",
  rent: "Loyer (€)",
  charges: "Charges locatives (€)",
  housingBenefitToLandlord: "APL/AL versée directement au bailleur (€)",
  dueDay: "Jour d'échéance",
  startDate: "Date d'entrée dans le logement",
  effectiveFrom: "Nouveaux montants à partir du mois de",
  ...addressLabels("landlord.address", "bailleur"),
};

const FIELDS = {
  "landlord.name": typed.text,
  "landlord.iban": typed.iban,
  ...addressFields("landlord.address"),
  rent: typed.euros,
  charges: typed.euros,
  housingBenefitToLandlord: typed.euros,
  dueDay: typed.int(1, 28),
  startDate: typed.date,
  effectiveFrom: typed.month,
} satisfies FormFields;

type Lease = Awaited<ReturnType<typeof getLease>>[number];

function page(c: UiContext, lease: Lease | undefined, form: FormState, status: 200 | 422 = 200) {
  const intro = lease ? (
    <p class="muted">
      Bail en cours depuis le {frDate(lease.startDate)} :{" "}
      {lease.terms.map((t) => `${euros(t.monthlyDue)} à payer par mois à partir de ${frMonth(t.effectiveFrom)}`).join(" ; ")}. Les mois passés gardent leurs
      montants.
    </p>
  ) : undefined;
  return renderBeneficiaryForm(
    c,
    { crumb: "Bail", title: lease ? "Modifier le bail" : "Enregistrer le bail", action: "bail", submit: "Enregistrer le bail", form, intro, status },
    <>
      <div class="grid2">
        <Field form={form} name="landlord.name" />
        <Field form={form} name="landlord.iban" />
      </div>
      <AddressFields form={form} prefix="landlord.address" legend="Adresse du bailleur" />
      <div class="grid3">
        <Field form={form} name="rent" inputmode="decimal" placeholder="450,00" />
        <Field form={form} name="charges" inputmode="decimal" placeholder="0,00" optional />
        <Field
          form={form}
          name="housingBenefitToLandlord"
          inputmode="decimal"
          placeholder="0,00"
          optional
          hint="Déduite de ce que le service paie chaque mois."
        />
      </div>
      <div class="grid2">
        <Field form={form} name="dueDay" inputmode="numeric" hint="Du 1 au 28." />
        <Field form={form} name="startDate" type="date" hint={lease ? "Une date plus récente enregistre un déménagement (nouveau bail)." : undefined} />
      </div>
      {lease ? (
        <Field form={form} name="effectiveFrom" type="month" optional hint="Par défaut le mois en cours s'il n'a pas encore de montants arrêtés." />
      ) : null}
    </>,
  );
}

const valuesOf = (lease: Lease | undefined): FormValues =>
  lease
    ? {
        "landlord.name": lease.landlord.name,
        "landlord.iban": lease.landlord.iban,
        "landlord.address.street": lease.landlord.address?.street ?? "",
        "landlord.address.postalCode": lease.landlord.address?.postalCode ?? "",
        "landlord.address.town": lease.landlord.address?.town ?? "",
        "landlord.address.country": lease.landlord.address?.country ?? "FR",
        rent: centsToInput(lease.rent),
        charges: centsToInput(lease.charges),
        housingBenefitToLandlord: centsToInput(lease.housingBenefitToLandlord),
        dueDay: String(lease.dueDay),
        startDate: lease.startDate,
      }
    : { dueDay: "5", "landlord.address.country": "FR" };

export function leaseFormRoutes(ui: UiApp) {
  const currentLease = async (c: UiContext) => (await getLease({ ctx: c.get("ctx"), beneficiaryId: c.get("beneficiary").id }))[0];
  ui.get("/beneficiaires/:id/bail", permit("beneficiary.write", WRITERS), withBeneficiary, async (c) => {
    const lease = await currentLease(c);
    return page(c, lease, { values: valuesOf(lease), errors: {}, labels: LABELS });
  });
  ui.post("/beneficiaires/:id/bail", permit("beneficiary.write", WRITERS), withBeneficiary, async (c) => {
    const beneficiary = c.get("beneficiary");
    const lease = await currentLease(c);
    const values = await readForm(c);
    const parsed = parseForm(SetLeaseInput, withoutEmptyAddress(values, "landlord.address"), FIELDS);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return page(c, lease, form, 422);
    try {
      // A different landlord IBAN waits for a second person (four eyes).
      const outcome = await submit({ ctx: c.get("ctx"), kind: "lease.set", payload: { beneficiaryId: beneficiary.id, data: parsed.data } });
      return c.redirect(`/beneficiaires/${beneficiary.id}?fait=${"proposal" in outcome ? "proposition" : "bail"}`);
    } catch (error) {
      const r = refusal(error, { conflict: "Un bail plus récent est déjà enregistré : un bail ne peut commencer avant lui." });
      return page(c, lease, withRefusal(form, r), 422);
    }
  });
}
