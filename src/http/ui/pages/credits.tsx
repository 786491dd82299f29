/** @jsxImportSource hono/jsx */
import { ListBeneficiariesInput, listBeneficiaries } from "../../../services/beneficiaries/list-beneficiaries";
import { catalogueInForce } from "../../../services/catalogue";
import { previewCredit } from "../../../services/credits/preview-credit";
import { RecordCreditInput, recordCredit } from "../../../services/credits/record-credit";
import { IdempotencyKey } from "../../../services/idempotency";
import { type FormFields, parseForm, parseQuery, typed } from "../form-input";
import { euros, KIND_LABELS } from "../format";
import { ErrorSummary, Field, type FormState, isUuid, readForm, SelectField, withRefusal } from "../forms";
import { refusal } from "../messages";
import { CsrfField, permit, render, type UiApp, type UiContext } from "../session";
import { beneficiaryIfVisible } from "./beneficiaries";

const LABELS = {
  beneficiaryId: "Bénéficiaire",
  payer: "Organisme payeur",
  prestation: "Prestation (code D.271-2)",
  amount: "Montant (€)",
  valueDate: "Date de valeur",
  reference: "Référence du paiement",
  "deduction.amount": "Montant retenu (€)",
  "deduction.prestation": "Prestation de l'indu",
  "deduction.reference": "Référence de l'indu",
};
const PAYERS = ["CAF", "MSA", "CPAM", "CARSAT", "Département"];

async function page(c: UiContext, form: FormState, preview?: unknown, status: 200 | 422 = 200) {
  const ctx = c.get("ctx");
  const q = c.req.query("q")?.trim() || undefined;
  const search = parseQuery(ListBeneficiariesInput, { q, limit: 200 });
  const [list, catalogue] = await Promise.all([
    search.ok ? listBeneficiaries({ ctx, data: search.data }) : { items: [], nextCursor: null },
    catalogueInForce(ctx.db, ctx.today()),
  ]);
  // The person chosen (from their fiche, or before a refusal) stays in the list whatever the search shows.
  const chosen =
    typeof form.values.beneficiaryId === "string" && isUuid(form.values.beneficiaryId) && !list.items.some((b) => b.id === form.values.beneficiaryId)
      ? await beneficiaryIfVisible(c, form.values.beneficiaryId)
      : undefined;
  const people = chosen ? [chosen, ...list.items] : list.items;
  return render(
    c,
    "Saisie d'un versement",
    <>
      <h1>Saisie d'un versement</h1>
      <ErrorSummary form={form} />
      {/* biome-ignore lint/a11y/useSemanticElements: role="search" on the form is the landmark every screen reader knows */}
      <form method="get" action="/versements/nouveau" role="search" class="search">
        <label for="q">Trouver le bénéficiaire (nom ou numéro CAF/MSA)</label>
        <div class="row">
          <input id="q" name="q" type="search" value={q ?? ""} aria-invalid={search.ok ? undefined : "true"} />
          <button type="submit" class="secondary">
            Filtrer la liste
          </button>
        </div>
        {search.ok ? null : <p class="field-error" role="alert">{`Recherche refusée : ${search.message}`}</p>}
      </form>
      <form method="post" action="/versements/apercu" novalidate>
        <CsrfField c={c} />
        <SelectField
          form={form}
          name="beneficiaryId"
          options={[["", "— choisir —"], ...people.map((b) => [b.id, `${b.lastName} ${b.firstName}${b.cafNumber ? ` — CAF ${b.cafNumber}` : ""}`] as const)]}
          hint={list.nextCursor ? "Liste limitée aux 200 premiers : filtrez-la ci-dessus." : undefined}
        />
        <div class="grid2">
          <Field form={form} name="payer" list="payeurs" />
          <Field
            form={form}
            name="prestation"
            list="prestations"
            placeholder="RSA, AAH, ALS…"
            hint="Seules les prestations de l'art. D.271-2 gérées par la mesure sont acceptées."
          />
        </div>
        <datalist id="payeurs">
          {PAYERS.map((p) => (
            <option value={p} />
          ))}
        </datalist>
        <datalist id="prestations">
          {catalogue.items.map((p) => (
            <option value={p.code}>{p.label}</option>
          ))}
        </datalist>
        <div class="grid3">
          <Field form={form} name="amount" inputmode="decimal" placeholder="607,75" />
          <Field form={form} name="valueDate" type="date" />
          <Field form={form} name="reference" optional />
        </div>
        <fieldset>
          <legend>Retenue pour indu (facultatif)</legend>
          <p class="hint">
            Si l'organisme a retenu une partie du paiement pour un indu, le montant ci-dessus est le net reçu en banque ; la retenue est enregistrée sur ce
            versement (brut, retenue, net).
          </p>
          <div class="grid3">
            <Field form={form} name="deduction.amount" inputmode="decimal" placeholder="50,00" optional />
            <Field form={form} name="deduction.prestation" list="prestations" placeholder="RSA" optional />
            <Field form={form} name="deduction.reference" optional />
          </div>
        </fieldset>
        <p>
          <button type="submit">Voir la répartition</button>
        </p>
      </form>
      {preview as never}
    </>,
    status,
  );
}

const FIELDS = {
  beneficiaryId: typed.choice,
  payer: typed.text,
  prestation: typed.text,
  amount: typed.euros,
  valueDate: typed.date,
  reference: typed.text,
  "deduction.amount": typed.euros,
  "deduction.prestation": typed.text,
  "deduction.reference": typed.text,
} satisfies FormFields;
/** The confirmation carries the key minted with the preview. */
const ConfirmedCredit = RecordCreditInput.extend({ idempotencyKey: IdempotencyKey });

const REFUSALS = { conflict: "Ce versement a déjà été enregistré." };

/**
 * A credit is typed, previewed (the allocation the ledger will post, rent first), then
 * confirmed. The confirmation carries an idempotency key minted with the preview: a
 * double click or a resent form records the credit once.
 */
export function creditRoutes(ui: UiApp) {
  ui.use("/versements/*", permit("credit.record"));
  ui.use("/versements", permit("credit.record"));

  ui.get("/versements/nouveau", (c) =>
    page(c, { values: { beneficiaryId: c.req.query("beneficiaire") ?? "", payer: "CAF", valueDate: c.get("ctx").today() }, errors: {}, labels: LABELS }),
  );
  ui.post("/versements/apercu", async (c) => {
    const values = await readForm(c);
    const parsed = parseForm(RecordCreditInput, values, FIELDS);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return page(c, form, undefined, 422);
    const input = parsed.data;
    try {
      const { plan } = await previewCredit({ ctx: c.get("ctx"), data: input });
      return page(
        c,
        form,
        <section aria-labelledby="apercu" class="card preview">
          <h2 id="apercu">Répartition proposée (loyer d'abord)</h2>
          <table>
            <caption class="sr-only">Répartition de {euros(input.amount)}</caption>
            <thead>
              <tr>
                <th scope="col">Enveloppe</th>
                <th scope="col" class="num">
                  Montant
                </th>
              </tr>
            </thead>
            <tbody>
              {plan.map((a) => (
                <tr>
                  <td>{KIND_LABELS[a.envelope] ?? a.envelope}</td>
                  <td class="num">{euros(a.amount)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td class="num">
                  <strong>{euros(input.amount)}</strong>
                </td>
              </tr>
            </tfoot>
          </table>
          {input.deduction ? (
            <p>
              Brut {euros(input.amount + input.deduction.amount)} − retenue pour indu {input.deduction.prestation} {euros(input.deduction.amount)} = net reçu{" "}
              {euros(input.amount)}.
            </p>
          ) : null}
          <form method="post" action="/versements">
            <CsrfField c={c} />
            {Object.entries(values).map(([k, v]) => (
              <input type="hidden" name={k} value={String(v)} />
            ))}
            <input type="hidden" name="idempotencyKey" value={crypto.randomUUID()} />
            <p>
              <button type="submit">Confirmer le versement</button>
            </p>
          </form>
        </section>,
      );
    } catch (error) {
      return page(c, withRefusal(form, refusal(error, REFUSALS)), undefined, 422);
    }
  });
  ui.post("/versements", async (c) => {
    const values = await readForm(c);
    const parsed = parseForm(ConfirmedCredit, values, { ...FIELDS, idempotencyKey: typed.text });
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return page(c, form, undefined, 422);
    try {
      const { idempotencyKey, ...data } = parsed.data;
      const outcome = await recordCredit({ ctx: c.get("ctx"), idempotencyKey, data });
      return c.redirect(`/beneficiaires/${outcome.body.beneficiaryId}?fait=versement`);
    } catch (error) {
      return page(c, withRefusal(form, refusal(error, REFUSALS)), undefined, 422);
    }
  });
}
