/** @jsxImportSource hono/jsx */
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { ZodError } from "zod";
import { login, logout, resolveSession, SESSION_HOURS, type Session } from "../../auth/sessions";
import { DomainError } from "../../domain/errors";
import { addMonthsToMonth, monthOf } from "../../domain/calendar";
import { businessDate } from "../../domain/business-date";
import { acknowledgeAlert, closeAlert, listAlerts } from "../../services/alerts/alerts";
import { listBeneficiaries } from "../../services/beneficiaries/list-beneficiaries";
import { readBeneficiary } from "../../services/beneficiaries/read-beneficiary";
import { listCharges } from "../../services/charges/update-charge";
import type { ServiceContext } from "../../services/context";
import { previewCredit } from "../../services/credits/preview-credit";
import { getBalances, getRentPeriods, listTransactions } from "../../services/credits/read-accounts";
import { recordCredit } from "../../services/credits/record-credit";
import { dashboardFigures, recentJobRuns } from "../../services/dashboard";
import { getLease } from "../../services/leases/set-lease";
import { listMeasures } from "../../services/measures/get-measures";
import { listPaymentOrders } from "../../services/payments/payment-orders";
import type { AppDeps } from "../deps";
import { ALERT_LABELS, JOB_LABELS, KIND_LABELS, STATUS_LABELS, euros, frDate, frMonth } from "./format";
import { Badge, Page } from "./layout";

const COOKIE = "masp_session";
const UI_PATH = /^\/(beneficiaires|versements|paiements|alertes|traitements|deconnexion)?(\/|$)/;
type UiEnv = { Variables: { session: Session; ctx: ServiceContext } };

/** Form fields, as strings; blank means absent. */
async function form(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  return Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === "string" && v.trim() !== "").map(([k, v]) => [k, (v as string).trim()]));
}

/** A refused operation, in French, with the fields concerned. */
function errorText(error: unknown): string {
  if (error instanceof ZodError) return `Saisie invalide : ${error.issues.map((i) => `${i.path.join(".") || "formulaire"} (${i.message})`).join(", ")}`;
  if (error instanceof DomainError) {
    const details = Array.isArray(error.details) ? ` — ${(error.details as { field?: string; message?: string }[]).map((d) => `${d.field}: ${d.message}`).join(", ")}` : "";
    return `${error.message}${details}`;
  }
  throw error;
}

/**
 * The internal web UI (French), server-rendered with hono/jsx: session cookie
 * (HttpOnly, SameSite=Lax), a synchronizer CSRF token on every form, and the same
 * service verbs as the API underneath — caseworkers see only their caseload because
 * the services filter it.
 */
export function uiRoutes(deps: AppDeps, options: { secureCookies: boolean }) {
  const ui = new Hono<UiEnv>();
  const today = deps.today ?? (() => businessDate());

  ui.get("/connexion", (c) => c.html("<!doctype html>" + (<LoginPage />).toString()));
  ui.post("/connexion", async (c) => {
    const f = await form(c);
    const result = await login(deps.db, f.email ?? "", f.password ?? "");
    if (!result) return c.html("<!doctype html>" + (<LoginPage error="E-mail ou mot de passe incorrect." email={f.email} />).toString(), 401);
    setCookie(c, COOKIE, result.token, { httpOnly: true, sameSite: "Lax", secure: options.secureCookies, path: "/", maxAge: SESSION_HOURS * 3600 });
    return c.redirect("/");
  });

  // Everything below needs a session; every POST needs its CSRF token.
  ui.use("*", async (c, next) => {
    // Only the UI's own pages need a session; the API, the dashboard and unknown paths
    // keep their bearer auth and JSON 404s.
    if (!UI_PATH.test(c.req.path)) return next();
    const token = getCookie(c, COOKIE);
    const session = token ? await resolveSession(deps.db, token) : null;
    if (!session) return c.redirect("/connexion");
    if (c.req.method === "POST") {
      const f = await c.req.parseBody();
      if (f._csrf !== session.csrfToken) return c.text("Jeton CSRF invalide : rechargez la page.", 403);
    }
    c.set("session", session);
    c.set("ctx", { db: deps.db, actor: `user:${session.user.email}`, role: session.user.role, userId: session.user.id, requestId: c.get("requestId" as never), today });
    await next();
  });

  const render = (c: Context<UiEnv>, title: string, body: unknown, status = 200) =>
    c.html(
      "<!doctype html>" +
        (
          <Page title={title} user={c.get("session").user} csrf={c.get("session").csrfToken} path={c.req.path}>
            {body as never}
          </Page>
        ).toString(),
      status as 200,
    );
  const csrf = (c: Context<UiEnv>) => <input type="hidden" name="_csrf" value={c.get("session").csrfToken} />;
  const financeOnly = (c: Context<UiEnv>) => c.get("session").user.role === "caseworker";

  ui.post("/deconnexion", async (c) => {
    const token = getCookie(c, COOKIE);
    if (token) await logout(deps.db, token);
    deleteCookie(c, COOKIE, { path: "/" });
    return c.redirect("/connexion");
  });

  ui.get("/", async (c) => {
    const ctx = c.get("ctx");
    const [f, alerts, runs] = await Promise.all([dashboardFigures(ctx), listAlerts({ ctx, input: { status: "active", limit: 10 } }), recentJobRuns(ctx, 5)]);
    return render(
      c,
      "Tableau de bord",
      <>
        <h1>Tableau de bord — {frDate(f.today)}</h1>
        <div class="cards">
          <div class="card"><div class="n">{f.activeMeasures}</div><div class="l">mesures MASP 2 en cours</div></div>
          <div class="card"><div class="n">{euros(f.creditsToday.amount)}</div><div class="l">reçus aujourd'hui ({f.creditsToday.count} versements)</div></div>
          <div class="card"><div class="n">{euros(f.creditsMonth.amount)}</div><div class="l">reçus ce mois ({f.creditsMonth.count} versements)</div></div>
          <div class="card"><div class="n">{euros(f.paymentsPending.amount)}</div><div class="l">paiements en attente ({f.paymentsPending.count})</div></div>
          <div class="card"><div class="n">{f.failedJobs}</div><div class="l">traitements en échec (7 jours)</div></div>
        </div>
        <h2>Alertes ouvertes</h2>
        <AlertTable alerts={alerts} />
        {financeOnly(c) ? null : (
          <>
            <h2>Derniers traitements</h2>
            <JobTable runs={runs} />
          </>
        )}
      </>,
    );
  });

  ui.get("/beneficiaires", async (c) => {
    const q = c.req.query("q") ?? "";
    const page = await listBeneficiaries({ ctx: c.get("ctx"), input: { q: q || undefined, cursor: c.req.query("cursor") || undefined, limit: 50 } });
    return render(
      c,
      "Bénéficiaires",
      <>
        <h1>Bénéficiaires</h1>
        <form method="get" action="/beneficiaires" role="search">
          <label for="q">Rechercher (nom ou numéro CAF/MSA)</label>
          <input id="q" name="q" value={q} /> <button type="submit">Rechercher</button>
        </form>
        <h2>{page.items.length ? `${page.items.length} résultat(s)` : "Aucun bénéficiaire"}</h2>
        <table>
          <thead><tr><th>Nom</th><th>Prénom</th><th>Né(e) le</th><th>N° CAF</th></tr></thead>
          <tbody>
            {page.items.map((b) => (
              <tr><td><a href={`/beneficiaires/${b.id}`}>{b.lastName}</a></td><td>{b.firstName}</td><td>{frDate(b.birthDate)}</td><td>{b.cafNumber ?? "—"}</td></tr>
            ))}
          </tbody>
        </table>
        {page.nextCursor ? <p><a href={`/beneficiaires?q=${encodeURIComponent(q)}&cursor=${page.nextCursor}`}>Page suivante →</a></p> : null}
      </>,
    );
  });

  ui.get("/beneficiaires/:id", async (c) => {
    const ctx = c.get("ctx");
    const id = c.req.param("id");
    if (!/^[0-9a-f-]{36}$/.test(id)) return c.notFound();
    let b;
    try {
      b = await readBeneficiary({ ctx, id });
    } catch (error) {
      if (error instanceof DomainError && error.code === "not_found") return render(c, "Introuvable", <p>Ce bénéficiaire n'existe pas ou ne fait pas partie de vos accompagnements.</p>, 404);
      throw error;
    }
    const now = today();
    const [measures, leases, charges, balances, periods, txns, alerts] = await Promise.all([
      listMeasures({ ctx, beneficiaryId: id }),
      getLease({ ctx, beneficiaryId: id }),
      listCharges({ ctx, beneficiaryId: id }),
      getBalances({ ctx, beneficiaryId: id }),
      getRentPeriods({ ctx, beneficiaryId: id, asOf: now }),
      listTransactions({ ctx, beneficiaryId: id, input: { limit: 20 } }),
      listAlerts({ ctx, input: { beneficiaryId: id } }),
    ]);
    const current = measures.items.at(-1);
    const lease = leases[0];
    const months = Array.from({ length: 12 }, (_, i) => addMonthsToMonth(monthOf(now), i - 10));
    const byPeriod = new Map(periods.items.map((p) => [p.period, p]));
    return render(
      c,
      `${b.firstName} ${b.lastName}`,
      <>
        <h1>{b.firstName} {b.lastName}</h1>
        <div class="grid2">
          <section aria-labelledby="identite">
            <h2 id="identite">Identité</h2>
            <dl>
              <dt>Né(e) le</dt><dd>{frDate(b.birthDate)}</dd>
              <dt>N° CAF</dt><dd>{b.cafNumber ?? "—"}</dd>
              <dt>N° MSA</dt><dd>{b.msaNumber ?? "—"}</dd>
              <dt>IBAN</dt><dd>{b.iban ?? "—"}</dd>
            </dl>
            <h2>Mesure</h2>
            {current ? (
              <dl>
                <dt>Niveau</dt><dd>{current.level}</dd>
                <dt>Période</dt><dd>du {frDate(current.startDate)} au {frDate(current.endDate)} <Badge value={current.status} label={STATUS_LABELS[current.status] ?? current.status} /></dd>
                <dt>Prestations gérées</dt><dd>{current.managedPrestations.join(", ") || "—"}</dd>
                <dt>Limite des 4 ans</dt><dd>{measures.fourYearLimit ? `${measures.fourYearLimit.daysLeft} jours restants (jusqu'au ${frDate(measures.fourYearLimit.limitDate)})` : "—"}</dd>
              </dl>
            ) : <p class="muted">Aucune mesure.</p>}
          </section>
          <section aria-labelledby="enveloppes">
            <h2 id="enveloppes">Enveloppes</h2>
            <table>
              <tbody>
                <tr><th>Loyer</th><td class="num">{euros(balances.rent)}</td></tr>
                <tr><th>Charges</th><td class="num">{euros(balances.charges)}</td></tr>
                <tr><th>Aide / soins</th><td class="num">{euros(balances.care)}</td></tr>
                <tr><th>Disponible</th><td class="num">{euros(balances.available)}</td></tr>
                <tr><th>Total</th><td class="num"><strong>{euros(balances.total)}</strong></td></tr>
              </tbody>
            </table>
            <h2>Bail</h2>
            {lease ? (
              <dl>
                <dt>Bailleur</dt><dd>{lease.landlord.name}</dd>
                <dt>Loyer + charges</dt><dd>{euros(lease.rent)} + {euros(lease.charges)}</dd>
                <dt>APL/AL au bailleur</dt><dd>{euros(lease.housingBenefitToLandlord)}</dd>
                <dt>À payer chaque mois</dt><dd><strong>{euros(lease.monthlyDue)}</strong> le {lease.dueDay}</dd>
              </dl>
            ) : <p class="muted">Aucun bail.</p>}
          </section>
        </div>
        <h2>Loyers des 12 derniers mois</h2>
        <div class="calendar" role="list">
          {months.map((m) => {
            const p = byPeriod.get(m);
            return (
              <div role="listitem" class={p?.status ?? ""} data-period={m} data-status={p?.status ?? "none"}>
                <strong>{frMonth(m)}</strong>
                <br />
                {p ? <>{STATUS_LABELS[p.status]} — {euros(p.paid)} / {euros(p.due)}</> : <span class="muted">hors mesure</span>}
              </div>
            );
          })}
        </div>
        <h2>Budget : charges prioritaires</h2>
        <table>
          <thead><tr><th>Priorité</th><th>Charge</th><th>Catégorie</th><th>Créancier</th><th class="num">Montant</th><th>Échéance</th></tr></thead>
          <tbody>{charges.map((ch) => <tr><td>{ch.priority}</td><td>{ch.label}</td><td>{ch.category}</td><td>{ch.creditor.name}</td><td class="num">{euros(ch.amount)}</td><td>le {ch.dueDay} ({ch.frequency})</td></tr>)}</tbody>
        </table>
        <h2>Alertes</h2>
        <AlertTable alerts={alerts} />
        <h2>Grand livre (20 dernières opérations)</h2>
        <table>
          <thead><tr><th>Date de valeur</th><th>Nature</th><th>Écritures</th></tr></thead>
          <tbody>
            {txns.items.map((t) => (
              <tr>
                <td>{frDate(t.valueDate)}</td>
                <td>{t.description}</td>
                <td>{t.postings.map((p) => <div>{p.direction === "debit" ? "Débit" : "Crédit"} {p.account.replace(`beneficiary:${id}:`, "")} <span class="num">{euros(p.amount)}</span></div>)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </>,
    );
  });

  const creditForm = async (c: Context<UiEnv>, values: Record<string, string>, extra?: unknown, error?: string) => {
    const list = await listBeneficiaries({ ctx: c.get("ctx"), input: { limit: 200 } });
    return render(
      c,
      "Saisie d'un versement",
      <>
        <h1>Saisie d'un versement</h1>
        {error ? <p class="error" role="alert">{error}</p> : null}
        <form method="post" action="/versements/apercu">
          {csrf(c)}
          <label for="beneficiaryId">Bénéficiaire</label>
          <select id="beneficiaryId" name="beneficiaryId" required>
            {list.items.map((b) => <option value={b.id} selected={b.id === values.beneficiaryId}>{b.lastName} {b.firstName}</option>)}
          </select>
          <label for="payer">Organisme payeur</label>
          <input id="payer" name="payer" value={values.payer ?? "CAF"} required />
          <label for="prestation">Prestation (code D.271-2)</label>
          <input id="prestation" name="prestation" value={values.prestation ?? ""} placeholder="RSA, AAH, ALS…" required />
          <label for="amount">Montant (€)</label>
          <input id="amount" name="amount" value={values.amount ?? ""} inputmode="decimal" placeholder="607,75" required />
          <label for="valueDate">Date de valeur</label>
          <input id="valueDate" name="valueDate" type="date" value={values.valueDate ?? today()} required />
          <label for="reference">Référence</label>
          <input id="reference" name="reference" value={values.reference ?? ""} />
          <p><button type="submit">Voir la répartition</button></p>
        </form>
        {extra as never}
      </>,
      error ? 422 : 200,
    );
  };

  /** `607,75` or `607.75` → 60775 cents, exactly (no float). */
  const parseEuros = (s: string | undefined): number => {
    const m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec((s ?? "").replace(/\s/g, ""));
    if (!m) throw new DomainError("validation_failed", "montant invalide (ex. 607,75)", [{ field: "amount", message: "montant en euros, deux décimales au plus" }]);
    return Number(m[1]) * 100 + Number((m[2] ?? "0").padEnd(2, "0"));
  };
  const creditInput = (f: Record<string, string>) => ({ beneficiaryId: f.beneficiaryId ?? "", payer: f.payer ?? "", prestation: f.prestation ?? "", amount: parseEuros(f.amount), valueDate: f.valueDate ?? "", reference: f.reference ?? null });

  ui.get("/versements/nouveau", async (c) => (financeOnly(c) ? c.text("Réservé au service financier.", 403) : creditForm(c, { beneficiaryId: c.req.query("beneficiaire") ?? "" })));
  ui.post("/versements/apercu", async (c) => {
    if (financeOnly(c)) return c.text("Réservé au service financier.", 403);
    const f = await form(c);
    try {
      const { plan } = await previewCredit({ ctx: c.get("ctx"), input: creditInput(f) });
      const key = crypto.randomUUID();
      return creditForm(
        c,
        f,
        <section aria-labelledby="apercu">
          <h2 id="apercu">Répartition proposée (loyer d'abord)</h2>
          <table>
            <thead><tr><th>Enveloppe</th><th class="num">Montant</th></tr></thead>
            <tbody>{plan.map((a) => <tr><td>{KIND_LABELS[a.envelope] ?? a.envelope}</td><td class="num">{euros(a.amount)}</td></tr>)}</tbody>
          </table>
          <form method="post" action="/versements">
            {csrf(c)}
            {Object.entries(f).filter(([k]) => k !== "_csrf").map(([k, v]) => <input type="hidden" name={k} value={v} />)}
            <input type="hidden" name="idempotencyKey" value={key} />
            <p><button type="submit">Confirmer le versement</button></p>
          </form>
        </section>,
      );
    } catch (error) {
      return creditForm(c, f, null, errorText(error));
    }
  });
  ui.post("/versements", async (c) => {
    if (financeOnly(c)) return c.text("Réservé au service financier.", 403);
    const f = await form(c);
    try {
      const outcome = await recordCredit({ ctx: c.get("ctx"), idempotencyKey: f.idempotencyKey ?? "", input: creditInput(f) });
      return c.redirect(`/beneficiaires/${outcome.body.beneficiaryId}?versement=${outcome.body.transactionId}`);
    } catch (error) {
      return creditForm(c, f, null, errorText(error));
    }
  });

  ui.get("/paiements", async (c) => {
    if (financeOnly(c)) return c.text("Réservé au service financier.", 403);
    const orders = await listPaymentOrders({ ctx: c.get("ctx"), input: { status: "pending", limit: 500 } });
    const total = orders.reduce((s, o) => s + o.amount, 0n);
    return render(
      c,
      "Paiements",
      <>
        <h1>Paiements en attente</h1>
        <p>{orders.length} ordre(s), {euros(total)}</p>
        <table>
          <thead><tr><th>Date</th><th>Nature</th><th>Période</th><th>Créancier</th><th>IBAN</th><th class="num">Montant</th><th>Statut</th></tr></thead>
          <tbody>
            {orders.map((o) => (
              <tr><td>{frDate(o.businessDate)}</td><td>{KIND_LABELS[o.kind]}</td><td>{o.period ? frMonth(o.period) : "—"}</td><td><a href={`/beneficiaires/${o.beneficiaryId}`}>{o.creditorName}</a></td><td>{o.creditorIban}</td><td class="num">{euros(o.amount)}</td><td><Badge value={o.status} label={STATUS_LABELS[o.status] ?? o.status} /></td></tr>
            ))}
          </tbody>
        </table>
      </>,
    );
  });

  ui.get("/alertes", async (c) => {
    const alerts = await listAlerts({ ctx: c.get("ctx"), input: { status: "active" } });
    return render(
      c,
      "Alertes",
      <>
        <h1>Alertes</h1>
        {c.req.query("ok") ? <p class="notice" role="status">Alerte mise à jour.</p> : null}
        {alerts.length === 0 ? <p>Aucune alerte ouverte.</p> : null}
        {alerts.map((a) => (
          <section class={`card alert-${a.type === "masp3_trigger" ? "masp3" : "unpaid_rent"}`} style="margin:.8rem 0" aria-label={ALERT_LABELS[a.type]}>
            <h2 style="margin-top:0"><Badge value={a.type} label={ALERT_LABELS[a.type] ?? a.type} /> <a href={`/beneficiaires/${a.beneficiaryId}`}>voir la fiche</a></h2>
            <p>Périodes : {a.periods.map(frMonth).join(", ")} — <Badge value={a.status} label={STATUS_LABELS[a.status] ?? a.status} /> — depuis le {frDate(a.createdAt.slice(0, 10))}</p>
            {Array.isArray((a.evidence as { periods?: unknown }).periods) ? (
              <table>
                <thead><tr><th>Période</th><th class="num">Dû</th><th class="num">Payé</th><th class="num">Versements reçus</th></tr></thead>
                <tbody>
                  {((a.evidence as { periods: { period: string; due: number; paid: number; creditsReceived: number }[] }).periods).map((p) => (
                    <tr><td>{frMonth(p.period)}</td><td class="num">{euros(p.due)}</td><td class="num">{euros(p.paid)}</td><td class="num">{euros(p.creditsReceived)}</td></tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            <div style="display:flex;gap:1rem;margin-top:.6rem;align-items:flex-end;flex-wrap:wrap">
              {a.status === "open" ? (
                <form method="post" action={`/alertes/${a.id}/prise-en-compte`} class="inline">{csrf(c)}<button type="submit" class="secondary">Prendre en compte</button></form>
              ) : null}
              <form method="post" action={`/alertes/${a.id}/cloture`}>
                {csrf(c)}
                <label for={`comment-${a.id}`}>Commentaire de clôture</label>
                <textarea id={`comment-${a.id}`} name="comment" rows={2} required></textarea>
                <button type="submit">Clore l'alerte</button>
              </form>
            </div>
          </section>
        ))}
      </>,
    );
  });
  ui.post("/alertes/:id/prise-en-compte", async (c) => {
    await acknowledgeAlert({ ctx: c.get("ctx"), id: c.req.param("id") });
    return c.redirect("/alertes?ok=1");
  });
  ui.post("/alertes/:id/cloture", async (c) => {
    const f = await form(c);
    try {
      await closeAlert({ ctx: c.get("ctx"), id: c.req.param("id"), input: { comment: f.comment ?? "" } });
      return c.redirect("/alertes?ok=1");
    } catch (error) {
      return render(c, "Alertes", <p class="error" role="alert">{errorText(error)}</p>, 422);
    }
  });

  ui.get("/traitements", async (c) => {
    if (financeOnly(c)) return c.text("Réservé au service financier.", 403);
    const runs = await recentJobRuns(c.get("ctx"), 30);
    const admin = c.get("session").user.role === "admin";
    return render(
      c,
      "Traitements",
      <>
        <h1>Traitements</h1>
        {c.req.query("fait") ? <p class="notice" role="status">Traitement terminé.</p> : null}
        {c.req.query("erreur") ? <p class="error" role="alert">{c.req.query("erreur")}</p> : null}
        {admin ? (
          <form method="post" action="/traitements">
            {csrf(c)}
            <label for="job">Traitement</label>
            <select id="job" name="job">{Object.entries(JOB_LABELS).map(([k, v]) => <option value={k}>{v}</option>)}</select>
            <label for="asOf">Date de traitement</label>
            <input id="asOf" name="asOf" type="date" value={today()} required />
            <p><button type="submit">Lancer</button></p>
          </form>
        ) : null}
        <JobTable runs={runs} />
      </>,
    );
  });
  ui.post("/traitements", async (c) => {
    if (c.get("session").user.role !== "admin") return c.text("Réservé aux administrateurs.", 403);
    const f = await form(c);
    if (!deps.runJob || !f.job || !(f.job in JOB_LABELS) || !/^\d{4}-\d{2}-\d{2}$/.test(f.asOf ?? "")) return c.redirect("/traitements?erreur=Traitement%20ou%20date%20invalide");
    await deps.runJob(f.job as never, { asOf: f.asOf! });
    return c.redirect("/traitements?fait=1");
  });

  return ui;
}

const LoginPage = ({ error, email }: { error?: string; email?: string }) => (
  <Page title="Connexion">
    <h1>Connexion</h1>
    {error ? <p class="error" role="alert">{error}</p> : null}
    <form method="post" action="/connexion" style="max-width:28rem">
      <label for="email">Adresse e-mail</label>
      <input id="email" name="email" type="email" autocomplete="username" value={email ?? ""} required />
      <label for="password">Mot de passe</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required />
      <p><button type="submit">Se connecter</button></p>
    </form>
  </Page>
);

type AlertRow = Awaited<ReturnType<typeof listAlerts>>[number];
const AlertTable = ({ alerts }: { alerts: AlertRow[] }) =>
  alerts.length === 0 ? (
    <p class="muted">Aucune alerte.</p>
  ) : (
    <table>
      <thead><tr><th>Type</th><th>Périodes</th><th>Statut</th><th>Depuis</th><th></th></tr></thead>
      <tbody>
        {alerts.map((a) => (
          <tr>
            <td><Badge value={a.type} label={ALERT_LABELS[a.type] ?? a.type} /></td>
            <td>{a.periods.map(frMonth).join(", ")}</td>
            <td><Badge value={a.status} label={STATUS_LABELS[a.status] ?? a.status} /></td>
            <td>{frDate(a.createdAt.slice(0, 10))}</td>
            <td><a href={`/beneficiaires/${a.beneficiaryId}`}>fiche</a></td>
          </tr>
        ))}
      </tbody>
    </table>
  );

type RunRow = Awaited<ReturnType<typeof recentJobRuns>>[number];
const JobTable = ({ runs }: { runs: RunRow[] }) => (
  <table>
    <thead><tr><th>Traitement</th><th>Date</th><th>Déclenché</th><th>Statut</th><th>Résumé</th></tr></thead>
    <tbody>
      {runs.map((r) => (
        <tr>
          <td>{JOB_LABELS[r.job] ?? r.job}</td>
          <td>{frDate(r.as_of)}</td>
          <td>{r.trigger === "manual" ? "à la demande" : "planifié"}</td>
          <td><Badge value={r.status} label={STATUS_LABELS[r.status] ?? r.status} /></td>
          <td><code style="font-size:.85em">{r.error ?? JSON.stringify(r.summary ?? {})}</code></td>
        </tr>
      ))}
    </tbody>
  </table>
);
