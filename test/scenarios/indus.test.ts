import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JobsHarness, startHarness } from "../jobs/fixtures/harness";

/**
 * Issue 15's household "an indu deducted by the CAF" (rule 9), end to end through the
 * API and the jobs: the CAF keeps part of January's RSA back for an indu (one inflow of
 * the net, the credit saying gross, deduction and net), then asks for an AAH indu by
 * transfer — a return_to_payer order, under four eyes, that never touches the rent.
 */
describe("household: an indu deducted by the CAF", () => {
  let h: JobsHarness;
  const PAYER_IBAN = "FR7610011000201234567890188";

  beforeAll(async () => {
    h = await startHarness("indus");
    const caf = await h.call("PUT", `/v1/payers/${encodeURIComponent("CAF/MSA")}`, {
      name: "CAF de la Mayenne",
      iban: PAYER_IBAN,
      address: { street: "26 rue d'Ernée", postalCode: "53000", town: "Laval", country: "FR" },
    });
    expect(caf.status, caf.text).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  const credit = (beneficiaryId: string, body: Record<string, unknown>) =>
    h.call(
      "POST",
      "/v1/credits",
      { beneficiaryId, payer: "CAF", prestation: "RSA", reference: `CAF ${randomUUID().slice(0, 6)}`, ...body },
      { ...h.finance, "Idempotency-Key": randomUUID() },
    );

  it("the deduction is on the credit; the repayment by transfer is an order to the payer; the rent is paid in full every month", async () => {
    const b = await h.household();

    // January: RSA worth 607,75 €, 50 € kept back for an RSA indu: 557,75 € reach the bank.
    const jan = await credit(b.id, { amount: 55775, valueDate: "2026-01-03", deduction: { amount: 5000, prestation: "RSA", reference: "indu 2025-117" } });
    expect(jan.status, jan.text).toBe(201);
    expect(jan.body).toMatchObject({ gross: 60775, net: 55775, deduction: { amount: 5000 } });
    expect(jan.body.allocations).toEqual([
      { envelope: "rent", amount: 50000 },
      { envelope: "available", amount: 5775 },
    ]);
    await h.ran("rent-payments", "2026-01-05");
    expect((await h.rentPeriods(b.id, "2026-01-05")).map((p) => [p.period, p.status])).toEqual([
      ["2026-01", "paid"],
      ["2026-02", "upcoming"],
    ]);
    // One inflow: the bank received the net, once; nothing went out for the indu.
    const txns = (await h.call("GET", `/v1/beneficiaries/${b.id}/transactions`)).body.items;
    expect(txns.filter((t: any) => t.kind === "credit")).toHaveLength(1);
    expect(txns.some((t: any) => t.kind === "overpayment_recovery")).toBe(false);

    // February: the RSA in full, then the CAF asks 80 € of AAH overpaid back by transfer.
    expect((await credit(b.id, { amount: 60775, valueDate: "2026-02-03" })).status).toBe(201);
    expect(await h.balances(b.id)).toMatchObject({ rent: 50000, available: 16550 });
    const recovery = { amount: 8000, payer: "CAF", prestation: "AAH", valueDate: "2026-02-04", reference: "indu AAH 2026-03" };
    const proposed = await h.call("POST", `/v1/beneficiaries/${b.id}/overpayment-recoveries`, recovery, { ...h.finance, "Idempotency-Key": randomUUID() });
    expect(proposed.status, proposed.text).toBe(202);
    // More than available and the charges hold: refused when proposed, though the rent holds 50 000.
    const tooMuch = await h.call(
      "POST",
      `/v1/beneficiaries/${b.id}/overpayment-recoveries`,
      { ...recovery, amount: 16551 },
      { ...h.finance, "Idempotency-Key": randomUUID() },
    );
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error.code).toBe("insufficient_funds");
    const approved = await h.call("POST", `/v1/proposals/${proposed.body.proposalId}/approval`, { comment: "notification CAF reçue" }, h.admin);
    expect(approved.status, approved.text).toBe(201);
    expect(approved.body.takenFrom).toEqual([{ account: `beneficiary:${b.id}:available`, amount: 8000 }]);
    const [order] = await h.orders(b.id, "return_to_payer");
    expect(order).toMatchObject({
      id: approved.body.paymentOrderId,
      kind: "return_to_payer",
      amount: 8000,
      creditorName: "CAF de la Mayenne",
      creditorIban: PAYER_IBAN,
      reason: "indu AAH 2026-03",
      status: "pending",
    });

    // February's rent is paid in full: the indu took nothing from the rent envelope.
    await h.ran("rent-payments", "2026-02-05");
    expect((await h.rentPeriods(b.id, "2026-02-05")).find((p) => p.period === "2026-02")).toMatchObject({ due: 50000, paid: 50000, status: "paid" });
    await h.ran("unpaid-rent-check", "2026-02-10");
    expect((await h.call("GET", `/v1/alerts?beneficiaryId=${b.id}`)).body.items).toEqual([]);
    expect(await h.balances(b.id)).toMatchObject({ rent: 0, available: 8550 });
    await h.expectLedgerSound();
  });
});
