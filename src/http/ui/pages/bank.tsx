/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import { BankFileError } from "../../../banking/statements/types";
import { SUSPENSE_REASONS } from "../../../domain/bank-statements";
import { DomainError } from "../../../domain/errors";
import { accountsWithStatements, bankAccountNames, beneficiaryNames } from "../../../services/statements/bank-page-views";
import { importBankFile } from "../../../services/statements/import-statements";
import { type Reconciliation, reconcile } from "../../../services/statements/reconciliation";
import { listStatements, readStatement, type StatementSummary, statementSummaries } from "../../../services/statements/statement-views";
import { BANK_UPLOAD_SCRIPT } from "../assets";
import { Notice } from "../components";
import { euros, frDate, frDateTime, KIND_LABELS } from "../format";
import { isUuid } from "../forms";
import { Badge } from "../layout";
import { CsrfField, can, permit, render, type UiApp, type UiContext } from "../session";

/** What a statement line became, in French (the line's `status`). */
export const LINE_STATUS_LABELS: Record<string, string> = {
  new: "à rapprocher",
  matched: "rapprochée",
  suspense: "en attente",
  settled_order: "ordre réglé",
  rejected_order: "ordre rejeté",
  returned_order: "ordre retourné",
};

const FORMAT_LABELS: Record<string, string> = { "camt.053": "camt.053 (XML)", cfonb120: "CFONB 120" };

/** The sub-pages of Banque, each a link of the same small menu. */
export const BankMenu: FC<{ current: string }> = ({ current }) => (
  <nav aria-label="Pages de la banque" class="subnav">
    {(
      [
        ["/banque", "Relevés"],
        ["/banque/attente", "Lignes en attente"],
        ["/banque/regles", "Règles de rapprochement"],
      ] as const
    ).map(([href, label]) => (
      <a href={href} aria-current={current === href ? "page" : undefined}>
        {label}
      </a>
    ))}
  </nav>
);

/** `cohérent`, or by how much it is not: never silently fixed. */
const Consistency: FC<{ s: StatementSummary }> = ({ s }) =>
  s.consistent ? (
    <Badge value="consistent" label="cohérent" />
  ) : (
    <>
      <Badge value="inconsistent" label="incohérent" />
      {s.difference !== 0 ? <span class="detail">écart de {euros(s.difference)} entre les soldes et les opérations</span> : null}
      {s.openingGap !== 0 ? <span class="detail">ouverture différente de la clôture précédente de {euros(s.openingGap)}</span> : null}
    </>
  );

const ReconciliationStatus: FC<{ r: Reconciliation | null }> = ({ r }) => {
  if (!r) return <span class="muted">—</span>;
  return r.difference === 0 ? (
    <>
      <Badge value="reconciled" label="rapproché" />
      {r.unmatched ? <span class="detail">{r.unmatched} ligne(s) en attente</span> : null}
    </>
  ) : (
    <>
      <Badge value="difference" label={`écart de ${euros(r.difference)}`} />
      <span class="detail">
        grand livre {euros(r.ledgerBalance)}, banque {euros(r.statementBalance)}
        {r.unmatched ? `, ${r.unmatched} ligne(s) non expliquée(s)` : ""}
      </span>
    </>
  );
};

const StatementTable: FC<{ statements: StatementSummary[]; accounts: Map<string, string>; reconciliations: (Reconciliation | null)[]; caption: string }> = ({
  statements,
  accounts,
  reconciliations,
  caption,
}) => (
  <table>
    <caption class="sr-only">{caption}</caption>
    <thead>
      <tr>
        <th scope="col">Compte</th>
        <th scope="col">Format</th>
        <th scope="col">Période</th>
        <th scope="col" class="num">
          Solde d'ouverture
        </th>
        <th scope="col" class="num">
          Solde de clôture
        </th>
        <th scope="col" class="num">
          Lignes
        </th>
        <th scope="col" class="num">
          Rapprochées
        </th>
        <th scope="col" class="num">
          En attente
        </th>
        <th scope="col">Cohérence</th>
        <th scope="col">Rapprochement au dernier jour</th>
      </tr>
    </thead>
    <tbody>
      {statements.map((s, i) => (
        <tr>
          <td>
            <a href={`/banque/releves/${s.id}`} aria-label={`Lignes du relevé ${accounts.get(s.bankAccountId) ?? ""} du ${frDate(s.from)} au ${frDate(s.to)}`}>
              {accounts.get(s.bankAccountId) ?? "Compte"}
            </a>
          </td>
          <td>{FORMAT_LABELS[s.format] ?? s.format}</td>
          <td>
            du {frDate(s.from)} au {frDate(s.to)}
          </td>
          <td class="num">{euros(s.openingBalance)}</td>
          <td class="num">{euros(s.closingBalance)}</td>
          <td class="num">{s.lines}</td>
          <td class="num">{s.matched}</td>
          <td class="num">{s.suspense ? <a href="/banque/attente">{s.suspense}</a> : 0}</td>
          <td>
            <Consistency s={s} />
          </td>
          <td>
            <ReconciliationStatus r={reconciliations[i] ?? null} />
          </td>
        </tr>
      ))}
    </tbody>
  </table>
);

/** Each statement's account reconciled on its closing day (the latest statement closing that day). */
async function reconciliationsOf(c: UiContext, statements: StatementSummary[]): Promise<(Reconciliation | null)[]> {
  const ctx = c.get("ctx");
  const byDay = new Map<string, Promise<Reconciliation | null>>();
  return Promise.all(
    statements.map((s) => {
      const key = `${s.bankAccountId}:${s.to}`;
      let r = byDay.get(key);
      if (!r) {
        r = reconcile({ ctx, bankAccountId: s.bankAccountId, date: s.to }).catch((error: unknown) => {
          if (error instanceof DomainError && error.code === "not_found") return null;
          throw error;
        });
        byDay.set(key, r);
      }
      return r;
    }),
  );
}

const STATEMENTS_SHOWN = 50;
const MAX_UPLOAD_RESULT = 20;

/** The statements an upload named in its redirect (`?import=id,id`), with what the upload did. */
async function importResult(c: UiContext) {
  const ids = (c.req.query("import") ?? "").split(",").filter(isUuid).slice(0, MAX_UPLOAD_RESULT);
  if (ids.length === 0) return null;
  const found = (await statementSummaries(c.get("ctx").db, ids).catch(() => [])).filter(Boolean);
  return found.length ? found : null;
}

const REPORT_TEXT = (report: string) => {
  const m = /^(\d+)-(\d+)-(\d+)$/.exec(report);
  if (!m) return undefined;
  return `Compte rendu de la banque (pain.002) lu : ${m[1]} ordre(s) rejeté(s), ${m[2]} inconnu(s), ${m[3]} sans changement.`;
};

/** `2026-03-05`, a real day between 1900 and 2100 (anything else: today). */
const isCalendarDate = (s: string) => /^(19|20)\d{2}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)) && new Date(s).toISOString().slice(0, 10) === s;

/** Each account with a statement, reconciled on a day: the latest statement closing by then against the ledger. */
async function accountReconciliations(c: UiContext, date: string) {
  const ctx = c.get("ctx");
  const ids = await accountsWithStatements(ctx.db);
  return Promise.all(
    ids.map(async (bankAccountId) => ({
      bankAccountId,
      r: await reconcile({ ctx, bankAccountId, date }).catch((error: unknown) => {
        if (error instanceof DomainError && error.code === "not_found") return null;
        throw error;
      }),
    })),
  );
}

async function listPage(c: UiContext, problem?: string, status: 200 | 422 = 200) {
  const ctx = c.get("ctx");
  const asked = c.req.query("date") ?? "";
  const date = isCalendarDate(asked) ? asked : ctx.today();
  const [statements, accounts, uploaded, byAccount] = await Promise.all([
    listStatements({ ctx, data: { limit: STATEMENTS_SHOWN } }),
    bankAccountNames(ctx.db),
    importResult(c),
    accountReconciliations(c, date),
  ]);
  const [reconciliations, uploadedReconciliations] = await Promise.all([reconciliationsOf(c, statements), uploaded ? reconciliationsOf(c, uploaded) : []]);
  const fresh = c.req.query("etat") === "nouveau";
  return render(
    c,
    "Banque",
    <>
      <h1>Banque</h1>
      <BankMenu current="/banque" />
      <Notice text={REPORT_TEXT(c.req.query("rapport") ?? "")} />
      {problem ? (
        <div class="error" role="alert" id="erreurs" tabindex={-1}>
          <p>
            <strong>Le fichier n'a pas été importé.</strong>
          </p>
          <p>{problem}</p>
        </div>
      ) : null}
      {uploaded ? (
        <section aria-labelledby="resultat" class="card">
          <h2 id="resultat">Résultat de l'import</h2>
          <p class="notice" role="status">
            {fresh
              ? `Relevé importé : ${uploaded.length} relevé(s), ${uploaded.reduce((n, s) => n + s.lines, 0)} ligne(s), dont ${uploaded.reduce((n, s) => n + s.matched, 0)} rapprochée(s) et ${uploaded.reduce((n, s) => n + s.suspense, 0)} en attente.`
              : "Ce fichier était déjà importé : aucune ligne nouvelle, les relevés sont ceux-ci."}
            {uploaded.some((s) => !s.consistent) ? " Attention : un relevé est incohérent, une alerte est ouverte pour le service financier." : ""}
          </p>
          <StatementTable statements={uploaded} accounts={accounts} reconciliations={uploadedReconciliations} caption="Relevés du fichier importé" />
        </section>
      ) : null}
      {can(c, "statement.import") ? (
        <section aria-labelledby="importer" class="card">
          <h2 id="importer">Importer un relevé</h2>
          <p class="muted">
            Relevé camt.053 (XML) ou CFONB 120, ou compte rendu pain.002 de la banque ; 200 Mo au plus. Le même fichier importé deux fois n'ajoute rien.
          </p>
          <form method="post" action="/banque/releves" enctype="multipart/form-data" class="upload">
            <CsrfField c={c} />
            <div class="dropzone" data-dropzone>
              <label for="fichier">Fichier de relevé</label>
              <p class="hint" id="fichier-aide">
                Choisissez le fichier, ou déposez-le ici.
              </p>
              <input
                id="fichier"
                name="file"
                type="file"
                required
                aria-describedby="fichier-aide"
                accept=".xml,.txt,.dat,.cfonb,.053,text/xml,application/xml,text/plain"
              />
              <p class="dropzone-file muted" aria-live="polite" />
            </div>
            <p class="actions">
              <button type="submit">Importer le relevé</button>
            </p>
          </form>
        </section>
      ) : null}
      <section aria-labelledby="rapprochement">
        <h2 id="rapprochement">Rapprochement par compte</h2>
        <form method="get" action="/banque" class="row-form" aria-label="Date du rapprochement">
          <div>
            <label for="date">Au</label>
            <input id="date" name="date" type="date" value={date} />
          </div>
          <div>
            <button type="submit" class="secondary">
              Rapprocher
            </button>
          </div>
        </form>
        {byAccount.length === 0 ? (
          <p class="muted">Aucun compte n'a encore de relevé.</p>
        ) : (
          <table>
            <caption class="sr-only">Rapprochement de chaque compte au {frDate(date)}</caption>
            <thead>
              <tr>
                <th scope="col">Compte</th>
                <th scope="col">Dernier relevé clos</th>
                <th scope="col" class="num">
                  Grand livre
                </th>
                <th scope="col" class="num">
                  Banque
                </th>
                <th scope="col">État</th>
              </tr>
            </thead>
            <tbody>
              {byAccount.map(({ bankAccountId, r }) => (
                <tr>
                  <td>{accounts.get(bankAccountId) ?? "Compte"}</td>
                  <td>{r ? frDate(r.statementDate) : "aucun à cette date"}</td>
                  <td class="num">{r ? euros(r.ledgerBalance) : "—"}</td>
                  <td class="num">{r ? euros(r.statementBalance) : "—"}</td>
                  <td>
                    <ReconciliationStatus r={r} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <h2>Relevés importés</h2>
      {statements.length === 0 ? (
        <p class="muted">Aucun relevé importé.</p>
      ) : (
        <StatementTable statements={statements} accounts={accounts} reconciliations={reconciliations} caption="Relevés importés, les plus récents d'abord" />
      )}
      <script src={BANK_UPLOAD_SCRIPT} defer />
    </>,
    status,
  );
}

type Allocation = { envelope: string; amount: number; chargeId?: string };

const allocationText = (allocations: unknown) =>
  Array.isArray(allocations)
    ? (allocations as Allocation[])
        .filter((a) => Number(a.amount) !== 0)
        .map((a) => `${KIND_LABELS[a.envelope] ?? a.envelope} ${euros(Number(a.amount))}`)
        .join(", ")
    : "";
const inParentheses = (text: string) => (text ? ` (${text})` : "");

const ORDER_WORDS: Record<string, string> = { settled_order: "réglé", returned_order: "retourné", rejected_order: "rejeté" };

/** What a line matched: a credit and its allocation, our orders, a fee, a decision on a suspense line, or why it waits. */
const Matched: FC<{ line: Awaited<ReturnType<typeof readStatement>>["entries"][number]; names: Map<string, string>; canDecide: boolean }> = ({
  line,
  names,
  canDecide,
}) => {
  const m = (line.matched ?? {}) as Record<string, unknown>;
  const person = (id: unknown) =>
    typeof id === "string" ? <a href={`/beneficiaires/${id}`}>{names.get(id) ?? "bénéficiaire"}</a> : <span class="muted">personne non reconnue</span>;
  if (line.status === "suspense") {
    return (
      <>
        {SUSPENSE_REASONS[line.reason as keyof typeof SUSPENSE_REASONS] ?? line.reason ?? "En attente"}
        {typeof m.beneficiaryId === "string" ? <> — {person(m.beneficiaryId)}</> : null}
        {" — "}
        <a href={`/banque/attente/${line.id}`}>{canDecide ? "décider" : "voir"}</a>
      </>
    );
  }
  if (line.status === "new") return <span class="muted">pas encore rapprochée</span>;
  switch (m.kind) {
    case "credit":
      return (
        <>
          Versement {String(m.payer ?? "")} {String(m.prestation ?? "")} pour {person(m.beneficiaryId)}
          {m.handTyped ? " (versement saisi à la main retrouvé, pas de second versement)" : ""}
          {allocationText(m.allocations) ? <span class="detail">réparti : {allocationText(m.allocations)}</span> : null}
        </>
      );
    case "orders": {
      const ids = Array.isArray(m.orderIds) ? (m.orderIds as string[]) : [];
      return (
        <>
          {ids.length > 1 ? `${ids.length} ordres ${ORDER_WORDS[line.status] ?? ""}s (remise) : ` : `Ordre ${ORDER_WORDS[line.status] ?? ""} : `}
          {ids.slice(0, 20).map((id, i) => (
            <>
              {i ? ", " : ""}
              <a href={`/virements/ordres/${id}`}>ordre {i + 1}</a>
            </>
          ))}
          {ids.length > 20 ? ` et ${ids.length - 20} autres` : ""}
          {line.reason ? ` (motif ${line.reason})` : ""}
        </>
      );
    }
    case "bank_fee":
      return <>Frais bancaires (compte 627)</>;
    case "assignment": {
      const credits = Array.isArray(m.credits) ? (m.credits as { beneficiaryId: string; amount: number; allocations: unknown }[]) : [];
      return (
        <>
          Ligne en attente répartie après validation :
          {credits.map((cr) => (
            <span class="detail">
              {person(cr.beneficiaryId)} {euros(Number(cr.amount))}
              {inParentheses(allocationText(cr.allocations))}
            </span>
          ))}
        </>
      );
    }
    case "forward":
    case "return":
      return (
        <>
          {m.kind === "forward" ? "Reversée à la personne" : "Rendue au payeur"} après validation —{" "}
          {typeof m.paymentOrderId === "string" ? <a href={`/virements/ordres/${m.paymentOrderId}`}>voir l'ordre</a> : null}
        </>
      );
    case "expense":
      return <>Passée en frais bancaires après validation</>;
    default:
      return <span class="muted">—</span>;
  }
};

/** The beneficiaries the lines name, for links with their names. */
const peopleOf = (lines: { matched: Record<string, unknown> | null }[]) =>
  lines.flatMap((l) => {
    const m = l.matched ?? {};
    const credits = Array.isArray(m.credits) ? (m.credits as { beneficiaryId?: unknown }[]).map((c) => c.beneficiaryId) : [];
    return [m.beneficiaryId, ...credits].filter((id): id is string => typeof id === "string");
  });

const notFound = (c: UiContext) =>
  render(
    c,
    "Relevé introuvable",
    <>
      <h1>Relevé introuvable</h1>
      <p>
        <a href="/banque">Retour aux relevés</a>
      </p>
    </>,
    404,
  );

async function statementPage(c: UiContext) {
  const ctx = c.get("ctx");
  const id = c.req.param("id") ?? "";
  if (!isUuid(id)) return notFound(c);
  let statement: Awaited<ReturnType<typeof readStatement>>;
  try {
    statement = await readStatement({ ctx, id });
  } catch (error) {
    if (error instanceof DomainError && error.code === "not_found") return notFound(c);
    throw error;
  }
  const [accounts, names, [reconciliation]] = await Promise.all([
    bankAccountNames(ctx.db),
    beneficiaryNames(ctx.db, peopleOf(statement.entries)),
    reconciliationsOf(c, [statement]),
  ]);
  const account = accounts.get(statement.bankAccountId) ?? "Compte";
  const canDecide = can(c, "statement.import");
  return render(
    c,
    `Relevé du ${frDate(statement.from)} au ${frDate(statement.to)}`,
    <>
      <p class="crumbs">
        <a href="/banque">Banque</a> › relevé
      </p>
      <h1>
        {account} — relevé du {frDate(statement.from)} au {frDate(statement.to)}
      </h1>
      <BankMenu current="" />
      <dl>
        <dt>Format</dt>
        <dd>{FORMAT_LABELS[statement.format] ?? statement.format}</dd>
        <dt>Solde d'ouverture</dt>
        <dd>{euros(statement.openingBalance)}</dd>
        <dt>Solde de clôture</dt>
        <dd>{euros(statement.closingBalance)}</dd>
        <dt>Lignes</dt>
        <dd>
          {statement.lines} dans le fichier ; {statement.matched} rapprochée(s), {statement.suspense} en attente
        </dd>
        <dt>Cohérence</dt>
        <dd>
          <Consistency s={statement} />
        </dd>
        <dt>Rapprochement au {frDate(statement.to)}</dt>
        <dd>
          <ReconciliationStatus r={reconciliation ?? null} />
        </dd>
        <dt>Importé le</dt>
        <dd>{frDateTime(statement.importedAt)}</dd>
      </dl>
      <h2>Lignes</h2>
      {statement.entries.length === 0 ? (
        <p class="muted">Aucune ligne sur cette période.</p>
      ) : (
        <table>
          <caption class="sr-only">Lignes du relevé et ce que chacune a rapproché</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Libellé</th>
              <th scope="col" class="num">
                Montant
              </th>
              <th scope="col">Statut</th>
              <th scope="col">Rapprochement</th>
            </tr>
          </thead>
          <tbody>
            {statement.entries.map((line) => (
              <tr>
                <td>{frDate(line.bookingDate)}</td>
                <td>{line.label}</td>
                <td class="num">{euros(line.amount)}</td>
                <td>
                  <Badge value={`line-${line.status}`} label={LINE_STATUS_LABELS[line.status] ?? line.status} />
                </td>
                <td>
                  <Matched line={line} names={names} canDecide={canDecide} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>,
  );
}

/** The multipart field `file`, already parsed by the CSRF check (Hono keeps the parsed body). */
async function uploadedFile(c: UiContext): Promise<File | null> {
  const body = await c.req.parseBody();
  const file = body.file;
  return typeof file === "object" && file !== null && "arrayBuffer" in file && file.size > 0 ? file : null;
}

/** The parser's usual refusals in French; any other keeps its technical wording. */
const FILE_ISSUES: [RegExp, string][] = [
  [/^neither camt/, "ce n'est ni un relevé camt.053, ni un relevé CFONB 120, ni un compte rendu pain.002"],
  [/^the file is empty/, "le fichier est vide"],
  [/^truncated file/, "fichier tronqué, le dernier enregistrement est incomplet"],
];

/** A refusal of the file in French: the parser's reason with the line or record it names, an account that is not ours. */
function fileRefusal(error: unknown): string | null {
  if (error instanceof BankFileError) {
    const where = error.line === undefined ? "" : ` (ligne ou enregistrement ${error.line})`;
    const known = FILE_ISSUES.find(([pattern]) => pattern.test(error.message));
    return `Le fichier est illisible${where} : ${known ? known[1] : `détail technique « ${error.message} »`}. Rien n'a été importé.`;
  }
  if (error instanceof DomainError && error.code === "validation_failed") {
    const details = Array.isArray(error.details) ? (error.details as { code?: string; message?: string }[]) : [];
    const account = details.find((d) => d.code === "unknown_bank_account");
    if (account) {
      const named = /\(([^)]*)\)/.exec(account.message ?? "")?.[1] ?? "";
      return `Le compte de ce relevé (${named}) n'est pas l'un de nos comptes bancaires : un administrateur doit d'abord le créer avec cet IBAN. Rien n'a été importé.`;
    }
    return `Le fichier a été refusé : ${details.map((d) => d.message).join(" ; ") || error.message}. Rien n'a été importé.`;
  }
  return null;
}

/** Banque: the statements, their consistency and reconciliation, their lines; the upload for finance staff. */
export function bankRoutes(ui: UiApp) {
  ui.get("/banque", permit("operations.view"), (c) => listPage(c));
  ui.post("/banque/releves", permit("statement.import"), async (c) => {
    const file = await uploadedFile(c);
    if (!file) return listPage(c, "Choisissez un fichier de relevé (camt.053, CFONB 120 ou pain.002).", 422);
    let outcome: Awaited<ReturnType<typeof importBankFile>>;
    try {
      outcome = await importBankFile(c.get("ctx"), file.stream() as unknown as AsyncIterable<Uint8Array>);
    } catch (error) {
      const text = fileRefusal(error);
      if (text === null) throw error;
      return listPage(c, text, 422);
    }
    if (outcome.orders) {
      const o = outcome.orders;
      return c.redirect(`/banque?rapport=${o.rejected}-${o.unknown}-${o.unchanged}`);
    }
    const ids = outcome.statements.map((s) => s.id).slice(0, MAX_UPLOAD_RESULT);
    return c.redirect(`/banque?import=${ids.join(",")}&etat=${outcome.status === 201 ? "nouveau" : "deja"}`);
  });
  ui.get("/banque/releves/:id", permit("operations.view"), (c) => statementPage(c));
}
