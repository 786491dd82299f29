/** @jsxImportSource hono/jsx */
import type { MiddlewareHandler } from "hono";
import { addMonthsToMonth, monthOf } from "../../../domain/calendar";
import { DomainError } from "../../../domain/errors";
import { ListAlertsInput, listAlerts } from "../../../services/alerts/alerts";
import { ListBeneficiariesInput, listBeneficiaries } from "../../../services/beneficiaries/list-beneficiaries";
import { readBeneficiary } from "../../../services/beneficiaries/read-beneficiary";
import { listCharges } from "../../../services/charges/update-charge";
import { getBalances, getRentPeriods, ListTransactionsInput, listTransactions } from "../../../services/credits/read-accounts";
import { getLease } from "../../../services/leases/set-lease";
import { listMeasures } from "../../../services/measures/get-measures";
import { getReversementPlan } from "../../../services/payments/payment-orders";
import { AlertTable, Notice } from "../components";
import { parseQuery } from "../form-input";
import { CATEGORY_LABELS, euros, FREQUENCY_LABELS, frDate, frMonth, ibanText, STATUS_LABELS } from "../format";
import { isUuid } from "../forms";
import { Badge } from "../layout";
import { authorNames, ClosedAlertList } from "./closed-alerts";
import { LedgerTable, pendingReversals } from "./ledger";
import { MeasureActions } from "./measure-actions";
import { planInFrench } from "./reversement-plan";

/** The fiche shows the last 20 transactions: the query, parsed once. */
const LAST_TRANSACTIONS = ListTransactionsInput.parse({ limit: 20 });

import { can, render, type UiApp, type UiContext, type UiEnv } from "../session";

const DONE: Record<string, string> = {
  beneficiaire: "Bénéficiaire enregistré. Ouvrez maintenant sa mesure.",
  mesure: "Mesure ouverte.",
  bilan: "Bilan enregistré.",
  renouvellement: "Mesure renouvelée.",
  avenant: "Avenant enregistré.",
  "regles-budgetaires": "Reste à vivre et règle des reversements enregistrés.",
  fin: "Fin de la mesure enregistrée. Le service financier peut clôturer les comptes.",
  cloture: "Comptes clôturés : relevé final et avis aux organismes ci-dessous.",
  bail: "Bail enregistré.",
  iban: "IBAN enregistré.",
  charge: "Charge ajoutée au budget.",
  versement: "Versement enregistré et réparti.",
  paiement: "Paiement ponctuel enregistré : l'ordre attend son exécution (remise, chèque ou remise d'espèces).",
  proposition:
    "Proposition envoyée pour validation : elle s'appliquera quand une autre personne (service financier, cadre ou administrateur) l'aura approuvée.",
  modification: "Fiche mise à jour.",
  "charge-modifiee": "Charge mise à jour.",
  reversements: "Plan de reversement enregistré.",
  annulation: "Opération annulée.",
  indu: "Indu enregistré.",
};

/** The beneficiary if this user may see them (unknown, or another caseworker's: undefined). */
export async function beneficiaryIfVisible(c: UiContext, id: string) {
  if (!isUuid(id)) return undefined;
  try {
    return await readBeneficiary({ ctx: c.get("ctx"), id });
  } catch (error) {
    if (error instanceof DomainError && error.code === "not_found") return undefined;
    throw error;
  }
}

/** For `/beneficiaires/:id/…` pages: the beneficiary in `c.var.beneficiary`, or the page saying they are out of reach. */
export const withBeneficiary: MiddlewareHandler<UiEnv> = async (c, next) => {
  const beneficiary = await beneficiaryIfVisible(c, c.req.param("id") ?? "");
  if (!beneficiary) return notFound(c);
  c.set("beneficiary", beneficiary);
  await next();
};
const notFound = (c: UiContext) =>
  render(
    c,
    "Introuvable",
    <>
      <h1>Bénéficiaire introuvable</h1>
      <p>Ce bénéficiaire n'existe pas ou ne fait pas partie de vos accompagnements.</p>
      <p>
        <a href="/beneficiaires">Retour à la liste</a>
      </p>
    </>,
    404,
  );

export function beneficiaryRoutes(ui: UiApp) {
  ui.get("/beneficiaires", async (c) => {
    const q = c.req.query("q") ?? "";
    const search = parseQuery(ListBeneficiariesInput, { q: q || undefined, cursor: c.req.query("cursor") || undefined, limit: 50 });
    const page = search.ok ? await listBeneficiaries({ ctx: c.get("ctx"), data: search.data }) : { items: [], nextCursor: null };
    return render(
      c,
      "Bénéficiaires",
      <>
        <div class="title-row">
          <h1>Bénéficiaires</h1>
          {can(c, "beneficiary.write") ? (
            <a class="button" href="/beneficiaires/nouveau">
              Nouveau bénéficiaire
            </a>
          ) : null}
        </div>
        {/* biome-ignore lint/a11y/useSemanticElements: role="search" on the form is the landmark every screen reader knows */}
        <form method="get" action="/beneficiaires" role="search" class="search">
          <label for="q">Rechercher (nom ou numéro CAF/MSA)</label>
          <div class="row">
            <input id="q" name="q" value={q} type="search" aria-invalid={search.ok ? undefined : "true"} />
            <button type="submit">Rechercher</button>
          </div>
          {search.ok ? null : <p class="field-error" role="alert">{`Recherche refusée : ${search.message}`}</p>}
        </form>
        <h2 aria-live="polite">{page.items.length ? `${page.items.length} résultat(s)${page.nextCursor ? " sur cette page" : ""}` : "Aucun bénéficiaire"}</h2>
        {page.items.length ? (
          <table>
            <caption class="sr-only">Bénéficiaires, par ordre alphabétique</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Prénom</th>
                <th scope="col">Né(e) le</th>
                <th scope="col">N° CAF</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((b) => (
                <tr>
                  <td>
                    <a href={`/beneficiaires/${b.id}`}>{b.lastName}</a>
                  </td>
                  <td>{b.firstName}</td>
                  <td>{frDate(b.birthDate)}</td>
                  <td>{b.cafNumber ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {page.nextCursor ? (
          <p>
            <a href={`/beneficiaires?q=${encodeURIComponent(q)}&cursor=${page.nextCursor}`}>Page suivante →</a>
          </p>
        ) : null}
      </>,
    );
  });

  ui.get("/beneficiaires/:id", withBeneficiary, async (c) => {
    const ctx = c.get("ctx");
    const b = c.get("beneficiary");
    const id = b.id;
    const now = ctx.today();
    const [measures, leases, charges, balances, periods, txns, alerts, plan, author, proposed] = await Promise.all([
      listMeasures({ ctx, beneficiaryId: id }),
      getLease({ ctx, beneficiaryId: id }),
      listCharges({ ctx, beneficiaryId: id }),
      getBalances({ ctx, beneficiaryId: id }),
      getRentPeriods({ ctx, beneficiaryId: id, asOf: now }),
      listTransactions({ ctx, beneficiaryId: id, data: LAST_TRANSACTIONS }),
      listAlerts({ ctx, data: ListAlertsInput.parse({ beneficiaryId: id }) }),
      getReversementPlan({ ctx, beneficiaryId: id }),
      authorNames(c),
      pendingReversals(c, id),
    ]);
    const current = measures.items.at(-1);
    const inForce = current && current.status !== "ended" && current.endDate >= now;
    const lease = leases[0];
    const months = Array.from({ length: 12 }, (_, i) => addMonthsToMonth(monthOf(now), i - 10));
    // A month may hold two leases' periods (a move): each is shown with its landlord.
    const byPeriod = new Map<string, (typeof periods.items)[number][]>();
    for (const p of periods.items) byPeriod.set(p.period, [...(byPeriod.get(p.period) ?? []), p]);
    const chargeLabels = new Map(charges.map((ch) => [ch.id, ch.label]));
    const fait = c.req.query("fait") ?? "";
    const done = Object.hasOwn(DONE, fait) ? DONE[fait] : undefined;
    return render(
      c,
      `${b.firstName} ${b.lastName}`,
      <>
        <p class="crumbs">
          <a href="/beneficiaires">Bénéficiaires</a> › {b.lastName}
        </p>
        <div class="title-row">
          <h1>
            {b.firstName} {b.lastName}
          </h1>
          {!can(c, "credit.record") || !inForce ? null : (
            <a class="button" href={`/versements/nouveau?beneficiaire=${id}`}>
              Saisir un versement
            </a>
          )}
          {!can(c, "payment.execute") || !inForce ? null : (
            <a class="button secondary" href={`/beneficiaires/${id}/paiement-ponctuel`}>
              Paiement ponctuel
            </a>
          )}
        </div>
        <Notice text={done} />
        <div class="grid2">
          <section aria-labelledby="identite">
            <h2 id="identite">Identité</h2>
            <dl>
              <dt>Né(e) le</dt>
              <dd>{frDate(b.birthDate)}</dd>
              <dt>N° CAF</dt>
              <dd>{b.cafNumber ?? "—"}</dd>
              <dt>N° MSA</dt>
              <dd>{b.msaNumber ?? "—"}</dd>
              <dt>Adresse</dt>
              <dd>
                {b.address
                  ? [b.address.street, [b.address.postalCode, b.address.town].filter(Boolean).join(" "), b.address.country].filter(Boolean).join(", ")
                  : "—"}
              </dd>
              <dt>IBAN</dt>
              <dd class="iban">
                {ibanText(b.iban)}
                {can(c, "beneficiary.write") ? (
                  <>
                    {" "}
                    <a href={`/beneficiaires/${id}/iban`}>Changer l'IBAN</a>
                  </>
                ) : null}
              </dd>
            </dl>
            {can(c, "beneficiary.write") ? (
              <p>
                <a class="button secondary" href={`/beneficiaires/${id}/modifier`}>
                  Modifier la fiche
                </a>
              </p>
            ) : null}
            <h2 id="mesure">Mesure</h2>
            {current ? (
              <dl aria-labelledby="mesure">
                <dt>Niveau</dt>
                <dd>
                  {current.level === "MASP2" ? "MASP 2" : "MASP 1"}
                  {current.extension ? " avec extension (R.271-3)" : ""}
                </dd>
                <dt>Période</dt>
                <dd>
                  du {frDate(current.startDate)} au {frDate(current.endDate)}{" "}
                  <Badge value={current.status} label={STATUS_LABELS[current.status] ?? current.status} />
                </dd>
                <dt>Prestations gérées</dt>
                <dd>{current.managedPrestations.join(", ") || "—"}</dd>
                {current.level === "MASP2" ? (
                  <>
                    <dt>Reste à vivre</dt>
                    <dd>
                      {current.livingMonthly > 0 ? `${euros(BigInt(current.livingMonthly))} par mois` : "aucun"}
                      {current.reversementWhileRentShort ? " ; reversement même si le loyer du mois n'est pas couvert" : ""}
                    </dd>
                  </>
                ) : null}
                <dt>Limite des 4 ans</dt>
                <dd>
                  {measures.fourYearLimit ? `${measures.fourYearLimit.daysLeft} jours restants (jusqu'au ${frDate(measures.fourYearLimit.limitDate)})` : "—"}
                </dd>
              </dl>
            ) : (
              <p class="muted">Aucune mesure.</p>
            )}
            {current ? <MeasureActions c={c} beneficiaryId={id} measure={current} today={now} /> : null}
            {inForce || !can(c, "beneficiary.write") ? null : (
              <p>
                <a class="button" href={`/beneficiaires/${id}/mesure/nouvelle`}>
                  Ouvrir une mesure
                </a>
              </p>
            )}
          </section>
          <section aria-labelledby="enveloppes">
            <h2 id="enveloppes">Enveloppes</h2>
            <table>
              <caption class="sr-only">Soldes des enveloppes</caption>
              <tbody>
                <tr>
                  <th scope="row">Loyer</th>
                  <td class="num">{euros(balances.rent)}</td>
                </tr>
                <tr>
                  <th scope="row">Charges</th>
                  <td class="num">{euros(balances.charges)}</td>
                </tr>
                <tr>
                  <th scope="row">Aide / soins</th>
                  <td class="num">{euros(balances.care)}</td>
                </tr>
                <tr>
                  <th scope="row">Disponible</th>
                  <td class="num">{euros(balances.available)}</td>
                </tr>
                {balances.living > 0n ? (
                  <tr>
                    <th scope="row">Reste à vivre</th>
                    <td class="num">{euros(balances.living)}</td>
                  </tr>
                ) : null}
                <tr>
                  <th scope="row">Total</th>
                  <td class="num">
                    <strong>{euros(balances.total)}</strong>
                  </td>
                </tr>
              </tbody>
            </table>
            <h2 id="bail">Bail</h2>
            {lease ? (
              <dl aria-labelledby="bail">
                <dt>Bailleur</dt>
                <dd>{lease.landlord.name}</dd>
                <dt>IBAN du bailleur</dt>
                <dd class="iban">{ibanText(lease.landlord.iban)}</dd>
                <dt>Depuis le</dt>
                <dd>{frDate(lease.startDate)}</dd>
                <dt>Premier loyer à la charge de la mesure</dt>
                <dd>
                  {periods.items[0] ? frMonth(periods.items[0].period) : "—"}
                  {lease.firstPeriod ? " (fixé avec le bail)" : " (première échéance après le début de la mesure)"}
                </dd>
                <dt>Loyer + charges</dt>
                <dd>
                  {euros(lease.rent)} + {euros(lease.charges)}
                </dd>
                <dt>APL/AL au bailleur</dt>
                <dd>{euros(lease.housingBenefitToLandlord)}</dd>
                <dt>Part payée par la personne</dt>
                <dd>{euros(lease.personShare)}</dd>
                {lease.arrearsPlanMonthly ? (
                  <>
                    <dt>Plan d'apurement</dt>
                    <dd>{euros(lease.arrearsPlanMonthly)} par mois au plus pour l'arriéré</dd>
                  </>
                ) : null}
                <dt>À payer chaque mois</dt>
                <dd>
                  <strong>{euros(lease.monthlyDue)}</strong> le {lease.dueDay}
                </dd>
              </dl>
            ) : (
              <p class="muted">Aucun bail.</p>
            )}
            {can(c, "beneficiary.write") ? (
              <p>
                <a class={lease ? "button secondary" : "button"} href={`/beneficiaires/${id}/bail`}>
                  {lease ? "Modifier le bail" : "Enregistrer le bail"}
                </a>
              </p>
            ) : null}
          </section>
        </div>
        <h2 id="calendrier">Loyers des 12 derniers mois</h2>
        <ul class="calendar" aria-labelledby="calendrier">
          {months.map((m) => {
            const ps = byPeriod.get(m) ?? [];
            const worst = ps.find((p) => p.status === "unpaid") ?? ps.find((p) => p.status === "partial") ?? ps[0];
            return (
              <li class={worst?.status ?? ""} data-period={m} data-status={worst?.status ?? "none"}>
                <strong>{frMonth(m)}</strong>
                {ps.length === 0 ? (
                  <>
                    <br />
                    <span class="muted">hors mesure</span>
                  </>
                ) : (
                  ps.map((p) => (
                    <>
                      <br />
                      {ps.length > 1 ? `${p.landlordName} : ` : ""}
                      {STATUS_LABELS[p.status]} — {euros(p.paid)} / {euros(p.due)}
                    </>
                  ))
                )}
              </li>
            );
          })}
        </ul>
        <div class="title-row">
          <h2 id="budget">Budget : charges prioritaires</h2>
          {can(c, "beneficiary.write") ? (
            <a class="button secondary" href={`/beneficiaires/${id}/charges/nouvelle`}>
              Ajouter une charge
            </a>
          ) : null}
        </div>
        {charges.length ? (
          <table aria-labelledby="budget">
            <thead>
              <tr>
                <th scope="col">Priorité</th>
                <th scope="col">Charge</th>
                <th scope="col">Catégorie</th>
                <th scope="col">Créancier</th>
                <th scope="col" class="num">
                  Montant
                </th>
                <th scope="col">Échéance</th>
                {can(c, "beneficiary.write") ? (
                  <th scope="col">
                    <span class="sr-only">Modifier</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {charges.map((ch) => (
                <tr>
                  <td>{ch.priority}</td>
                  <td>{ch.label}</td>
                  <td>{CATEGORY_LABELS[ch.category] ?? ch.category}</td>
                  <td>{ch.creditor.name}</td>
                  <td class="num">{euros(ch.amount)}</td>
                  <td>
                    le {ch.dueDay}, {FREQUENCY_LABELS[ch.frequency] ?? ch.frequency}
                    {ch.endDate ? `, jusqu'au ${frDate(ch.endDate)}` : ""}
                  </td>
                  {can(c, "beneficiary.write") ? (
                    <td>
                      <a href={`/beneficiaires/${id}/charges/${ch.id}/modifier`}>
                        Modifier<span class="sr-only"> la charge {ch.label}</span>
                      </a>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">Aucune charge : après le loyer, tout reste disponible.</p>
        )}
        <h2 id="reversements">Reversements à la personne</h2>
        <p>
          {planInFrench(plan)}
          {plan.isDefault ? " (plan par défaut)" : ""}.{" "}
          {can(c, "beneficiary.write") ? <a href={`/beneficiaires/${id}/reversements`}>Modifier le plan de reversement</a> : null}
        </p>
        <h2 id="alertes">Alertes</h2>
        <AlertTable alerts={alerts.filter((a) => a.status !== "closed")} caption="Alertes en cours du bénéficiaire" />
        {alerts.some((a) => a.status === "closed") ? (
          <>
            <h3 id="alertes-closes">Alertes closes</h3>
            <ClosedAlertList alerts={alerts.filter((a) => a.status === "closed")} author={author} />
          </>
        ) : null}
        <div class="title-row">
          <h2 id="grand-livre">Grand livre (20 dernières opérations)</h2>
          {can(c, "credit.record") ? (
            <a class="button secondary" href={`/beneficiaires/${id}/indu`}>
              Enregistrer un indu
            </a>
          ) : null}
        </div>
        {txns.items.length ? (
          <LedgerTable
            c={c}
            beneficiaryId={id}
            items={txns.items}
            chargeLabels={chargeLabels}
            caption="Les 20 dernières opérations du grand livre"
            proposed={proposed}
          />
        ) : (
          <p class="muted">Aucune opération.</p>
        )}
        {txns.nextCursor ? (
          <p>
            <a href={`/beneficiaires/${id}/grand-livre?apres=${txns.nextCursor}`}>Entrées plus anciennes</a>
          </p>
        ) : null}
      </>,
    );
  });
}
