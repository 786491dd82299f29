/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import { ListAlertsInput, listAlerts } from "../../../services/alerts/alerts";
import { listUsers } from "../../../services/users/users";
import { ALERT_LABELS, frDateTime, frMonth } from "../format";
import { render, type UiApp, type UiContext } from "../session";

type AlertRow = Awaited<ReturnType<typeof listAlerts>>[number];

/** The closed alerts page: the latest 200, newest first after the MASP 3 triggers (the service's order). */
const CLOSED_ALERTS = ListAlertsInput.parse({ status: "closed" });

/** Who closed an alert, in words: the staff member's name when they are known, else the actor as recorded (`token:poste-1`). */
export async function authorNames(c: UiContext): Promise<(actor: string | null) => string> {
  const staff = await listUsers({ ctx: c.get("ctx") });
  const names = new Map(staff.map((u) => [`user:${u.email}`, u.displayName]));
  return (actor) => (actor ? (names.get(actor) ?? actor.replace(/^(user|token):/, "")) : "—");
}

/** Closed alerts with what was done: the closing comment, who wrote it and when. */
export const ClosedAlertList: FC<{ alerts: AlertRow[]; author: (actor: string | null) => string; withPerson?: boolean }> = ({ alerts, author, withPerson }) =>
  alerts.length === 0 ? (
    <p class="muted">Aucune alerte close.</p>
  ) : (
    <ul class="closed-alerts">
      {alerts.map((a) => (
        <li class="card" data-alert={a.id}>
          <p>
            <strong>{ALERT_LABELS[a.type] ?? a.type}</strong>
            {withPerson && a.person ? (
              <>
                {" — "}
                {a.beneficiaryId ? <a href={`/beneficiaires/${a.beneficiaryId}`}>{a.person}</a> : a.person}
              </>
            ) : null}
            {a.periods.length ? ` — ${a.periods.map(frMonth).join(", ")}` : ""}
          </p>
          <p>
            Close le {a.closedAt ? frDateTime(a.closedAt) : "—"} par {author(a.closedBy)}.
          </p>
          <blockquote>{a.closeComment ?? "(sans commentaire)"}</blockquote>
        </li>
      ))}
    </ul>
  );

export function closedAlertRoutes(ui: UiApp) {
  // Before the inbox's `/alertes/:id/*` handlers: this page is for every role that reads alerts.
  ui.get("/alertes/closes", async (c) => {
    const [alerts, author] = await Promise.all([listAlerts({ ctx: c.get("ctx"), data: CLOSED_ALERTS }), authorNames(c)]);
    return render(
      c,
      "Alertes closes",
      <>
        <p class="crumbs">
          <a href="/alertes">Alertes</a> › Closes
        </p>
        <h1>Alertes closes</h1>
        <p>Les {CLOSED_ALERTS.limit} dernières au plus, avec le commentaire de clôture, son auteur et sa date.</p>
        <ClosedAlertList alerts={alerts} author={author} withPerson />
      </>,
    );
  });
}
