import type { ChargeFacts, JobFacts, LeaseFacts, MeasureFacts } from "../../../src/domain/beneficiary-facts";
import type { Catalogue } from "../../../src/domain/catalogue";
import type { EnvelopeRef } from "../../../src/domain/envelopes";

/** Facts about one beneficiary for the domain's unit tests: a MASP 2 for 2026 managing RSA and APL, nothing else. */
export const BENEFICIARY = "00000000-0000-4000-8000-000000000001";

export const masp2 = (over: Partial<MeasureFacts> = {}): MeasureFacts => ({
  id: "m1",
  level: "MASP2",
  startDate: "2026-01-01",
  endDate: "2026-12-31",
  endedOn: null,
  status: "active",
  managedPrestations: ["RSA", "APL", "APA"],
  previousMeasureId: null,
  ...over,
});

export const lease = (over: Partial<LeaseFacts> = {}): LeaseFacts => ({
  id: "l1",
  dueDay: 5,
  startDate: "2025-06-01",
  endDate: null,
  landlordName: "Office HLM",
  landlordIban: "FR7630006000011234567890189",
  ...over,
});

export const charge = (over: Partial<ChargeFacts> = {}): ChargeFacts => ({
  id: "c1",
  category: "energy",
  priority: 10,
  amount: 6_000n,
  frequency: "monthly",
  months: [],
  startDate: "2026-01-01",
  endDate: null,
  dueDay: 15,
  creditorName: "EDF",
  creditorIban: "FR7630006000011234567890189",
  ...over,
});

const key = (e: EnvelopeRef): string => (e.envelope === "charge" ? `charge:${e.chargeId}` : e.envelope);

/** The facts, with envelope balances given by `key` ("rent", "charge:c1", ...). */
export function facts(over: Partial<Omit<JobFacts, "held">> & { balances?: Record<string, bigint> } = {}): JobFacts {
  const { balances = {}, ...rest } = over;
  return {
    beneficiaryId: BENEFICIARY,
    measures: [masp2()],
    amendments: [],
    leases: [lease()],
    terms: [{ leaseId: "l1", effectiveMonth: "2025-06-01", rent: 50_000n, charges: 5_000n, housingBenefitToLandlord: 20_000n }],
    rentPaid: [],
    charges: [],
    chargePaid: [],
    plan: null,
    creditsByMonth: new Map(),
    alerts: [],
    creditedMeasureIds: ["m1"],
    beneficiary: { firstName: "Marie", lastName: "Curie", iban: "FR7630006000011234567890189" },
    ...rest,
    held: (e) => balances[key(e)] ?? 0n,
  };
}

export const catalogue: Catalogue = {
  version: "test",
  validFrom: "2000-01-01",
  items: [
    { code: "APL", item: 1, label: "aide personnalisée au logement", payer: "CAF", scope: "default", earmarked: "housing", masp3: "base" },
    { code: "APA", item: 3, label: "allocation personnalisée d'autonomie", payer: "Département", scope: "default", earmarked: "care", masp3: null },
    { code: "AAH", item: 13, label: "allocation aux adultes handicapés", payer: "CAF", scope: "default", earmarked: null, masp3: "base" },
    { code: "RSA", item: 17, label: "revenu de solidarité active", payer: "CAF", scope: "default", earmarked: null, masp3: "base" },
    { code: "AF", item: 19, label: "allocations familiales", payer: "CAF", scope: "extension", earmarked: null, masp3: "extension" },
  ],
};
