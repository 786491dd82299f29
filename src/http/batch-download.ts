import type { Context } from "hono";
import { stream } from "hono/streaming";
import type { StoredBatchFile } from "../services/batches/stored-file";

/**
 * A batch's pain.001 file as a download (the API route and the Virements page both
 * answer with it), streamed part by part from its stored copy: a batch of 100 000
 * orders is never one buffer in memory.
 */
export function sendBatchFile(c: Context, file: StoredBatchFile): Response {
  c.header("Content-Type", "application/xml; charset=utf-8");
  c.header("Content-Disposition", `attachment; filename="${file.fileName}"`);
  c.header("Content-Length", String(file.bytes));
  c.header("ETag", `"${file.sha256}"`);
  c.header("Cache-Control", "no-store");
  return stream(c, async (out) => {
    for await (const chunk of file.content) {
      await out.write(chunk);
    }
  });
}
