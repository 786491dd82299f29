import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { parseJson, queryRows } from "../../db/sql";
import { AUDIT_KINDS, type AuditKind } from "../../domain/access-traces";
import { BUSINESS_TIME_ZONE } from "../../domain/business-date";
import { ValidationError } from "../../domain/errors";
import type { ServiceContext } from "../context";
import { CalendarDate, Label } from "../schemas";
import { traceAccess } from "./access-log";

export const ListAuditInput = z.object({
  /** First day included (Europe/Paris). */
  from: CalendarDate.optional(),
  /** Last day included (Europe/Paris). */
  to: CalendarDate.optional(),
  /** Exactly as recorded: `token:<label>`, `user:<e-mail>`, `cli`, `job:<name>`, `anonymous`. */
  actor: Label.optional(),
  /** A staff member: their access traces, and the business rows written as them or by their tokens. */
  userId: z.uuid().optional(),
  beneficiaryId: z.uuid().optional(),
  action: z
    .string()
    .trim()
    .regex(/^[a-z_.]{1,100}$/, "an action name, e.g. beneficiary.read")
    .optional(),
  /** `business` (changes, never purged) or `access` (sign-ins and reads, kept a year); both when absent. */
  kind: z.enum(AUDIT_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type ListAuditInput = z.input<typeof ListAuditInput>;

/** Newest first: by time (to the microsecond), then access before business, then id. */
type Cursor = [atMicros: string, rank: 0 | 1, id: string];

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");
function decodeCursor(raw: string): Cursor {
  try {
    const v = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(v) && v.length === 3 && /^\d{1,20}$/.test(String(v[0])) && (v[1] === 0 || v[1] === 1) && /^\d{1,19}$/.test(String(v[2]))) {
      return v as Cursor;
    }
  } catch {
    // fall through
  }
  throw new ValidationError("invalid cursor", [{ field: "cursor", message: "not a cursor returned by this list" }]);
}

interface Row {
  kind: AuditKind;
  rank: number;
  id: string;
  at_us: string;
  at: string;
  action: string;
  actor: string;
  role: string | null;
  user_id: string | null;
  token_id: string | null;
  source: string | null;
  request_id: string | null;
  beneficiary_id: string | null;
  entity_type: string | null;
  entity_id: string | null;
  details: unknown;
}

const dayStart = (day: string) => sql`((${day})::date::timestamp at time zone ${BUSINESS_TIME_ZONE})`;
const nextDayStart = (day: string) => sql`(((${day})::date + 1)::timestamp at time zone ${BUSINESS_TIME_ZONE})`;

/**
 * The business audit (`audit_log`) and the access traces (`access_log`) as one trail,
 * newest first, keyset-paginated. Reading the trail is itself an access trace.
 */
export async function listAudit({ ctx, data }: { ctx: ServiceContext; data: z.output<typeof ListAuditInput> }) {
  const common: SQL[] = [];
  if (data.from) common.push(sql`at >= ${dayStart(data.from)}`);
  if (data.to) common.push(sql`at < ${nextDayStart(data.to)}`);
  if (data.actor) common.push(sql`actor = ${data.actor}`);
  if (data.beneficiaryId) common.push(sql`beneficiary_id = ${data.beneficiaryId}::uuid`);
  if (data.action) common.push(sql`action = ${data.action}`);
  if (data.cursor) {
    const [atMicros, rank, id] = decodeCursor(data.cursor);
    common.push(sql`(at, rank, id) < (timestamptz 'epoch' + ${atMicros}::bigint * interval '1 microsecond', ${rank}::int, ${id}::bigint)`);
  }
  const business = [...common];
  const access = [...common];
  if (data.userId) {
    access.push(sql`user_id = ${data.userId}::uuid`);
    business.push(sql`actor in (select 'user:' || email from users where id = ${data.userId}::uuid
                                union all select 'token:' || name from api_tokens where user_id = ${data.userId}::uuid)`);
  }
  const where = (filters: SQL[]) => (filters.length ? sql`where ${sql.join(filters, sql` and `)}` : sql``);
  const limit = data.limit + 1;
  const branches: SQL[] = [];
  if (data.kind !== "access") {
    branches.push(sql`(select * from (select 'business' as kind, 0 as rank, id, at, action, actor, role, null::uuid as user_id, null::uuid as token_id,
        null::text as source, request_id, beneficiary_id, entity_type, entity_id, changes as details from audit_log) b
      ${where(business)} order by at desc, id desc limit ${limit})`);
  }
  if (data.kind !== "business") {
    branches.push(sql`(select * from (select 'access' as kind, 1 as rank, id, at, action, actor, role, user_id, token_id,
        source, request_id, beneficiary_id, null::text as entity_type, null::uuid as entity_id, details from access_log) a
      ${where(access)} order by at desc, id desc limit ${limit})`);
  }
  const rows = await queryRows<Row>(
    ctx.db,
    sql`select kind, rank, id::text as id, (extract(epoch from at) * 1000000)::bigint::text as at_us,
          to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, action, actor, role,
          user_id::text as user_id, token_id::text as token_id, source, request_id, beneficiary_id::text as beneficiary_id,
          entity_type, entity_id::text as entity_id, details
        from (${sql.join(branches, sql` union all `)}) t
       order by at desc, rank desc, id::bigint desc
       limit ${limit}`,
  );
  const page = rows.slice(0, data.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > data.limit && last ? encodeCursor([last.at_us, last.rank as 0 | 1, last.id]) : null;
  const { cursor: _cursor, limit: _limit, ...filters } = data;
  await traceAccess(ctx, { action: "audit.read", beneficiaryId: data.beneficiaryId, details: { ...filters, results: page.length } });
  return {
    items: page.map((r) => ({
      kind: r.kind,
      id: `${r.kind}:${r.id}`,
      at: r.at,
      action: r.action,
      actor: r.actor,
      role: r.role,
      userId: r.user_id,
      tokenId: r.token_id,
      source: r.source,
      requestId: r.request_id,
      beneficiaryId: r.beneficiary_id,
      entityType: r.entity_type,
      entityId: r.entity_id,
      details: parseJson<Record<string, unknown>>(r.details) ?? {},
    })),
    nextCursor,
  };
}
