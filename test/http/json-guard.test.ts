import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonGuard } from "../../src/http/middleware/json-guard";
import { createRouter } from "../../src/http/router";
import { isStorableText } from "../../src/services/schemas";

/** The guard alone, in front of a route that echoes what `c.req.json()` gives it. */
const app = createRouter();
app.use("*", jsonGuard());
app.post("/echo", async (c) => c.json({ got: await c.req.json() }));
const post = (body: string) => app.request("/echo", { method: "POST", headers: { "content-type": "application/json" }, body });

/** What the guard promises, by the walk it used to do on every body: a NUL or lone surrogate in any key or string. */
const unstorable = (value: unknown): boolean =>
  typeof value === "string"
    ? !isStorableText(value)
    : Array.isArray(value)
      ? value.some(unstorable)
      : value !== null && typeof value === "object"
        ? Object.entries(value).some(([k, v]) => !isStorableText(k) || unstorable(v))
        : false;

/** Strings with NULs, lone surrogates, pairs, backslashes and a literal "\\u0000". */
const tricky = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.constantFrom("\u0000", "\ud800", "\udfff", "a\ud83d", "\ud83d\ude00", "\\u0000", "\\", "\\ud800", "x\\\\u0000"),
);
const body = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, tricky, fc.integer(), fc.boolean(), fc.constant(null), tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(tricky, tie("value"), { maxKeys: 4 }),
})).value;

describe("JSON guard: one parse, handed to the route", () => {
  it("refuses exactly the bodies holding a NUL or a lone surrogate, and hands the others over as parsed", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        // JSON.stringify escapes lone surrogates (well-formed stringify): the wire carries them as \\u escapes.
        const res = await post(JSON.stringify(value));
        if (unstorable(value)) {
          expect(res.status).toBe(422);
          expect((await res.json()).error.details[0].code).toBe("invalid_text");
        } else {
          expect(res.status).toBe(200);
          expect((await res.json()).got).toEqual(value);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("names the field, a key, or the body; malformed JSON stays a 400", async () => {
    const details = async (text: string) => (await (await post(text)).json()).error.details.map((d: { field: string }) => d.field);
    expect(await details('{"reference":"a\\u0000b","ok":"\\\\u0000"}')).toEqual(["reference"]);
    expect(await details('{"a\\ud800":1}')).toEqual(["(key)"]);
    expect(await details('"\\udc00"')).toEqual(["(body)"]);
    expect((await post('{"a":')).status).toBe(400);
    expect((await post('{"a":"\u0000"}')).status).toBe(400);
  });
});
