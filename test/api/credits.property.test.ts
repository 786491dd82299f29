import { randomBytes, randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCaller, bearer, createTestApp, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";

/**
 * Random sequences of credits on a beneficiary with a lease and 0-3 charges, checked
 * after each credit against a model of the contract's rule, written here from the
 * contract and not from the code:
 *   rent need = Σ unpaid past periods (due date ≤ value date) + the next period − what the rent envelope holds
 *   (no rent payment order exists in these runs: every period is unpaid);
 *   housing aid (ALS) → rent, all of it; care (APA) → care charges by priority, the rest to `care`;
 *   otherwise rent need first, then each charge by priority up to its amount less what its envelope holds,
 *   the rest available.
 */

const TODAY = "2026-11-23";
const IBAN = "FR7630006000011234567890189";
const MANAGED = ["RSA", "AAH", "ALS", "APA"];
const EARMARK: Record<string, "housing" | "care" | null> = { RSA: null, AAH: null, ALS: "housing", APA: "care" };

type Headers = Record<string, string>;

interface ChargeSpec {
  priority: number;
  category: "energy" | "insurance" | "care" | "debt_plan";
  amount: number;
}
const dateOf = (day: number) => new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
const pad = (n: number) => String(n).padStart(2, "0");

/** Σ unpaid past periods + the next period, for a lease from January 2026 and nothing paid. */
function grossRentNeed(due: number, dueDay: number, valueDate: string): number {
  if (due === 0) return 0;
  let need = 0;
  for (let i = 0; i < 24; i++) {
    const month = `${2026 + Math.floor(i / 12)}-${pad((i % 12) + 1)}`;
    if (`${month}-${pad(dueDay)}` <= valueDate) need += due;
    else return need + due; // the next period
  }
  throw new Error("unreachable");
}

describe("credits: allocation properties", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;

  const call = apiCaller(
    () => app,
    () => admin,
  );

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    [admin, finance] = await Promise.all([bearer(database.db, "admin"), bearer(database.db, "finance")]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const chargeArb = fc.record({
    priority: fc.integer({ min: 1, max: 9 }),
    category: fc.constantFrom<ChargeSpec["category"]>("energy", "insurance", "care", "debt_plan"),
    amount: fc.integer({ min: 100, max: 20_000 }),
  });
  const leaseArb = fc.record({
    rent: fc.integer({ min: 1_000, max: 90_000 }),
    charges: fc.integer({ min: 0, max: 10_000 }),
    // The part paid to the landlord directly, in percent of rent + charges (often none, sometimes all).
    tiersPayant: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100 })),
    dueDay: fc.integer({ min: 1, max: 28 }),
  });
  const creditArb = fc.record({
    // Mostly managed prestations; sometimes one the measure does not manage, or no prestation at all.
    prestation: fc.oneof({ arbitrary: fc.constantFrom(...MANAGED), weight: 8 }, { arbitrary: fc.constantFrom("AF", "PCH", "SALAIRE", "ARE"), weight: 1 }),
    amount: fc.integer({ min: 1, max: 200_000 }),
    // Mostly within the measure (2026-01-01..2026-12-31, days 0..364), sometimes just outside.
    day: fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 364 }), weight: 8 },
      { arbitrary: fc.oneof(fc.integer({ min: -30, max: -1 }), fc.integer({ min: 365, max: 395 })), weight: 1 },
    ),
    /** Send it twice under its key: the replay must change nothing. */
    replay: fc.boolean(),
  });

  it("after every credit: the allocation follows the rule, sums to the credit, no envelope is negative, the balances add up", {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        leaseArb,
        fc.uniqueArray(chargeArb, { maxLength: 3, selector: (c) => c.priority }),
        fc.array(creditArb, { minLength: 1, maxLength: 6 }),
        async (lease, chargeSpecs, credits) => {
          // A fresh beneficiary per run.
          const b = await call("POST", "/v1/beneficiaries", { firstName: "Prop", lastName: `Test${randomBytes(3).toString("hex")}`, birthDate: "1970-01-01" });
          expect(b.status).toBe(201);
          const id: string = b.body.id;
          const m = await call("POST", `/v1/beneficiaries/${id}/measures`, {
            level: "MASP2",
            startDate: "2026-01-01",
            endDate: "2026-12-31",
            managedPrestations: MANAGED,
          });
          expect(m.status).toBe(201);
          const hbl = Math.floor(((lease.rent + lease.charges) * lease.tiersPayant) / 100);
          const l = await call("PUT", `/v1/beneficiaries/${id}/lease`, {
            landlord: { name: "Bailleur", iban: IBAN },
            rent: lease.rent,
            charges: lease.charges,
            housingBenefitToLandlord: hbl,
            dueDay: lease.dueDay,
            startDate: "2026-01-01",
          });
          expect(l.status, JSON.stringify(l.body)).toBe(200);
          const due = lease.rent + lease.charges - hbl;
          const charges: (ChargeSpec & { id: string })[] = [];
          for (const c of chargeSpecs) {
            const res = await call("POST", `/v1/beneficiaries/${id}/charges`, {
              label: `${c.category} ${c.priority}`,
              category: c.category,
              amount: c.amount,
              dueDay: 15,
              priority: c.priority,
              creditor: { name: "Créancier", iban: IBAN },
              startDate: "2026-01-01",
            });
            expect(res.status, JSON.stringify(res.body)).toBe(201);
            charges.push({ ...c, id: res.body.id });
          }
          const byPriority = [...charges].sort((a, c) => a.priority - c.priority);

          // The model's envelopes.
          let rentHeld = 0;
          let careHeld = 0;
          let availableHeld = 0;
          const chargeHeld = new Map(charges.map((c) => [c.id, 0]));
          let received = 0;

          for (const c of credits) {
            const valueDate = dateOf(c.day);
            if (c.day < 0 || c.day > 364 || !MANAGED.includes(c.prestation)) {
              // Refused, and nothing moves: no measure on that date (409, checked first), or not managed (422).
              const refused = await call(
                "POST",
                "/v1/credits",
                { beneficiaryId: id, payer: "CAF", prestation: c.prestation, amount: c.amount, valueDate },
                { ...finance, "Idempotency-Key": randomUUID() },
              );
              expect(refused.status, `${c.prestation} on ${valueDate}`).toBe(c.day < 0 || c.day > 364 ? 409 : 422);
              expect((await call("GET", `/v1/beneficiaries/${id}/balances`)).body.total).toBe(received);
              continue;
            }
            const earmark = EARMARK[c.prestation]!;
            const gross = grossRentNeed(due, lease.dueDay, valueDate);
            const rentNeed = Math.max(0, gross - rentHeld);
            const ctx = `${c.prestation} ${c.amount} on ${valueDate} (due ${due}, day ${lease.dueDay}, rent held ${rentHeld}, need ${rentNeed})`;

            // Expected allocation.
            const expected: unknown[] = [];
            let rest = c.amount;
            const take = (wanted: number) => {
              const part = Math.min(rest, Math.max(0, wanted));
              rest -= part;
              return part;
            };
            const fillCharges = (list: typeof charges) => {
              for (const ch of list) {
                // Like the rent (rule 8 of issue 15): every amount due and unpaid (no job pays here) + the next.
                const part = take(grossRentNeed(ch.amount, 15, valueDate) - chargeHeld.get(ch.id)!);
                if (part > 0) {
                  expected.push({ envelope: "charge", chargeId: ch.id, amount: part });
                  chargeHeld.set(ch.id, chargeHeld.get(ch.id)! + part);
                }
              }
            };
            if (earmark === "housing") {
              expected.push({ envelope: "rent", amount: c.amount });
              rentHeld += c.amount;
              rest = 0;
            } else if (earmark === "care") {
              fillCharges(byPriority.filter((ch) => ch.category === "care"));
              if (rest > 0) expected.push({ envelope: "care", amount: rest });
              careHeld += rest;
            } else {
              const toRent = take(rentNeed);
              if (toRent > 0) expected.push({ envelope: "rent", amount: toRent });
              rentHeld += toRent;
              fillCharges(byPriority);
              if (rest > 0) expected.push({ envelope: "available", amount: rest });
              availableHeld += rest;
            }
            received += c.amount;

            const request = {
              beneficiaryId: id,
              payer: c.prestation === "APA" ? "CD53" : "CAF",
              prestation: c.prestation,
              amount: c.amount,
              valueDate,
              reference: null,
            };
            const key = randomUUID();
            const res = await call("POST", "/v1/credits", request, { ...finance, "Idempotency-Key": key });
            if (c.replay) {
              const again = await call("POST", "/v1/credits", request, { ...finance, "Idempotency-Key": key });
              expect(again.status, ctx).toBe(201);
              expect(again.body, ctx).toEqual(res.body);
            }
            expect(res.status, `${ctx}: ${JSON.stringify(res.body)}`).toBe(201);
            const allocations: { envelope: string; amount: number }[] = res.body.allocations;
            expect(
              allocations.reduce((s, a) => s + a.amount, 0),
              ctx,
            ).toBe(c.amount);
            expect(
              allocations.every((a) => Number.isInteger(a.amount) && a.amount > 0),
              ctx,
            ).toBe(true);
            expect(allocations, ctx).toEqual(expected);

            const bal = await call("GET", `/v1/beneficiaries/${id}/balances`);
            expect(bal.status).toBe(200);
            expect(bal.body, ctx).toMatchObject({ rent: rentHeld, care: careHeld, available: availableHeld, total: received });
            expect(bal.body.rent + bal.body.charges + bal.body.care + bal.body.available).toBe(received);
            for (const v of [bal.body.rent, bal.body.charges, bal.body.care, bal.body.available]) expect(v).toBeGreaterThanOrEqual(0);
            for (const bc of bal.body.byCharge) {
              expect(bc.balance).toBeGreaterThanOrEqual(0);
              expect(bc.balance, ctx).toBe(chargeHeld.get(bc.chargeId));
            }
            // L.271-2 al. 2: a non-earmarked credit that covers the rent need leaves the rent envelope holding
            // every unpaid past period and the next one.
            if (earmark === null && c.amount >= rentNeed) expect(bal.body.rent, ctx).toBeGreaterThanOrEqual(gross);
            // Housing aid never leaves the rent envelope holding less than before.
            if (earmark === "housing") expect(bal.body.rent).toBe(rentHeld);
          }

          const tb = await call("GET", "/v1/ledger/trial-balance", undefined, finance);
          expect(tb.body.balanced).toBe(true);
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 30) },
    );

    const verify = await call("GET", "/v1/ledger/verify");
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true, drift: [], negative: [], unbalancedTransactions: [] });
  });
});
