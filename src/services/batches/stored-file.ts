import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { constants, createGunzip, createGzip } from "node:zlib";
import { writePain001 } from "../../banking/pain001/write-pain001";
import type { Executor, Tx } from "../../db/client";
import type { paymentBatches } from "../../db/schema/batches";
import { runText } from "../../db/sql";
import { withTransaction } from "../../db/transaction";
import { recordAudit, type ServiceContext } from "../context";
import { batchWithFile, painInputFor } from "./batch-file";

/** gzip bytes per stored part: a part is what is held in memory, written or read at a time. */
const PART_BYTES = 1 << 20;

interface FileRow {
  bytes: number | string;
  sha256: string;
  parts: number;
}

export interface StoredBatchFile {
  fileName: string;
  /** The XML's size, for Content-Length. */
  bytes: number;
  sha256: string;
  /** The XML, decompressed part by part as it is read. */
  content: AsyncIterable<Uint8Array>;
}

const FILE_SQL = "select bytes::text as bytes, sha256, parts from payment_batch_files where batch_id = $1::uuid";
const PART_SQL = "select gzip from payment_batch_file_parts where batch_id = $1::uuid and seq = $2::int";
const INSERT_PART_SQL = "insert into payment_batch_file_parts (batch_id, seq, gzip) values ($1::uuid, $2::int, $3::bytea)";

/** The writer's text as UTF-8, counted and hashed on the way. */
async function* encoded(text: AsyncIterable<string>, tally: { bytes: number; hash: ReturnType<typeof createHash> }) {
  for await (const chunk of text) {
    const bytes = Buffer.from(chunk, "utf8");
    tally.bytes += bytes.length;
    tally.hash.update(bytes);
    yield bytes;
  }
}

/**
 * Generates the file once and stores it, inside the caller's transaction (which holds the
 * batch's row lock): the writer's text streams through gzip into parts of about a
 * megabyte, each inserted when full, so memory holds one page of orders and one part.
 */
async function storeFile(tx: Tx, ctx: ServiceContext, batch: typeof paymentBatches.$inferSelect): Promise<FileRow> {
  const tally = { bytes: 0, hash: createHash("sha256") };
  let parts = 0;
  // Speed over size: the parts are a few megabytes whatever the level.
  await pipeline(Readable.from(encoded(writePain001(painInputFor(tx, batch)), tally)), createGzip({ level: constants.Z_BEST_SPEED }), async (gzipped) => {
    let held: Buffer[] = [];
    let size = 0;
    const flush = async () => {
      await runText(tx, INSERT_PART_SQL, [batch.id, parts++, Buffer.concat(held, size)]);
      held = [];
      size = 0;
    };
    for await (const chunk of gzipped as AsyncIterable<Buffer>) {
      held.push(chunk);
      size += chunk.length;
      if (size >= PART_BYTES) await flush();
    }
    if (size > 0) await flush();
  });
  const sha256 = tally.hash.digest("hex");
  await runText(tx, "insert into payment_batch_files (batch_id, bytes, sha256, parts) values ($1::uuid, $2::bigint, $3, $4::int)", [
    batch.id,
    tally.bytes,
    sha256,
    parts,
  ]);
  await recordAudit(tx, ctx, {
    action: "payment_batch.file",
    entityType: "payment_batch",
    entityId: batch.id,
    changes: { msgId: batch.msgId, bytes: tally.bytes, sha256 },
  });
  return { bytes: tally.bytes, sha256, parts };
}

/** The stored file, or the one generated and stored now: the batch's row lock makes two first downloads at once store it once. */
async function fileOf(ctx: ServiceContext, batch: typeof paymentBatches.$inferSelect): Promise<FileRow> {
  const [stored] = await runText<FileRow>(ctx.db, FILE_SQL, [batch.id]);
  if (stored) return stored;
  return withTransaction(ctx.db, async (tx) => {
    await runText(tx, "select 1 from payment_batches where id = $1::uuid for update", [batch.id]);
    const [again] = await runText<FileRow>(tx, FILE_SQL, [batch.id]);
    return again ?? storeFile(tx, ctx, batch);
  });
}

/** The parts one at a time (postgres.js gives a Buffer, PGlite a Uint8Array). */
async function* storedParts(executor: Executor, batchId: string, parts: number): AsyncGenerator<Uint8Array> {
  for (let seq = 0; seq < parts; seq++) {
    const [row] = await runText<{ gzip: Uint8Array }>(executor, PART_SQL, [batchId, seq]);
    if (!row) throw new Error(`part ${seq} of the file of batch ${batchId} is missing`);
    yield row.gzip;
  }
}

/** The parts decompressed as they are read; a failed read fails the stream. */
function gunzipped(parts: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const source = Readable.from(parts);
  const gunzip = createGunzip();
  source.on("error", (error) => gunzip.destroy(error));
  return source.pipe(gunzip);
}

/**
 * A batch's pain.001 file for download: generated and stored on the first download,
 * then always those bytes (same `MsgId`), whatever the writer becomes. A dissolved
 * batch has no file, nor a prepared one whose orders changed since (409). Each download
 * is audited.
 */
export async function downloadBatchFile({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<StoredBatchFile> {
  const batch = await batchWithFile(ctx.db, id);
  const file = await fileOf(ctx, batch);
  await recordAudit(ctx.db, ctx, {
    action: "payment_batch.download",
    entityType: "payment_batch",
    entityId: id,
    changes: { msgId: batch.msgId, sha256: file.sha256 },
  });
  return {
    fileName: `remise-${batch.executionDate}-${batch.msgId}.xml`,
    bytes: Number(file.bytes),
    sha256: file.sha256,
    content: gunzipped(storedParts(ctx.db, id, file.parts)),
  };
}
