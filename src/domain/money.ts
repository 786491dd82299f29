import { type Dinero, dinero, toDecimal } from "dinero.js/bigint";
import { EUR } from "dinero.js/bigint/currencies";

/**
 * Money is integer euro cents (`bigint`) everywhere, and the only module that imports
 * dinero.js. Arithmetic on cents stays in bigint (exact); dinero turns cents into
 * their decimal form for people, without a float on the way.
 */
type Money = Dinero<bigint>;

/** The API's ceiling for one operation (1 000 000,00 €): above it an amount is absurd. */
export const MAX_OPERATION_CENTS = 100_000_000n;

const eur = (cents: bigint): Money => dinero({ amount: cents, currency: EUR });

/** `1234.56`: the plain decimal form machines read (ISO 20022 amounts), exact, no grouping. */
export function decimalEuros(amountCents: bigint): string {
  return toDecimal(eur(amountCents));
}

/** `1 234,56 €`: French grouping (non-breaking spaces), comma, two decimals. */
export function formatEuros(amountCents: bigint): string {
  const decimal = decimalEuros(amountCents); // "-1234.56", exact
  const negative = decimal.startsWith("-");
  const [units = "0", fraction = "00"] = (negative ? decimal.slice(1) : decimal).split(".");
  const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  return `${negative ? "-" : ""}${grouped},${fraction.padEnd(2, "0")}\u00a0€`;
}

/** Amounts leave bigint as JSON numbers of cents only here: exact up to 2^53, a RangeError beyond. */
export function centsToJson(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError("amount beyond JSON's exact integers");
  }
  return Number(value);
}
