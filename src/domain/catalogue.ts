/**
 * The prestations a MASP may manage (art. D.271-2 CASF). The list is closed: anything
 * else (salary, ARE/ASS, ordinary pensions, prime d'activité) is refused, never pooled.
 * The database keeps it as versioned reference data (a decree can change it); this
 * type is what the domain reads.
 */
export const SCOPES = ["default", "extension"] as const;
type Scope = (typeof SCOPES)[number];
export const EARMARKS = ["housing", "care"] as const;
export type Earmark = (typeof EARMARKS)[number] | null;
export const MASP3_SCOPES = ["base", "extension"] as const;
type Masp3 = (typeof MASP3_SCOPES)[number] | null;

export interface Prestation {
  code: string;
  item: number;
  label: string;
  payer: string;
  /** R.271-3: items 18-29 only under an explicit extension of the contract. */
  scope: Scope;
  /** R.271-4: the money goes entirely to its purpose. */
  earmarked: Earmark;
  /** R.271-6: may be ordered paid to the landlord under a MASP 3. */
  masp3: Masp3;
}

export interface Catalogue {
  version: string;
  validFrom: string;
  items: readonly Prestation[];
}

export function findPrestation(catalogue: Catalogue, code: string): Prestation | undefined {
  return catalogue.items.find((p) => p.code === code);
}

export interface PrestationProblem {
  code: string;
  problem: "unknown" | "needs_extension";
}

/** Which requested codes the catalogue does not know, or that need the extension. */
export function checkManagedPrestations(catalogue: Catalogue, codes: readonly string[], extension: boolean): PrestationProblem[] {
  const problems: PrestationProblem[] = [];
  for (const code of codes) {
    const p = findPrestation(catalogue, code);
    if (!p) problems.push({ code, problem: "unknown" });
    else if (p.scope === "extension" && !extension) problems.push({ code, problem: "needs_extension" });
  }
  return problems;
}
