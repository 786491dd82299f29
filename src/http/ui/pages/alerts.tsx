/** @jsxImportSource hono/jsx */
import { mayHandleAlert } from "../../../auth/permissions";
import { DomainError } from "../../../domain/errors";
import { hasEvidence } from "../../../domain/masp3-evidence";
import { alertEvidence } from "../../../services/alerts/alert-evidence";
import { acknowledgeAlert, CloseAlertInput, closeAlert, ListAlertsInput, listAlerts } from "../../../services/alerts/alerts";
import { Notice } from "../components";
import { parseForm, typed } from "../form-input";
import { ALERT_LABELS, euros, frDate, frMonth, STATUS_LABELS } from "../format";
import { isUuid, readForm } from "../forms";
import { Badge } from "../layout";
import { refusal } from "../messages";
import { EvidenceDocument } from "./masp3-evidence";

/** The inbox's query, parsed once (its defaults filled by the service's schema). */
const ACTIVE_ALERTS = ListAlertsInput.parse({ status: "active" });

import { CsrfField, can, permit, render, type UiApp, type UiContext } from "../session";

const NOT_FOUND = { not_found: "Cette alerte n'existe pas ou ne fait pas partie de vos accompagnements." };

type Evidence = {
  periods?: { period: string; due: number; paid: number; creditsReceived: number }[];
  /** A finance alert: the order the bank refused and why. */
  amount?: number;
  reasonLabel?: string | null;
};

async function inbox(c: UiContext, problem?: { alertId: string; text: string }, status: 200 | 403 | 404 | 409 | 422 = 200) {
  const alerts = await listAlerts({ ctx: c.get("ctx"), data: ACTIVE_ALERTS });
  return render(
    c,
    "Alertes",
    <>
      <h1>Alertes</h1>
      <p>
        <a href="/alertes/closes">Alertes closes (commentaire, auteur et date)</a>
      </p>
      <Notice text={c.req.query("fait") ? "Alerte mise à jour." : undefined} />
      {problem && !alerts.some((a) => a.id === problem.alertId) ? (
        <p class="error" role="alert">
          {problem.text}
        </p>
      ) : null}
      {alerts.length === 0 ? <p>Aucune alerte ouverte.</p> : <p>{alerts.length} alerte(s) ouverte(s), les déclencheurs MASP 3 en premier.</p>}
      {alerts.map((a) => {
        const evidence = (a.evidence ?? {}) as Evidence;
        const error = problem?.alertId === a.id ? problem.text : undefined;
        return (
          <section class={`card alert-${a.type === "masp3_trigger" ? "masp3" : "unpaid_rent"}`} aria-labelledby={`a-${a.id}`}>
            <h2 id={`a-${a.id}`} class="alert-title">
              {ALERT_LABELS[a.type] ?? a.type}
              {a.person ? ` — ${a.person}` : ""}
            </h2>
            <p>
              <Badge value={a.status} label={STATUS_LABELS[a.status] ?? a.status} />{" "}
              {a.periods.length ? `Périodes : ${a.periods.map(frMonth).join(", ")} — ` : ""}depuis le {frDate(a.createdAt.slice(0, 10))}
              {a.beneficiaryId ? (
                <>
                  {" "}
                  — <a href={`/beneficiaires/${a.beneficiaryId}`}>voir la fiche du bénéficiaire</a>
                </>
              ) : null}
              {hasEvidence(a.type) && a.beneficiaryId ? (
                <>
                  {" "}
                  — <a href={`/alertes/${a.id}/dossier`}>éléments pour une demande de MASP 3 (R.271-8)</a>
                </>
              ) : null}
            </p>
            {a.type === "masp3_trigger" ? (
              <p class="muted">Deux mois de loyer impayés : le Département peut demander au juge une MASP 3, paiement direct du loyer au bailleur (L.271-5).</p>
            ) : null}
            {a.type === "no_credit_received" ? (
              <p class="muted">
                Aucune prestation gérée reçue depuis le début de la mesure (45 jours) : vérifier auprès de l'organisme payeur que le bon de commande a été
                traité.
              </p>
            ) : null}
            {a.audience === "finance" ? (
              <p>
                Montant : {euros(evidence.amount ?? 0)} — motif : {evidence.reasonLabel ?? "non précisé"}. L'argent est revenu dans l'enveloppe ; le paiement
                repartira au prochain traitement, ou après correction de l'IBAN s'il a été refusé.
              </p>
            ) : null}
            {evidence.periods?.length ? (
              <table>
                <caption class="sr-only">Loyers des périodes en cause</caption>
                <thead>
                  <tr>
                    <th scope="col">Période</th>
                    <th scope="col" class="num">
                      Dû
                    </th>
                    <th scope="col" class="num">
                      Payé
                    </th>
                    <th scope="col" class="num">
                      Versements reçus
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {evidence.periods.map((p) => (
                    <tr>
                      <td>{frMonth(p.period)}</td>
                      <td class="num">{euros(p.due)}</td>
                      <td class="num">{euros(p.paid)}</td>
                      <td class="num">{euros(p.creditsReceived)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            {!can(c, "alert.handle") || !mayHandleAlert(c.get("session").user.role, a.audience) ? null : (
              <div class="alert-actions">
                {a.status === "open" ? (
                  <form method="post" action={`/alertes/${a.id}/prise-en-compte`} class="inline">
                    <CsrfField c={c} />
                    <button type="submit" class="secondary">
                      Prendre en compte
                    </button>
                  </form>
                ) : null}
                <form method="post" action={`/alertes/${a.id}/cloture`} class={error ? "invalid" : undefined}>
                  <CsrfField c={c} />
                  <label for={`comment-${a.id}`}>Commentaire de clôture</label>
                  {error ? (
                    <p class="field-error" id={`comment-${a.id}-erreur`} role="alert">
                      {error}
                    </p>
                  ) : null}
                  <textarea
                    id={`comment-${a.id}`}
                    name="comment"
                    rows={2}
                    required
                    aria-invalid={error ? "true" : undefined}
                    aria-describedby={error ? `comment-${a.id}-erreur` : undefined}
                  ></textarea>
                  <button type="submit">Clore l'alerte</button>
                </form>
              </div>
            )}
          </section>
        );
      })}
    </>,
    status,
  );
}

/** The caseworker's inbox: only their caseload's alerts (the service filters them). */
export function alertRoutes(ui: UiApp) {
  ui.get("/alertes", (c) => inbox(c));
  // Before the `alert.handle` guard below: whoever sees the alert reads its evidence (a
  // manager too), within their caseload; the handler answers, the guard is not reached.
  ui.get("/alertes/:id/dossier", async (c) => {
    const id = c.req.param("id");
    if (!isUuid(id)) return inbox(c, { alertId: "", text: NOT_FOUND.not_found }, 404);
    try {
      const evidence = await alertEvidence({ ctx: c.get("ctx"), id });
      return render(c, `Dossier MASP 3 — ${evidence.person.firstName} ${evidence.person.lastName}`, <EvidenceDocument e={evidence} />);
    } catch (error) {
      if (error instanceof DomainError && error.code === "no_evidence") {
        return inbox(c, { alertId: "", text: "Cette alerte ne porte pas sur un impayé de loyer : elle n'a pas de dossier MASP 3." }, 409);
      }
      if (error instanceof DomainError && error.code === "not_found") return inbox(c, { alertId: "", text: NOT_FOUND.not_found }, 404);
      throw error;
    }
  });
  // An id that is no alert's is answered like another caseload's alert: not found.
  ui.use("/alertes/:id/*", permit("alert.handle", "aux travailleurs sociaux et au service financier"));
  ui.use("/alertes/:id/*", async (c, next) => (isUuid(c.req.param("id") ?? "") ? next() : inbox(c, { alertId: "", text: NOT_FOUND.not_found }, 404)));
  const refused = (c: UiContext, error: unknown, conflict: string) =>
    inbox(
      c,
      { alertId: c.req.param("id") ?? "", text: refusal(error, { ...NOT_FOUND, conflict }).summary },
      error instanceof DomainError && error.code === "not_found" ? 404 : error instanceof DomainError && error.code === "forbidden" ? 403 : 422,
    );
  ui.post("/alertes/:id/prise-en-compte", async (c) => {
    try {
      await acknowledgeAlert({ ctx: c.get("ctx"), id: c.req.param("id") });
    } catch (error) {
      return refused(c, error, "Cette alerte n'est plus ouverte.");
    }
    return c.redirect("/alertes?fait=1");
  });
  ui.post("/alertes/:id/cloture", async (c) => {
    const values = await readForm(c);
    const parsed = parseForm(CloseAlertInput, values, { comment: typed.text });
    if (!parsed.ok) {
      // The input says what is missing; the French message is for reading, not for deciding.
      const blank = !String(values.comment ?? "").trim();
      const text = blank ? "Un commentaire est nécessaire pour clore l'alerte." : `Commentaire : ${parsed.errors.comment}.`;
      return inbox(c, { alertId: c.req.param("id"), text }, 422);
    }
    try {
      await closeAlert({ ctx: c.get("ctx"), id: c.req.param("id"), data: parsed.data });
    } catch (error) {
      return refused(c, error, "Cette alerte est déjà close.");
    }
    return c.redirect("/alertes?fait=1");
  });
}
