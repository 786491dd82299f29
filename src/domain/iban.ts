import { electronicFormatIBAN, isValidIBAN } from "ibantools";

/**
 * ISO 13616 checksum and, for French IBANs, the RIB key (ibantools checks both).
 * Returns the electronic format (no spaces, upper case) or null when invalid.
 */
export function normalizeIban(input: string): string | null {
  const iban = electronicFormatIBAN(input);
  if (!iban || !isValidIBAN(iban)) return null;
  return iban;
}

/**
 * An IBAN for lists and screens others read: the country and check digits and the last
 * four characters, grouped by four (`FR76 **** **** **** **** ***0 189`). The one mask.
 */
export function maskIban(iban: string): string {
  const compact = iban.replace(/\s+/g, "");
  if (compact.length <= 8) return "*".repeat(compact.length);
  const masked = compact.slice(0, 4) + "*".repeat(compact.length - 8) + compact.slice(-4);
  return masked.replace(/(.{4})(?=.)/g, "$1 ");
}
