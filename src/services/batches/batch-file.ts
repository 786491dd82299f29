import { eq } from "drizzle-orm";
import type { PainFileInput, PainOrder } from "../../banking/pain001/types";
import type { Executor } from "../../db/client";
import { paymentBatches } from "../../db/schema/batches";
import { parseJson, runText, toBigInt } from "../../db/sql";
import { ConflictError, NotFoundError } from "../../domain/errors";
import type { PostalAddress } from "../../domain/postal-address";
import { assertBatchIntact } from "./batch-transitions";

/** Rows read per query while the file streams out: memory stays flat whatever the batch's size. */
const PAGE = 2_000;

interface LinkRow {
  order_id: string;
  end_to_end_id: string;
  amount: string;
  creditor_name: string;
  creditor_iban: string;
  creditor_bic: string | null;
  creditor_address: PostalAddress | string | null;
  remittance: string;
}

const PAGE_SQL = `select order_id, end_to_end_id, amount::text as amount, creditor_name, creditor_iban, creditor_bic, creditor_address, remittance
  from payment_batch_orders where batch_id = $1::uuid and order_id > $2::uuid order by order_id limit ${PAGE}`;

/**
 * The batch's transactions in a fixed order (order id), read page by page; the next page
 * is asked for before this one is handed on, so the database reads while the writer writes.
 */
async function* batchOrders(executor: Executor, batchId: string, executionDate: string): AsyncGenerator<PainOrder> {
  const read = (after: string) => {
    const rows = runText<LinkRow>(executor, PAGE_SQL, [batchId, after]);
    // A writer that stops early (refused input) never awaits the page read ahead: its failure is not unhandled.
    rows.catch(() => {});
    return rows;
  };
  let page = read("00000000-0000-0000-0000-000000000000");
  for (;;) {
    const rows = await page;
    const last = rows.length === PAGE ? rows[rows.length - 1]!.order_id : null;
    if (last) page = read(last);
    for (const r of rows) {
      const address = r.creditor_address === null ? undefined : parseJson<PostalAddress>(r.creditor_address);
      yield {
        endToEndId: r.end_to_end_id,
        amountCents: toBigInt(r.amount),
        creditorName: r.creditor_name,
        creditorIban: r.creditor_iban,
        ...(r.creditor_bic ? { creditorBic: r.creditor_bic } : {}),
        ...(address ? { creditorAddress: address } : {}),
        remittance: r.remittance,
        executionDate,
      };
    }
    if (!last) return;
  }
}

/** What the pain.001 writer takes from a batch: every byte of its file follows from it. */
export function painInputFor(executor: Executor, batch: typeof paymentBatches.$inferSelect): PainFileInput {
  const { name, iban, bic, painVersion, batchBooking } = batch.debtor;
  return {
    msgId: batch.msgId,
    createdAt: batch.createdAt,
    // The provider holds the account: it is the party that initiates the file.
    initiatingParty: name,
    debtor: { name, iban, bic, painVersion, batchBooking },
    groups: [{ executionDate: batch.executionDate, count: batch.orderCount, totalCents: batch.total }],
    orders: batchOrders(executor, batch.id, batch.executionDate),
  };
}

/** The batch, if it may have a file: a dissolved one has none, nor a prepared one whose orders changed (409). */
export async function batchWithFile(executor: Executor, id: string): Promise<typeof paymentBatches.$inferSelect> {
  const [batch] = await executor.select().from(paymentBatches).where(eq(paymentBatches.id, id));
  if (!batch) throw new NotFoundError("payment batch", id);
  if (batch.status === "dissolved") throw new ConflictError("the batch was dissolved: it has no file", { status: batch.status });
  if (batch.status === "prepared") await assertBatchIntact(executor, id);
  return batch;
}
