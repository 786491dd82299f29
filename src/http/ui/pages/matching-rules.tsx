/** @jsxImportSource hono/jsx */
import type { MatchingRule } from "../../../domain/matching-rules";
import { listMatchingRules, MatchingRulesInput, replaceMatchingRules } from "../../../services/statements/matching-rules";
import { Notice } from "../components";
import { ErrorSummary, Field, type FormState, type FormValues, readForm, SelectField, TextArea } from "../forms";
import { Badge } from "../layout";
import { refusal } from "../messages";
import { CsrfField, can, permit, render, type UiApp, type UiContext } from "../session";
import { BankMenu } from "./bank";

const ADMINS = "aux administrateurs";

const NUMBER_FIELDS = [
  ["cafNumber", "Numéro d'allocataire CAF"],
  ["msaNumber", "Numéro MSA"],
] as const;

const LABELS: Record<string, string> = {
  payer: "Code du payeur",
  priority: "Priorité (la plus petite d'abord)",
  active: "Règle active",
  names: "Noms du payeur (une expression régulière par ligne)",
  ibans: "IBAN du payeur (un par ligne)",
  numberField: "Numéro cherché",
  numberPattern: "Motif du numéro (un groupe de capture : le numéro)",
  prestations: "Prestations (une par ligne : CODE = motif)",
  notManaged: "Ressources non gérées (une par ligne : libellé = motif)",
};

const lines = (value: string | string[] | undefined) =>
  String(Array.isArray(value) ? (value[0] ?? "") : (value ?? ""))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** `CODE = motif` lines into pairs; a line without ` = ` is reported. */
function pairs(value: string | string[] | undefined): { ok: true; items: [string, string][] } | { ok: false; line: number } {
  const items: [string, string][] = [];
  for (const [i, line] of lines(value).entries()) {
    const at = line.indexOf("=");
    if (at <= 0 || at === line.length - 1) return { ok: false, line: i + 1 };
    items.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
  }
  return { ok: true, items };
}

const valuesOf = (rule: MatchingRule): FormValues => ({
  payer: rule.payer,
  priority: String(rule.priority),
  active: rule.active ? "on" : "",
  names: rule.spec.names.join("\n"),
  ibans: rule.spec.ibans.join("\n"),
  numberField: rule.spec.numberField,
  numberPattern: rule.spec.numberPattern,
  prestations: rule.spec.prestations.map((p) => `${p.prestation} = ${p.pattern}`).join("\n"),
  notManaged: rule.spec.notManaged.map((p) => `${p.label} = ${p.pattern}`).join("\n"),
});

/** The schema's refusals, in French, for the fields of one rule. */
function frenchIssue(message: string, field: string): string {
  if (/regular expression/.test(message)) return "expression régulière invalide";
  if (/capture group/.test(message)) return "il faut un groupe de capture entre parenthèses : le numéro, ex. (\\d{7,13})";
  if (/IBAN/.test(message)) return "IBAN au format électronique, sans espaces (FR76…)";
  if (/upper-case/.test(message)) return "majuscules, chiffres, _ et - (le code du payeur d'un versement, ex. CAF)";
  if (/one rule per payer/.test(message)) return "une règle existe déjà pour ce payeur";
  if (field === "priority") return "nombre entier de 0 à 10 000";
  return "valeur incorrecte";
}

async function listPage(c: UiContext) {
  const rules = await listMatchingRules(c.get("ctx").db);
  const admin = can(c, "matching.manage");
  return render(
    c,
    "Règles de rapprochement",
    <>
      <h1>Règles de rapprochement</h1>
      <BankMenu current="/banque/regles" />
      <Notice text={c.req.query("fait") ? "Règle enregistrée : elle s'applique aux prochaines lignes importées." : undefined} />
      <p class="muted">
        Comment une ligne au crédit est reconnue : le payeur par son nom ou son IBAN, le bénéficiaire par le numéro que le payeur écrit dans le libellé, la
        prestation par mots-clés. Les motifs sont des expressions régulières, sans distinction de casse. Une ligne que rien ne reconnaît va en attente.
      </p>
      {admin ? (
        <p>
          <a href="/banque/regles/modifier" class="button">
            Nouvelle règle
          </a>
        </p>
      ) : (
        <p class="muted">Seul un administrateur modifie les règles.</p>
      )}
      {rules.length === 0 ? <p>Aucune règle : toutes les lignes au crédit iront en attente.</p> : null}
      {rules.map((r) => (
        <section class="card" aria-labelledby={`regle-${r.payer}`}>
          <h2 id={`regle-${r.payer}`}>
            {r.payer} <Badge value={r.active ? "consistent" : "closed"} label={r.active ? "active" : "inactive"} />
          </h2>
          <dl>
            <dt>Priorité</dt>
            <dd>{r.priority}</dd>
            <dt>Noms</dt>
            <dd>{r.spec.names.length ? r.spec.names.map((n) => <code class="detail">{n}</code>) : "—"}</dd>
            <dt>IBAN</dt>
            <dd class="iban">{r.spec.ibans.length ? r.spec.ibans.join(", ") : "—"}</dd>
            <dt>Numéro</dt>
            <dd>
              {NUMBER_FIELDS.find(([v]) => v === r.spec.numberField)?.[1] ?? r.spec.numberField} : <code>{r.spec.numberPattern}</code>
            </dd>
          </dl>
          <table>
            <caption>Prestations reconnues ({r.payer})</caption>
            <thead>
              <tr>
                <th scope="col">Prestation</th>
                <th scope="col">Motif</th>
              </tr>
            </thead>
            <tbody>
              {r.spec.prestations.map((p) => (
                <tr>
                  <td>{p.prestation}</td>
                  <td>
                    <code>{p.pattern}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {r.spec.notManaged.length ? (
            <p>
              Non gérées (en attente) :{" "}
              {r.spec.notManaged.map((n, i) => (
                <>
                  {i ? ", " : ""}
                  {n.label} (<code>{n.pattern}</code>)
                </>
              ))}
            </p>
          ) : null}
          {admin ? (
            <p>
              <a href={`/banque/regles/modifier?payer=${encodeURIComponent(r.payer)}`} aria-label={`Modifier la règle ${r.payer}`}>
                Modifier
              </a>
            </p>
          ) : null}
        </section>
      ))}
    </>,
  );
}

function editPage(c: UiContext, original: string, form: FormState, status: 200 | 404 | 422 = 200) {
  return render(
    c,
    original ? `Règle ${original}` : "Nouvelle règle",
    <>
      <p class="crumbs">
        <a href="/banque">Banque</a> › <a href="/banque/regles">Règles de rapprochement</a> › {original || "nouvelle"}
      </p>
      <h1>{original ? `Règle de rapprochement ${original}` : "Nouvelle règle de rapprochement"}</h1>
      <ErrorSummary form={form} />
      <form method="post" action="/banque/regles/modifier" novalidate>
        <CsrfField c={c} />
        <input type="hidden" name="original" value={original} />
        <div class="grid3">
          <Field form={form} name="payer" hint="Le code porté par le versement (CAF, MSA, CARSAT…)." />
          <Field form={form} name="priority" inputmode="numeric" />
          <div class="field check">
            <input id="f-active" name="active" type="checkbox" checked={form.values.active === "on"} />
            <label for="f-active">{LABELS.active}</label>
          </div>
        </div>
        <TextArea form={form} name="names" optional rows={3} hint="Comparés au nom du débiteur, ou au libellé quand la banque ne donne pas de nom." />
        <TextArea form={form} name="ibans" optional rows={2} />
        <div class="grid2">
          <SelectField form={form} name="numberField" options={NUMBER_FIELDS} />
          <Field form={form} name="numberPattern" />
        </div>
        <TextArea form={form} name="prestations" optional rows={8} hint="La première prestation dont le motif correspond est retenue. Ex. : RSA = \bRSA\b" />
        <TextArea form={form} name="notManaged" optional rows={3} hint="Ex. : prime d'activité = PRIME D.?ACTIVITE" />
        <p class="actions">
          <button type="submit">Enregistrer la règle</button> <a href="/banque/regles">Annuler</a>
        </p>
      </form>
    </>,
    status,
  );
}

/** The form's rule, or the fields that cannot even be read into one. */
function ruleOf(values: FormValues): { rule: MatchingRule; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const prestations = pairs(values.prestations);
  const notManaged = pairs(values.notManaged);
  if (!prestations.ok) errors.prestations = `ligne ${prestations.line} : écrivez CODE = motif`;
  if (!notManaged.ok) errors.notManaged = `ligne ${notManaged.line} : écrivez libellé = motif`;
  const priority = String(values.priority ?? "");
  const rule: MatchingRule = {
    payer: String(values.payer ?? "")
      .trim()
      .toUpperCase(),
    priority: /^\d{1,6}$/.test(priority) ? Number(priority) : Number.NaN,
    active: values.active === "on",
    spec: {
      names: lines(values.names),
      ibans: lines(values.ibans).map((i) => i.replace(/\s+/g, "").toUpperCase()),
      numberField: values.numberField === "msaNumber" ? "msaNumber" : "cafNumber",
      numberPattern: String(values.numberPattern ?? ""),
      prestations: prestations.ok ? prestations.items.map(([prestation, pattern]) => ({ prestation: prestation.toUpperCase(), pattern })) : [],
      notManaged: notManaged.ok ? notManaged.items.map(([label, pattern]) => ({ label, pattern })) : [],
    },
  };
  if (Number.isNaN(rule.priority)) errors.priority = "nombre entier de 0 à 10 000";
  return { rule, errors };
}

/** The matching rules: everyone who sees the bank reads them; an admin edits one at a time (the whole set is replaced, audited). */
export function matchingRuleRoutes(ui: UiApp) {
  ui.get("/banque/regles", permit("operations.view"), (c) => listPage(c));
  ui.get("/banque/regles/modifier", permit("matching.manage", ADMINS), async (c) => {
    const payer = c.req.query("payer") ?? "";
    const rules = await listMatchingRules(c.get("ctx").db);
    const rule = rules.find((r) => r.payer === payer);
    if (payer && !rule) return c.redirect("/banque/regles");
    const values: FormValues = rule ? valuesOf(rule) : { active: "on", priority: "100", numberField: "cafNumber" };
    return editPage(c, rule?.payer ?? "", { values, errors: {}, labels: LABELS });
  });
  ui.post("/banque/regles/modifier", permit("matching.manage", ADMINS), async (c) => {
    const ctx = c.get("ctx");
    const { original: rawOriginal, ...values } = await readForm(c);
    const original = String(rawOriginal ?? "");
    const { rule, errors } = ruleOf(values);
    const form: FormState = { values, errors, labels: LABELS };
    if (Object.keys(errors).length) return editPage(c, original, form, 422);
    const rules = await listMatchingRules(ctx.db);
    const others = rules.filter((r) => r.payer !== original);
    const items = [...others, rule];
    const parsed = MatchingRulesInput.safeParse({ items });
    if (!parsed.success) {
      const at = items.length - 1;
      for (const issue of parsed.error.issues) {
        const [, index, first, second] = issue.path.map(String);
        if (index !== undefined && Number(index) !== at) continue;
        const field = first === "spec" ? (second ?? "payer") : (first ?? "payer");
        errors[field] ??= frenchIssue(issue.message, field);
      }
      if (Object.keys(errors).length === 0) errors.payer = "valeur incorrecte";
      return editPage(c, original, { ...form, errors }, 422);
    }
    try {
      await replaceMatchingRules({ ctx, data: parsed.data });
    } catch (error) {
      return editPage(c, original, { ...form, summary: refusal(error).summary }, 422);
    }
    return c.redirect("/banque/regles?fait=1");
  });
}
