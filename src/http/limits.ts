import { HTTPException } from "hono/http-exception";

/**
 * How big a request body may be and how long a request may take, per route. The
 * defaults come from the configuration; the few routes that need more are listed
 * here, and only here.
 */
export interface RequestLimits {
  /** Largest request body, in bytes (413 beyond). */
  bodyBytes: number;
  /** Longest time to answer, in milliseconds (503 beyond). */
  timeoutMs: number;
}

export const DEFAULT_LIMITS: RequestLimits = { bodyBytes: 1024 * 1024, timeoutMs: 30_000 };

const MB = 1024 * 1024;

const EXCEPTIONS: { method: string; path: RegExp; limits: Partial<RequestLimits> }[] = [
  // A bank statement (camt.053, CFONB 120) may be large: the contract allows 200 MB.
  { method: "POST", path: /^\/v1\/bank-statements\/?$/, limits: { bodyBytes: 200 * MB, timeoutMs: 10 * 60_000 } },
  // A job run answers once the job finished: a month's payments take minutes, not seconds.
  { method: "POST", path: /^\/v1\/jobs\/[^/]+\/runs\/?$/, limits: { timeoutMs: 10 * 60_000 } },
  { method: "POST", path: /^\/traitements\/?$/, limits: { timeoutMs: 10 * 60_000 } },
  // The Banque page's upload: the same file as the API's, sent as a form (read whole: send the largest through the API).
  { method: "POST", path: /^\/banque\/releves\/?$/, limits: { bodyBytes: 200 * MB, timeoutMs: 10 * 60_000 } },
];

export function limitsFor(method: string, path: string, defaults: RequestLimits): RequestLimits {
  const exception = EXCEPTIONS.find((e) => e.method === method && e.path.test(path));
  return exception ? { ...defaults, ...exception.limits } : defaults;
}

/** The body as it streams, failing with a 413 once it passes `maxBytes` (a large body sent without Content-Length). */
export function countedBody(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  let size = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > maxBytes) controller.error(new HTTPException(413, { message: `the request body exceeds ${maxBytes} bytes` }));
        else controller.enqueue(chunk);
      },
    }),
  );
}
