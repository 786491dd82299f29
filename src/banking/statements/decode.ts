import iconv from "iconv-lite";
import { BankFileError } from "./types";

/** Uint8Array views of at most this size: a whole file given at once is still decoded piecewise. */
const SLICE = 1 << 20;
/** Enough bytes to see an XML prolog and the root elements, or the first CFONB record. */
const HEAD = 4096;

type ByteSource = AsyncIterable<Uint8Array> | Uint8Array;

async function* slices(input: ByteSource): AsyncGenerator<Uint8Array> {
  if (input instanceof Uint8Array) {
    for (let start = 0; start < input.length; start += SLICE) yield input.subarray(start, start + SLICE);
    return;
  }
  for await (const chunk of input) if (chunk.length > 0) yield chunk;
}

/** The file's first bytes (for sniffing) and the rest of the stream, nothing lost or read twice. */
export async function peek(input: ByteSource): Promise<{ head: Uint8Array; bytes: AsyncGenerator<Uint8Array> }> {
  const source = slices(input);
  const parts: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < HEAD) {
    const next = await source.next();
    if (next.done) {
      done = true;
      break;
    }
    parts.push(next.value);
    size += next.value.length;
  }
  const head = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  async function* bytes(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (!done) yield* source;
  }
  return { head, bytes: bytes() };
}

const BOM = [0xef, 0xbb, 0xbf];
const hasBom = (head: Uint8Array) => BOM.every((b, i) => head[i] === b);

/** The encoding an XML prolog declares (`<?xml version="1.0" encoding="ISO-8859-1"?>`), lower case. */
export function declaredEncoding(head: Uint8Array): string | null {
  const start = hasBom(head) ? 3 : 0;
  const text = Buffer.from(head.buffer, head.byteOffset + start, Math.min(head.length - start, 512)).toString("latin1");
  const match = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(text);
  return match ? match[1]!.toLowerCase() : null;
}

const UTF8_NAMES = new Set(["utf-8", "utf8"]);

/** How many bytes at the end of `bytes` start a UTF-8 sequence that the next chunk completes. */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

/**
 * The text of the file, chunk by chunk. A declared encoding other than UTF-8 is decoded by
 * iconv-lite; otherwise UTF-8, switching for good to ISO-8859-1 at the first chunk that is
 * not valid UTF-8 (French banks still send Latin-1 without saying so; the chunks before were
 * valid UTF-8, so plain ASCII, the same in both).
 */
export async function* decodeText(bytes: AsyncIterable<Uint8Array>, declared: string | null): AsyncGenerator<string> {
  let decoder: { write(b: Buffer): string; end(): string | undefined } | null = null;
  if (declared && !UTF8_NAMES.has(declared)) {
    if (!iconv.encodingExists(declared)) throw new BankFileError(`the file declares the encoding "${declared}", which we cannot read`, 1);
    decoder = iconv.getDecoder(declared);
  }
  const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let carry: Uint8Array = new Uint8Array(0);
  for await (const chunk of bytes) {
    if (decoder) {
      const text = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      if (text) yield text;
      continue;
    }
    const joined = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const keep = incompleteTail(joined);
    const whole = joined.subarray(0, joined.length - keep);
    try {
      const text = utf8.decode(whole, { stream: true });
      carry = joined.slice(joined.length - keep);
      if (text) yield text;
    } catch {
      decoder = iconv.getDecoder("iso-8859-1");
      const text = decoder.write(Buffer.from(joined.buffer, joined.byteOffset, joined.length));
      carry = new Uint8Array(0);
      if (text) yield text;
    }
  }
  if (decoder) {
    const rest = decoder.end();
    if (rest) yield rest;
  } else if (carry.length > 0) {
    // A file cut inside a character: Latin-1 reads those bytes as they are.
    yield iconv.decode(Buffer.from(carry), "iso-8859-1");
  }
}
