/**
 * Reste à vivre (rule 6 of issue 15): a measure may set a monthly amount the person keeps
 * for daily needs (default 0). Credits set it aside in the `living` envelope after the
 * rent and before the other charges; the reversement job pays it out. It is topped up to
 * the monthly amount once a month, not per credit: what credits already set aside this
 * month counts, and so does what the envelope still holds (not yet paid out).
 */
export function livingNeed(monthly: bigint, setAsideThisMonth: bigint, held: bigint): bigint {
  if (monthly <= 0n) return 0n;
  const byMonth = monthly - setAsideThisMonth;
  const byHeld = monthly - held;
  const need = byMonth < byHeld ? byMonth : byHeld;
  return need > 0n ? need : 0n;
}
