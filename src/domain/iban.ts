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
