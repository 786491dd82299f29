import type { Context } from "hono";
import { stream } from "hono/streaming";
import { writePain001 } from "../banking/pain001/write-pain001";
import type { BatchFile } from "../services/batches/batch-file";

/**
 * A batch's pain.001 file as a download, streamed chunk by chunk from the generator (the
 * API route and the Virements page both answer with it): a batch of 100 000 orders is
 * never one string in memory.
 */
export function sendBatchFile(c: Context, file: BatchFile): Response {
  c.header("Content-Type", "application/xml; charset=utf-8");
  c.header("Content-Disposition", `attachment; filename="${file.fileName}"`);
  c.header("Cache-Control", "no-store");
  return stream(c, async (out) => {
    for await (const chunk of writePain001(file.input)) {
      await out.write(chunk);
    }
  });
}
