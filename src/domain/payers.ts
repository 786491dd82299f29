/**
 * The payers table is keyed by the catalogue's codes ("CAF/MSA", "Département"), while a
 * credit records its payer as received ("CAF"). The record a payer name points to: its
 * own code first, then the prestation's catalogue payer when the name is one of its
 * parts ("CAF" of "CAF/MSA"), then the first code that has it as a part.
 */
export function resolvePayerCode(codes: readonly string[], payer: string, cataloguePayer?: string): string | undefined {
  const wanted = payer.trim().toUpperCase();
  const exact = codes.find((c) => c.toUpperCase() === wanted);
  if (exact) return exact;
  const hasPart = (code: string) =>
    code
      .toUpperCase()
      .split("/")
      .map((p) => p.trim())
      .includes(wanted);
  if (cataloguePayer && codes.includes(cataloguePayer) && hasPart(cataloguePayer)) return cataloguePayer;
  return codes.find(hasPart);
}
