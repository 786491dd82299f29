import transliterate from "@sindresorhus/transliterate";

/**
 * The EPC's SEPA character set (EPC217-08, the Latin set every bank must accept):
 * a-z A-Z 0-9 / - ? : ( ) . , ' + and space. Anything else may be refused or garbled
 * by a bank on the way, so free text is brought into it before it reaches a file.
 */
const OUTSIDE_EPC_SET = /[^A-Za-z0-9/\-?:().,'+ ]/g;
/**
 * Already clean (words of the set, single spaces): most names and texts, written as they
 * are. Written so that PostgreSQL's regular expressions read it the same (prepare-batches.ts).
 */
export const CLEAN = /^[A-Za-z0-9/\-?:().,'+]+(?: [A-Za-z0-9/\-?:().,'+]+)*$/;

/**
 * Free text (names, towns, remittance) in the EPC set: accents transliterated (É → E,
 * Œ → OE, ß → ss), typographic apostrophes made plain, other characters dropped, spaces
 * collapsed, cut to `max` characters. Undefined when nothing is left (the element is then
 * omitted, or refused when it is mandatory).
 */
export function epcText(input: string | null | undefined, max: number): string | undefined {
  if (input == null) return undefined;
  if (CLEAN.test(input)) return input.length <= max ? input : input.slice(0, max).trimEnd();
  const text = transliterate(input.replace(/[\u2018\u2019\u02bc`´]/g, "'"))
    .replace(/\s+/g, " ")
    .replace(OUTSIDE_EPC_SET, "")
    .replace(/ {2,}/g, " ")
    .trim();
  const cut = text.slice(0, max).trimEnd();
  return cut === "" ? undefined : cut;
}

/**
 * Identifiers (MsgId, EndToEndId) are ours and must find something again, so they are
 * checked, never rewritten: in the EPC set, 1 to 35 characters, and (EPC rule for
 * references) not starting or ending with "/" nor containing "//".
 */
export function isEpcIdentifier(value: string): boolean {
  return /^[A-Za-z0-9/\-?:().,'+ ]{1,35}$/.test(value) && !value.startsWith("/") && !value.endsWith("/") && !value.includes("//");
}
