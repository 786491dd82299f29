/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import type { PostalAddress } from "../../../domain/postal-address";
import type { AlertEvidence } from "../../../services/alerts/alert-evidence";
import { ALERT_LABELS, euros, frDate, frMonth, STATUS_LABELS } from "../format";
import { Page } from "../layout";

const Address: FC<{ name: string; address: PostalAddress | null }> = ({ name, address: a }) => (
  <address>
    {name}
    {a?.street ? (
      <>
        <br />
        {a.street}
      </>
    ) : null}
    {a ? (
      <>
        <br />
        {`${a.postalCode ?? ""} ${a.town}`.trim()}
        {a.country !== "FR" ? ` (${a.country})` : ""}
      </>
    ) : (
      <>
        <br />
        <strong>adresse à compléter</strong>
      </>
    )}
  </address>
);

const MASP3_FR: Record<string, string> = { base: "liste de base", extension: "par extension du contrat" };

/** What `missing` names, in French, for the caseworker to complete before sending. */
function missingLabel(m: string): string {
  if (m === "person") return "l'adresse complète de la personne";
  if (m.startsWith("landlord:")) return `l'adresse complète du bailleur ${m.slice(9)}`;
  if (m.startsWith("payer:")) return `l'adresse complète de l'organisme ${m.slice(6)}`;
  return m;
}

/**
 * The MASP 3 evidence (R.271-8 CASF) as a printable French document: the same facts as
 * the JSON of `GET /v1/alerts/{id}/evidence`, in the order the request to the judge
 * names them. The app's stylesheet prints it without the navigation (`.printable`).
 */
export const EvidenceDocument: FC<{ e: AlertEvidence }> = ({ e }) => (
  <article class="printable">
    <h1>Éléments pour une demande de MASP 3</h1>
    <p>
      Art. L.271-5 et R.271-8 du code de l'action sociale et des familles — {ALERT_LABELS[e.alert.type as keyof typeof ALERT_LABELS] ?? e.alert.type} du{" "}
      {frDate(e.alert.createdAt.slice(0, 10))}, périodes {e.alert.periods.map(frMonth).join(", ") || "—"}. Situation au {frDate(e.asOf)}.
    </p>
    {e.missing.length ? (
      <p class="error" role="note">
        À compléter avant l'envoi : {e.missing.map(missingLabel).join(" ; ")}.
      </p>
    ) : null}

    <h2>La personne et son domicile</h2>
    <p>
      {e.person.firstName} {e.person.lastName}, né(e) le {frDate(e.person.birthDate)}.
    </p>
    <Address name={`${e.person.firstName} ${e.person.lastName}`} address={e.person.address} />
    <p>
      Mesure d'accompagnement social personnalisé ({e.measure.level}) du {frDate(e.measure.startDate)} au {frDate(e.measure.endDate)}
      {e.measure.extension ? ", étendue aux prestations des 18° à 29° de l'art. D.271-2" : ""}.
    </p>

    <h2>Le bailleur</h2>
    {e.landlord ? (
      <Address name={e.landlord.name} address={e.landlord.address} />
    ) : (
      <p>
        <strong>Aucun bail enregistré.</strong>
      </p>
    )}
    {e.landlords.length > 1 ? (
      <table>
        <caption>Baux successifs</caption>
        <thead>
          <tr>
            <th scope="col">Bailleur</th>
            <th scope="col">Du</th>
            <th scope="col">Au</th>
          </tr>
        </thead>
        <tbody>
          {e.landlords.map((l) => (
            <tr>
              <td>{l.name}</td>
              <td>{frDate(l.startDate)}</td>
              <td>{frDate(l.endDate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    ) : null}

    <h2>Les organismes payeurs</h2>
    {e.payers.length ? (
      <table>
        <caption class="sr-only">Organismes payeurs et leurs adresses</caption>
        <thead>
          <tr>
            <th scope="col">Organisme</th>
            <th scope="col">Adresse</th>
            <th scope="col">Prestations</th>
          </tr>
        </thead>
        <tbody>
          {e.payers.map((p) => (
            <tr>
              <td>{p.name}</td>
              <td>
                {p.address ? (
                  `${p.address.street ? `${p.address.street}, ` : ""}${`${p.address.postalCode ?? ""} ${p.address.town}`.trim()}`
                ) : (
                  <strong>à compléter</strong>
                )}
              </td>
              <td>{p.prestations.join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    ) : (
      <p>Aucun organisme payeur connu.</p>
    )}

    <h2>Les prestations gérées</h2>
    <table>
      <caption class="sr-only">Prestations gérées et possibilité de versement au bailleur (R.271-6)</caption>
      <thead>
        <tr>
          <th scope="col">Prestation</th>
          <th scope="col">Organisme</th>
          <th scope="col">Versement au bailleur possible (R.271-6)</th>
        </tr>
      </thead>
      <tbody>
        {e.prestations.map((p) => (
          <tr>
            <td>
              {p.label} ({p.code}
              {p.item ? `, ${p.item}°` : ""})
            </td>
            <td>{p.payer ?? "—"}</td>
            <td>{p.payableToLandlord ? `oui (${MASP3_FR[p.masp3 ?? ""] ?? ""})` : p.masp3 === "extension" ? "non : contrat non étendu" : "non"}</td>
          </tr>
        ))}
      </tbody>
    </table>

    <h2>Loyers dus, payés et prestations reçues, par période</h2>
    <table>
      <caption class="sr-only">Par période : loyer dû, payé, statut et prestations reçues</caption>
      <thead>
        <tr>
          <th scope="col">Période</th>
          <th scope="col">Échéance</th>
          <th scope="col">Bailleur</th>
          <th scope="col" class="num">
            Dû
          </th>
          <th scope="col" class="num">
            Payé
          </th>
          <th scope="col">Statut</th>
          <th scope="col" class="num">
            Prestations reçues (net)
          </th>
          <th scope="col" class="num">
            Brut avant retenues
          </th>
        </tr>
      </thead>
      <tbody>
        {e.periods.map((p) => (
          <tr>
            <td>
              {p.inAlert ? <strong>{frMonth(p.period)}</strong> : frMonth(p.period)}
              {p.inAlert ? <span class="sr-only"> (période de l'alerte)</span> : null}
            </td>
            <td>{frDate(p.dueDate)}</td>
            <td>{p.landlordName}</td>
            <td class="num">{euros(p.due)}</td>
            <td class="num">{euros(p.paid)}</td>
            <td>{STATUS_LABELS[p.status] ?? p.status}</td>
            <td class="num">{euros(p.received)}</td>
            <td class="num">{euros(p.receivedGross)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    <p class="muted">Les périodes de l'alerte sont en gras. Les prestations reçues sont comptées au mois de leur date de valeur.</p>

    <h2>Prestations reçues</h2>
    {e.credits.length ? (
      <table>
        <caption class="sr-only">Prestations reçues, avec les retenues pour indu</caption>
        <thead>
          <tr>
            <th scope="col">Date de valeur</th>
            <th scope="col">Organisme</th>
            <th scope="col">Prestation</th>
            <th scope="col" class="num">
              Brut
            </th>
            <th scope="col">Retenue (indu)</th>
            <th scope="col" class="num">
              Net reçu
            </th>
          </tr>
        </thead>
        <tbody>
          {e.credits.map((c) => (
            <tr>
              <td>{frDate(c.valueDate)}</td>
              <td>{c.payer}</td>
              <td>
                {c.prestation}
                {c.reversed ? " (annulé)" : ""}
              </td>
              <td class="num">{euros(c.gross)}</td>
              <td>{c.deduction ? `${euros(c.deduction.amount)} (indu ${c.deduction.prestation})` : "—"}</td>
              <td class="num">{euros(c.amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    ) : (
      <p>Aucune prestation reçue depuis le début de la mesure.</p>
    )}

    <h2>Historique de l'enveloppe loyer</h2>
    {e.rentEnvelope.history.length ? (
      <table>
        <caption class="sr-only">Mouvements de l'enveloppe loyer et solde après chacun</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Opération</th>
            <th scope="col" class="num">
              Montant
            </th>
            <th scope="col" class="num">
              Solde
            </th>
          </tr>
        </thead>
        <tbody>
          {e.rentEnvelope.history.map((h) => (
            <tr>
              <td>{frDate(h.date)}</td>
              <td>{h.description}</td>
              <td class="num">{euros(h.amount)}</td>
              <td class="num">{euros(h.balance)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    ) : (
      <p>L'enveloppe loyer n'a reçu aucun mouvement.</p>
    )}
    <p>
      Solde de l'enveloppe loyer au {frDate(e.asOf)} : {euros(e.rentEnvelope.balance)}.
    </p>
  </article>
);

/** The document alone (`?format=html`): the app's page without navigation, its stylesheet only. */
export const evidenceHtml = (e: AlertEvidence): string =>
  `<!doctype html>${(
    (
      <Page title={`Dossier MASP 3 — ${e.person.firstName} ${e.person.lastName}`}>
        <EvidenceDocument e={e} />
      </Page>
    )
  ).toString()}`;
