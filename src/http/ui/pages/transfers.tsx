/** @jsxImportSource hono/jsx */
import { randomUUID } from "node:crypto";
import type { FC } from "hono/jsx";
import type { z } from "zod";
import { runText } from "../../../db/sql";
import { DomainError } from "../../../domain/errors";
import { BATCH_STATUS_LABELS, type BatchStatus } from "../../../domain/payment-batches";
import { PAYMENT_KINDS, PAYMENT_METHODS, PAYMENT_STATUSES } from "../../../domain/payment-plans";
import { PAYMENT_REASON_CODES, reasonLabel } from "../../../domain/payment-reasons";
import { ChequeInput, HandoverInput, handOverCash, issueCheque } from "../../../services/banking/cash-and-cheques";
import { type CashBoxView, listCashBoxes } from "../../../services/banking/cash-boxes";
import {
  CancellationInput,
  cancelOrder,
  RejectionInput,
  ReturnInput,
  rejectOrder,
  returnOrder,
  SettlementInput,
  settleOrder,
} from "../../../services/banking/order-verbs";
import { CashWithdrawalInput, withdrawCash } from "../../../services/banking/withdraw-cash";
import { BANK_ACCOUNT_SQL } from "../../../services/batches/batch-accounts";
import { dissolveBatch, markBatchSent } from "../../../services/batches/batch-transitions";
import { type BatchView, listBatches } from "../../../services/batches/list-batches";
import { readOrderHistory } from "../../../services/batches/order-history";
import { PrepareBatchesInput, prepareBatches } from "../../../services/batches/prepare-batches";
import { downloadBatchFile } from "../../../services/batches/stored-file";
import { ListTransferOrdersInput, listTransferOrders, type TransferOrderRow } from "../../../services/batches/transfer-orders";
import type { ServiceContext } from "../../../services/context";
import { sendBatchFile } from "../../batch-download";
import { Notice } from "../components";
import { type FormFields, parseForm, typed } from "../form-input";
import { euros, frDate, frDateTime, frMonth, ibanText, KIND_LABELS, METHOD_LABELS, STATUS_LABELS } from "../format";
import { type FormValues, isUuid, readForm } from "../forms";
import { Badge } from "../layout";
import { type Refusal, refusal } from "../messages";
import { CsrfField, can, permit, render, type UiApp, type UiContext } from "../session";

const DONE: Record<string, string> = {
  preparee: "Remise préparée : ses ordres sont dans la remise, le fichier peut être téléchargé.",
  envoyee: "Remise marquée comme envoyée : ses ordres sont émis.",
  dissoute: "Remise dissoute : ses ordres sont de nouveau en attente.",
  retrait: "Retrait d'espèces enregistré : la caisse du compte est alimentée.",
};

const REFUSALS = {
  not_found: "Cette remise ou ce compte n'existe pas.",
  conflict: "Cette remise a déjà changé d'état (envoyée ou dissoute) : rechargez la page.",
  validation_failed: "Aucun virement en attente n'est dû à cette date pour ce compte (ou le compte n'a pas encore d'IBAN).",
} as const;

const statusOf = (error: unknown): 404 | 409 | 422 => {
  if (error instanceof DomainError && error.code === "not_found") return 404;
  return error instanceof DomainError && error.code === "validation_failed" ? 422 : 409;
};

interface Group {
  account: string;
  date: string;
  rows: TransferOrderRow[];
}

/** Orders by bank account, then due date, in the order the service sorted them. */
function groupsOf(rows: TransferOrderRow[]): Group[] {
  const groups: Group[] = [];
  for (const r of rows) {
    const account = r.bankAccountName ?? "Compte non déterminé";
    const last = groups.at(-1);
    if (last && last.account === account && last.date === r.businessDate) last.rows.push(r);
    else groups.push({ account, date: r.businessDate, rows: [r] });
  }
  return groups;
}

const sum = (rows: readonly { amount: bigint }[]) => rows.reduce((s, r) => s + r.amount, 0n);

/** Totals per creditor of one group: what each landlord or creditor will see arrive. */
function byCreditor(rows: TransferOrderRow[]): [string, number, bigint][] {
  const totals = new Map<string, [string, number, bigint]>();
  for (const r of rows) {
    const key = `${r.creditorName}\u0000${r.creditorIban}`;
    const t = totals.get(key) ?? [r.creditorName, 0, 0n];
    totals.set(key, [t[0], t[1] + 1, t[2] + r.amount]);
  }
  return [...totals.values()];
}

const OrderGroup: FC<{ group: Group; index: number }> = ({ group, index }) => (
  <section aria-labelledby={`g-${index}`}>
    <h3 id={`g-${index}`}>
      {group.account} — échéance du {frDate(group.date)} : {group.rows.length} ordre(s), {euros(sum(group.rows))}
    </h3>
    <table>
      <caption class="sr-only">
        Ordres du compte {group.account} dus le {frDate(group.date)}
      </caption>
      <thead>
        <tr>
          <th scope="col">Bénéficiaire</th>
          <th scope="col">Type</th>
          <th scope="col">Moyen</th>
          <th scope="col">Période</th>
          <th scope="col">Créancier</th>
          <th scope="col">IBAN</th>
          <th scope="col" class="num">
            Montant
          </th>
          <th scope="col">Statut</th>
        </tr>
      </thead>
      <tbody>
        {group.rows.map((o) => (
          <tr>
            <td>
              <a href={`/beneficiaires/${o.beneficiaryId}`}>{o.beneficiaryName}</a>
            </td>
            <td>{KIND_LABELS[o.kind] ?? o.kind}</td>
            <td>{METHOD_LABELS[o.method] ?? o.method}</td>
            <td>{o.period ? frMonth(o.period) : "—"}</td>
            <td>{o.creditorName}</td>
            <td class="iban">{o.creditorIban ? ibanText(o.creditorIban) : "—"}</td>
            <td class="num">{euros(o.amount)}</td>
            <td>
              <a
                href={`/virements/ordres/${o.id}`}
                aria-label={`${STATUS_LABELS[o.status] ?? o.status} — historique de l'ordre de ${o.beneficiaryName}, ${euros(o.amount)}`}
              >
                <Badge value={o.status} label={STATUS_LABELS[o.status] ?? o.status} />
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    <table>
      <caption>Total par créancier</caption>
      <thead>
        <tr>
          <th scope="col">Créancier</th>
          <th scope="col" class="num">
            Ordres
          </th>
          <th scope="col" class="num">
            Total
          </th>
        </tr>
      </thead>
      <tbody>
        {byCreditor(group.rows).map(([name, count, total]) => (
          <tr>
            <td>{name}</td>
            <td class="num">{count}</td>
            <td class="num">{euros(total)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </section>
);

const BatchTable: FC<{ c: UiContext; batches: BatchView[] }> = ({ c, batches }) =>
  batches.length ? (
    <table>
      <caption class="sr-only">Remises récentes</caption>
      <thead>
        <tr>
          <th scope="col">Compte</th>
          <th scope="col">Exécution</th>
          <th scope="col" class="num">
            Ordres
          </th>
          <th scope="col" class="num">
            Total
          </th>
          <th scope="col">Statut</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {batches.map((b) => (
          <tr>
            <td>{b.bankAccountName}</td>
            <td>{frDate(b.executionDate)}</td>
            <td class="num">{b.orders}</td>
            <td class="num">{euros(b.total)}</td>
            <td>
              <Badge value={b.status} label={BATCH_STATUS_LABELS[b.status]} />
            </td>
            <td>
              {can(c, "payment.execute") && b.status !== "dissolved" ? (
                <div class="alert-actions">
                  <a href={`/virements/remises/${b.id}/fichier`} download>
                    Télécharger le fichier
                  </a>
                  {b.status === "prepared" ? (
                    <form method="post" action={`/virements/remises/${b.id}/envoi`}>
                      <CsrfField c={c} />
                      <button type="submit">Marquer comme envoyée</button>{" "}
                      <button type="submit" formaction={`/virements/remises/${b.id}/dissolution`} class="secondary">
                        Dissoudre
                      </button>
                    </form>
                  ) : null}
                </div>
              ) : (
                "—"
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  ) : (
    <p class="muted">Aucune remise.</p>
  );

const WITHDRAWAL_FIELDS = { bankAccountId: typed.choice, amount: typed.euros, date: typed.date } as const;
const WITHDRAWAL_LABELS: Record<string, string> = { bankAccountId: "Compte", amount: "Montant", date: "Date" };

const WITHDRAWAL_REFUSALS = {
  not_found: "Ce compte bancaire n'existe pas.",
  idempotency_conflict: "Ce formulaire de retrait a déjà été envoyé avec d'autres valeurs : rechargez la page pour saisir un nouveau retrait.",
} as const;

/** A refusal's sentence followed by its fields' French messages (a date in the future...). */
const withFields = (r: Refusal, labels: Record<string, string> = {}) => {
  const fields = Object.entries(r.fields).map(([name, message]) => `${labels[name] ?? name} : ${message}`);
  return fields.length ? `${r.summary} (${fields.join(" ; ")})` : r.summary;
};

/** The cash boxes and, for finance staff, the withdrawal that feeds them (its key rides with the form: a double click draws once). */
const CashSection: FC<{ c: UiContext; boxes: CashBoxView[]; kept: FormValues }> = ({ c, boxes, kept }) => (
  <section aria-labelledby="caisse" class="card">
    <h2 id="caisse">Caisse</h2>
    <table>
      <caption class="sr-only">Solde de la caisse de chaque compte</caption>
      <thead>
        <tr>
          <th scope="col">Compte</th>
          <th scope="col" class="num">
            Caisse
          </th>
        </tr>
      </thead>
      <tbody>
        {boxes.map((b) => (
          <tr>
            <td>{b.bankAccountName}</td>
            <td class="num">{euros(b.balance)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    {can(c, "payment.execute") ? (
      <form method="post" action="/virements/retraits" class="row-form" aria-label="Retrait d'espèces">
        <CsrfField c={c} />
        <input type="hidden" name="key" value={String(kept.key ?? randomUUID())} />
        <div>
          <label for="retrait-compte">Compte</label>
          <select id="retrait-compte" name="bankAccountId" required>
            {boxes.map((b) => (
              <option value={b.bankAccountId} selected={kept.bankAccountId ? kept.bankAccountId === b.bankAccountId : b.isDefault}>
                {b.bankAccountName}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="retrait-montant">Montant (€)</label>
          <input id="retrait-montant" name="amount" inputmode="decimal" placeholder="200,00" value={String(kept.amount ?? "")} required />
        </div>
        <div>
          <label for="retrait-date">Date du retrait</label>
          <input id="retrait-date" name="date" type="date" value={String(kept.date ?? c.get("ctx").today())} max={c.get("ctx").today()} required />
        </div>
        <div>
          <button type="submit">Retrait d'espèces</button>
        </div>
      </form>
    ) : null}
  </section>
);

const FILTER_FIELDS = { kind: typed.choice, method: typed.choice, status: typed.choice, until: typed.date, beneficiary: typed.text } as const;

async function page(c: UiContext, problem?: string, status: 200 | 404 | 409 | 422 = 200, kept: FormValues = {}) {
  const ctx = c.get("ctx");
  const query = c.req.query();
  const filters = parseForm(ListTransferOrdersInput, query, FILTER_FIELDS);
  const data = filters.ok ? filters.data : ListTransferOrdersInput.parse({});
  const [orders, batches, accounts, boxes] = await Promise.all([
    listTransferOrders({ ctx, data }),
    listBatches({ ctx, data: { limit: 30 } }),
    runText<{ id: string; name: string }>(ctx.db, `${BANK_ACCOUNT_SQL} order by name`),
    listCashBoxes({ ctx }),
  ]);
  const fait = c.req.query("fait") ?? "";
  return render(
    c,
    "Virements",
    <>
      <h1>Virements</h1>
      <Notice text={Object.hasOwn(DONE, fait) ? DONE[fait] : undefined} />
      {problem ? (
        <p class="error" role="alert">
          {problem}
        </p>
      ) : null}
      {can(c, "payment.execute") ? (
        <section aria-labelledby="preparer" class="card">
          <h2 id="preparer">Préparer la remise</h2>
          <p class="muted">
            Les virements en attente dus au plus tard à la date d'exécution entrent dans une remise par compte. Une date de fermeture TARGET (week-end, jour
            férié) passe au jour ouvré suivant.
          </p>
          <form method="post" action="/virements/remises" class="row-form">
            <CsrfField c={c} />
            <div>
              <label for="bankAccountId">Compte</label>
              <select id="bankAccountId" name="bankAccountId">
                <option value="">Tous les comptes</option>
                {accounts.map((a) => (
                  <option value={a.id}>{a.name}</option>
                ))}
              </select>
            </div>
            <div>
              <label for="executionDate">Date d'exécution</label>
              <input id="executionDate" name="executionDate" type="date" value={ctx.today()} required />
            </div>
            <div>
              <button type="submit">Préparer la remise</button>
            </div>
          </form>
        </section>
      ) : null}
      <CashSection c={c} boxes={boxes} kept={kept} />
      <h2>Remises</h2>
      <BatchTable c={c} batches={batches} />
      <h2>Ordres</h2>
      <form method="get" action="/virements" class="row-form" aria-label="Filtrer les ordres">
        <div>
          <label for="kind">Type</label>
          <select id="kind" name="kind">
            <option value="">Tous</option>
            {PAYMENT_KINDS.map((k) => (
              <option value={k} selected={data.kind === k}>
                {KIND_LABELS[k] ?? k}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="method">Moyen</label>
          <select id="method" name="method">
            <option value="">Tous</option>
            {PAYMENT_METHODS.map((m) => (
              <option value={m} selected={data.method === m}>
                {METHOD_LABELS[m]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="status">Statut</label>
          <select id="status" name="status">
            {PAYMENT_STATUSES.map((s) => (
              <option value={s} selected={data.status === s}>
                {STATUS_LABELS[s] ?? s}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="until">Échéance jusqu'au</label>
          <input id="until" name="until" type="date" value={data.until ?? ""} />
        </div>
        <div>
          <label for="beneficiary">Bénéficiaire</label>
          <input id="beneficiary" name="beneficiary" type="search" value={data.beneficiary ?? ""} autocomplete="off" />
        </div>
        <div>
          <button type="submit" class="secondary">
            Filtrer
          </button>
        </div>
      </form>
      {filters.ok ? null : (
        <p class="error" role="alert">
          Filtre incorrect : {Object.values(filters.errors).join(", ")}.
        </p>
      )}
      <p>
        {orders.length} ordre(s) pour {euros(sum(orders))}
        {orders.length === data.limit ? ` (les ${data.limit} premiers)` : ""}
      </p>
      {groupsOf(orders).map((g, i) => (
        <OrderGroup group={g} index={i} />
      ))}
    </>,
    status,
  );
}

/** Virements: the transfers waiting by account and due date, the remises, their files and their life. */
export function transferRoutes(ui: UiApp) {
  ui.get("/virements", permit("operations.view"), (c) => page(c));
  ui.post("/virements/remises", permit("payment.execute"), async (c) => {
    const values = await readForm(c);
    const parsed = parseForm(PrepareBatchesInput, values, { bankAccountId: typed.choice, executionDate: typed.date });
    if (!parsed.ok) return page(c, `Date d'exécution ou compte incorrect : ${Object.values(parsed.errors).join(", ")}.`, 422);
    try {
      await prepareBatches({ ctx: c.get("ctx"), data: parsed.data });
    } catch (error) {
      return page(c, refusal(error, REFUSALS).summary, statusOf(error));
    }
    return c.redirect("/virements?fait=preparee");
  });
  ui.post("/virements/retraits", permit("payment.execute"), async (c) => {
    const values = await readForm(c);
    const key = String(values.key ?? "");
    const parsed = parseForm(CashWithdrawalInput, values, WITHDRAWAL_FIELDS);
    if (!parsed.ok) {
      const errors = Object.entries(parsed.errors).map(([name, message]) => `${WITHDRAWAL_LABELS[name] ?? name} : ${message}`);
      return page(c, `Retrait d'espèces incorrect : ${errors.join(" ; ")}.`, 422, values);
    }
    if (!/^[0-9a-f-]{36}$/.test(key)) return page(c, "Formulaire expiré : vérifiez et renvoyez.", 422, { ...values, key: randomUUID() });
    try {
      await withdrawCash({ ctx: c.get("ctx"), idempotencyKey: key, data: parsed.data });
    } catch (error) {
      return page(c, withFields(refusal(error, WITHDRAWAL_REFUSALS), WITHDRAWAL_LABELS), statusOf(error), values);
    }
    return c.redirect("/virements?fait=retrait");
  });
  ui.use("/virements/remises/:id/*", permit("payment.execute"));
  ui.use("/virements/remises/:id/*", async (c, next) => (isUuid(c.req.param("id") ?? "") ? next() : page(c, REFUSALS.not_found, 404)));
  ui.get("/virements/remises/:id/fichier", async (c) => {
    try {
      return sendBatchFile(c, await downloadBatchFile({ ctx: c.get("ctx"), id: c.req.param("id") }));
    } catch (error) {
      return page(c, refusal(error, REFUSALS).summary, statusOf(error));
    }
  });
  const transition = (verb: typeof markBatchSent, done: string) => async (c: UiContext) => {
    try {
      await verb({ ctx: c.get("ctx"), id: c.req.param("id") ?? "" });
    } catch (error) {
      return page(c, refusal(error, REFUSALS).summary, statusOf(error));
    }
    return c.redirect(`/virements?fait=${done}`);
  };
  ui.post("/virements/remises/:id/envoi", transition(markBatchSent, "envoyee"));
  ui.post("/virements/remises/:id/dissolution", transition(dissolveBatch, "dissoute"));
}

const EVENT_LABELS: Record<string, string> = {
  created: "Ordre créé",
  batched: "Mis en remise",
  "payment_order.settle": "Réglé",
  "payment_order.reject": "Rejeté par la banque",
  "payment_order.return": "Retourné",
  "payment_order.cancel": "Annulé",
  "payment_order.cheque": "Chèque remis",
  "payment_order.handover": "Espèces remises",
};

const ORDER_DONE: Record<string, string> = {
  reglement: "Ordre réglé.",
  rejet: "Rejet enregistré : l'argent revient dans l'enveloppe, une alerte est ouverte pour le service financier.",
  retour: "Retour enregistré : l'argent revient dans l'enveloppe, une alerte est ouverte pour le service financier.",
  annulation: "Ordre annulé : l'argent revient dans l'enveloppe.",
  cheque: "Chèque remis : l'ordre est émis, il sera réglé quand le débit du chèque paraîtra au relevé.",
  especes: "Espèces remises : l'ordre est réglé, l'argent a quitté la caisse.",
};

const ORDER_REFUSALS = {
  not_found: "Cet ordre n'existe pas.",
  conflict: "Cet ordre a déjà changé d'état : rechargez la page.",
} as const;

const ORDER_LABELS: Record<string, string> = { number: "Numéro du chèque", receiptNumber: "Numéro de reçu", date: "Date" };

/** A refusal of an order's step in French: a cheque number taken, a cash box short, an order of another method. */
function orderRefusal(error: unknown): string {
  if (error instanceof DomainError) {
    const d = (error.details ?? {}) as { chequeNumber?: string; held?: number; amount?: number; method?: string };
    if (error.code === "insufficient_funds" && d.held !== undefined) {
      return `La caisse ne contient que ${euros(d.held)}, moins que les ${euros(d.amount ?? 0)} à remettre : faites d'abord un retrait d'espèces (page Virements).`;
    }
    if (error.code === "conflict" && d.chequeNumber) return `Le chèque n° ${d.chequeNumber} est déjà utilisé sur ce compte : vérifiez le numéro.`;
    if (error.code === "conflict" && d.method)
      return `Cet ordre est payé par ${(METHOD_LABELS[d.method] ?? d.method).toLowerCase()} : ce geste ne le concerne pas.`;
  }
  return withFields(refusal(error, ORDER_REFUSALS), ORDER_LABELS);
}

const ReasonSelect: FC<{ id: string }> = ({ id }) => (
  <div>
    <label for={id}>Motif (code ISO)</label>
    <select id={id} name="reasonCode" required>
      {PAYMENT_REASON_CODES.map((code) => (
        <option value={code}>
          {code} — {reasonLabel(code)}
        </option>
      ))}
    </select>
  </div>
);

const DateInput: FC<{ id: string; today: string }> = ({ id, today }) => (
  <div>
    <label for={id}>Date</label>
    <input id={id} name="date" type="date" value={today} max={today} required />
  </div>
);

async function orderPage(c: UiContext, problem?: string, status: 200 | 404 | 409 | 422 = 200) {
  const ctx = c.get("ctx");
  const id = c.req.param("id") ?? "";
  let history: Awaited<ReturnType<typeof readOrderHistory>>;
  try {
    history = await readOrderHistory({ ctx, id });
  } catch (error) {
    return page(c, refusal(error, ORDER_REFUSALS).summary, statusOf(error));
  }
  const { order, beneficiaryName, events } = history;
  const today = ctx.today();
  const action = (verb: string) => `/virements/ordres/${order.id}/${verb}`;
  const fait = c.req.query("fait") ?? "";
  return render(
    c,
    "Ordre de virement",
    <>
      <p class="crumbs">
        <a href="/virements">Virements</a>
      </p>
      <h1>
        {KIND_LABELS[order.kind] ?? order.kind} — {euros(order.amount)}
      </h1>
      <Notice text={Object.hasOwn(ORDER_DONE, fait) ? ORDER_DONE[fait] : undefined} />
      {problem ? (
        <p class="error" role="alert">
          {problem}
        </p>
      ) : null}
      <dl class="summary">
        <dt>Bénéficiaire</dt>
        <dd>
          <a href={`/beneficiaires/${order.beneficiaryId}`}>{beneficiaryName}</a>
        </dd>
        <dt>Créancier</dt>
        <dd>
          {order.creditorName}
          {order.creditorIban ? ` (${ibanText(order.creditorIban)})` : ""}
        </dd>
        <dt>Moyen</dt>
        <dd>{METHOD_LABELS[order.method] ?? order.method}</dd>
        <dt>Période</dt>
        <dd>{order.period ? frMonth(order.period) : "—"}</dd>
        <dt>Statut</dt>
        <dd>
          <Badge value={order.status} label={STATUS_LABELS[order.status] ?? order.status} />
          {order.reasonLabel ? ` — ${order.reasonCode} ${order.reasonLabel}` : ""}
        </dd>
      </dl>
      <h2>Historique</h2>
      <table>
        <caption class="sr-only">Historique de l'ordre</caption>
        <thead>
          <tr>
            <th scope="col">Quand</th>
            <th scope="col">Événement</th>
            <th scope="col">Par</th>
            <th scope="col">Détail</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr>
              <td>{frDateTime(e.at)}</td>
              <td>{EVENT_LABELS[e.what] ?? e.what}</td>
              <td>{e.actor ?? "traitement"}</td>
              <td>
                {e.what === "batched"
                  ? `remise du ${frDate(String(e.details.executionDate))} (${BATCH_STATUS_LABELS[e.details.batchStatus as BatchStatus] ?? ""})`
                  : [
                      e.details.date ? `date ${frDate(String(e.details.date))}` : "",
                      e.details.reasonCode ? `${e.details.reasonCode} ${reasonLabel(String(e.details.reasonCode))}` : "",
                      e.details.reason ? String(e.details.reason) : "",
                      e.details.chequeNumber ? `chèque n° ${e.details.chequeNumber}` : "",
                      e.details.receiptNumber ? `reçu n° ${e.details.receiptNumber}` : "",
                    ]
                      .filter(Boolean)
                      .join(", ")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {can(c, "payment.execute") ? (
        <>
          {order.status === "sent" ? (
            <>
              <form method="post" action={action("reglement")} class="row-form card" aria-label="Règlement">
                <CsrfField c={c} />
                <DateInput id="date-reglement" today={today} />
                <div>
                  <button type="submit">Réglé</button>
                </div>
              </form>
              <form method="post" action={action("rejet")} class="row-form card" aria-label="Rejet">
                <CsrfField c={c} />
                <DateInput id="date-rejet" today={today} />
                <ReasonSelect id="motif-rejet" />
                <div>
                  <button type="submit">Rejet</button>
                </div>
              </form>
            </>
          ) : null}
          {order.status === "settled" ? (
            <form method="post" action={action("retour")} class="row-form card" aria-label="Retour">
              <CsrfField c={c} />
              <DateInput id="date-retour" today={today} />
              <ReasonSelect id="motif-retour" />
              <div>
                <button type="submit">Retour</button>
              </div>
            </form>
          ) : null}
          {order.status === "pending" && order.method === "cheque" ? (
            <form method="post" action={action("cheque")} class="row-form card" aria-label="Remettre le chèque">
              <CsrfField c={c} />
              <div>
                <label for="numero-cheque">Numéro du chèque</label>
                <input id="numero-cheque" name="number" inputmode="numeric" pattern="[0-9]{1,12}" maxlength={12} required />
              </div>
              <DateInput id="date-cheque" today={today} />
              <div>
                <button type="submit">Remettre le chèque</button>
              </div>
            </form>
          ) : null}
          {order.status === "pending" && order.method === "cash" ? (
            <form method="post" action={action("especes")} class="row-form card" aria-label="Remettre les espèces">
              <CsrfField c={c} />
              <div>
                <label for="numero-recu">Numéro de reçu</label>
                <input id="numero-recu" name="receiptNumber" type="text" maxlength={35} required />
              </div>
              <DateInput id="date-especes" today={today} />
              <div>
                <button type="submit">Remettre les espèces</button>
              </div>
            </form>
          ) : null}
          {order.status === "pending" || order.status === "batched" ? (
            <form method="post" action={action("annulation")} class="row-form card" aria-label="Annulation">
              <CsrfField c={c} />
              <div>
                <label for="motif-annulation">Motif de l'annulation</label>
                <input id="motif-annulation" name="reason" type="text" required maxlength={200} />
              </div>
              <div>
                <button type="submit" class="secondary">
                  Annuler l'ordre
                </button>
              </div>
            </form>
          ) : null}
        </>
      ) : null}
    </>,
    status,
  );
}

/** An order's page: its history, and the steps of its life the bank's statement does not report. */
export function orderRoutes(ui: UiApp) {
  // (`/:id/*` would match the page itself too: the writes are guarded one by one.)
  ui.get("/virements/ordres/:id", permit("operations.view"), (c) => (isUuid(c.req.param("id") ?? "") ? orderPage(c) : page(c, ORDER_REFUSALS.not_found, 404)));
  const step =
    <S extends z.ZodType>(schema: S, fields: FormFields, verb: (a: { ctx: ServiceContext; id: string; data: z.output<S> }) => Promise<unknown>, done: string) =>
    async (c: UiContext) => {
      const id = c.req.param("id") ?? "";
      if (!isUuid(id)) return page(c, ORDER_REFUSALS.not_found, 404);
      const parsed = parseForm(schema, await readForm(c), fields);
      if (!parsed.ok) {
        const errors = Object.entries(parsed.errors).map(([name, message]) => `${ORDER_LABELS[name] ?? name} : ${message}`);
        return orderPage(c, `Saisie incorrecte : ${errors.join(" ; ")}.`, 422);
      }
      try {
        await verb({ ctx: c.get("ctx"), id, data: parsed.data });
      } catch (error) {
        return orderPage(c, orderRefusal(error), statusOf(error));
      }
      return c.redirect(`/virements/ordres/${id}?fait=${done}`);
    };
  ui.post("/virements/ordres/:id/reglement", permit("payment.execute"), step(SettlementInput, { date: typed.date }, settleOrder, "reglement"));
  ui.post("/virements/ordres/:id/rejet", permit("payment.execute"), step(RejectionInput, { date: typed.date, reasonCode: typed.choice }, rejectOrder, "rejet"));
  ui.post("/virements/ordres/:id/retour", permit("payment.execute"), step(ReturnInput, { date: typed.date, reasonCode: typed.choice }, returnOrder, "retour"));
  ui.post("/virements/ordres/:id/annulation", permit("payment.execute"), step(CancellationInput, { reason: typed.text }, cancelOrder, "annulation"));
  ui.post("/virements/ordres/:id/cheque", permit("payment.execute"), step(ChequeInput, { number: typed.digits(12), date: typed.date }, issueCheque, "cheque"));
  ui.post(
    "/virements/ordres/:id/especes",
    permit("payment.execute"),
    step(HandoverInput, { receiptNumber: typed.text, date: typed.date }, handOverCash, "especes"),
  );
}
