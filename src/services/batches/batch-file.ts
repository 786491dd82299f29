import { eq } from "drizzle-orm";
import type { PainFileInput, PainOrder } from "../../banking/pain001/types";
import type { Executor, Tx } from "../../db/client";
import { paymentBatches } from "../../db/schema/batches";
import { parseJson, runText, toBigInt } from "../../db/sql";
import { ConflictError, NotFoundError } from "../../domain/errors";
import type { PostalAddress } from "../../domain/postal-address";
import { assertBatchIntact } from "./batch-transitions";

/** Rows fetched at a time while the file streams out: memory stays flat whatever the batch's size. */
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

/**
 * One cursor over the batch's lines in a fixed order (order id), fetched page by page:
 * one scan of the primary key for the whole file. (Pages read by keyset, each its own
 * query, were planned on the statistics of a table that had just grown by the whole
 * batch: each sorted every line left, quadratic in the batch's size.)
 */
const CURSOR = "batch_file_orders";
const DECLARE_SQL = `declare ${CURSOR} no scroll cursor for
  select order_id, end_to_end_id, amount::text as amount, creditor_name, creditor_iban, creditor_bic, creditor_address, remittance
    from payment_batch_orders where batch_id = $1::uuid order by batch_id, order_id`;

/**
 * The batch's transactions, read through a cursor of the caller's transaction; the next
 * page is asked for before this one is handed on, so the database reads while the writer writes.
 */
async function* batchOrders(tx: Tx, batchId: string, executionDate: string): AsyncGenerator<PainOrder> {
  await runText(tx, DECLARE_SQL, [batchId]);
  const fetch = () => {
    const rows = runText<LinkRow>(tx, `fetch ${PAGE} from ${CURSOR}`);
    // A writer that stops early (refused input) never awaits the page read ahead: its failure is not unhandled.
    rows.catch(() => {});
    return rows;
  };
  let page = fetch();
  for (;;) {
    const rows = await page;
    const more = rows.length === PAGE;
    if (more) page = fetch();
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
    if (!more) break;
  }
  await runText(tx, `close ${CURSOR}`);
}

/** What the pain.001 writer takes from a batch (read in the transaction `tx`): every byte of its file follows from it. */
export function painInputFor(tx: Tx, batch: typeof paymentBatches.$inferSelect): PainFileInput {
  const { name, iban, bic, painVersion, batchBooking } = batch.debtor;
  return {
    msgId: batch.msgId,
    createdAt: batch.createdAt,
    // The provider holds the account: it is the party that initiates the file.
    initiatingParty: name,
    debtor: { name, iban, bic, painVersion, batchBooking },
    groups: [{ executionDate: batch.executionDate, count: batch.orderCount, totalCents: batch.total }],
    orders: batchOrders(tx, batch.id, batch.executionDate),
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
