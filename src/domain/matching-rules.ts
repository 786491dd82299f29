/**
 * How an incoming line is recognised, as data (the `matching_rules` table, edited by an
 * admin): the payer by the debtor's name or IBAN, the beneficiary by the number the payer
 * writes in the remittance, the prestation by keywords. Patterns are regular expressions,
 * case-insensitive.
 */
export interface MatchingRuleSpec {
  /** Patterns on the debtor's name (or the label when the bank gives no name). */
  names: string[];
  /** The payer's IBANs (compared without spaces, upper case). */
  ibans: string[];
  /** Which beneficiary number the payer writes: the CAF allocataire number or the MSA one. */
  numberField: "cafNumber" | "msaNumber";
  /** One capture group: the number in the remittance. */
  numberPattern: string;
  /** The first pattern that matches names the prestation (a catalogue code). */
  prestations: { prestation: string; pattern: string }[];
  /** Money this payer sends that no MASP manages (prime d'activité: D.271-2): suspense. */
  notManaged: { label: string; pattern: string }[];
}

export interface MatchingRule {
  payer: string;
  priority: number;
  active: boolean;
  spec: MatchingRuleSpec;
}

/** A prestation found by its code as a whole word in the remittance text. */
const byCode = (...codes: string[]) => codes.map((prestation) => ({ prestation, pattern: `\\b${prestation}\\b` }));
/** D.271-2: not a managed prestation, whoever pays it. */
const PRIME_D_ACTIVITE = { label: "prime d'activité", pattern: "PRIME D.?ACTIVITE|\\bPPA\\b" };

/** Shipped by the migration; an admin edits them (`PUT /v1/matching-rules`). */
export const DEFAULT_MATCHING_RULES: MatchingRule[] = [
  {
    payer: "CAF",
    priority: 10,
    active: true,
    spec: {
      names: ["\\bCAF\\b", "CAISSE D.?ALLOCATIONS FAMILIALES"],
      ibans: [],
      numberField: "cafNumber",
      numberPattern: "(?:ALLOCATAIRE|ALLOC|MATRICULE|N°|NUM|NO)\\s*:?\\s*(\\d{7,13})\\b",
      prestations: [
        ...byCode("RSA", "AAH", "APL", "ALS", "ALF", "PAJE", "ASF", "ARS", "AEEH"),
        { prestation: "CF", pattern: "\\bCF\\b|COMPLEMENT FAMILIAL" },
        { prestation: "AF", pattern: "\\bAF\\b|ALLOCATIONS FAMILIALES" },
      ],
      notManaged: [PRIME_D_ACTIVITE],
    },
  },
  {
    payer: "MSA",
    priority: 20,
    active: true,
    spec: {
      names: ["\\bMSA\\b", "MUTUALITE SOCIALE AGRICOLE"],
      ibans: [],
      numberField: "msaNumber",
      numberPattern: "(?:ADHERENT|MATRICULE|N°|NUM|NO)\\s*:?\\s*(\\d{7,13})\\b",
      prestations: [...byCode("RSA", "AAH", "APL", "ALS"), { prestation: "AVA", pattern: "\\bAVA\\b|VIEILLESSE AGRICOLE" }, ...byCode("ASI")],
      notManaged: [PRIME_D_ACTIVITE],
    },
  },
];

export interface IncomingText {
  name: string | null;
  iban: string | null;
  /** Remittance and label joined: where the number and the keywords are looked for. */
  text: string;
}

export type IncomingMatch =
  | { kind: "credit"; payer: string; numberField: MatchingRuleSpec["numberField"]; number: string; prestation: string }
  | { kind: "suspense"; reason: "payer_unknown" | "not_managed" | "beneficiary_number_missing" | "prestation_unknown"; payer?: string };

const compactIban = (iban: string) => iban.replace(/\s+/g, "").toUpperCase();

/** Regular expressions compiled once per rule set; a bad pattern was refused when the rules were saved. */
export function compileRules(rules: readonly MatchingRule[]) {
  const re = (p: string) => new RegExp(p, "iu");
  return rules
    .filter((r) => r.active)
    .sort((a, b) => a.priority - b.priority || (a.payer < b.payer ? -1 : 1))
    .map((r) => ({
      payer: r.payer,
      numberField: r.spec.numberField,
      names: r.spec.names.map(re),
      ibans: new Set(r.spec.ibans.map(compactIban)),
      number: re(r.spec.numberPattern),
      prestations: r.spec.prestations.map((p) => ({ prestation: p.prestation, re: re(p.pattern) })),
      notManaged: r.spec.notManaged.map((n) => re(n.pattern)),
    }));
}
export type CompiledRules = ReturnType<typeof compileRules>;

/** Payer (IBAN first, then name), then what no MASP manages, then the number, then the prestation. */
export function matchIncoming(rules: CompiledRules, line: IncomingText): IncomingMatch {
  const iban = line.iban ? compactIban(line.iban) : null;
  const rule =
    (iban ? rules.find((r) => r.ibans.has(iban)) : undefined) ??
    rules.find((r) => r.names.some((n) => n.test(line.name ?? "") || (!line.name && n.test(line.text))));
  if (!rule) return { kind: "suspense", reason: "payer_unknown" };
  if (rule.notManaged.some((n) => n.test(line.text))) return { kind: "suspense", reason: "not_managed", payer: rule.payer };
  const number = rule.number.exec(line.text)?.[1];
  if (!number) return { kind: "suspense", reason: "beneficiary_number_missing", payer: rule.payer };
  const prestation = rule.prestations.find((p) => p.re.test(line.text))?.prestation;
  if (!prestation) return { kind: "suspense", reason: "prestation_unknown", payer: rule.payer };
  return { kind: "credit", payer: rule.payer, numberField: rule.numberField, number, prestation };
}
