import { and, asc, eq, ilike, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { beneficiaries } from "../../db/schema/beneficiaries";
import { ValidationError } from "../../domain/errors";
import { caseloadFilter } from "../access";
import { searchDetails, traceAccess } from "../audit/access-log";
import type { ServiceContext } from "../context";
import { isStorableText, Text, Token } from "../schemas";

export const ListBeneficiariesInput = z.object({
  /** A name (part of first or last name) or the beginning of a CAF/MSA number. */
  q: Text({ max: 100 }).optional(),
  caseworkerId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: Token(500).optional(),
});
export type ListBeneficiariesInput = z.input<typeof ListBeneficiariesInput>;

type Cursor = [last: string, first: string, id: string];

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");
function decodeCursor(raw: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as unknown;
    // A forged cursor is input like any other: what goes to PostgreSQL must be storable text.
    if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === "string" && isStorableText(v)) && z.uuid().safeParse(value[2]).success) {
      return value as Cursor;
    }
  } catch {
    // fall through
  }
  throw new ValidationError("invalid cursor", [{ field: "cursor", message: "not a cursor returned by this list" }]);
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The accented letters of French (and their neighbours) and what they become, for a
 * search that ignores accents: "zoe" finds "Zoé", "lefevre" "Lefèvre". `translate()`
 * rather than the `unaccent` extension, which PGlite does not have; the capitals are
 * listed too, because `lower()` leaves them as they are under the C locale.
 */
const ACCENTED = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸ";
const PLAIN = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUYY";
/** A name as the search compares it: without accents, ligatures spelled out, lower case. */
const searchable = (expression: SQL) => sql`lower(replace(replace(translate(${expression}, ${ACCENTED}, ${PLAIN}), 'œ', 'oe'), 'Œ', 'OE'))`;

/** The same folding in JavaScript, for the typed query (tested against the SQL one). */
export function foldAccents(text: string): string {
  let out = "";
  for (const ch of text) {
    const i = ACCENTED.indexOf(ch);
    out += i >= 0 ? PLAIN[i] : ch === "œ" ? "oe" : ch === "Œ" ? "OE" : ch;
  }
  return out.toLowerCase();
}

/** Alphabetical by last name, then first name; keyset pagination so pages never shift. */
export async function listBeneficiaries({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof ListBeneficiariesInput> }) {
  const lastKey = sql`lower(${beneficiaries.lastName})`;
  const firstKey = sql`lower(${beneficiaries.firstName})`;
  const filters: (SQL | undefined)[] = [caseloadFilter(ctx), sql`${beneficiaries.archivedAt} is null`];
  if (data.caseworkerId) filters.push(eq(beneficiaries.caseworkerId, data.caseworkerId));
  if (data.q) {
    const q = data.q;
    if (/^\d+$/.test(q)) {
      filters.push(or(ilike(beneficiaries.cafNumber, `${q}%`), ilike(beneficiaries.msaNumber, `${q}%`)));
    } else {
      // Accents ignored on both sides: "zoe" finds "Zoé", "Lefèvre" finds "Lefevre".
      const pattern = `%${escapeLike(foldAccents(q))}%`;
      filters.push(
        or(
          sql`${searchable(sql`${beneficiaries.lastName}`)} like ${pattern}`,
          sql`${searchable(sql`${beneficiaries.firstName}`)} like ${pattern}`,
          sql`${searchable(sql`${beneficiaries.firstName} || ' ' || ${beneficiaries.lastName}`)} like ${pattern}`,
          sql`${searchable(sql`${beneficiaries.lastName} || ' ' || ${beneficiaries.firstName}`)} like ${pattern}`,
        ),
      );
    }
  }
  if (data.cursor) {
    const [last, first, id] = decodeCursor(data.cursor);
    filters.push(sql`(${lastKey}, ${firstKey}, ${beneficiaries.id}) > (${last}, ${first}, ${id}::uuid)`);
  }
  const rows = await ctx.db
    .select()
    .from(beneficiaries)
    .where(and(...filters))
    .orderBy(asc(lastKey), asc(firstKey), asc(beneficiaries.id))
    .limit(data.limit + 1);
  const page = rows.slice(0, data.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > data.limit && last ? encodeCursor([last.lastName.toLowerCase(), last.firstName.toLowerCase(), last.id]) : null;
  const read = { caseworkerId: data.caseworkerId, nextPage: Boolean(data.cursor), results: page.length, ...searchDetails(data.q) };
  await traceAccess(ctx, { action: data.q ? "beneficiary.search" : "beneficiary.list", details: read });
  return { items: page, nextCursor };
}
