/** @jsxImportSource hono/jsx */
import type { MiddlewareHandler } from "hono";
import type { Child } from "hono/jsx";
import type { z } from "zod";
import type { Action } from "../../../auth/permissions";
import { addDays, addMonths } from "../../../domain/calendar";
import { DomainError } from "../../../domain/errors";
import { ENVELOPE_FR, type FinalStatement } from "../../../domain/measure-closing";
import { END_REASONS, ORIENTATIONS } from "../../../domain/measure-rules";
import { AmendMeasureInput, amendMeasure } from "../../../services/measures/amend-measure";
import { CloseMeasureInput, closeMeasure } from "../../../services/measures/close-measure";
import { EndMeasureInput, endMeasure } from "../../../services/measures/end-measure";
import { getClosing } from "../../../services/measures/get-closing";
import { getMeasure } from "../../../services/measures/get-measures";
import { payerNotice } from "../../../services/measures/payer-notice";
import { recordReview } from "../../../services/measures/record-review";
import { RenewMeasureInput, ReviewInput, renewMeasure } from "../../../services/measures/renew-measure";
import { SetBudgetRulesInput, setBudgetRules } from "../../../services/measures/set-budget-rules";
import { type FormFields, parseForm, typed } from "../form-input";
import { euros, frDate, STATUS_LABELS } from "../format";
import { Checkbox, centsToInput, Field, type FormState, isUuid, readForm, SelectField, TextArea, withRefusal } from "../forms";
import { refusal } from "../messages";
import { permit, render, type UiApp, type UiContext, WRITERS } from "../session";
import { withBeneficiary } from "./beneficiaries";
import { renderBeneficiaryForm } from "./beneficiary-form-page";

/** The end reasons, as the caseworker reads them. */
const END_REASON_FR: Readonly<Record<(typeof END_REASONS)[number], string>> = {
  objectives_reached: "Objectifs atteints",
  no_longer_adheres: "La personne n'adhère plus",
  no_longer_eligible: "La personne ne remplit plus les conditions",
  four_year_limit: "Limite des 4 ans atteinte",
  worsened_orientation: "Situation aggravée : orientation",
  transfer: "Transfert vers un autre département",
  deceased: "Décès",
  not_started: "Mesure non commencée (absence ou refus)",
  failure: "Échec de la mesure",
};

const ORIENTATION_FR: Readonly<Record<(typeof ORIENTATIONS)[number], string>> = {
  MAJ: "MAJ (mesure d'accompagnement judiciaire)",
  curatelle: "Curatelle",
  tutelle: "Tutelle",
  procureur: "Signalement au procureur",
};

type Measure = Awaited<ReturnType<typeof getMeasure>>;
const measureOf = (c: UiContext): Measure => (c.get as unknown as (k: "measure") => Measure)("measure");

/** The measure named in the path, if it is the page beneficiary's (else the fiche's 404 page). */
const withMeasure: MiddlewareHandler = async (c, next) => {
  const id = c.req.param("mid") ?? "";
  const b = (c as UiContext).get("beneficiary");
  let measure: Measure | undefined;
  if (isUuid(id)) {
    try {
      measure = await getMeasure({ ctx: (c as UiContext).get("ctx"), measureId: id });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  if (!measure || measure.beneficiaryId !== b.id) return c.redirect(`/beneficiaires/${b.id}`);
  (c.set as unknown as (k: "measure", v: Measure) => void)("measure", measure);
  await next();
};

interface MeasureForm<S extends z.ZodType> {
  slug: string;
  crumb: string;
  title: string;
  submit: string;
  action: Action;
  who?: string;
  schema: S;
  fields: FormFields;
  labels: Record<string, string>;
  defaults: (m: Measure, today: string) => Record<string, string>;
  body: (form: FormState, m: Measure) => Child;
  apply: (c: UiContext, m: Measure, data: z.output<S>) => Promise<unknown>;
  done: string;
}

function measureForm<S extends z.ZodType>(ui: UiApp, f: MeasureForm<S>) {
  const path = `/beneficiaires/:id/mesure/:mid/${f.slug}`;
  const page = (c: UiContext, form: FormState, status: 200 | 422 = 200) => {
    const m = measureOf(c);
    return renderBeneficiaryForm(
      c,
      {
        crumb: f.crumb,
        title: f.title,
        action: `mesure/${m.id}/${f.slug}`,
        submit: f.submit,
        form,
        status,
        intro: (
          <p>
            Mesure {m.level === "MASP2" ? "MASP 2" : "MASP 1"} du {frDate(m.startDate)} au {frDate(m.endDate)} ({STATUS_LABELS[m.status] ?? m.status}).
          </p>
        ),
      },
      f.body(form, m),
    );
  };
  ui.get(path, permit(f.action, f.who), withBeneficiary, withMeasure, async (c) =>
    page(c, { values: f.defaults(measureOf(c), c.get("ctx").today()), errors: {}, labels: f.labels }),
  );
  ui.post(path, permit(f.action, f.who), withBeneficiary, withMeasure, async (c) => {
    const values = await readForm(c);
    const parsed = parseForm(f.schema, values, f.fields);
    const form: FormState = { values, errors: parsed.ok ? {} : parsed.errors, labels: f.labels };
    if (!parsed.ok) return page(c, form, 422);
    try {
      await f.apply(c, measureOf(c), parsed.data);
    } catch (error) {
      return page(c, withRefusal(form, refusal(error, { conflict: "L'état de la mesure ne permet pas cette opération." })), 422);
    }
    return c.redirect(`/beneficiaires/${c.get("beneficiary").id}?fait=${f.done}`);
  });
}

const LEVELS = [
  ["MASP2", "MASP 2 — avec gestion des prestations"],
  ["MASP1", "MASP 1 — accompagnement sans gestion"],
] as const;

export function measureLifeRoutes(ui: UiApp) {
  measureForm(ui, {
    slug: "bilan",
    crumb: "Bilan",
    title: "Enregistrer un bilan",
    submit: "Enregistrer le bilan",
    action: "beneficiary.write",
    who: WRITERS,
    schema: ReviewInput,
    fields: { date: typed.date, author: typed.text, outcome: typed.choice, comment: typed.text },
    labels: { date: "Date du bilan", author: "Auteur", outcome: "Conclusion", comment: "Commentaire" },
    defaults: (_m, today) => ({ date: today, outcome: "continue" }),
    body: (form) => (
      <>
        <Field form={form} name="date" type="date" />
        <Field form={form} name="author" />
        <SelectField
          form={form}
          name="outcome"
          options={[
            ["continue", "Poursuivre la mesure"],
            ["renew", "Renouveler"],
            ["end", "Mettre fin"],
          ]}
        />
        <TextArea form={form} name="comment" optional rows={3} />
      </>
    ),
    apply: (c, m, data) => recordReview({ ctx: c.get("ctx"), measureId: m.id, data }),
    done: "bilan",
  });

  measureForm(ui, {
    slug: "renouvellement",
    crumb: "Renouvellement",
    title: "Renouveler la mesure",
    submit: "Renouveler",
    action: "beneficiary.write",
    who: WRITERS,
    schema: RenewMeasureInput,
    fields: {
      "review.date": typed.date,
      "review.author": typed.text,
      "review.outcome": typed.choice,
      "review.comment": typed.text,
      endDate: typed.date,
      level: typed.choice,
    },
    labels: {
      "review.date": "Date du bilan",
      "review.author": "Auteur du bilan",
      "review.outcome": "Conclusion du bilan",
      "review.comment": "Évaluation",
      endDate: "Fin de la nouvelle période",
      level: "Niveau de la nouvelle période",
    },
    defaults: (m, today) => ({
      "review.date": today,
      "review.outcome": "renew",
      endDate: addDays(addMonths(addDays(m.endDate, 1), 12), -1),
      level: m.level,
    }),
    body: (form) => (
      <>
        <p>Le renouvellement est possible jusqu'à la date de fin incluse ; au-delà, ouvrez une nouvelle mesure.</p>
        <div class="grid2">
          <Field form={form} name="review.date" type="date" />
          <Field form={form} name="review.author" />
        </div>
        <input type="hidden" name="review.outcome" value="renew" />
        <TextArea form={form} name="review.comment" optional rows={3} hint="L'évaluation qui fonde le renouvellement." />
        <Field form={form} name="endDate" type="date" hint="De 6 mois à 2 ans ; 4 ans au plus pour la mesure et ses renouvellements." />
        <SelectField
          form={form}
          name="level"
          options={LEVELS}
          hint="Changer de niveau : renouvellement avec transformation (une MASP 2 reprend les prestations gérées)."
        />
      </>
    ),
    apply: (c, m, data) => renewMeasure({ ctx: c.get("ctx"), measureId: m.id, data }),
    done: "renouvellement",
  });

  measureForm(ui, {
    slug: "avenant",
    crumb: "Avenant",
    title: "Avenant au contrat",
    submit: "Enregistrer l'avenant",
    action: "beneficiary.write",
    who: WRITERS,
    schema: AmendMeasureInput,
    fields: { effectiveDate: typed.date, reason: typed.text, endDate: typed.date, budgetPlanNote: typed.text },
    labels: { effectiveDate: "Prise d'effet", reason: "Motif", endDate: "Nouvelle date de fin", budgetPlanNote: "Changement du budget prévisionnel" },
    defaults: (_m, today) => ({ effectiveDate: today }),
    body: (form) => (
      <>
        <Field form={form} name="effectiveDate" type="date" />
        <TextArea form={form} name="reason" rows={2} />
        <Field form={form} name="endDate" type="date" optional hint="Laisser vide pour garder la date de fin ; de 6 mois à 2 ans, 4 ans au plus." />
        <TextArea form={form} name="budgetPlanNote" optional rows={2} />
      </>
    ),
    apply: (c, m, data) => amendMeasure({ ctx: c.get("ctx"), measureId: m.id, data }),
    done: "avenant",
  });

  measureForm(ui, {
    slug: "regles-budgetaires",
    crumb: "Reste à vivre",
    title: "Reste à vivre et reversements",
    submit: "Enregistrer",
    action: "beneficiary.write",
    who: WRITERS,
    schema: SetBudgetRulesInput,
    fields: { livingMonthly: typed.euros, reversementWhileRentShort: typed.checkbox },
    labels: {
      livingMonthly: "Reste à vivre par mois (€)",
      reversementWhileRentShort: "Reverser le disponible même quand le loyer du mois n'est pas couvert",
    },
    defaults: (m) => ({ livingMonthly: centsToInput(m.livingMonthly), reversementWhileRentShort: m.reversementWhileRentShort ? "on" : "" }),
    body: (form) => (
      <>
        <Field
          form={form}
          name="livingMonthly"
          inputmode="decimal"
          hint="Mis de côté après le loyer et avant les autres charges, une fois par mois, puis reversé à la personne. 0 : aucun."
        />
        <Checkbox
          form={form}
          name="reversementWhileRentShort"
          hint="Par défaut, le disponible n'est pas reversé tant que le loyer du mois n'est pas couvert."
        />
      </>
    ),
    apply: (c, m, data) => setBudgetRules({ ctx: c.get("ctx"), measureId: m.id, data }),
    done: "regles-budgetaires",
  });

  measureForm(ui, {
    slug: "fin",
    crumb: "Fin de mesure",
    title: "Mettre fin à la mesure",
    submit: "Mettre fin",
    action: "beneficiary.write",
    who: WRITERS,
    schema: EndMeasureInput,
    fields: { endDate: typed.date, reason: typed.choice, orientation: typed.choice, comment: typed.text },
    labels: { endDate: "Date de fin", reason: "Motif", orientation: "Orientation", comment: "Commentaire" },
    defaults: (_m, today) => ({ endDate: today }),
    body: (form) => (
      <>
        <Field form={form} name="endDate" type="date" hint="Peut être le jour de l'événement (un décès, par exemple)." />
        <SelectField form={form} name="reason" options={END_REASONS.map((r) => [r, END_REASON_FR[r]] as const)} />
        <SelectField form={form} name="orientation" optional options={[["", "—"], ...ORIENTATIONS.map((o) => [o, ORIENTATION_FR[o]] as const)]} />
        <TextArea form={form} name="comment" optional rows={3} />
      </>
    ),
    apply: (c, m, data) => endMeasure({ ctx: c.get("ctx"), measureId: m.id, data }),
    done: "fin",
  });

  measureForm(ui, {
    slug: "cloture",
    crumb: "Clôture des comptes",
    title: "Clôturer les comptes",
    submit: "Clôturer",
    action: "measure.close",
    schema: CloseMeasureInput,
    fields: { date: typed.date, pendingOrders: typed.choice, finalPayment: typed.choice },
    labels: { date: "Date de clôture", pendingOrders: "Ordres non encore émis", finalPayment: "Versement final à la personne" },
    defaults: (_m, today) => ({ date: today, pendingOrders: "cancel", finalPayment: "transfer" }),
    body: (form, m) => (
      <>
        <p>
          Les ordres déjà émis suivent leur cours ; l'argent qui revient après la clôture reste conservé.
          {m.endReason === "deceased" ? " Décès : les fonds sont conservés pour la succession." : ""}
        </p>
        <Field form={form} name="date" type="date" />
        <SelectField
          form={form}
          name="pendingOrders"
          options={[
            ["cancel", "Les annuler (ils quittent leur remise)"],
            ["keep", "Les garder"],
          ]}
        />
        <SelectField
          form={form}
          name="finalPayment"
          options={[
            ["transfer", "Virement sur l'IBAN de la personne"],
            ["cheque", "Chèque"],
            ["cash", "Espèces"],
            ["hold", "Conserver les fonds"],
          ]}
        />
      </>
    ),
    apply: (c, m, data) => closeMeasure({ ctx: c.get("ctx"), measureId: m.id, data }),
    done: "cloture",
  });

  ui.get("/mesures/:mid/releve-final", async (c) => {
    const closing = await closingOrNull(c, c.req.param("mid"));
    if (!closing) return missing(c);
    const s = closing.statement as unknown as FinalStatement;
    return render(
      c,
      "Relevé de compte final",
      <article class="printable">
        <h1>Relevé de compte final</h1>
        <p>
          {s.person.firstName} {s.person.lastName} — mesure d'accompagnement social personnalisé du {frDate(s.from)} au {frDate(s.to)} (
          {END_REASON_FR[s.endReason as keyof typeof END_REASON_FR] ?? s.endReason}). Comptes clôturés le {frDate(s.closedOn)}.
        </p>
        <h2>Versements reçus</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Date de valeur</th>
              <th scope="col">Organisme</th>
              <th scope="col">Prestation</th>
              <th scope="col">Référence</th>
              <th scope="col" class="num">
                Montant
              </th>
            </tr>
          </thead>
          <tbody>
            {s.credits.map((x) => (
              <tr>
                <td>{frDate(x.valueDate)}</td>
                <td>{x.payer}</td>
                <td>{x.prestation}</td>
                <td>{x.reference ?? "—"}</td>
                <td class="num">{euros(BigInt(x.amount))}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Paiements</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Nature</th>
              <th scope="col">Bénéficiaire du paiement</th>
              <th scope="col">État</th>
              <th scope="col" class="num">
                Montant
              </th>
            </tr>
          </thead>
          <tbody>
            {s.payments.map((x) => (
              <tr>
                <td>{frDate(x.businessDate)}</td>
                <td>{PAYMENT_FR[x.kind] ?? x.kind}</td>
                <td>{x.creditorName}</td>
                <td>{STATUS_LABELS[x.status] ?? x.status}</td>
                <td class="num">{euros(BigInt(x.amount))}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Soldes à la clôture</h2>
        <table>
          <tbody>
            {s.balances.map((x) => (
              <tr>
                <th scope="row">{ENVELOPE_FR[x.envelope] ?? x.envelope}</th>
                <td class="num">{euros(BigInt(x.amount))}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">Total des versements reçus</th>
              <td class="num">{euros(BigInt(s.totals.credits))}</td>
            </tr>
            <tr>
              <th scope="row">Versement final</th>
              <td class="num">{euros(BigInt(s.totals.finalPaid))}</td>
            </tr>
            <tr>
              <th scope="row">Fonds conservés</th>
              <td class="num">{euros(BigInt(s.totals.held))}</td>
            </tr>
          </tbody>
        </table>
      </article>,
    );
  });

  ui.get("/mesures/:mid/avis/:payer", async (c) => {
    const closing = await closingOrNull(c, c.req.param("mid"));
    const payer = c.req.param("payer");
    if (!closing?.payerNotices.some((n) => n.payer === payer)) return missing(c);
    const notice = await payerNotice({ ctx: c.get("ctx"), measureId: closing.measureId, payer });
    const a = notice.payer.address;
    return render(
      c,
      `Avis de fin de mesure — ${notice.payer.name}`,
      <article class="printable">
        <address>
          {notice.payer.name}
          {a?.street ? <br /> : null}
          {a?.street}
          {a ? <br /> : null}
          {a ? `${a.postalCode ?? ""} ${a.town}`.trim() : null}
        </address>
        <p>Le {frDate(notice.date)}</p>
        <h1>Fin d'une mesure d'accompagnement social personnalisé</h1>
        <p>
          Madame, Monsieur, la mesure d'accompagnement social personnalisé avec gestion des prestations sociales (MASP 2, art. L.271-2 du code de l'action
          sociale et des familles) de {notice.person.firstName} {notice.person.lastName}, né(e) le {frDate(notice.person.birthDate)}
          {notice.person.cafNumber ? `, n° allocataire ${notice.person.cafNumber}` : ""}, a pris fin le {frDate(notice.endedOn)}.
        </p>
        <p>
          {notice.deceased
            ? "La personne est décédée : merci de ne plus verser de prestation sur le compte du Département et de vous rapprocher du notaire chargé de la succession."
            : "À compter de cette date, merci de verser de nouveau les prestations directement à la personne, sur son propre compte."}
        </p>
        <p>Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.</p>
        <p>Le service d'accompagnement social</p>
      </article>,
    );
  });
}

const PAYMENT_FR: Record<string, string> = {
  rent: "Loyer",
  charge: "Charge",
  reversement: "Reversement",
  one_off: "Paiement ponctuel",
  final: "Versement final",
  forward: "Reversement hors prestation",
  return_to_payer: "Retour à l'organisme",
};

async function closingOrNull(c: UiContext, id: string) {
  if (!isUuid(id)) return null;
  try {
    return await getClosing({ ctx: c.get("ctx"), measureId: id });
  } catch (error) {
    if (error instanceof DomainError) return null;
    throw error;
  }
}

const missing = (c: UiContext) =>
  render(
    c,
    "Introuvable",
    <>
      <h1>Document introuvable</h1>
      <p>Cette mesure n'est pas clôturée, ou ne fait pas partie de vos accompagnements.</p>
      <p>
        <a href="/beneficiaires">Retour à la liste</a>
      </p>
    </>,
    404,
  );
