import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";

type Json = Record<string, any>;
const DOC_ID = "openapi.json";
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/**
 * Checks an API answer against the service's own OpenAPI document: the operation is
 * found by method and path template, the status must be documented, and a JSON body
 * must match that status's schema. A path no route serves must answer the error envelope.
 */
export class OpenApiResponseChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly operations: { method: string; template: string; pattern: RegExp; op: Json }[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(doc: Json) {
    addFormats(this.ajv);
    this.ajv.addSchema({ ...doc, $id: DOC_ID });
    for (const [template, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
      const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}/g, "[^/]+")}$`);
      for (const method of METHODS) if (item[method]) this.operations.push({ method, template, pattern, op: item[method] });
    }
    // Fixed segments (`/v1/beneficiaries/search`) before templated ones.
    this.operations.sort((a, b) => a.template.split("{").length - b.template.split("{").length);
  }

  /** The problems found (none: the answer keeps to the document). */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown): string[] {
    const path = new URL(url, "http://test").pathname;
    const found = this.operations.find((o) => o.method === method.toLowerCase() && o.pattern.test(path));
    const name = `${method.toUpperCase()} ${path} → ${status}`;
    if (!found) {
      // Only the unknown-route answer has no operation: it is the error envelope.
      if (!path.startsWith("/v1/") || status < 400) return [];
      return this.validate(`${name} (no operation)`, "#/components/schemas/Error", body);
    }
    const { method: m, template, op } = found;
    const response = op.responses?.[String(status)] ?? op.responses?.default;
    if (!response)
      return [`${name}: status ${status} is not documented for ${m.toUpperCase()} ${template} (documented: ${Object.keys(op.responses ?? {}).join(", ")})`];
    const content = response.content?.["application/json"];
    if (!content) return [];
    if (!contentType?.includes("application/json")) return [`${name}: documented as application/json, answered ${contentType ?? "without a content type"}`];
    const pointer = `#/paths/${pointerSegment(template)}/${m}/responses/${response === op.responses?.default ? "default" : status}/content/${pointerSegment("application/json")}/schema`;
    return this.validate(name, pointer, body);
  }

  private validate(name: string, pointer: string, body: unknown): string[] {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOC_ID}${pointer}` });
      this.compiled.set(pointer, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${name}: ${e.instancePath || "(body)"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
  }
}

/** A JSON pointer segment. */
const pointerSegment = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");
