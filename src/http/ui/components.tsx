/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import { hasEvidence } from "../../domain/masp3-evidence";
import type { listAlerts } from "../../services/alerts/alerts";
import type { recentJobRuns } from "../../services/dashboard";
import { ALERT_LABELS, euros, frDate, frMonth, JOB_LABELS, STATUS_LABELS } from "./format";
import { Badge } from "./layout";

type AlertRow = Awaited<ReturnType<typeof listAlerts>>[number];
type RunRow = Awaited<ReturnType<typeof recentJobRuns>>[number];

/** Open alerts, MASP 3 triggers first (the services order them). */
export const AlertTable: FC<{ alerts: AlertRow[]; caption: string }> = ({ alerts, caption }) =>
  alerts.length === 0 ? (
    <p class="muted">Aucune alerte.</p>
  ) : (
    <table>
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Type</th>
          <th scope="col">Personne</th>
          <th scope="col">Périodes</th>
          <th scope="col">Statut</th>
          <th scope="col">Depuis le</th>
          <th scope="col">
            <span class="sr-only">Fiche</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => (
          <tr>
            <td>
              <Badge value={a.type} label={ALERT_LABELS[a.type] ?? a.type} />
            </td>
            <td>{a.person ?? "—"}</td>
            <td>{a.periods.map(frMonth).join(", ")}</td>
            <td>
              <Badge value={a.status} label={STATUS_LABELS[a.status] ?? a.status} />
            </td>
            <td>{frDate(a.createdAt.slice(0, 10))}</td>
            <td>
              <a href={`/beneficiaires/${a.beneficiaryId}`}>voir la fiche</a>
              {hasEvidence(a.type) && a.beneficiaryId ? (
                <>
                  {" "}
                  — <a href={`/alertes/${a.id}/dossier`}>dossier MASP 3</a>
                </>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );

/** What a job's summary says, in French; amounts are cents, shown as euros. */
const SUMMARY_LABELS: Record<string, string> = {
  beneficiaries: "bénéficiaires",
  ordersCreated: "ordres créés",
  ordersAlreadyDone: "déjà faits",
  amount: "montant",
  skippedNoIban: "sans IBAN",
  skippedRefusedIban: "IBAN refusé par la banque",
  unpaidRentOpened: "impayés ouverts",
  masp3TriggersOpened: "déclencheurs MASP 3",
  noCreditReceivedOpened: "mesures sans prestation reçue (45 jours)",
  alertsUpdated: "alertes mises à jour",
  alertsClosed: "alertes closes",
  measureEndingOpened: "fins de mesure à préparer",
  measureEndingClosed: "rappels de fin clos",
  ok: "équilibré",
  accountsChecked: "comptes vérifiés",
  drift: "écarts",
  negative: "soldes négatifs",
  unbalancedTransactions: "opérations déséquilibrées",
  totalDebits: "total débits",
  totalCredits: "total crédits",
  heldBackRentShort: "reversements retenus : loyer du mois non couvert",
  rentShortAmount: "loyer du mois manquant",
  housingAidWithoutLeaseOpened: "aides au logement sans bail",
  chargeArrearsOpened: "impayés de charges",
};
const CENTS_KEYS = new Set(["amount", "totalDebits", "totalCredits", "rentShortAmount"]);
const summaryValue = (key: string, value: unknown): string => {
  if (CENTS_KEYS.has(key) && ((typeof value === "number" && Number.isSafeInteger(value)) || (typeof value === "string" && /^-?\d+$/.test(value))))
    return euros(BigInt(value));
  if (typeof value === "boolean") return value ? "oui" : "non";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
};

/** A job's summary as `libellé valeur` pairs rather than raw JSON (the date is in its own column). */
const Summary: FC<{ run: RunRow }> = ({ run }) => {
  if (run.error) return <span class="field-error">{run.error}</span>;
  const entries = Object.entries((run.summary ?? {}) as Record<string, unknown>).filter(([k]) => k !== "asOf");
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <span class="summary">
      {entries.map(([k, v]) => (
        <span>
          <span class="muted">{SUMMARY_LABELS[k] ?? k}</span> {summaryValue(k, v)}
        </span>
      ))}
    </span>
  );
};

export const JobTable: FC<{ runs: RunRow[]; caption: string }> = ({ runs, caption }) =>
  runs.length === 0 ? (
    <p class="muted">Aucun traitement exécuté.</p>
  ) : (
    <table>
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Traitement</th>
          <th scope="col">Date</th>
          <th scope="col">Déclenché</th>
          <th scope="col">Statut</th>
          <th scope="col">Résumé</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr>
            <td>{JOB_LABELS[r.job] ?? r.job}</td>
            <td>{frDate(r.as_of)}</td>
            <td>{r.trigger === "manual" ? "à la demande" : "planifié"}</td>
            <td>
              <Badge value={r.status} label={STATUS_LABELS[r.status] ?? r.status} />
            </td>
            <td>
              <Summary run={r} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );

/** A confirmation after a redirect (`?fait=…`), announced politely. */
export const Notice: FC<{ text?: string }> = ({ text }) =>
  text ? (
    <p class="notice" role="status">
      {text}
    </p>
  ) : null;
