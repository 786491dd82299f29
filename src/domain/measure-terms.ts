import { type Catalogue, checkManagedPrestations } from "./catalogue";
import { type FieldIssue, ValidationError } from "./errors";
import { checkPeriodDuration, isAdultOn, type MeasureLevel } from "./measure-rules";

export interface MeasureTerms {
  level: MeasureLevel;
  startDate: string;
  endDate: string;
  managedPrestations: string[];
  extension: boolean;
  extensionReason?: string | null;
  /** Reste à vivre a month (rule 6 of issue 15), cents; default 0. */
  livingMonthly?: bigint;
  /** Rule 7 opt-out: pay the reversement while this month's rent is short. */
  reversementWhileRentShort?: boolean;
}

/** The row of a new contract period (an opening or a renewal): its terms, under the catalogue in force at its start. */
export function newMeasureRow(id: string, beneficiaryId: string, terms: MeasureTerms, catalogue: Catalogue) {
  return {
    id,
    beneficiaryId,
    level: terms.level,
    startDate: terms.startDate,
    endDate: terms.endDate,
    status: "active" as const,
    managedPrestations: distinctCodes(terms.managedPrestations),
    extension: terms.extension,
    extensionReason: terms.extensionReason ?? null,
    livingMonthly: terms.livingMonthly ?? 0n,
    reversementWhileRentShort: terms.reversementWhileRentShort ?? false,
    catalogueVersion: catalogue.version,
  };
}

/**
 * The rules every contract period obeys (L.271-1, L.271-2, D.271-2, R.271-3), each
 * broken rule reported on its field so the form can show them all at once.
 */
export function termProblems(terms: MeasureTerms, beneficiary: { birthDate: string; mjagbf: boolean }, catalogue: Catalogue): FieldIssue[] {
  return [...periodProblems(terms, beneficiary.birthDate), ...prestationProblems(terms, beneficiary, catalogue)];
}

/** L.271-1 (adult) and L.271-2 (6 to 24 months). */
function periodProblems(terms: MeasureTerms, birthDate: string): FieldIssue[] {
  const issues = durationProblems(terms);
  if (!isAdultOn(birthDate, terms.startDate)) {
    issues.push({ field: "startDate", message: "the beneficiary must be 18 at the start of the measure", code: "under_18" });
  }
  return issues;
}

function durationProblems(terms: Pick<MeasureTerms, "startDate" | "endDate">): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const duration = checkPeriodDuration(terms.startDate, terms.endDate);
  if (duration === "end_before_start") issues.push({ field: "endDate", message: "the end date is before the start date", code: duration });
  if (duration === "too_short") issues.push({ field: "endDate", message: "a contract period lasts at least 6 months", code: duration });
  if (duration === "too_long") issues.push({ field: "endDate", message: "a contract period lasts at most 24 months", code: duration });
  return issues;
}

/** An avenant's new end date: the period still lasts 6 to 24 months (L.271-2), and not before the avenant takes effect. */
export function endDateProblems(terms: Pick<MeasureTerms, "startDate" | "endDate">, effectiveDate: string): FieldIssue[] {
  const issues = durationProblems(terms);
  if (terms.endDate < effectiveDate)
    issues.push({ field: "endDate", message: "the new end date is before the amendment takes effect", code: "end_before_effective" });
  return issues;
}

/** D.271-2 (the closed list), R.271-3 (the extension and its exclusion by an MJAGBF). */
export function prestationProblems(terms: MeasureTerms, beneficiary: { mjagbf: boolean }, catalogue: Catalogue): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (terms.level === "MASP1" && terms.managedPrestations.length > 0) {
    issues.push({ field: "managedPrestations", message: "a MASP 1 manages no prestation", code: "masp1_manages_nothing" });
  }
  if (terms.level === "MASP2" && terms.managedPrestations.length === 0) {
    issues.push({ field: "managedPrestations", message: "a MASP 2 manages at least one prestation", code: "masp2_needs_prestations" });
  }
  terms.managedPrestations.forEach((code, index) => {
    const [p] = checkManagedPrestations(catalogue, [code], terms.extension);
    if (!p) return;
    issues.push(
      p.problem === "unknown"
        ? { field: `managedPrestations.${index}`, message: `${p.code} is not a prestation of art. D.271-2 CASF`, code: "unknown_prestation" }
        : { field: `managedPrestations.${index}`, message: `${p.code} (items 18-29) needs the contract's extension (R.271-3)`, code: "needs_extension" },
    );
  });
  if (terms.extension && !terms.extensionReason) {
    issues.push({ field: "extensionReason", message: "an extension needs its reason", code: "required" });
  }
  if (terms.extension && beneficiary.mjagbf) {
    issues.push({ field: "extension", message: "no extension while a family-budget judicial measure (MJAGBF) exists", code: "mjagbf" });
  }
  return issues;
}

export function assertTerms(terms: MeasureTerms, beneficiary: { birthDate: string; mjagbf: boolean }, catalogue: Catalogue): void {
  const issues = termProblems(terms, beneficiary, catalogue);
  if (issues.length > 0) throw new ValidationError("the measure breaks the rules of the MASP", issues);
}

/** Codes as given, upper-cased, in the order given: errors point at the request's own indexes. */
export const upperCodes = (codes: readonly string[]): string[] => codes.map((c) => c.trim().toUpperCase());
/** What is stored: each code once. */
export const distinctCodes = (codes: readonly string[]): string[] => [...new Set(codes)];
