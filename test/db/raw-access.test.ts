import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJson, pgTextArray, toBigInt, uuidArray } from "../../src/db/sql";

/** src/db/sql.ts: raw access, imported by client.ts (types), importing nothing back. */
describe("raw access (src/db/sql.ts)", () => {
  const imports = (file: string) => [...readFileSync(new URL(`../../src/db/${file}`, import.meta.url), "utf8").matchAll(/from "(\.[^"]+)"/g)].map((m) => m[1]);

  it("forms no import cycle with client.ts", () => {
    expect(imports("sql.ts")).not.toContain("./client");
    expect(imports("client.ts")).toContain("./sql");
  });

  it("parses int8 from every driver's form, and refuses anything but an integer", () => {
    expect([toBigInt("9007199254740993"), toBigInt(-12), toBigInt(5n)]).toEqual([9007199254740993n, -12n, 5n]);
    for (const bad of ["1.5", "", 1.5, null, "12a"]) expect(() => toBigInt(bad)).toThrow(TypeError);
  });

  it("writes array parameters and reads JSON from text or parsed values", () => {
    expect(pgTextArray(['a"b', "c\\d", "e,f"])).toBe('{"a\\"b","c\\\\d","e,f"}');
    expect(uuidArray(["x", "y", "x"])).toBe("{x,y}");
    expect(parseJson<{ a: number }>('{"a":1}')).toEqual({ a: 1 });
    expect(parseJson<{ a: number }>({ a: 1 })).toEqual({ a: 1 });
  });
});
