/** @jsxImportSource hono/jsx */
import { DomainError } from "../../../domain/errors";
import type { PostalAddress } from "../../../domain/postal-address";
import { listPayers, UpdatePayerInput, updatePayer } from "../../../services/banking/payers";
import { AddressFields, addressFields, addressLabels, withoutEmptyAddress } from "../address-fields";
import { Notice } from "../components";
import { type FormFields, parseForm, typed } from "../form-input";
import { ibanText } from "../format";
import { ErrorSummary, Field, type FormState, type FormValues, readForm, withRefusal } from "../forms";
import { refusal } from "../messages";
import { CsrfField, permit, render, type UiApp, type UiContext } from "../session";

const LABELS = {
  name: "Nom de l'organisme",
  iban: "IBAN de l'organisme",
  ...addressLabels("address", "organisme"),
};

const FIELDS = { name: typed.text, iban: typed.iban, ...addressFields("address") } satisfies FormFields;

const ADMINS = "aux administrateurs";

const addressText = (a: PostalAddress | null) => (a ? [a.street, [a.postalCode, a.town].filter(Boolean).join(" "), a.country].filter(Boolean).join(", ") : "—");

/** The payers' list: each CAF, MSA, pension fund... with what a statement or a MASP 3 request needs of it. */
async function list(c: UiContext) {
  const payers = await listPayers({ ctx: c.get("ctx") });
  return render(
    c,
    "Payeurs",
    <>
      <h1>Organismes payeurs</h1>
      <Notice text={c.req.query("fait") ? "Organisme payeur enregistré." : undefined} />
      <p class="muted">
        Les organismes qui versent les prestations, repris du catalogue D.271-2. Leur nom et leur IBAN permettent de reconnaître leurs versements sur les
        relevés ; leur adresse figure dans une requête MASP 3 (R.271-8).
      </p>
      <table>
        <caption class="sr-only">Organismes payeurs</caption>
        <thead>
          <tr>
            <th scope="col">Code</th>
            <th scope="col">Nom</th>
            <th scope="col">IBAN</th>
            <th scope="col">Adresse</th>
            <th scope="col">
              <span class="sr-only">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {payers.map((p) => (
            <tr>
              <td>{p.code}</td>
              <td>{p.name}</td>
              <td class="iban">{ibanText(p.iban)}</td>
              <td>{addressText(p.address)}</td>
              <td>
                <a href={`/payeurs/modifier?code=${encodeURIComponent(p.code)}`} aria-label={`Modifier ${p.code}`}>
                  Modifier
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>,
  );
}

function editPage(c: UiContext, code: string, form: FormState, status: 200 | 404 | 422 = 200) {
  return render(
    c,
    `Payeur ${code}`,
    <>
      <p class="crumbs">
        <a href="/payeurs">Payeurs</a> › {code}
      </p>
      <h1>Organisme payeur {code}</h1>
      <ErrorSummary form={form} />
      <form method="post" action="/payeurs/modifier" novalidate>
        <CsrfField c={c} />
        <input type="hidden" name="code" value={code} />
        <div class="grid2">
          <Field form={form} name="name" />
          <Field form={form} name="iban" optional hint="Le compte d'où l'organisme verse les prestations." />
        </div>
        <AddressFields form={form} prefix="address" legend="Adresse de l'organisme" />
        <p class="actions">
          <button type="submit">Enregistrer l'organisme</button> <a href="/payeurs">Annuler</a>
        </p>
      </form>
    </>,
    status,
  );
}

const NOT_FOUND = (c: UiContext) =>
  render(
    c,
    "Introuvable",
    <>
      <h1>Organisme introuvable</h1>
      <p>
        <a href="/payeurs">Retour à la liste</a>
      </p>
    </>,
    404,
  );

export function payerRoutes(ui: UiApp) {
  ui.use("/payeurs", permit("banking.manage", ADMINS));
  ui.use("/payeurs/*", permit("banking.manage", ADMINS));
  ui.get("/payeurs", (c) => list(c));
  ui.get("/payeurs/modifier", async (c) => {
    const code = c.req.query("code") ?? "";
    const payer = (await listPayers({ ctx: c.get("ctx") })).find((p) => p.code === code);
    if (!payer) return NOT_FOUND(c);
    const values: FormValues = {
      name: payer.name,
      iban: payer.iban ?? "",
      "address.street": payer.address?.street ?? "",
      "address.postalCode": payer.address?.postalCode ?? "",
      "address.town": payer.address?.town ?? "",
      "address.country": payer.address?.country ?? "FR",
    };
    return editPage(c, code, { values, errors: {}, labels: LABELS });
  });
  ui.post("/payeurs/modifier", async (c) => {
    const { code: rawCode, ...values } = await readForm(c);
    const code = String(rawCode ?? "");
    const parsed = parseForm(UpdatePayerInput, withoutEmptyAddress(values, "address"), FIELDS);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    if (!parsed.ok) return editPage(c, code, form, 422);
    try {
      await updatePayer({ ctx: c.get("ctx"), code, data: parsed.data });
    } catch (error) {
      if (error instanceof DomainError && error.code === "not_found") return NOT_FOUND(c);
      return editPage(c, code, withRefusal(form, refusal(error)), 422);
    }
    return c.redirect("/payeurs?fait=1");
  });
}
