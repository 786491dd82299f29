/** @jsxImportSource hono/jsx */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { z } from "zod";
import { ListBeneficiariesInput, listBeneficiaries } from "../../../services/beneficiaries/list-beneficiaries";
import { catalogueInForce } from "../../../services/catalogue";
import { previewCredit } from "../../../services/credits/preview-credit";
import { RecordCreditInput, recordCredit } from "../../../services/credits/record-credit";
import { statementArrivals } from "../../../services/credits/statement-arrivals";
import { IdempotencyKey } from "../../../services/idempotency";
import { COMBOBOX_SCRIPT } from "../assets";
import { type FormFields, parseForm, parseQuery, typed } from "../form-input";
import { euros, frDate, KIND_LABELS } from "../format";
import { ErrorSummary, Field, type FormState, isUuid, readForm, withRefusal } from "../forms";
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
/** How many people the search shows as choices (the combobox asks for fewer). */
const CHOICES = 20;
const SUGGESTIONS = 10;

type Person = { id: string; firstName: string; lastName: string; cafNumber: string | null };
const personLabel = (b: Person) => `${b.lastName} ${b.firstName}${b.cafNumber ? ` — CAF ${b.cafNumber}` : ""}`;

/** The people the search finds (none before a search); a refused search says why. */
async function searchPeople(c: UiContext, q: string | undefined, limit: number) {
  if (!q) return { ok: true as const, items: [] as Person[], more: false };
  const search = parseQuery(ListBeneficiariesInput, { q, limit });
  if (!search.ok) return { ok: false as const, message: search.message, items: [] as Person[], more: false };
  const list = await listBeneficiaries({ ctx: c.get("ctx"), data: search.data });
  return { ok: true as const, items: list.items as Person[], more: list.nextCursor !== null };
}

/**
 * The page in its two states. Editing: a search for the person (a plain search form
 * whose results are radio buttons; with the script, a combobox that suggests as one
 * types) and the credit's fields. Previewed (`preview` given): the fields are locked,
 * read-only, beside the allocation they produced; "Modifier la saisie" unlocks them and
 * the preview must be asked again. What is confirmed is therefore what is shown.
 */
async function page(c: UiContext, form: FormState, preview?: unknown, status: 200 | 422 = 200) {
  const ctx = c.get("ctx");
  const locked = preview !== undefined;
  const q = locked ? undefined : c.req.query("q")?.trim() || undefined;
  const [found, catalogue] = await Promise.all([searchPeople(c, q, CHOICES), catalogueInForce(ctx.db, ctx.today())]);
  const chosenId = typeof form.values.beneficiaryId === "string" && isUuid(form.values.beneficiaryId) ? form.values.beneficiaryId : undefined;
  // The person chosen (from their fiche, or before a refusal or a preview) stays checked whatever the search shows.
  const chosen = chosenId ? (found.items.find((b) => b.id === chosenId) ?? ((await beneficiaryIfVisible(c, chosenId)) as Person | undefined)) : undefined;
  const people = chosen ? [chosen, ...found.items.filter((b) => b.id !== chosen.id)] : found.items;
  const error = form.errors.beneficiaryId;
  return render(
    c,
    "Saisie d'un versement",
    <>
      <h1>Saisie d'un versement</h1>
      <ErrorSummary form={form} />
      {locked ? null : (
        // biome-ignore lint/a11y/useSemanticElements: role="search" on the form is the landmark every screen reader knows
        <form method="get" action="/versements/nouveau" role="search" class="search">
          <label for="q">Trouver le bénéficiaire (nom, prénom ou numéro CAF/MSA)</label>
          <p class="hint" id="q-aide">
            Les accents et les majuscules sont indifférents : « zoe » trouve « Zoé ».
          </p>
          <div class="row">
            <input
              id="q"
              name="q"
              type="search"
              value={q ?? ""}
              aria-describedby="q-aide"
              aria-invalid={found.ok ? undefined : "true"}
              data-combobox="/versements/beneficiaires"
              data-target="f-beneficiaryId"
            />
            <button type="submit" class="secondary">
              Rechercher
            </button>
          </div>
          {found.ok ? null : <p class="field-error" role="alert">{`Recherche refusée : ${found.message}`}</p>}
        </form>
      )}
      <form method="post" action={locked ? "/versements/modifier" : "/versements/apercu"} novalidate class={locked ? "locked" : undefined}>
        <CsrfField c={c} />
        <fieldset id="f-beneficiaryId" class={error ? "choices field invalid" : "choices"} aria-describedby={error ? "f-beneficiaryId-erreur" : undefined}>
          <legend>{LABELS.beneficiaryId}</legend>
          {error ? (
            <p class="field-error" id="f-beneficiaryId-erreur">
              {error}
            </p>
          ) : null}
          {locked && chosen ? (
            <p>
              <input type="hidden" name="beneficiaryId" value={chosen.id} />
              <strong>{personLabel(chosen)}</strong>
            </p>
          ) : (
            people.map((b) => (
              <label>
                <input type="radio" name="beneficiaryId" value={b.id} checked={b.id === chosenId} /> {personLabel(b)}
              </label>
            ))
          )}
          {!locked && people.length === 0 ? (
            <p class="hint">{q && found.ok ? "Personne ne correspond à cette recherche." : "Cherchez la personne ci-dessus, puis choisissez-la."}</p>
          ) : null}
          {!locked && found.more ? <p class="hint">{`Seules les ${CHOICES} premières personnes sont proposées : précisez la recherche.`}</p> : null}
        </fieldset>
        <div class="grid2">
          <LockableField form={form} locked={locked} name="payer" list="payeurs" />
          <LockableField
            form={form}
            locked={locked}
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
          <LockableField form={form} locked={locked} name="amount" inputmode="decimal" placeholder="607,75" />
          <LockableField form={form} locked={locked} name="valueDate" type="date" />
          <LockableField form={form} locked={locked} name="reference" optional />
        </div>
        <fieldset>
          <legend>Retenue pour indu (facultatif)</legend>
          <p class="hint">
            Si l'organisme a retenu une partie du paiement pour un indu, le montant ci-dessus est le net reçu en banque ; la retenue est enregistrée sur ce
            versement (brut, retenue, net).
          </p>
          <div class="grid3">
            <LockableField form={form} locked={locked} name="deduction.amount" inputmode="decimal" placeholder="50,00" optional />
            <LockableField form={form} locked={locked} name="deduction.prestation" list="prestations" placeholder="RSA" optional />
            <LockableField form={form} locked={locked} name="deduction.reference" optional />
          </div>
        </fieldset>
        <p>
          {locked ? (
            <button type="submit" class="secondary">
              Modifier la saisie
            </button>
          ) : (
            <button type="submit">Voir la répartition</button>
          )}
        </p>
      </form>
      {preview as never}
      {locked ? null : <script src={COMBOBOX_SCRIPT} defer />}
    </>,
    status,
  );
}

/** A field of the credit form, read-only once the preview is shown (its value still posted back to "Modifier"). */
const LockableField = (props: Parameters<typeof Field>[0] & { locked: boolean }) => {
  const { locked, ...field } = props;
  if (!locked) return <Field {...field} />;
  const value = field.form.values[field.name];
  return (
    <div class="field">
      <label for={`f-${field.name}`}>{field.form.labels[field.name] ?? field.name}</label>
      <input id={`f-${field.name}`} name={field.name} type="text" value={typeof value === "string" ? value : ""} readonly />
    </div>
  );
};

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
/** The confirmation carries the key minted with the preview, and the seal of what the preview showed. */
const ConfirmedCredit = RecordCreditInput.extend({ idempotencyKey: IdempotencyKey });
type Credit = z.output<typeof RecordCreditInput>;

const REFUSALS = { conflict: "Ce versement a déjà été enregistré." };
const CHANGED = "Le versement a changé depuis l'aperçu : rien n'a été enregistré. Vérifiez la répartition ci-dessous, puis confirmez-la.";

/**
 * The seal of a preview: what it showed (as parsed: "607,75" and "607.75" are one
 * amount) and its key, signed with the session's secret CSRF token. The confirmation is
 * recorded only if its fields still carry the same seal.
 */
function seal(c: UiContext, key: string, d: Credit): string {
  const deduction = d.deduction ? [d.deduction.amount.toString(), d.deduction.prestation, d.deduction.reference ?? null] : null;
  const shown = JSON.stringify([key, d.beneficiaryId, d.payer, d.prestation, d.amount.toString(), d.valueDate, d.reference ?? null, deduction]);
  return createHmac("sha256", c.get("session").csrfToken).update(shown).digest("base64url");
}
const sameSeal = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The preview of a valid credit: the allocation, a warning if the statement already brought it, and the confirmation. */
async function previewPage(c: UiContext, form: FormState, input: Credit, status: 200 | 422 = 200) {
  const ctx = c.get("ctx");
  const [{ plan }, arrivals] = await Promise.all([previewCredit({ ctx, data: input }), statementArrivals({ ctx, data: input })]);
  const key = crypto.randomUUID();
  return page(
    c,
    form,
    <section aria-labelledby="apercu" class="card preview">
      <h2 id="apercu">Répartition proposée (loyer d'abord)</h2>
      {arrivals.length === 0 ? null : (
        <div class="card partial" role="note" aria-labelledby="deja-arrive">
          <p id="deja-arrive">
            <strong>Ce versement est peut-être déjà enregistré.</strong>
          </p>
          <ul>
            {arrivals.map((a) => (
              <li>
                {`${input.payer} ${euros(a.amount)}, arrivé par relevé bancaire le ${frDate(a.bookingDate)} (date de valeur ${frDate(a.valueDate)}${a.reference ? `, référence ${a.reference}` : ""}).`}
              </li>
            ))}
          </ul>
          <p>Même personne, même payeur, même montant à 5 jours près : ne confirmez que s'il s'agit d'un autre versement.</p>
        </div>
      )}
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
        {Object.entries(form.values)
          .filter(([k]) => k in FIELDS)
          .map(([k, v]) => (
            <input type="hidden" name={k} value={String(v)} />
          ))}
        <input type="hidden" name="idempotencyKey" value={key} />
        <input type="hidden" name="seal" value={seal(c, key, input)} />
        <p>
          <button type="submit">{`Confirmer le versement de ${euros(input.amount)}`}</button>
        </p>
      </form>
    </section>,
    status,
  );
}

/**
 * A credit is typed, previewed (the allocation the ledger will post, rent first), then
 * confirmed. The preview locks the fields and seals what it showed; the confirmation
 * carries an idempotency key minted with the preview: a double click or a resent form
 * records the credit once, and a confirmation whose fields differ from the preview's is
 * refused and previewed again.
 */
export function creditRoutes(ui: UiApp) {
  ui.use("/versements/*", permit("credit.record"));
  ui.use("/versements", permit("credit.record"));

  ui.get("/versements/nouveau", (c) =>
    page(c, { values: { beneficiaryId: c.req.query("beneficiaire") ?? "", payer: "CAF", valueDate: c.get("ctx").today() }, errors: {}, labels: LABELS }),
  );
  // The combobox's suggestions: the same search, fewer names, as JSON.
  ui.get("/versements/beneficiaires", async (c) => {
    const found = await searchPeople(c, c.req.query("q")?.trim() || undefined, SUGGESTIONS);
    if (!found.ok) return c.json({ items: [], error: found.message }, 422);
    return c.json({ items: found.items.map((b) => ({ id: b.id, label: personLabel(b) })) });
  });
  ui.post("/versements/modifier", async (c) => {
    const values = await readForm(c);
    return page(c, { values, errors: {}, labels: LABELS });
  });
  ui.post("/versements/apercu", async (c) => {
    const values = await readForm(c);
    const parsed = parseForm(RecordCreditInput, values, FIELDS);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return page(c, form, undefined, 422);
    try {
      return await previewPage(c, form, parsed.data);
    } catch (error) {
      return page(c, withRefusal(form, refusal(error, REFUSALS)), undefined, 422);
    }
  });
  ui.post("/versements", async (c) => {
    const values = await readForm(c);
    const parsed = parseForm(ConfirmedCredit, values, { ...FIELDS, idempotencyKey: typed.text });
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return page(c, form, undefined, 422);
    const { idempotencyKey, ...data } = parsed.data;
    try {
      if (!sameSeal(String(values.seal ?? ""), seal(c, idempotencyKey, data))) {
        return await previewPage(c, { ...form, summary: CHANGED }, data, 422);
      }
      const outcome = await recordCredit({ ctx: c.get("ctx"), idempotencyKey, data });
      return c.redirect(`/beneficiaires/${outcome.body.beneficiaryId}?fait=versement`);
    } catch (error) {
      return page(c, withRefusal(form, refusal(error, REFUSALS)), undefined, 422);
    }
  });
}
