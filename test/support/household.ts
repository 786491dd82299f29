import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { apiCaller, Headers } from "./app";

/**
 * Beneficiaries set up through the API the way a caseworker would: one person, one
 * measure, a lease and charges, each with its defaults, each replaceable or `null`.
 */

export const LANDLORD = { name: "OPH Laval Habitat", iban: "FR1420041010050500013M02606" };
export const BENEFICIARY_IBAN = "FR7630006000011234567890189";
export const EDF = { name: "EDF", iban: "FR7630006000011234567890189" };

export const leaseBody = (overrides: Record<string, unknown> = {}) => ({
  landlord: LANDLORD,
  rent: 45000,
  charges: 5000,
  housingBenefitToLandlord: 0,
  dueDay: 5,
  startDate: "2026-01-01",
  ...overrides,
});

export const chargeBody = (overrides: Record<string, unknown> = {}) => ({
  label: "EDF",
  category: "energy",
  amount: 6000,
  dueDay: 15,
  priority: 1,
  creditor: EDF,
  // (without a start date a charge starts "today", after most of the tests' credits)
  startDate: "2026-01-01",
  ...overrides,
});

export interface HouseholdSetup {
  /** `null`: no IBAN (the default is the maker's). */
  iban?: string | null;
  caseworkerId?: string;
  /** `null`: no measure; the default is a MASP 2 over 2026 managing the maker's prestations. */
  measure?: Record<string, unknown> | null;
  /** `null`: no lease; the default is `leaseBody()`. */
  lease?: Record<string, unknown> | null;
  charges?: Record<string, unknown>[];
}

export interface Household {
  id: string;
  measureId: string;
  charges: string[];
  lastName: string;
}

type ApiCall = ReturnType<typeof apiCaller>;

export function householdMaker(call: ApiCall, defaults: { managed: readonly string[]; iban?: string | null }) {
  return async function household(setup: HouseholdSetup = {}): Promise<Household> {
    const lastName = `Durand${randomBytes(3).toString("hex")}`;
    const iban = setup.iban === undefined ? (defaults.iban ?? null) : setup.iban;
    const b = await call("POST", "/v1/beneficiaries", {
      firstName: "Marie",
      lastName,
      birthDate: "1979-04-02",
      ...(iban ? { iban } : {}),
      ...(setup.caseworkerId ? { caseworkerId: setup.caseworkerId } : {}),
    });
    expect(b.status, b.text).toBe(201);
    const id: string = b.body.id;
    let measureId = "";
    const measure =
      setup.measure === undefined ? { level: "MASP2", startDate: "2026-01-01", endDate: "2026-12-31", managedPrestations: defaults.managed } : setup.measure;
    if (measure) {
      const m = await call("POST", `/v1/beneficiaries/${id}/measures`, measure);
      expect(m.status, m.text).toBe(201);
      measureId = m.body.id;
    }
    const lease = setup.lease === undefined ? leaseBody() : setup.lease;
    if (lease) {
      const l = await call("PUT", `/v1/beneficiaries/${id}/lease`, lease);
      expect(l.status, l.text).toBe(200);
    }
    const charges: string[] = [];
    for (const c of setup.charges ?? []) {
      const res = await call("POST", `/v1/beneficiaries/${id}/charges`, c);
      expect(res.status, res.text).toBe(201);
      charges.push(res.body.id);
    }
    return { id, measureId, charges, lastName };
  };
}

/** The trial balance balances and the auditor's check finds nothing. */
export async function expectLedgerSound(call: ApiCall, finance: Headers) {
  const tb = await call("GET", "/v1/ledger/trial-balance", undefined, finance);
  expect(tb.status).toBe(200);
  expect(tb.body).toMatchObject({ balanced: true });
  expect(tb.body.totalDebits).toBe(tb.body.totalCredits);
  const verify = await call("GET", "/v1/ledger/verify");
  expect(verify.status).toBe(200);
  expect(verify.body).toMatchObject({ ok: true, drift: [], negative: [], unbalancedTransactions: [] });
}
