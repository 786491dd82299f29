/** @jsxImportSource hono/jsx */
import { listAlerts } from "../../../services/alerts/alerts";
import { dashboardFigures, recentJobRuns } from "../../../services/dashboard";
import { AlertTable, JobTable } from "../components";
import { euros, frDate } from "../format";
import { can, render, type UiApp } from "../session";

export function dashboardRoutes(ui: UiApp) {
  ui.get("/", async (c) => {
    const ctx = c.get("ctx");
    const [f, alerts, runs] = await Promise.all([dashboardFigures(ctx), listAlerts({ ctx, data: { status: "active", limit: 10 } }), recentJobRuns(ctx, 5)]);
    const card = (n: string | number, label: string, href?: string) => (
      <div class="card">
        <div class="n">{n}</div>
        <div class="l">{href ? <a href={href}>{label}</a> : label}</div>
      </div>
    );
    return render(
      c,
      "Tableau de bord",
      <>
        <h1>Tableau de bord — {frDate(f.today)}</h1>
        <div class="cards">
          {card(f.activeMeasures, "mesures MASP 2 en cours", "/beneficiaires")}
          {card(euros(f.creditsToday.amount), `reçus aujourd'hui (${f.creditsToday.count} versements)`)}
          {card(euros(f.creditsValueToday.amount), `en date de valeur du jour (${f.creditsValueToday.count} versements)`)}
          {card(euros(f.creditsMonth.amount), `reçus ce mois (${f.creditsMonth.count} versements)`)}
          {!can(c, "operations.view") ? null : card(euros(f.paymentsPending.amount), `paiements en attente (${f.paymentsPending.count})`, "/virements")}
          {!can(c, "operations.view") ? null : card(f.failedJobs, "traitements en échec (7 jours)", "/traitements")}
        </div>
        <h2>Alertes ouvertes</h2>
        <AlertTable alerts={alerts} caption="Alertes ouvertes, déclencheurs MASP 3 en premier" />
        {!can(c, "operations.view") ? null : (
          <>
            <h2>Derniers traitements</h2>
            <JobTable runs={runs} caption="Derniers traitements" />
          </>
        )}
      </>,
    );
  });
}
