/** @jsxImportSource hono/jsx */
import type { getMeasure } from "../../../services/measures/get-measures";
import { euros, frDate } from "../format";
import { can, type UiContext } from "../session";

type Measure = Awaited<ReturnType<typeof getMeasure>>;

/**
 * The daily actions on the fiche's current measure: bilan, renewal (up to its end
 * date), avenant and end while it runs; the closing once it ended (finance); then the
 * final statement and the payers' notices.
 */
export function MeasureActions({ c, beneficiaryId, measure, today }: { c: UiContext; beneficiaryId: string; measure: Measure; today: string }) {
  const base = `/beneficiaires/${beneficiaryId}/mesure/${measure.id}`;
  const write = can(c, "beneficiary.write");
  const running = measure.status === "active";
  return (
    <>
      {running && write ? (
        <p class="actions">
          <a href={`${base}/bilan`}>Bilan</a>
          {today <= measure.endDate ? (
            <>
              {" · "}
              <a href={`${base}/renouvellement`}>Renouveler</a>
            </>
          ) : null}
          {" · "}
          <a href={`${base}/avenant`}>Avenant</a>
          {" · "}
          <a href={`${base}/regles-budgetaires`}>Reste à vivre</a>
          {" · "}
          <a href={`${base}/fin`}>Mettre fin</a>
        </p>
      ) : null}
      {measure.status === "ended" && !measure.closing ? (
        <p>
          Mesure terminée le {frDate(measure.endedOn)}.{" "}
          {can(c, "measure.close") ? (
            <a class="button" href={`${base}/cloture`}>
              Clôturer les comptes
            </a>
          ) : (
            "Le service financier clôture les comptes."
          )}
        </p>
      ) : null}
      {measure.closing ? (
        <>
          <p>
            Comptes clôturés le {frDate(measure.closing.closedOn)}
            {measure.closing.held > 0 ? ` ; fonds conservés : ${euros(measure.closing.held)}` : ""}.
          </p>
          <ul>
            <li>
              <a href={`/mesures/${measure.id}/releve-final`}>Relevé de compte final</a>
            </li>
            {measure.closing.payers.map((p) => (
              <li>
                <a href={`/mesures/${measure.id}/avis/${encodeURIComponent(p)}`}>Avis de fin de mesure — {p}</a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
