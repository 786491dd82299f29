/** @jsxImportSource hono/jsx */
import { keptMails, listWebhooks, mailDeliveryProblems, webhookDeliveries } from "../../../services/notifications/webhooks";
import { frDateTime } from "../format";
import { permit, render, type UiApp } from "../session";

const DELIVERY_STATUS: Record<string, string> = { pending: "en attente", delivered: "remis", failed: "abandonné", grouped: "dans un récapitulatif" };
const SUBSCRIPTION_STATUS: Record<string, string> = { active: "actif", paused: "suspendu", deleted: "supprimé" };

/** Admins: the mails kept in the database (no SMTP_URL) and the webhook subscriptions with their delivery log. */
export function deliveryRoutes(ui: UiApp) {
  ui.get("/courriels", permit("delivery.manage", "aux administrateurs"), async (c) => {
    const ctx = c.get("ctx");
    const [mails, problems] = await Promise.all([keptMails(ctx), mailDeliveryProblems(ctx)]);
    return render(
      c,
      "Courriels",
      <>
        <h1>Courriels</h1>
        <p class="muted">
          Sans serveur SMTP configuré (SMTP_URL), les courriels d'alerte sont conservés ici au lieu d'être envoyés. Les 100 plus récents, du plus récent au plus
          ancien.
        </p>
        {mails.length ? (
          <table>
            <caption class="sr-only">Courriels conservés</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Destinataire</th>
                <th scope="col">Objet et texte</th>
              </tr>
            </thead>
            <tbody>
              {mails.map((m) => (
                <tr>
                  <td>{frDateTime(m.createdAt.toISOString())}</td>
                  <td>{m.to}</td>
                  <td>
                    <details>
                      <summary>{m.subject}</summary>
                      <pre>{m.text}</pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>Aucun courriel conservé.</p>
        )}
        <h2>Envois en difficulté</h2>
        {problems.length ? (
          <table>
            <caption class="sr-only">Courriels dont l'envoi a échoué au moins une fois</caption>
            <thead>
              <tr>
                <th scope="col">Créé le</th>
                <th scope="col">Destinataire</th>
                <th scope="col">État</th>
                <th scope="col">Tentatives</th>
                <th scope="col">Dernière erreur</th>
              </tr>
            </thead>
            <tbody>
              {problems.map((p) => (
                <tr>
                  <td>{frDateTime(p.createdAt.toISOString())}</td>
                  <td>{p.recipient}</td>
                  <td>{DELIVERY_STATUS[p.status] ?? p.status}</td>
                  <td>{p.attempts}</td>
                  <td>{p.lastError ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>Aucun envoi en échec.</p>
        )}
      </>,
    );
  });

  ui.get("/webhooks", permit("delivery.manage", "aux administrateurs"), async (c) => {
    const ctx = c.get("ctx");
    const subscriptions = await listWebhooks(ctx);
    const logs = await Promise.all(subscriptions.map(async (s) => ({ s, deliveries: (await webhookDeliveries(ctx, s.id)).slice(0, 20) })));
    return render(
      c,
      "Webhooks",
      <>
        <h1>Webhooks</h1>
        <p class="muted">
          Abonnements des systèmes du Département aux événements d'alerte (signés selon Standard Webhooks). Création, pause et suppression : API{" "}
          <code>/v1/webhooks</code>.
        </p>
        {logs.length === 0 ? <p>Aucun abonnement.</p> : null}
        {logs.map(({ s, deliveries }) => (
          <section class="card" aria-labelledby={`wh-${s.id}`}>
            <h2 id={`wh-${s.id}`}>{s.url}</h2>
            <p>
              État : {SUBSCRIPTION_STATUS[s.status] ?? s.status}
              {s.pauseReason ? ` (${s.pauseReason})` : ""} — événements : {s.events.join(", ")}
            </p>
            {deliveries.length ? (
              <table>
                <caption>20 derniers envois</caption>
                <thead>
                  <tr>
                    <th scope="col">Créé le</th>
                    <th scope="col">Événement</th>
                    <th scope="col">État</th>
                    <th scope="col">Tentatives</th>
                    <th scope="col">Code de réponse</th>
                    <th scope="col">Dernière erreur</th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.map((d) => (
                    <tr>
                      <td>{frDateTime(d.createdAt.toISOString())}</td>
                      <td>{d.event}</td>
                      <td>{DELIVERY_STATUS[d.status] ?? d.status}</td>
                      <td>{d.attempts}</td>
                      <td>{d.responseStatus ?? "—"}</td>
                      <td>{d.lastError ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p>Aucun envoi pour l'instant.</p>
            )}
          </section>
        ))}
      </>,
    );
  });
}
