/** @jsxImportSource hono/jsx */

import { z } from "zod";
import { JOB_NAMES } from "../../../jobs/catalog";
import { recentJobRuns } from "../../../services/dashboard";
import { CalendarDate } from "../../../services/schemas";
import { JobTable, Notice } from "../components";
import { parseForm, typed } from "../form-input";
import { frDate, JOB_LABELS } from "../format";
import { readForm } from "../forms";
import { CsrfField, can, permit, render, type UiApp, type UiDeps } from "../session";

const JobRunForm = z.object({ job: z.enum(JOB_NAMES), asOf: CalendarDate });

/** Recent job runs, and for admins: run a job for a business date, and the queue dashboard. */
export function jobRoutes(ui: UiApp, deps: UiDeps) {
  ui.get("/traitements", permit("operations.view"), async (c) => {
    const runs = await recentJobRuns(c.get("ctx"), 30);
    const done = c.req.query("fait");
    const error = c.req.query("erreur");
    // The job and the date of the last run stay chosen: a re-run, or the next job of the same day, is one click.
    const last = JobRunForm.safeParse({ job: c.req.query("traitement"), asOf: c.req.query("date") });
    const chosenJob = last.success ? last.data.job : undefined;
    const chosenDate = last.success ? last.data.asOf : c.get("ctx").today();
    return render(
      c,
      "Traitements",
      <>
        <h1>Traitements</h1>
        <Notice text={done && Object.hasOwn(JOB_LABELS, done) ? `${JOB_LABELS[done]} : traitement terminé.` : undefined} />
        {error ? (
          <p class="error" role="alert">
            Traitement ou date invalide.
          </p>
        ) : null}
        {c.req.query("echec") ? (
          <p class="error" role="alert">
            Le traitement a échoué : le détail figure dans le tableau ci-dessous.
          </p>
        ) : null}
        {can(c, "job.run") ? (
          <section aria-labelledby="lancer" class="card">
            <h2 id="lancer">Lancer un traitement</h2>
            <p class="muted">Chaque traitement est idempotent pour une date : le relancer ne paie rien deux fois.</p>
            <form method="post" action="/traitements" class="row-form">
              <CsrfField c={c} />
              <div>
                <label for="job">Traitement</label>
                <select id="job" name="job">
                  {JOB_NAMES.map((k) => (
                    <option value={k} selected={k === chosenJob}>
                      {JOB_LABELS[k] ?? k}
                    </option>
                  ))}
                </select>
              </div>
              <div>
                <label for="asOf">Date de traitement</label>
                <input id="asOf" name="asOf" type="date" value={chosenDate} required />
              </div>
              <div>
                <button type="submit">Lancer</button>
              </div>
            </form>
            {deps.queueDashboard && can(c, "queue.dashboard") ? (
              <p>
                <a href="/admin/queues">Files d'attente (tableau BullMQ) →</a>
              </p>
            ) : null}
          </section>
        ) : null}
        <h2>Dernières exécutions (au {frDate(c.get("ctx").today())})</h2>
        <JobTable runs={runs} caption="Dernières exécutions des traitements" />
        {runs.some((r) => r.status === "abandoned") ? (
          <p class="muted">
            « abandonné » : le processus qui exécutait ce traitement s'est arrêté en cours de route (arrêt brutal, redémarrage du serveur). Le traitement a été
            remis en file et repris automatiquement (voir la ligne plus récente) ; ce qui était déjà payé ne l'est pas une seconde fois.
          </p>
        ) : null}
      </>,
    );
  });
  ui.post("/traitements", permit("job.run", "aux administrateurs"), async (c) => {
    const parsed = parseForm(JobRunForm, await readForm(c), { job: typed.choice, asOf: typed.date });
    if (!deps.runJob || !parsed.ok) return c.redirect("/traitements?erreur=1");
    const { job, asOf } = parsed.data;
    const chosen = `traitement=${job}&date=${asOf}`;
    try {
      await deps.runJob(job, { asOf });
    } catch {
      // The run is recorded with its error in the table below.
      return c.redirect(`/traitements?echec=1&${chosen}`);
    }
    return c.redirect(`/traitements?fait=${job}&${chosen}`);
  });
}
