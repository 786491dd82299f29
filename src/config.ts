import { z } from "zod";

/**
 * The only reader of process.env. Parsed once at start; a bad value stops the process
 * with a message that names the variable, before anything touches money.
 */
/** A decimal integer from the environment: no "", no 0x50, no 1e3; absent or empty means the default. */
const envInt = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.string().regex(/^\d+$/, "must be a whole decimal number").transform(Number).pipe(z.number().int().min(min).max(max)).default(fallback),
  );

const Env = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  /** The role that owns the schema: migrations and grants only (README, Database roles). Unset: DATABASE_URL does both, with a warning. */
  DATABASE_OWNER_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  PGLITE_DIR: z.string().min(1).default("./data/pglite"),
  DB_POOL_MAX: envInt(1, 200, 10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .default("redis://127.0.0.1:6379"),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, _ . - only")
    .default("masp"),
  PORT: envInt(0, 65535, 3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  SCHEDULER: z.enum(["on", "off"]).default("on"),
  /** `on` behind HTTPS: the UI's session cookie is then sent over TLS only. */
  COOKIE_SECURE: z.enum(["on", "off"]).default("off"),
  /** `on`: admin and finance staff must enrol and use a TOTP second factor to sign in to the UI. */
  MFA_REQUIRED: z.enum(["on", "off"]).default("off"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  BUSINESS_TZ: z.literal("Europe/Paris").default("Europe/Paris"),
  SHUTDOWN_TIMEOUT_MS: envInt(100, 600_000, 20_000),
  /** A worker's lock on its job; a killed worker's job goes back to the queue once it expires. */
  JOB_LOCK_MS: envInt(1_000, 600_000, 20_000),
  /** How often the workers look for jobs whose lock expired (stalled). */
  JOB_STALLED_INTERVAL_MS: envInt(500, 600_000, 15_000),
  /** A one-off payment above this many cents needs a second person's approval (four eyes). */
  FOUR_EYES_THRESHOLD_CENTS: envInt(0, 100_000_000, 50_000),
  /** Largest request body by default, in bytes (src/http/limits.ts lists the routes allowed more). */
  BODY_LIMIT_BYTES: envInt(1024, 1024 * 1024 * 1024, 1024 * 1024),
  /** Longest time to answer a request by default (job runs and statement imports are allowed more). */
  REQUEST_TIMEOUT_MS: envInt(100, 3_600_000, 30_000),
  /** Where alert mails go: `smtp://host:port` (STARTTLS when offered) or `smtps://` (TLS); unset: kept in the database (Courriels page). */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  MAIL_FROM: z.string().min(3).max(200).default("MASP <masp@localhost>"),
  /** The address of the web UI as staff reach it: the links to the fiche in mails. */
  PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, "must be an http(s):// URL")
    .default("http://localhost:3000"),
  /** How often the outbox of alert events is read and due mails and webhooks are queued. */
  NOTIFICATIONS_POLL_MS: envInt(100, 600_000, 5_000),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

function userOf(url: string): string {
  try {
    return new URL(url).username;
  } catch {
    return "";
  }
}

/** The owner's URL only beside a DATABASE_URL that names the service's own role, to which it grants. */
const CheckedEnv = Env.superRefine((env, ctx) => {
  if (!env.DATABASE_OWNER_URL) return;
  if (!env.DATABASE_URL) {
    ctx.addIssue({ code: "custom", path: ["DATABASE_OWNER_URL"], message: "needs DATABASE_URL (the service's own role) as well" });
  } else if (!userOf(env.DATABASE_URL)) {
    ctx.addIssue({
      code: "custom",
      path: ["DATABASE_URL"],
      message: "must name the service's role (postgres://role:password@host/db) when DATABASE_OWNER_URL is set",
    });
  }
});

export type Config = Readonly<z.infer<typeof Env>>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = CheckedEnv.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  return Object.freeze(parsed.data);
}
