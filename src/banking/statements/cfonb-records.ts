import { RECORD_LENGTH } from "./read-cfonb120";
import { BankFileError } from "./types";

/**
 * The 120-character records of a CFONB file as its text streams in: one per line (CRLF,
 * LF or CR) when the file has line breaks, else every 120 characters. Blank lines are
 * skipped. A record of another length is passed on as it is, for the reader to refuse.
 */
export async function* cfonbRecords(texts: AsyncIterable<string>): AsyncGenerator<string> {
  let buffer = "";
  let lines: boolean | null = null;
  for await (const text of texts) {
    buffer += text;
    if (lines === null) {
      if (buffer.length <= RECORD_LENGTH) continue;
      lines = /[\r\n]/.test(buffer.slice(0, RECORD_LENGTH + 1));
    }
    if (lines) {
      const parts = buffer.split(/\r\n|\r|\n/);
      buffer = parts.pop()!;
      for (const part of parts) if (part.trim() !== "") yield part;
    } else {
      let start = 0;
      for (; start + RECORD_LENGTH <= buffer.length; start += RECORD_LENGTH) yield buffer.slice(start, start + RECORD_LENGTH);
      buffer = buffer.slice(start);
    }
  }
  if (lines === null) lines = /[\r\n]/.test(buffer);
  if (lines) {
    for (const part of buffer.split(/\r\n|\r|\n/)) if (part.trim() !== "") yield part;
  } else if (buffer.replace(/[\r\n]+$/, "") !== "") {
    if (buffer.length < RECORD_LENGTH)
      yield buffer; // the reader names it: wrong length
    else throw new BankFileError("truncated file: the last record is incomplete");
  }
}
