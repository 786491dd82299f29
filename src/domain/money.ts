import { add, allocate, dinero, isNegative, lessThan, subtract, toSnapshot, type Dinero } from "dinero.js/bigint";
import { EUR } from "dinero.js/bigint/currencies";

/** The only module that imports dinero.js. Amounts are integer euro cents, always. */
export type Money = Dinero<bigint>;

/** The contract's ceiling for one operation: above it an amount is absurd (api-contract.md). */
export const MAX_OPERATION_CENTS = 100_000_000n;

export const eur = (cents: bigint): Money => dinero({ amount: cents, currency: EUR });

export function cents(money: Money): bigint {
  const snapshot = toSnapshot(money);
  // Everything we build is at EUR's scale 2; a different scale means cents were lost or invented.
  if (snapshot.scale !== 2n || snapshot.currency.code !== "EUR") {
    throw new RangeError(`expected EUR at scale 2, got ${snapshot.currency.code} at scale ${snapshot.scale}`);
  }
  return snapshot.amount;
}

export const ZERO = eur(0n);
export const sum = (amounts: Money[]): Money => amounts.reduce((acc, m) => add(acc, m), ZERO);
export const minus = subtract;
export const plus = add;
export const isBelowZero = isNegative;
export const smaller = lessThan;

/** Splits without ever dividing: the parts always add up to the whole (dinero's allocate). */
export const split = (money: Money, ratios: bigint[]): Money[] => allocate(money, ratios);

/** `1 234,56 €`: French grouping with a narrow space rendered as a regular non-breaking one. */
export function formatEuros(amountCents: bigint): string {
  const negative = amountCents < 0n;
  const abs = negative ? -amountCents : amountCents;
  const euros = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  const rest = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${euros},${rest}\u00a0€`;
}

/** Guards an integer that crossed a boundary (JSON, SQL) on its way to being money. */
export function toCents(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^-?\d{1,18}$/.test(value)) return BigInt(value);
  throw new RangeError(`not an amount in cents: ${String(value)}`);
}
