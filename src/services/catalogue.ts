import { asc, desc, eq } from "drizzle-orm";
import type { Executor } from "../db/client";
import { prestationCatalogue, prestationCatalogueVersions } from "../db/schema/catalogue";
import type { Catalogue } from "../domain/catalogue";
import { NotFoundError } from "../domain/errors";

/**
 * Reference data read on hot paths (every credit): versions are immutable, so a
 * loaded version is cached for the life of the process.
 */
const cache = new Map<string, Catalogue>();
/** Which versions exist changes only with a migration: re-read once a minute at most. */
let versions: { list: { version: string; validFrom: string }[]; expires: number } | undefined;

export async function catalogueInForce(executor: Executor, date: string): Promise<Catalogue> {
  if (!versions || versions.expires < Date.now()) {
    const list = await executor.select().from(prestationCatalogueVersions).orderBy(desc(prestationCatalogueVersions.validFrom));
    versions = { list, expires: Date.now() + 60_000 };
  }
  const version = versions.list.find((v) => v.validFrom <= date);
  if (!version) throw new NotFoundError("prestation catalogue in force on", date);
  return catalogueVersion(executor, version.version);
}

export async function catalogueVersion(executor: Executor, version: string): Promise<Catalogue> {
  const hit = cache.get(version);
  if (hit) return hit;
  const [meta] = await executor.select().from(prestationCatalogueVersions).where(eq(prestationCatalogueVersions.version, version));
  if (!meta) throw new NotFoundError("prestation catalogue version", version);
  const rows = await executor.select().from(prestationCatalogue).where(eq(prestationCatalogue.version, version)).orderBy(asc(prestationCatalogue.item));
  const catalogue: Catalogue = {
    version,
    validFrom: meta.validFrom,
    items: rows.map((r) => ({
      code: r.code,
      item: r.item,
      label: r.label,
      payer: r.payer,
      scope: r.scope,
      earmarked: r.earmarked ?? null,
      masp3: r.masp3 ?? null,
    })),
  };
  cache.set(version, catalogue);
  return catalogue;
}
