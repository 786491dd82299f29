import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLES } from "../../src/domain/roles";
import type { JobRuntime } from "../../workers/runtime";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { chargeBody, householdMaker } from "../support/household";
import { deleteQueueKeys, startTestRuntime } from "../support/queues";

/**
 * Every operation of /openapi.json — enumerated at run time, so a route added later is
 * fuzzed too — gets requests generated from its own schemas: valid-shaped values and
 * hostile ones (NUL, lone surrogates, huge strings, year 0000 and 9999, wrong types,
 * unknown keys, no body, the wrong content type), with the token of every role. No
 * answer may be a 5xx. `FUZZ_RUNS` (default 50) cases per operation; `FUZZ_SEED`
 * replays a run (the seed is in the failure message).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 50);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const PARALLEL = 6;
const QUEUE_PREFIX = `test-fuzz-${randomBytes(4).toString("hex")}`;
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

type Json = Record<string, any>;

interface Operation {
  method: string;
  path: string;
  op: Json;
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const HOSTILE_STRINGS = [
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\u202e\u0007\u001b[2J",
  "x".repeat(100_000),
  "0000-01-01",
  "9999-12-31",
  "2026-02-30",
  "-001-01-01",
  "1900-01-01",
  "2100-12-31",
  "",
  " ",
  "null",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "%00",
  "😀",
  "NaN",
  "00000000-0000-0000-0000-000000000000",
];
/** Already percent-encoded: a NUL, a lone surrogate's UTF-8 bytes, invalid UTF-8, a cut escape, a path trick. */
const RAW_ENCODED = ["%00", "%ED%A0%80", "%FF", "%E0%A4%A", "%", "..%2F..%2Fetc", "%C0%AE"];
const hostileString = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom("\u0000", "\ud800", "a"), minLength: 1, maxLength: 5 }) },
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0.01, 2 ** 53, 1e308, -1e308, [], {}, [null], { "\u0000": 1 }),
  fc.integer(),
  fc.double(),
);

/** The schema behind a `$ref`, or the schema itself. */
function resolve(doc: Json, schema: Json | undefined): Json {
  if (!schema) return {};
  const ref = schema.$ref as string | undefined;
  if (ref?.startsWith("#/components/schemas/")) return resolve(doc, doc.components?.schemas?.[ref.slice(21)]);
  return schema;
}

const REALISTIC: Record<string, string[]> = {
  iban: ["FR7630006000011234567890189", "FR1420041010050500013M02606"],
  prestation: ["RSA", "ALS", "AAH"],
  payer: ["CAF", "MSA"],
  email: ["c.martin@asso.example", "x@y.example"],
  "caf|msa": ["1234567"],
  name: ["Marie", "Durand", "OPH Laval Habitat"],
};

const dateArb = fc
  .date({ min: new Date("1890-01-01T00:00:00Z"), max: new Date("2110-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const nearDateArb = fc
  .date({ min: new Date("2025-06-01T00:00:00Z"), max: new Date("2027-06-30T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

/** A value of the schema's shape (what a careful client sends), with ids drawn from the fixtures. */
function validShaped(doc: Json, raw: Json | undefined, ids: string[], depth = 0, name = ""): fc.Arbitrary<unknown> {
  const schema = resolve(doc, raw);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const union = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (union?.length) return fc.oneof(...union.map((s) => validShaped(doc, s, ids, depth + 1, name)));
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type ?? "object"]) as string[];
  const arbs = types.map((type) => {
    switch (type) {
      case "null":
        return fc.constant(null);
      case "boolean":
        return fc.boolean();
      case "integer":
      case "number": {
        const min = typeof schema.minimum === "number" ? schema.minimum : -1000;
        const max = typeof schema.maximum === "number" ? schema.maximum : Math.max(min, 0) + 100_000;
        return fc.oneof(fc.integer({ min: Math.ceil(min), max: Math.floor(max) }), fc.constantFrom(min, max));
      }
      case "string": {
        if (schema.format === "uuid") return fc.oneof(fc.constantFrom(...ids), fc.uuid());
        if (schema.format === "date" || /date$|^asOf$/i.test(name)) return fc.oneof({ weight: 4, arbitrary: nearDateArb }, { weight: 1, arbitrary: dateArb });
        if (/month|from$/i.test(name)) return nearDateArb.map((d) => d.slice(0, 7));
        // What such a field holds in real life, so that the other fields of a request pass and the hostile one is what is tested.
        const realistic = Object.entries(REALISTIC).find(([pattern]) => new RegExp(pattern, "i").test(name))?.[1];
        if (realistic) return fc.constantFrom(...realistic);
        const max = Math.min(typeof schema.maxLength === "number" ? schema.maxLength : 60, 60);
        const min = Math.min(typeof schema.minLength === "number" ? schema.minLength : 0, max);
        return fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom("Loyer de mars", "EDF", "Marie", "Pour mémoire", "ok") },
          { weight: 1, arbitrary: fc.string({ minLength: min, maxLength: max }) },
        );
      }
      case "array":
        return depth > 3 ? fc.constant([]) : fc.array(validShaped(doc, schema.items, ids, depth + 1, name), { maxLength: 4 });
      default:
        return depth > 3 ? fc.constant({}) : objectOf(doc, schema, ids, depth);
    }
  });
  return arbs.length === 1 ? arbs[0]! : fc.oneof(...arbs);
}

/** An object of the schema's properties: required ones mostly present, optional ones sometimes. */
function objectOf(doc: Json, schema: Json, ids: string[], depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.entries((schema.properties ?? {}) as Record<string, Json>);
  const required = new Set<string>(schema.required ?? []);
  const fields = properties.map(([name, prop]) =>
    fc
      .tuple(fc.constant(name), validShaped(doc, prop, ids, depth + 1, name), fc.integer({ min: 0, max: 19 }))
      .map(([n, v, roll]) => ((roll === 0 && required.has(n)) || (roll < 6 && !required.has(n)) ? null : ([n, v] as const))),
  );
  return fc.tuple(...fields).map((entries) => Object.fromEntries(entries.filter((e) => e !== null)));
}

/** Where a value sits in a JSON document: the keys down to it. */
function leaves(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => leaves(v, [...at, i]))];
  if (value && typeof value === "object") return [at, ...Object.entries(value).flatMap(([k, v]) => leaves(v, [...at, k]))];
  return [at];
}

/**
 * The body with one thing made hostile, the way a probe finds what one field lets
 * through: a value replaced, or an unknown key added (its name hostile too).
 */
function mutate(body: unknown, pick: number, hostile: unknown, text: string, key: string, addKey: boolean): unknown {
  const copy = structuredClone(body ?? {});
  const targets = leaves(copy);
  const path = targets[pick % targets.length]!;
  if (path.length === 0) return addKey && copy && typeof copy === "object" ? Object.assign(copy, { [key]: hostile }) : hostile;
  let parent = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  const target = parent[last];
  if (addKey && target && typeof target === "object" && !Array.isArray(target)) (target as Record<string, unknown>)[key] = hostile;
  // A text is mostly replaced by a hostile text: a wrong type is the schema's easy case, a NUL its hard one.
  else parent[last] = typeof target === "string" && text !== "" ? text : hostile;
  return copy;
}

/** A whole request for one operation: path, query, headers and body, any of them hostile. */
function requestArb(doc: Json, { method, path, op }: Operation, ids: Record<string, string[]>, tokens: Headers[]): fc.Arbitrary<FuzzRequest> {
  const params = (op.parameters ?? []) as Json[];
  // A parameter goes as a value to encode, or as already-encoded hostile bytes.
  const allIds = Object.values(ids).flat();
  const paramValue = (p: Json) =>
    fc.oneof(
      { weight: 8, arbitrary: validShaped(doc, p.schema, allIds).map(encode) },
      { weight: 2, arbitrary: hostileValue.map(encode) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_ENCODED) },
    );
  // A path id is mostly one of the fixture's ids of the resource its segment names (`/measures/{id}`).
  const segments = path.split("/");
  const idOf = (name: string) => {
    const before = segments[segments.indexOf(`{${name}}`) - 1] ?? "";
    const known = ids[before] ?? ids[name] ?? [];
    return known.length
      ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 3, arbitrary: paramValue({ schema: { type: "string", format: "uuid" } }) })
      : undefined;
  };
  const pathArb = fc.tuple(
    ...params
      .filter((p) => p.in === "path")
      .map((p) => fc.tuple(fc.constant(p.name as string), (p.schema?.format === "uuid" && idOf(p.name)) || paramValue(p))),
  );
  const queryArb = fc.tuple(
    ...params.filter((p) => p.in === "query").map((p) => fc.option(fc.tuple(fc.constant(p.name as string), paramValue(p)), { freq: 3 })),
  );
  const headerArb = fc.tuple(
    ...params
      .filter((p) => p.in === "header")
      .map((p) => fc.option(fc.tuple(fc.constant(p.name as string), fc.oneof(fc.uuid(), fc.constantFrom("k", "\u00e9", "x".repeat(300)))), { freq: 6 })),
  );
  const bodySchema = op.requestBody?.content?.["application/json"]?.schema as Json | undefined;
  // Mostly one hostile thing in an otherwise valid body; sometimes a valid body as is.
  const body = bodySchema
    ? fc
        .tuple(
          validShaped(doc, bodySchema, allIds),
          fc.nat(),
          hostileValue,
          fc.oneof(hostileString, fc.constant("")),
          hostileString,
          fc.integer({ min: 0, max: 9 }),
        )
        .map(([valid, pick, hostile, text, key, roll]) => (roll < 2 ? valid : mutate(valid, pick, hostile, text, key, roll === 2)))
    : fc.constant(undefined);
  // How the body goes: as JSON, missing, with no or the wrong content type, malformed, or not an object.
  const sending = fc.oneof(
    { weight: 12, arbitrary: fc.constant("json") },
    { weight: 1, arbitrary: fc.constantFrom("none", "no-type", "text", "malformed", "scalar") },
  );
  return fc.record({ path: pathArb, query: queryArb, headers: headerArb, body, sending, token: fc.constantFrom(...tokens) }).map((r) => {
    let url = path;
    for (const [name, value] of r.path) url = url.replace(`{${name}}`, value);
    const query = r.query.flatMap((q) => (q ? [`${encodeURIComponent(q[0])}=${q[1]}`] : [])).join("&");
    const headers: Record<string, string> = { ...r.token };
    for (const h of r.headers) if (h) headers[h[0]] = h[1];
    const request: FuzzRequest = { method: method.toUpperCase(), url: query ? `${url}?${query}` : url, headers };
    if (method === "get") return request;
    switch (r.sending) {
      case "none":
        return request;
      case "no-type":
        return { ...request, body: JSON.stringify(r.body ?? {}) };
      case "text":
        return { ...request, headers: { ...headers, "Content-Type": "text/plain" }, body: JSON.stringify(r.body ?? {}) };
      case "malformed":
        return { ...request, headers: { ...headers, "Content-Type": "application/json" }, body: `{"a":\u0000` };
      case "scalar":
        return { ...request, headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify([r.body]) };
      default:
        return { ...request, headers: { ...headers, "Content-Type": "application/json" }, body: r.body === undefined ? undefined : JSON.stringify(r.body) };
    }
  });
}

/** Percent-encoded as a client would (a lone surrogate, which UTF-8 cannot carry, as U+FFFD). */
function encode(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  return encodeURIComponent(text.toWellFormed());
}

const shorten = (s: string | undefined) => (s && s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s);
const describeRequest = (r: FuzzRequest) =>
  JSON.stringify({
    method: r.method,
    url: shorten(r.url),
    headers: { ...r.headers, Authorization: r.headers.Authorization ? "Bearer …" : undefined },
    body: shorten(r.body),
  });

describe("fuzzing every operation of /openapi.json", () => {
  let db: TestDatabase;
  let app: TestApp;
  let runtime: JobRuntime;
  /** The fixture's ids by the path segment that names their resource. */
  const ids: Record<string, string[]> = {};
  const tokens: Headers[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    runtime = await startTestRuntime(db.db, QUEUE_PREFIX);
    app = createTestApp(db.db, { runJob: (name, payload) => runtime.run(name, payload), today: () => "2026-03-06" });
    for (const role of ROLES) tokens.push(await bearer(db.db, role));
    // Fixtures, so that valid-shaped requests reach the verbs and not only the 404s.
    const admin = tokens[ROLES.indexOf("admin")]!;
    const call = apiCaller(
      () => app,
      () => admin,
    );
    const household = householdMaker(call, { managed: ["RSA", "ALS"], iban: "FR7630006000011234567890189" });
    const h = await household({ charges: [chargeBody()] });
    const credit = await call(
      "POST",
      "/v1/credits",
      { beneficiaryId: h.id, payer: "CAF", prestation: "RSA", amount: 60775, valueDate: "2026-02-03" },
      {
        ...admin,
        "Idempotency-Key": `fuzz-${randomBytes(4).toString("hex")}`,
      },
    );
    expect(credit.status, credit.text).toBe(201);
    Object.assign(ids, { beneficiaries: [h.id], measures: [h.measureId], chargeId: h.charges, charges: h.charges, transactions: [credit.body.transactionId] });
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
    await deleteQueueKeys(QUEUE_PREFIX);
    await db?.dispose();
  });

  it(`answers no 5xx to ${RUNS} generated requests per operation, for every role`, async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as Json;
    const operations: Operation[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const method of METHODS) if (item[method]) operations.push({ method, path, op: item[method] });
    }
    expect(operations.length).toBeGreaterThan(30);

    const failures: string[] = [];
    const statuses = new Map<string, number[]>();
    for (const [index, operation] of operations.entries()) {
      const requests = fc.sample(requestArb(doc, operation, ids, tokens), { numRuns: RUNS, seed: SEED + index });
      const seen: number[] = [];
      statuses.set(`${operation.method.toUpperCase()} ${operation.path}`, seen);
      for (let i = 0; i < requests.length; i += PARALLEL) {
        await Promise.all(
          requests.slice(i, i + PARALLEL).map(async (r) => {
            const res = await app.request(r.url, { method: r.method, headers: r.headers, body: r.body });
            const text = await res.text();
            seen.push(res.status);
            if (res.status >= 500) failures.push(`${res.status} ${shorten(text)}\n  for ${describeRequest(r)}`);
          }),
        );
      }
    }
    expect(failures, `seed ${SEED} (FUZZ_SEED=${SEED} replays it):\n${failures.slice(0, 20).join("\n")}`).toEqual([]);
    // The generator reaches past validation: some requests succeed.
    const succeeded = [...statuses.values()].filter((s) => [...s].some((status) => status < 300)).length;
    const seen = [...statuses]
      .map(([op, s]) => `${op}: ${[...new Set(s)].map((status) => `${status}×${s.filter((x) => x === status).length}`).join(" ")}`)
      .join("\n");
    if (process.env.FUZZ_VERBOSE) console.log(seen);
    expect(succeeded, seen).toBeGreaterThan(operations.length / 3);
  }, 600_000);
});
