/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import { STYLESHEETS } from "./ui/assets";

/**
 * A readable API reference rendered on the server from the OpenAPI document itself:
 * no CDN, no client bundle (the service runs on internal networks without internet).
 */
// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is walked as untyped JSON, read-only
type Json = Record<string, any>;

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

function resolve(doc: Json, schema: Json | undefined): Json | undefined {
  if (!schema) return undefined;
  const ref = schema.$ref as string | undefined;
  if (ref?.startsWith("#/components/schemas/")) return doc.components?.schemas?.[ref.slice(21)];
  return schema;
}

function typeLabel(doc: Json, schema: Json | undefined): string {
  if (!schema) return "any";
  if (schema.$ref) return (schema.$ref as string).split("/").pop() ?? "object";
  if (schema.enum) return schema.enum.map((v: unknown) => JSON.stringify(v)).join(" | ");
  if (schema.anyOf || schema.oneOf) return (schema.anyOf ?? schema.oneOf).map((s: Json) => typeLabel(doc, s)).join(" | ");
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type;
  if (type === "array") return `${typeLabel(doc, schema.items)}[]`;
  return [type ?? "object", schema.format ? `(${schema.format})` : ""].join(" ").trim();
}

const Fields: FC<{ doc: Json; schema: Json | undefined; depth?: number }> = ({ doc, schema, depth = 0 }) => {
  const s = resolve(doc, schema);
  const target = s?.type === "array" ? resolve(doc, s.items) : s;
  if (!target?.properties || depth > 3) return null;
  const required = new Set<string>(target.required ?? []);
  return (
    <ul class="fields">
      {Object.entries(target.properties as Record<string, Json>).map(([name, prop]) => (
        <li>
          <code>{name}</code> <span class="type">{typeLabel(doc, prop)}</span>
          {required.has(name) ? <span class="req">requis</span> : null}
          {prop.description ? <span class="desc"> — {prop.description}</span> : null}
          <Fields doc={doc} schema={prop} depth={depth + 1} />
        </li>
      ))}
    </ul>
  );
};

export const ApiReference: FC<{ doc: Json }> = ({ doc }) => {
  const operations: { method: string; path: string; op: Json }[] = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) if (item[method]) operations.push({ method, path, op: item[method] });
  }
  const tags = [...new Set(operations.map((o) => o.op.tags?.[0] ?? "Autres"))];
  return (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{doc.info?.title} — référence de l'API</title>
        <link rel="stylesheet" href={STYLESHEETS.apiReference} />
      </head>
      <body>
        <header>
          <h1>
            {doc.info?.title} <small>v{doc.info?.version}</small>
          </h1>
          <p>{doc.info?.description}</p>
          <p>
            Document OpenAPI 3.1 : <a href="/openapi.json">/openapi.json</a>
          </p>
        </header>
        <main>
          <nav>
            {tags.map((t) => (
              <a href={`#${t}`}>{t}</a>
            ))}
          </nav>
          {tags.map((tag) => (
            <>
              <h2 id={tag}>{tag}</h2>
              {operations
                .filter((o) => (o.op.tags?.[0] ?? "Autres") === tag)
                .map(({ method, path, op }) => {
                  const params = (op.parameters ?? []) as Json[];
                  const body = op.requestBody?.content?.["application/json"]?.schema;
                  return (
                    <section class="op">
                      <div>
                        <span class={`m ${method}`}>{method.toUpperCase()}</span>
                        <code>{path}</code>
                      </div>
                      <p>
                        <strong>{op.summary}</strong>
                      </p>
                      {op.description ? <p>{op.description}</p> : null}
                      {op.security?.length ? (
                        <p class="type">
                          Authentification : <code>Authorization: Bearer &lt;token&gt;</code>
                        </p>
                      ) : null}
                      {params.length ? (
                        <table>
                          <tr>
                            <th>Paramètre</th>
                            <th>Où</th>
                            <th>Type</th>
                            <th></th>
                          </tr>
                          {params.map((p) => (
                            <tr>
                              <td>
                                <code>{p.name}</code>
                              </td>
                              <td>{p.in}</td>
                              <td class="type">{typeLabel(doc, p.schema)}</td>
                              <td>{p.required ? <span class="req">requis</span> : null}</td>
                            </tr>
                          ))}
                        </table>
                      ) : null}
                      {body ? (
                        <>
                          <p>Corps JSON :</p>
                          <Fields doc={doc} schema={body} />
                        </>
                      ) : null}
                      <p>Réponses :</p>
                      <ul>
                        {Object.entries((op.responses ?? {}) as Record<string, Json>).map(([status, r]) => (
                          <li>
                            <code>{status}</code> {r.description}
                            {status.startsWith("2") ? <Fields doc={doc} schema={r.content?.["application/json"]?.schema} /> : null}
                          </li>
                        ))}
                      </ul>
                    </section>
                  );
                })}
            </>
          ))}
        </main>
      </body>
    </html>
  );
};
