/**
 * The SQL spelling of `isMasp2InForce` (domain/in-force.ts): a MASP 2 within its planned
 * dates and not ended before `date`. `alias` names a `measures` row, `date` is a SQL
 * date expression (a parameter such as `$1::date`, or a column). A test checks that
 * both spellings agree.
 */
export function masp2InForceSql(alias: string, date: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new TypeError(`not a table alias: ${alias}`);
  const m = `${alias}.`;
  return `${m}level = 'MASP2' and ${m}start_date <= ${date} and ${m}end_date >= ${date} and (${m}ended_on is null or ${m}ended_on >= ${date})`;
}
