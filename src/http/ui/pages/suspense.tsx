/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import { z } from "zod";
import { SUSPENSE_REASONS } from "../../../domain/bank-statements";
import { DomainError, NotFoundError } from "../../../domain/errors";
import { listPayers } from "../../../services/banking/payers";
import { ListBeneficiariesInput, listBeneficiaries } from "../../../services/beneficiaries/list-beneficiaries";
import { catalogueInForce } from "../../../services/catalogue";
import { submit } from "../../../services/proposals/proposals";
import { bankAccountNames, beneficiaryNames, type PendingDecision, pendingSuspenseDecisions, readBankLine } from "../../../services/statements/bank-page-views";
import { AssignmentInput, listSuspense } from "../../../services/statements/suspense";
import { Notice } from "../components";
import { parseForm, parseQuery, typed } from "../form-input";
import { euros, frDate, frDateTime } from "../format";
import { ErrorSummary, Field, type FormState, type FormValues, isUuid, readForm, SelectField } from "../forms";
import { Badge } from "../layout";
import { refusal } from "../messages";
import { CsrfField, can, permit, render, type UiApp, type UiContext } from "../session";
import { BankMenu, LINE_STATUS_LABELS } from "./bank";

const DECISION_LABELS: Record<string, string> = {
  assign: "répartition entre bénéficiaires et prestations",
  forward: "reversement à la personne",
  return: "restitution au payeur",
  expense: "passage en frais bancaires",
};

const DONE: Record<string, string> = {
  proposition: "Décision proposée : elle s'appliquera quand une autre personne l'aura approuvée (page Propositions). La ligne reste en attente jusque-là.",
  appliquee: "Décision appliquée.",
};

const FOUR_EYES = (
  <p class="notice four-eyes">
    <strong>Double validation (quatre yeux).</strong> Chaque décision sur une ligne en attente est une <em>proposition</em> : elle ne s'applique, et l'argent ne
    sort du compte d'attente (471), qu'après l'accord d'une autre personne du service financier ou d'un cadre, sur la page{" "}
    <a href="/propositions">Propositions</a>.
  </p>
);

const Pending: FC<{ decisions: PendingDecision[] | undefined }> = ({ decisions }) =>
  decisions?.length
    ? decisions.map((d) => (
        <span class="detail">
          <Badge value="pending_approval" label="proposition à valider" /> {DECISION_LABELS[d.decision] ?? d.decision}, par{" "}
          {d.proposedBy.replace(/^(user|token):/, "")} le {frDateTime(d.createdAt)}
        </span>
      ))
    : null;

/** The lines waiting for a decision: why each is there, what matching found, what is already proposed. */
async function listPage(c: UiContext) {
  const ctx = c.get("ctx");
  const items = await listSuspense({ ctx, data: { limit: 500 } });
  const [accounts, names, pending] = await Promise.all([
    bankAccountNames(ctx.db),
    beneficiaryNames(
      ctx.db,
      items.map((i) => i.matched?.beneficiaryId).filter((id): id is string => typeof id === "string"),
    ),
    pendingSuspenseDecisions(
      ctx.db,
      items.map((i) => i.lineId),
    ),
  ]);
  const fait = c.req.query("fait") ?? "";
  const canDecide = can(c, "statement.import");
  return render(
    c,
    "Lignes en attente",
    <>
      <h1>Lignes en attente</h1>
      <BankMenu current="/banque/attente" />
      <Notice text={Object.hasOwn(DONE, fait) ? DONE[fait] : undefined} />
      <p class="muted">
        Les lignes de relevé que le rapprochement n'a pas su attribuer : elles sont sur le compte d'attente (classe 471), jamais dans une enveloppe, jusqu'à ce
        qu'une personne décide.
      </p>
      {FOUR_EYES}
      {items.length === 0 ? (
        <p>Aucune ligne en attente.</p>
      ) : (
        <>
          <p>
            {items.length} ligne(s) en attente pour {euros(items.reduce((s, i) => s + BigInt(i.amount), 0n))}.
          </p>
          <table>
            <caption class="sr-only">Lignes en attente de décision</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Compte</th>
                <th scope="col">Libellé</th>
                <th scope="col" class="num">
                  Montant
                </th>
                <th scope="col">Motif</th>
                <th scope="col">Trouvé par le rapprochement</th>
                <th scope="col">Décision</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => {
                const m = i.matched ?? {};
                return (
                  <tr>
                    <td>{frDate(i.bookingDate)}</td>
                    <td>{accounts.get(i.bankAccountId) ?? "—"}</td>
                    <td>{i.label}</td>
                    <td class="num">{euros(i.amount)}</td>
                    <td>{SUSPENSE_REASONS[i.reason as keyof typeof SUSPENSE_REASONS] ?? i.reasonLabel}</td>
                    <td>
                      {typeof m.beneficiaryId === "string" ? (
                        <a href={`/beneficiaires/${m.beneficiaryId}`}>{names.get(m.beneficiaryId) ?? "bénéficiaire"}</a>
                      ) : (
                        "—"
                      )}
                      {m.payer ? ` ${String(m.payer)}` : ""}
                      {m.prestation ? ` ${String(m.prestation)}` : ""}
                    </td>
                    <td>
                      <Pending decisions={pending.get(i.lineId)} />
                      <a
                        href={`/banque/attente/${i.lineId}`}
                        aria-label={`${canDecide ? "Décider" : "Voir"} : ligne du ${frDate(i.bookingDate)}, ${euros(i.amount)}`}
                      >
                        {canDecide ? "Décider" : "Voir"}
                      </a>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </>,
  );
}

// ------------------------------------------------------------------------------ one line's decision

const PART_COUNT = 3;
const MAX_PARTS = 10;
const Part = AssignmentInput.options[0].shape.parts.element;
const PART_FIELDS = { beneficiaryId: typed.choice, payer: typed.text, prestation: typed.text, amount: typed.euros } as const;
const partName = (i: number, field: keyof typeof PART_FIELDS) => `parts.${i}.${field}`;

function partLabels(count: number) {
  const labels: Record<string, string> = {
    parts: "Parts",
    "forward.beneficiaryId": "Bénéficiaire (reversement)",
    "return.beneficiaryId": "Bénéficiaire dont relève la somme (restitution)",
    action: "Décision",
  };
  for (let i = 0; i < count; i++) {
    labels[partName(i, "beneficiaryId")] = `Bénéficiaire de la part ${i + 1}`;
    labels[partName(i, "payer")] = `Organisme payeur de la part ${i + 1}`;
    labels[partName(i, "prestation")] = `Prestation de la part ${i + 1}`;
    labels[partName(i, "amount")] = `Montant de la part ${i + 1} (€)`;
  }
  return labels;
}

/** Why a decision is refused, in French (the service's stable codes). */
const DECISION_ISSUES: Record<string, string> = {
  parts_do_not_sum: "les parts doivent faire exactement le montant de la ligne",
  debit_line: "une ligne au débit ne peut que passer en frais",
  credit_line: "seule une ligne au débit passe en frais",
  no_iban: "aucun IBAN vers lequel envoyer la somme (la personne, ou le payeur sur la ligne, n'en a pas)",
  no_measure: "cette personne n'a aucune mesure",
  required: "à renseigner : à qui revient cette somme",
};

function decisionRefusal(error: unknown): { summary: string; fields: Record<string, string> } {
  if (error instanceof DomainError && error.code === "conflict") return { summary: "Cette ligne a déjà été décidée : elle n'est plus en attente.", fields: {} };
  if (error instanceof DomainError && error.code === "validation_failed" && Array.isArray(error.details)) {
    const fields: Record<string, string> = {};
    for (const d of error.details as { field?: string; code?: string }[]) {
      const text = DECISION_ISSUES[d.code ?? ""];
      if (text && d.field) fields[d.field] = text;
    }
    if (Object.keys(fields).length) return { summary: "La décision est refusée.", fields };
  }
  return refusal(error, { not_found: "Cette ligne ou ce bénéficiaire n'existe pas." });
}

type LineDetail = Awaited<ReturnType<typeof readBankLine>>;

interface DecisionState {
  form: FormState;
  /** Which form the values and errors belong to. */
  which?: "assign" | "forward" | "return" | "expense";
}

async function decisionPage(c: UiContext, state?: DecisionState, status: 200 | 404 | 409 | 422 = 200) {
  const ctx = c.get("ctx");
  const id = c.req.param("lineId") ?? "";
  let line: LineDetail;
  try {
    if (!isUuid(id)) throw new NotFoundError("bank statement line", id);
    line = await readBankLine({ ctx, id });
  } catch (error) {
    if (error instanceof DomainError && error.code === "not_found") return lineNotFound(c);
    throw error;
  }
  const matched = (line.matched ?? {}) as Record<string, unknown>;
  const matchedId = typeof matched.beneficiaryId === "string" ? matched.beneficiaryId : "";
  const requested = Number(c.req.query("parts") ?? state?.form.values.partCount ?? PART_COUNT);
  const count = Number.isInteger(requested) && requested >= 1 ? Math.min(requested, MAX_PARTS) : PART_COUNT;
  const q = c.req.query("q")?.trim() || undefined;
  const search = parseQuery(ListBeneficiariesInput, { q, limit: 200 });
  const [accounts, pending, list, payers, catalogue] = await Promise.all([
    bankAccountNames(ctx.db),
    pendingSuspenseDecisions(ctx.db, [line.id]),
    search.ok ? listBeneficiaries({ ctx, data: search.data }) : { items: [], nextCursor: null },
    listPayers({ ctx }),
    catalogueInForce(ctx.db, ctx.today()),
  ]);
  // The person the matching found, and those chosen before a refusal, stay in the list whatever the search shows.
  const chosen = new Set([matchedId, ...Object.values(state?.form.values ?? {}).flat()].filter((v) => isUuid(v)));
  const listed = new Set(list.items.map((b) => b.id));
  const extra = await beneficiaryNames(
    ctx.db,
    [...chosen].filter((x) => !listed.has(x)),
  );
  const people: [string, string][] = [
    ...[...extra.entries()],
    ...list.items.map((b): [string, string] => [
      b.id,
      `${b.lastName} ${b.firstName}${b.cafNumber ? ` — CAF ${b.cafNumber}` : ""}${b.msaNumber ? ` — MSA ${b.msaNumber}` : ""}`,
    ]),
  ];
  const options = [["", "— choisir —"] as [string, string], ...people];
  const labels = partLabels(count);
  const blank: FormState = { values: {}, errors: {}, labels };
  const formOf = (which: DecisionState["which"], defaults: FormValues): FormState =>
    state && state.which === which ? { ...state.form, labels } : { ...blank, values: defaults };
  const assignDefaults: FormValues = {
    [partName(0, "beneficiaryId")]: matchedId,
    [partName(0, "payer")]: typeof matched.payer === "string" ? matched.payer : "",
    [partName(0, "prestation")]: typeof matched.prestation === "string" ? matched.prestation : "",
    [partName(0, "amount")]: line.amount > 0 ? euros(line.amount).replace(/\s*€$/, "") : "",
  };
  const assignForm = formOf("assign", assignDefaults);
  const forwardForm = formOf("forward", { "forward.beneficiaryId": matchedId });
  const returnForm = formOf("return", { "return.beneficiaryId": matchedId });
  const expenseForm = formOf("expense", {});
  const shownForm = state?.form ? { ...state.form, labels } : blank;
  const decidable = line.status === "suspense" && can(c, "statement.import");
  const credit = line.amount > 0;
  const action = `/banque/attente/${line.id}`;
  const keep = `${q ? `q=${encodeURIComponent(q)}&` : ""}`;
  return render(
    c,
    "Ligne en attente",
    <>
      <p class="crumbs">
        <a href="/banque">Banque</a> › <a href="/banque/attente">Lignes en attente</a> › ligne du {frDate(line.bookingDate)}
      </p>
      <h1>
        Ligne du {frDate(line.bookingDate)} — {euros(line.amount)}
      </h1>
      <BankMenu current="" />
      <ErrorSummary form={shownForm} />
      <dl>
        <dt>Compte</dt>
        <dd>{accounts.get(line.bankAccountId) ?? "—"}</dd>
        <dt>Libellé</dt>
        <dd>{line.label}</dd>
        <dt>Contrepartie</dt>
        <dd>{line.counterpartyName ?? "—"}</dd>
        <dt>Référence du paiement</dt>
        <dd>{line.remittance ?? "—"}</dd>
        <dt>Statut</dt>
        <dd>
          <Badge value={`line-${line.status}`} label={LINE_STATUS_LABELS[line.status] ?? line.status} />
          {line.status === "suspense" ? ` — ${SUSPENSE_REASONS[line.reason as keyof typeof SUSPENSE_REASONS] ?? line.reason}` : ""}
        </dd>
        <dt>Relevé</dt>
        <dd>
          <a href={`/banque/releves/${line.statementId}`}>voir le relevé et ses lignes</a>
        </dd>
        <dt>Propositions</dt>
        <dd>{pending.get(line.id)?.length ? <Pending decisions={pending.get(line.id)} /> : "aucune en attente"}</dd>
      </dl>
      {line.status !== "suspense" ? (
        <p class="notice" role="status">
          Cette ligne n'est plus en attente : la décision a été appliquée (voir le relevé).
        </p>
      ) : null}
      {decidable ? (
        <>
          {FOUR_EYES}
          {pending.get(line.id)?.length ? (
            <p class="muted">Une proposition attend déjà sa validation : n'en faites une autre que si elle doit être rejetée.</p>
          ) : null}
          {credit ? (
            <>
              <section aria-labelledby="repartir" class="card">
                <h2 id="repartir">Attribuer ou répartir entre bénéficiaires et prestations</h2>
                <p class="muted">
                  Chaque part est un versement, réparti comme une saisie (loyer d'abord). Les parts doivent totaliser exactement {euros(line.amount)} ; laissez
                  vides les parts inutiles.
                </p>
                {/* biome-ignore lint/a11y/useSemanticElements: role="search" on the form is the landmark every screen reader knows */}
                <form method="get" action={action} role="search" class="search">
                  <label for="q">Trouver un bénéficiaire (nom ou numéro CAF/MSA)</label>
                  <div class="row">
                    <input id="q" name="q" type="search" value={q ?? ""} aria-invalid={search.ok ? undefined : "true"} />
                    <input type="hidden" name="parts" value={String(count)} />
                    <button type="submit" class="secondary">
                      Filtrer les listes
                    </button>
                  </div>
                  {search.ok ? null : <p class="field-error" role="alert">{`Recherche refusée : ${search.message}`}</p>}
                </form>
                <form method="post" action={`${action}/repartition`} novalidate class="parts">
                  <CsrfField c={c} />
                  <input type="hidden" name="partCount" value={String(count)} />
                  <div id="f-parts" tabindex={-1}>
                    {assignForm.errors.parts ? <p class="field-error">{assignForm.errors.parts}</p> : null}
                  </div>
                  {Array.from({ length: count }, (_, i) => (
                    <fieldset>
                      <legend>Part {i + 1}</legend>
                      <SelectField form={assignForm} name={partName(i, "beneficiaryId")} options={options} optional={i > 0} />
                      <div class="grid3">
                        <Field form={assignForm} name={partName(i, "payer")} list="payeurs" optional={i > 0} placeholder="CAF" />
                        <Field form={assignForm} name={partName(i, "prestation")} list="prestations" optional={i > 0} placeholder="RSA, AAH, ALS…" />
                        <Field form={assignForm} name={partName(i, "amount")} inputmode="decimal" optional={i > 0} placeholder="120,00" />
                      </div>
                    </fieldset>
                  ))}
                  <datalist id="payeurs">
                    {payers.map((p) => (
                      <option value={p.code}>{p.name}</option>
                    ))}
                  </datalist>
                  <datalist id="prestations">
                    {catalogue.items.map((p) => (
                      <option value={p.code}>{p.label}</option>
                    ))}
                  </datalist>
                  <p class="actions">
                    <button type="submit">Proposer la répartition</button>
                    {count < MAX_PARTS ? <a href={`${action}?${keep}parts=${count + 1}`}>Ajouter une part</a> : null}
                  </p>
                </form>
              </section>
              <section aria-labelledby="reverser" class="card">
                <h2 id="reverser">Reverser à la personne</h2>
                <p class="muted">
                  Une somme qui n'est pas une prestation gérée (salaire, prime d'activité…) : un ordre de virement vers l'IBAN de la personne.
                </p>
                <form method="post" action={`${action}/reversement`} novalidate>
                  <CsrfField c={c} />
                  <SelectField form={forwardForm} name="forward.beneficiaryId" options={options} />
                  <p class="actions">
                    <button type="submit">Proposer le reversement</button>
                  </p>
                </form>
              </section>
              <section aria-labelledby="restituer" class="card">
                <h2 id="restituer">Rendre au payeur</h2>
                <p class="muted">
                  Une somme versée à tort (mesure terminée, personne inconnue) : un ordre de virement vers l'IBAN du payeur porté sur la ligne, inscrit au
                  compte de la personne dont elle relève.
                </p>
                <form method="post" action={`${action}/restitution`} novalidate>
                  <CsrfField c={c} />
                  <SelectField form={returnForm} name="return.beneficiaryId" options={options} optional={matchedId !== ""} />
                  <p class="actions">
                    <button type="submit">Proposer la restitution</button>
                  </p>
                </form>
              </section>
            </>
          ) : (
            <section aria-labelledby="frais" class="card">
              <h2 id="frais">Passer en frais</h2>
              <p class="muted">
                Un débit que rien n'explique mais que la banque a bien prélevé : une charge de l'association (compte 627), jamais d'un bénéficiaire.
              </p>
              <form method="post" action={`${action}/frais`}>
                <CsrfField c={c} />
                {expenseForm.errors.action ? <p class="field-error">{expenseForm.errors.action}</p> : null}
                <p class="actions">
                  <button type="submit">Proposer le passage en frais</button>
                </p>
              </form>
            </section>
          )}
        </>
      ) : null}
    </>,
    status,
  );
}

const lineNotFound = (c: UiContext) =>
  render(
    c,
    "Ligne introuvable",
    <>
      <h1>Ligne introuvable</h1>
      <p>
        <a href="/banque/attente">Retour aux lignes en attente</a>
      </p>
    </>,
    404,
  );

type Assignment = z.output<typeof AssignmentInput>;

/** The split form's parts: blank ones skipped, each read through the service's own part schema, then the sum checked against the line. */
function readParts(values: FormValues, count: number, lineAmount: number): { ok: true; data: Assignment } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const parts: z.output<typeof Part>[] = [];
  for (let i = 0; i < count; i++) {
    const own = Object.fromEntries(Object.keys(PART_FIELDS).map((f) => [f, values[partName(i, f as keyof typeof PART_FIELDS)] ?? ""]));
    if (Object.values(own).every((v) => v === "")) continue;
    const parsed = parseForm(Part, own, PART_FIELDS);
    if (parsed.ok) parts.push(parsed.data);
    else for (const [field, message] of Object.entries(parsed.errors)) errors[partName(i, field as keyof typeof PART_FIELDS)] = message;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  if (parts.length === 0) return { ok: false, errors: { [partName(0, "beneficiaryId")]: "à renseigner : au moins une part" } };
  const sum = parts.reduce((s, p) => s + p.amount, 0n);
  const line = BigInt(lineAmount);
  if (sum !== line) {
    const gap = line - sum;
    return {
      ok: false,
      errors: {
        parts: `les parts totalisent ${euros(sum)} pour une ligne de ${euros(line)} : ${gap > 0n ? `il manque ${euros(gap)}` : `${euros(-gap)} de trop`}. Les parts doivent faire exactement le montant de la ligne.`,
      },
    };
  }
  return { ok: true, data: { parts } };
}

const Choice = z.object({ beneficiaryId: z.uuid() });
const OptionalChoice = z.object({ beneficiaryId: z.uuid().optional() });

/** The suspense list, and one line's decisions (each a four-eyes proposal, like `POST /v1/suspense/{lineId}/assignments`). */
export function suspenseRoutes(ui: UiApp) {
  ui.get("/banque/attente", permit("operations.view"), (c) => listPage(c));
  ui.get("/banque/attente/:lineId", permit("operations.view"), (c) => decisionPage(c));

  const propose =
    (which: NonNullable<DecisionState["which"]>, read: (values: FormValues, line: LineDetail) => ReturnType<typeof readParts>) => async (c: UiContext) => {
      const ctx = c.get("ctx");
      const lineId = c.req.param("lineId") ?? "";
      if (!isUuid(lineId)) return lineNotFound(c);
      let line: LineDetail;
      try {
        line = await readBankLine({ ctx, id: lineId });
      } catch (error) {
        if (error instanceof DomainError && error.code === "not_found") return lineNotFound(c);
        throw error;
      }
      const values = await readForm(c);
      const labels = partLabels(MAX_PARTS);
      const parsed = read(values, line);
      if (!parsed.ok) return decisionPage(c, { which, form: { values, errors: parsed.errors, labels } }, 422);
      try {
        const outcome = await submit({ ctx, kind: "suspense.assign", payload: { lineId, data: parsed.data } });
        return c.redirect(`/banque/attente?fait=${"proposal" in outcome ? "proposition" : "appliquee"}`);
      } catch (error) {
        const r = decisionRefusal(error);
        // The service names `parts`, `action`, `beneficiaryId`: the field of the form that was sent.
        const fields = Object.fromEntries(
          Object.entries(r.fields).map(([name, message]) => [name === "beneficiaryId" && which !== "assign" ? `${which}.beneficiaryId` : name, message]),
        );
        const status = error instanceof DomainError && error.code === "conflict" ? 409 : 422;
        return decisionPage(c, { which, form: { values, errors: fields, labels, summary: r.summary } }, status);
      }
    };

  ui.post(
    "/banque/attente/:lineId/repartition",
    permit("statement.import"),
    propose("assign", (values, line) => {
      const count = Math.min(Math.max(Number(values.partCount) || PART_COUNT, 1), MAX_PARTS);
      return readParts(values, count, line.amount);
    }),
  );
  const person =
    (which: "forward" | "return") =>
    (values: FormValues): ReturnType<typeof readParts> => {
      const raw = String(values[`${which}.beneficiaryId`] ?? "");
      const parsed = parseForm(which === "forward" ? Choice : OptionalChoice, raw ? { beneficiaryId: raw } : {}, { beneficiaryId: typed.choice });
      if (!parsed.ok) return { ok: false, errors: { [`${which}.beneficiaryId`]: parsed.errors.beneficiaryId ?? "à renseigner" } };
      return which === "forward"
        ? { ok: true, data: { action: "forward", beneficiaryId: parsed.data.beneficiaryId! } }
        : { ok: true, data: { action: "return", ...(parsed.data.beneficiaryId ? { beneficiaryId: parsed.data.beneficiaryId } : {}) } };
    };
  ui.post("/banque/attente/:lineId/reversement", permit("statement.import"), propose("forward", person("forward")));
  ui.post("/banque/attente/:lineId/restitution", permit("statement.import"), propose("return", person("return")));
  ui.post(
    "/banque/attente/:lineId/frais",
    permit("statement.import"),
    propose("expense", () => ({ ok: true, data: { action: "expense", account: "bank_fees" } })),
  );
}
