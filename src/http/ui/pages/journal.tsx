/** @jsxImportSource hono/jsx */
import { ListAuditInput, listAudit } from "../../../services/audit/list-audit";
import { parseForm, typed } from "../form-input";
import { frDateTime } from "../format";
import { ErrorSummary, Field, type FormState, type FormValues, SelectField } from "../forms";
import { permit, render, type UiApp } from "../session";

const ACTION_LABELS: Record<string, string> = {
  "login.succeeded": "Connexion",
  "login.failed": "Connexion refusée",
  logout: "Déconnexion",
  "token.created": "Jeton d'API créé",
  "token.revoked": "Jeton d'API révoqué",
  "beneficiary.list": "Liste des bénéficiaires",
  "beneficiary.search": "Recherche de bénéficiaires",
  "beneficiary.read": "Consultation d'une fiche",
  "alert.list": "Liste des alertes",
  "payment_order.list": "Liste des paiements",
  "audit.read": "Consultation du journal",
};

const FIELDS = {
  from: typed.date,
  to: typed.date,
  kind: typed.choice,
  action: typed.text,
  actor: typed.text,
  userId: typed.text,
  beneficiaryId: typed.text,
};
const LABELS: Record<string, string> = {
  from: "Du",
  to: "Au",
  kind: "Journal",
  action: "Action",
  actor: "Auteur",
  userId: "Identifiant du membre du personnel",
  beneficiaryId: "Identifiant du bénéficiaire",
};

/** The details of a row in a few words, never more than the row holds (no search text is ever stored). */
const detailsText = (details: Record<string, unknown>) => {
  const shown = Object.entries(details).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return shown.length ? shown.map(([k, v]) => `${k} : ${typeof v === "object" ? JSON.stringify(v) : String(v)}`).join(", ") : "—";
};

/**
 * The journal: business audit and access traces, with the API's filters (`GET /v1/audit`),
 * newest first, a page at a time.
 */
export function journalRoutes(ui: UiApp) {
  ui.get("/journal", permit("audit.read", "aux administrateurs et aux cadres"), async (c) => {
    const values: FormValues = {};
    for (const [k, v] of Object.entries(c.req.query())) if (k in FIELDS || k === "cursor") values[k] = v.trim();
    const parsed = parseForm(ListAuditInput, values, FIELDS);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: LABELS };
    const page = parsed.ok ? await listAudit({ ctx: c.get("ctx"), data: { ...parsed.data, cursor: values.cursor as string | undefined } }) : null;
    const next = page?.nextCursor ? `/journal?${new URLSearchParams({ ...(values as Record<string, string>), cursor: page.nextCursor })}` : null;
    return render(
      c,
      "Journal",
      <>
        <h1>Journal des opérations et des accès</h1>
        <p class="muted">Les opérations (journal métier) sont conservées avec les comptes ; les accès (connexions, consultations, recherches) un an.</p>
        <ErrorSummary form={form} />
        {/* biome-ignore lint/a11y/useSemanticElements: role="search" on the form is the landmark every screen reader knows */}
        <form method="get" action="/journal" role="search" class="row-form">
          <Field form={form} name="from" optional placeholder="jj/mm/aaaa" />
          <Field form={form} name="to" optional placeholder="jj/mm/aaaa" />
          <SelectField
            form={form}
            name="kind"
            optional
            options={[
              ["", "Les deux"],
              ["business", "Opérations"],
              ["access", "Accès"],
            ]}
          />
          <Field form={form} name="action" optional placeholder="beneficiary.read" />
          <Field form={form} name="actor" optional placeholder="token:poste-1" />
          <Field form={form} name="userId" optional />
          <Field form={form} name="beneficiaryId" optional />
          <p>
            <button type="submit">Filtrer</button>
          </p>
        </form>
        {page ? (
          page.items.length ? (
            <table>
              <caption class="sr-only">Journal, du plus récent au plus ancien</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Journal</th>
                  <th scope="col">Action</th>
                  <th scope="col">Auteur</th>
                  <th scope="col">Origine</th>
                  <th scope="col">Bénéficiaire</th>
                  <th scope="col">Détails</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((e) => (
                  <tr>
                    <td>{frDateTime(e.at)}</td>
                    <td>{e.kind === "business" ? "Opération" : "Accès"}</td>
                    <td>{ACTION_LABELS[e.action] ?? e.action}</td>
                    <td>
                      {e.actor}
                      {e.role ? <span class="muted"> ({e.role})</span> : null}
                    </td>
                    <td>{e.source ?? "—"}</td>
                    <td>{e.beneficiaryId ? <a href={`/beneficiaires/${e.beneficiaryId}`}>fiche</a> : "—"}</td>
                    <td>{detailsText(e.details)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>Aucune entrée pour ces critères.</p>
          )
        ) : null}
        {next ? (
          <p>
            <a href={next}>Entrées plus anciennes</a>
          </p>
        ) : null}
      </>,
    );
  });
}
