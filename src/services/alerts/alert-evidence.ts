import { and, eq, sql } from "drizzle-orm";
import { beneficiaries } from "../../db/schema/beneficiaries";
import { alerts } from "../../db/schema/jobs";
import { payers } from "../../db/schema/payers";
import { queryRows, toBigInt } from "../../db/sql";
import { monthOf } from "../../domain/calendar";
import { findPrestation } from "../../domain/catalogue";
import { ConflictError, NotFoundError } from "../../domain/errors";
import { allPeriodsOf, extensionOn, managedOn } from "../../domain/in-force";
import { hasEvidence, missingAddresses, payableToLandlord, receivedByMonth, withRunningBalance } from "../../domain/masp3-evidence";
import { resolvePayerCode } from "../../domain/payers";
import type { PostalAddress } from "../../domain/postal-address";
import { envelopeAddress } from "../../ledger/accounts";
import { caseloadFilter, caseloadOf } from "../access";
import { traceAccess } from "../audit/access-log";
import { catalogueInForce } from "../catalogue";
import type { ServiceContext } from "../context";
import { loadCreditStates } from "../credits/credit-state";

/** Money as JSON numbers of cents (the contract's convention), bigint inside. */
const n = (c: bigint): number => Number(c);

/**
 * The evidence of a MASP 3 request (R.271-8 CASF) built from an `unpaid_rent` or
 * `masp3_trigger` alert, as of today: everything the Département's request to the judge
 * must name, read in the caseload of the caller (404 outside it, like the alert itself).
 * Another type of alert has no such evidence: 409 `no_evidence`. The read is traced
 * (it names the person, their domicile and their landlord).
 */
export async function alertEvidence({ ctx, id }: { ctx: ServiceContext; id: string }) {
  const [row] = await ctx.db
    .select({ alert: alerts, person: beneficiaries })
    .from(alerts)
    .innerJoin(beneficiaries, eq(beneficiaries.id, alerts.beneficiaryId))
    .where(and(eq(alerts.id, id), caseloadFilter(ctx)));
  if (!row) {
    // A finance alert about no one, for those who see every alert: it exists, it has no evidence.
    if (caseloadOf(ctx) === null) {
      const [bare] = await ctx.db.select({ type: alerts.type, beneficiaryId: alerts.beneficiaryId }).from(alerts).where(eq(alerts.id, id));
      if (bare && bare.beneficiaryId === null) throw noEvidence(bare.type);
    }
    throw new NotFoundError("alert", id);
  }
  const { alert, person } = row;
  if (!hasEvidence(alert.type) || !alert.measureId) throw noEvidence(alert.type);
  const asOf = ctx.today();
  const beneficiaryId = person.id;
  const state = (await loadCreditStates(ctx.db, [beneficiaryId], { lock: false })).get(beneficiaryId)!;
  const measure = state.measures.find((m) => m.id === alert.measureId);
  if (!measure) throw new NotFoundError("measure", alert.measureId);

  const [measureRow] = await queryRows<{ extension: boolean; extension_reason: string | null }>(
    ctx.db,
    sql`select extension, extension_reason from measures where id = ${measure.id}::uuid`,
  );
  const amendments = await queryRows<{ measureId: string; effectiveDate: string; extension: boolean | null; extensionReason: string | null }>(
    ctx.db,
    sql`select measure_id as "measureId", effective_date::text as "effectiveDate", extension, extension_reason as "extensionReason"
          from measure_amendments where measure_id = ${measure.id}::uuid order by effective_date, created_at`,
  );
  const on = asOf < measure.startDate ? measure.startDate : asOf > measure.endDate ? measure.endDate : asOf;
  const { extension } = extensionOn(amendments, { id: measure.id, extension: measureRow!.extension, extensionReason: measureRow!.extension_reason }, on);
  const catalogue = await catalogueInForce(ctx.db, on);
  const prestations = managedOn(state.amendments, measure, on).map((code) => {
    const p = findPrestation(catalogue, code);
    return {
      code,
      item: p?.item ?? null,
      label: p?.label ?? code,
      payer: p?.payer ?? null,
      masp3: p?.masp3 ?? null,
      payableToLandlord: p ? payableToLandlord(p.masp3, extension) : false,
    };
  });

  const leases = await queryRows<{ id: string; name: string; address: PostalAddress | null; start_date: string; end_date: string | null }>(
    ctx.db,
    sql`select id, landlord_name as name, landlord_address as address, start_date::text, end_date::text from leases
         where beneficiary_id = ${beneficiaryId}::uuid order by start_date`,
  );
  const periods = allPeriodsOf(state, measure, monthOf(asOf), asOf);
  const credits = await queryRows<{
    id: string;
    value_date: string;
    payer: string;
    prestation: string;
    amount: string;
    reference: string | null;
    metadata: Record<string, unknown>;
    reversed: boolean;
  }>(
    ctx.db,
    sql`select c.id, c.value_date::text, c.payer, c.prestation, c.amount::text, c.reference, t.metadata,
               exists (select 1 from ledger_transactions r where r.reverses_id = c.id) as reversed
          from credits c join ledger_transactions t on t.id = c.id
         where c.beneficiary_id = ${beneficiaryId}::uuid and c.value_date >= ${measure.startDate}::date order by c.value_date, c.id`,
  );
  const creditViews = credits.map((c) => {
    const deduction = c.metadata?.deduction as { amount: string; prestation: string; reference: string | null } | undefined;
    const amount = toBigInt(c.amount);
    const deducted = deduction ? toBigInt(deduction.amount) : 0n;
    return {
      valueDate: c.value_date,
      payer: c.payer,
      prestation: c.prestation,
      reference: c.reference,
      gross: amount + deducted,
      deduction: deduction ? { amount: deducted, prestation: deduction.prestation, reference: deduction.reference } : null,
      amount,
      reversed: c.reversed,
    };
  });
  const received = receivedByMonth(creditViews.filter((c) => !c.reversed));

  const payerRows = await ctx.db.select().from(payers);
  const codes = payerRows.map((p) => p.code);
  const payerCodes = new Map<string, Set<string>>();
  const addPayer = (code: string | undefined, prestation: string) => {
    if (!code) return;
    payerCodes.set(code, (payerCodes.get(code) ?? new Set()).add(prestation));
  };
  for (const p of prestations) addPayer(p.payer ? resolvePayerCode(codes, p.payer) : undefined, p.code);
  for (const c of creditViews) addPayer(resolvePayerCode(codes, c.payer, findPrestation(catalogue, c.prestation)?.payer), c.prestation);
  const payerViews = [...payerCodes].map(([code, of]) => {
    const p = payerRows.find((r) => r.code === code)!;
    return { code, name: p.name, address: p.address ?? null, prestations: [...of].sort() };
  });

  const rentAddress = envelopeAddress(beneficiaryId, "rent");
  const rentMovements = await queryRows<{ value_date: string; kind: string; description: string; direction: "debit" | "credit"; amount: string }>(
    ctx.db,
    sql`select t.value_date::text, t.kind, t.description, p.direction, p.amount::text
          from ledger_postings p join ledger_accounts a on a.id = p.account_id join ledger_transactions t on t.id = p.transaction_id
         where a.address = ${rentAddress} order by p.id`,
  );
  const history = withRunningBalance(
    rentMovements.map((m) => ({
      date: m.value_date,
      kind: m.kind,
      description: m.description,
      amount: m.direction === "credit" ? toBigInt(m.amount) : -toBigInt(m.amount),
    })),
  );

  const landlordViews = leases.map((l) => ({ leaseId: l.id, name: l.name, address: l.address ?? null, startDate: l.start_date, endDate: l.end_date }));
  // The landlord a MASP 3 would pay: the lease of the alert's last period, else the latest lease.
  const lastPeriod = alert.periods.at(-1);
  const current = periods.filter((p) => p.period === lastPeriod).at(-1)?.lease.id ?? leases.at(-1)?.id;

  await traceAccess(ctx, { action: "beneficiary.read", beneficiaryId, details: { what: "masp3_evidence", alertId: alert.id } });
  return {
    alert: { id: alert.id, type: alert.type, status: alert.status, periods: alert.periods, createdAt: alert.createdAt.toISOString() },
    asOf,
    person: { firstName: person.firstName, lastName: person.lastName, birthDate: person.birthDate, address: person.address ?? null },
    measure: { id: measure.id, level: measure.level, startDate: measure.startDate, endDate: measure.endDate, extension },
    landlord: landlordViews.find((l) => l.leaseId === current) ?? null,
    landlords: landlordViews,
    payers: payerViews,
    prestations,
    periods: periods.map((p) => {
      const r = received.get(p.period);
      return {
        period: p.period,
        dueDate: p.dueDate,
        leaseId: p.lease.id,
        landlordName: p.lease.landlordName,
        due: n(p.due),
        paid: n(p.paid),
        status: p.status,
        received: n(r?.net ?? 0n),
        receivedGross: n(r?.gross ?? 0n),
        inAlert: alert.periods.includes(p.period),
      };
    }),
    credits: creditViews.map((c) => ({
      ...c,
      gross: n(c.gross),
      amount: n(c.amount),
      deduction: c.deduction ? { ...c.deduction, amount: n(c.deduction.amount) } : null,
    })),
    rentEnvelope: {
      balance: n(history.at(-1)?.balance ?? 0n),
      history: history.map((h) => ({ ...h, amount: n(h.amount), balance: n(h.balance) })),
    },
    missing: missingAddresses({ person: person.address, landlords: landlordViews, payers: payerViews }),
  };
}

export type AlertEvidence = Awaited<ReturnType<typeof alertEvidence>>;

const noEvidence = (type: string) =>
  new ConflictError(`an alert of type ${type} has no MASP 3 evidence (only masp3_trigger and unpaid_rent)`, { type }, "no_evidence");
