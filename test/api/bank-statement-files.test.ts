import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runText } from "../../src/db/sql";
import { apiCaller, bearer, createTestApp, type Headers, type TestApp } from "../support/app";
import { camt053, cfonb120, cfonb120Records } from "../support/bank-files";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { householdMaker } from "../support/household";

/**
 * `POST /v1/bank-statements` with generated files (no real data): camt.053 as the body or
 * a multipart field, CFONB 120 without line breaks in ISO-8859-1, the same file again
 * (200, same ids), and files refused with a 422 naming the line, nothing imported.
 */
const TODAY = "2026-02-20";
const POOLED_IBAN = "FR7630001007941234567890185";

describe("bank statement files over HTTP", () => {
  let database: TestDatabase;
  let app: TestApp;
  let admin: Headers;
  let finance: Headers;
  const call = apiCaller(
    () => app,
    () => finance,
  );
  const household = householdMaker((method, path, body, headers) => call(method, path, body, headers ?? admin), { managed: ["RSA", "AAH"] });
  let number = 7000000;
  async function allocataire() {
    const h = await household();
    const caf = String(++number);
    await runText(database.db, "update beneficiaries set caf_number = $1 where id = $2", [caf, h.id]);
    return { ...h, caf };
  }
  const upload = (body: string, type: string) => app.request("/v1/bank-statements", { method: "POST", headers: { ...finance, "Content-Type": type }, body });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createTestApp(database.db, { today: () => TODAY });
    admin = await bearer(database.db, "admin");
    finance = await bearer(database.db, "finance");
    await runText(database.db, "update bank_accounts set iban = $1, name = 'Compte principal' where is_default", [POOLED_IBAN]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("a camt.053: 201 with the statement's counts; the same file again: 200, the same ids", async () => {
    const a = await allocataire();
    const b = await allocataire();
    const xml = camt053({
      iban: POOLED_IBAN,
      from: "2026-02-05",
      to: "2026-02-05",
      opening: 0n,
      id: "STMT-0205",
      entries: [
        { amount: 60000n, bookingDate: "2026-02-05", name: "CAF DE LA MAYENNE", remittance: `RSA 01/2026 ALLOCATAIRE ${a.caf}`, bankReference: "R1" },
        { amount: 45000n, bookingDate: "2026-02-05", name: "CAF DE LA MAYENNE", remittance: `AAH 01/2026 ALLOCATAIRE ${b.caf}`, bankReference: "R2" },
        { amount: 120000n, bookingDate: "2026-02-05", name: "EMPLOYEUR SA", remittance: "SALAIRE JANVIER", bankReference: "R3" },
      ],
    });
    const first = await upload(xml, "application/xml");
    const body = await first.json();
    expect(first.status, JSON.stringify(body)).toBe(201);
    expect(body.statements).toHaveLength(1);
    expect(body.statements[0]).toMatchObject({
      format: "camt.053",
      lines: 3,
      matched: 2,
      suspense: 1,
      consistent: true,
      difference: 0,
      closingBalance: 225000,
    });
    const again = await upload(xml, "application/xml");
    expect(again.status).toBe(200);
    expect((await again.json()).statements[0].id).toBe(body.statements[0].id);
    const read = await call("GET", `/v1/bank-statements/${body.statements[0].id}`);
    expect(read.body.entries.map((e: { status: string }) => e.status)).toEqual(["matched", "matched", "suspense"]);
    expect((await call("GET", `/v1/beneficiaries/${a.id}/balances`)).body.total).toBe(60000);
  });

  it("multipart field `file`, and a CFONB 120 without line breaks in ISO-8859-1", async () => {
    const a = await allocataire();
    const cfonb = cfonb120(
      {
        iban: POOLED_IBAN,
        from: "2026-02-06",
        to: "2026-02-06",
        opening: 225000n,
        entries: [{ amount: 30000n, bookingDate: "2026-02-06", name: "CAF MAYENNE", remittance: `RSA ALLOCATAIRE ${a.caf}`, label: "VIR CAF MAYENNE" }],
      },
      { lineBreaks: false, encoding: "latin1" },
    );
    const form = new FormData();
    form.set("file", new Blob([new Uint8Array(cfonb)]), "releve.cfo");
    const res = await app.request("/v1/bank-statements", { method: "POST", headers: finance, body: form });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.statements[0]).toMatchObject({ format: "cfonb120", lines: 1, consistent: true });
    expect((await call("GET", `/v1/beneficiaries/${a.id}/balances`)).body.total).toBe(30000);
  });

  it("not a bank file, a truncated file, an unknown account: 422 naming it, nothing imported", async () => {
    const before = await runText<{ n: number }>(database.db, "select count(*)::int as n from bank_statement_lines");
    const junk = await upload("hello", "text/plain");
    expect(junk.status).toBe(422);
    const xml = camt053({
      iban: POOLED_IBAN,
      from: "2026-02-09",
      to: "2026-02-09",
      opening: 0n,
      entries: [{ amount: 100n, bookingDate: "2026-02-09", name: "X" }],
    });
    const truncated = await upload(xml.slice(0, Math.floor(xml.length / 2)), "application/xml");
    expect(truncated.status).toBe(422);
    const unknown = await upload(
      camt053({ iban: "FR1420041010050500013M02606", from: "2026-02-09", to: "2026-02-09", opening: 0n, entries: [] }),
      "application/xml",
    );
    const unknownBody = await unknown.json();
    expect(unknown.status).toBe(422);
    expect(JSON.stringify(unknownBody)).toContain("FR14");
    expect(await runText<{ n: number }>(database.db, "select count(*)::int as n from bank_statement_lines")).toEqual(before);
  });

  it("a multipart body streamed in small pieces, the file after another field; no `file` or a cut body: 422", async () => {
    const a = await allocataire();
    const xml = camt053({
      iban: POOLED_IBAN,
      from: "2026-02-10",
      to: "2026-02-10",
      opening: 255000n,
      id: "STMT-0210",
      entries: [{ amount: 20000n, bookingDate: "2026-02-10", name: "CAF DE LA MAYENNE", remittance: `RSA 01/2026 ALLOCATAIRE ${a.caf}`, bankReference: "M1" }],
    });
    const boundary = "----masp-test-boundary";
    const part = (name: string, content: string, filename?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ""}\r\n\r\n${content}\r\n`;
    const multipart = (text: string) => {
      const bytes = new TextEncoder().encode(text);
      // Sent without Content-Length, 64 bytes at a time: the parser meets boundaries cut anywhere.
      return new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 64) controller.enqueue(bytes.slice(i, i + 64));
          controller.close();
        },
      });
    };
    const send = (text: string) =>
      app.request("/v1/bank-statements", {
        method: "POST",
        headers: { ...finance, "Content-Type": `multipart/form-data; boundary=${boundary}` },
        body: multipart(text),
        // @ts-expect-error: Node's fetch needs it for a stream body
        duplex: "half",
      });
    const ok = await send(`${part("note", "relevé de février")}${part("file", xml, "releve.xml")}--${boundary}--\r\n`);
    const body = await ok.json();
    expect(ok.status, JSON.stringify(body)).toBe(201);
    expect(body.statements[0]).toMatchObject({ format: "camt.053", lines: 1, matched: 1 });
    const missing = await send(`${part("note", "rien")}--${boundary}--\r\n`);
    expect(missing.status, await missing.clone().text()).toBe(422);
    const cut = await send(`${part("file", xml, "releve.xml")}`.slice(0, 400));
    expect(cut.status, await cut.clone().text()).toBe(422);
  });

  it("a file of more lines than are held at once: identical lines keep their ordinals, a replay adds nothing, a refusal late in the file leaves nothing", async () => {
    const count = async () =>
      (
        await runText<{ s: number; l: number }>(
          database.db,
          "select (select count(*) from bank_statements)::int as s, (select count(*) from bank_statement_lines)::int as l",
        )
      )[0];
    const send = (body: Buffer) =>
      app.request("/v1/bank-statements", { method: "POST", headers: { ...finance, "Content-Type": "text/plain" }, body: new Uint8Array(body) });
    // 2 500 identical lines without a bank reference: told apart only by their ordinal of the day, across the reader's hand-overs of 1 000.
    const same = { amount: 1000n, bookingDate: "2026-02-12", label: "VIR REMISE GUICHET" };
    const statement = { iban: POOLED_IBAN, from: "2026-02-12", to: "2026-02-12", opening: 0n, entries: Array.from({ length: 2_500 }, () => same) };
    const before = await count();
    const first = await send(cfonb120(statement, { lineBreaks: false, encoding: "latin1" }));
    const body = await first.json();
    expect(first.status, JSON.stringify(body)).toBe(201);
    expect(body.statements[0]).toMatchObject({ format: "cfonb120", lines: 2_500, difference: 0 });
    const after = await count();
    expect(after).toEqual({ s: before!.s + 1, l: before!.l + 2_500 });
    const again = await send(cfonb120(statement, { lineBreaks: "LF", encoding: "utf-8" }));
    expect(again.status).toBe(200);
    expect((await again.json()).statements.map((s: { id: string }) => s.id)).toEqual([body.statements[0].id]);
    expect(await count()).toEqual(after);
    // A new statement of 1 500 lines stored as it streams, then a second one whose account is not ours: the first is undone too.
    const next = {
      ...statement,
      from: "2026-02-13",
      to: "2026-02-13",
      opening: 2_500_000n,
      entries: Array.from({ length: 1_500 }, () => ({ ...same, bookingDate: "2026-02-13" })),
    };
    const stranger = { iban: "FR7630004000031234567890143", from: "2026-02-13", to: "2026-02-13", opening: 0n, entries: [same] };
    const refused = await send(cfonb120({ statements: [next, stranger] }, { lineBreaks: "CRLF", encoding: "utf-8" }));
    const refusal = await refused.json();
    expect(refused.status, JSON.stringify(refusal)).toBe(422);
    expect(JSON.stringify(refusal)).toMatch(/unknown_bank_account|not one of our bank accounts/);
    expect(await count()).toEqual(after);
    // The same statement cut before its closing record: 422 naming the record, nothing of its 1 500 lines kept.
    const records = cfonb120Records(next);
    const truncated = await send(Buffer.from(records.slice(0, -1).join("\r\n")));
    const cut = await truncated.json();
    expect(truncated.status, JSON.stringify(cut)).toBe(422);
    expect(JSON.stringify(cut)).toMatch(/record \d+/);
    expect(await count()).toEqual(after);
  });
});
