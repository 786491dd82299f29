/** @jsxImportSource hono/jsx */
import { UpdateBeneficiaryInput } from "../../../services/beneficiaries/update-beneficiary";
import { submit } from "../../../services/proposals/proposals";
import { type FormFields, parseForm, typed } from "../form-input";
import { ibanText } from "../format";
import { Field, type FormState, readForm, withRefusal } from "../forms";
import { refusal } from "../messages";
import { permit, type UiApp, type UiContext, WRITERS } from "../session";
import { withBeneficiary } from "./beneficiaries";
import { renderBeneficiaryForm } from "./beneficiary-form-page";

const LABELS = { iban: "Nouvel IBAN" };
const FIELDS = { iban: typed.iban } satisfies FormFields;
const IbanInput = UpdateBeneficiaryInput.pick({ iban: true }).required();

function page(c: UiContext, form: FormState, status: 200 | 422 = 200) {
  const b = c.get("beneficiary");
  return renderBeneficiaryForm(
    c,
    {
      crumb: "IBAN",
      title: "Changer l'IBAN",
      action: "iban",
      submit: "Proposer le changement",
      form,
      status,
      intro: (
        <p>
          IBAN actuel : <span class="iban">{ibanText(b.iban)}</span>. Un changement d'IBAN est une proposition : il s'applique quand une autre personne (service
          financier, cadre ou administrateur) l'approuve.
        </p>
      ),
    },
    <Field form={form} name="iban" placeholder="FR76 …" />,
  );
}

/** A beneficiary's new IBAN: always proposed (four eyes), except the first one recorded. */
export function ibanFormRoutes(ui: UiApp) {
  ui.get("/beneficiaires/:id/iban", permit("beneficiary.write", WRITERS), withBeneficiary, (c) => page(c, { values: {}, errors: {}, labels: LABELS }));
  ui.post("/beneficiaires/:id/iban", permit("beneficiary.write", WRITERS), withBeneficiary, async (c) => {
    const beneficiary = c.get("beneficiary");
    const values = await readForm(c);
    const parsed = parseForm(IbanInput, values, FIELDS);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return page(c, form, 422);
    try {
      const outcome = await submit({ ctx: c.get("ctx"), kind: "beneficiary.update", payload: { id: beneficiary.id, data: parsed.data } });
      return c.redirect(`/beneficiaires/${beneficiary.id}?fait=${"proposal" in outcome ? "proposition" : "iban"}`);
    } catch (error) {
      return page(c, withRefusal(form, refusal(error)), 422);
    }
  });
}
